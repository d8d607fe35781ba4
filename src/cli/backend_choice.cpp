// --backends, shared by the commands that time something.
#include <algorithm>

#include "cli/commands.h"
#include "model/error.h"

namespace opbench::cli {

namespace {

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<std::unique_ptr<Backend>> choose_backends(const Args& args) {
  std::vector<std::unique_ptr<Backend>> all = create_backends(), chosen;
  if (!args.has("backends")) {
    for (auto& b : all)
      if (b->unavailable_reason().empty()) chosen.push_back(std::move(b));
    if (chosen.empty()) throw UsageError("no backend is available in this build (see opbench list)");
    return chosen;
  }
  for (const std::string& name : split_list(args.get("backends"), "backends")) {
    auto it = std::find_if(all.begin(), all.end(), [&](auto& b) { return b && b->info().name == name; });
    // A backend already chosen has been moved out of `all`: say so, not "unknown".
    if (std::any_of(chosen.begin(), chosen.end(), [&](auto& b) { return b->info().name == name; }))
      throw UsageError("--backends " + quote(args.get("backends")) + " names backend " + quote(name) + " twice");
    if (it == all.end()) {
      for (const MissingBackend& m : missing_backends())
        if ((", " + m.names + ",").find(", " + name + ",") != std::string::npos)
          throw UsageError("backend " + quote(name) + " is not in this build: " + m.reason);
      throw UsageError("unknown backend " + quote(name) + " (known: " + list_names(known_backend_names()) + ")");
    }
    if (std::string reason = (*it)->unavailable_reason(); !reason.empty())
      throw UsageError("backend " + quote(name) + " is not available here: " + reason);
    chosen.push_back(std::move(*it));
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](auto& a, auto& b) { return a->info().column < b->info().column; });
  return chosen;
}

}  // namespace opbench::cli
