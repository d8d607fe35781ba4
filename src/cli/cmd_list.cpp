// opbench list: what this build can do.
#include <iostream>

#include "cli/commands.h"
#include "execution/backend.h"
#include "model/ops.h"
#include "model/suite.h"

namespace opbench::cli {

const CommandSpec kListSpec = {"list", "opbench list", "Prints the ops, the backends of this build (and why any is missing), and the built-in suites.", {}};

namespace {

// `name` and the spaces that take the next column to `width` (one at least).
std::string column(const std::string& name, size_t width) {
  return name + std::string(name.size() < width ? width - name.size() : 1, ' ');
}

}  // namespace

int list_command(const Args&) {
  std::cout << "ops:\n";
  for (const OpSpec& op : all_ops()) std::cout << "  " << column(op.name, 28) << op.summary << "\n";

  std::cout << "\nbackends:\n";
  for (const auto& backend : create_backends()) {
    const std::string& name = backend->info().name;
    std::string reason = backend->unavailable_reason();
    std::cout << "  " << column(name, 18)
              << (reason.empty() ? "available: " + backend->info().description : "unavailable: " + reason) << "\n";
  }
  for (const MissingBackend& m : missing_backends()) std::cout << "  " << m.names << ": not in this build: " << m.reason << "\n";

  std::cout << "\nsuites:\n";
  for (const std::string& name : builtin_suite_names())
    std::cout << "  " << column(name, 19) << load_suite(name).experiments.size() << " experiments\n";
  std::cout << "  " << column("FILE", 19) << "a file of experiment lines, as suites/default.txt\n";
  return kExitOk;
}

}  // namespace opbench::cli
