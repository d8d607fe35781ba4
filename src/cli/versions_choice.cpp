// --versions: several versions of a framework in one run, side by side.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "environments/store.h"
#include "environments/versioned.h"
#include "execution/build_info.h"
#include "execution/isolation.h"
#include "execution/worker_process.h"
#include "execution/rounds.h"
#include "model/error.h"

namespace opbench::cli {

namespace {

// This build's framework plug-ins and the versions they were built with:
// a version asked for that one of them has is served by it.
std::map<std::string, OwnPlugin> own_plugins(const std::vector<std::unique_ptr<Backend>>& build) {
  std::error_code ec;
  const std::filesystem::path dir = std::filesystem::canonical(this_executable(), ec).parent_path() / "plugins";
  std::map<std::string, OwnPlugin> own;
  for (const auto& b : build)
    for (const Framework& f : frameworks())
      if (auto v = b->versions(); v.count(f.name)) {
        const std::string& version = v[f.name];
        own[f.name] = {version.substr(0, version.find('+')), (dir / f.module).string()};  // 2.11.0+cu130
      }
  return own;
}

// Whether `b` (of this build) is a backend of a framework the run times at several versions.
bool versioned_framework(const Backend& b, const std::vector<VersionRequest>& requests) {
  const auto versions = b.versions();
  return std::any_of(requests.begin(), requests.end(), [&](const VersionRequest& r) { return versions.count(r.framework); });
}

void say(const std::string& text) { std::cerr << "opbench run: " << text << "\n"; }

}  // namespace

VersionsChoice choose_versions(const std::vector<std::string>& texts, const std::vector<std::string>& wanted, int rounds,
                               double time_limit_s) {
  const std::vector<VersionRequest> requests = parse_version_requests(texts);
  const VersionStore store(
      {default_versions_root(), build_python(), build_source_dir(), this_build(), build_type(), build_configure_args()});
  for (const VersionRequest& r : requests) store.check_available(r);  // every refusal before any install

  std::vector<std::unique_ptr<Backend>> build = create_backends();
  const std::string exe = this_executable();
  Describe describe = [&](const std::string& plugin) {
    return describe_plugin(exe, plugin, default_versions_root() + "/plugins/describe.log");
  };
  VersionedBackends versioned = versioned_backends(requests, wanted, store, own_plugins(build), describe, say);
  for (const VersionPlugin& v : versioned.versions)
    say(v.framework + " " + v.version + ": " + (v.error.empty() ? v.setup : v.error));

  // The rest of --backends (or, without it, every available backend of the
  // frameworks not given versions) comes from this build.
  std::string rest;
  for (const std::string& name : wanted)
    if (std::find(versioned.claimed.begin(), versioned.claimed.end(), name) == versioned.claimed.end())
      rest += (rest.empty() ? "" : ",") + name;
  std::vector<std::unique_ptr<Backend>> plain;
  if (!rest.empty()) plain = choose_backends(Args(kRunSpec, {"--backends", rest}));
  if (wanted.empty())
    for (auto& b : build)
      if (b->unavailable_reason().empty() && !versioned_framework(*b, requests)) plain.push_back(std::move(b));

  VersionsChoice out;
  std::vector<BackendGroup> groups;
  if (!plain.empty()) {
    BackendGroup own;
    for (const auto& b : plain) own.names.push_back(b->info().name);
    own.executor = std::make_unique<IsolatedExecutor>("", own.names, time_limit_s);
    groups.push_back(std::move(own));
  }
  for (const VersionPlugin& v : versioned.versions) {
    if (v.backends.empty()) continue;
    BackendGroup g{v.backends, nullptr, v.error};
    if (v.error.empty()) {
      auto executor = std::make_unique<IsolatedExecutor>("", v.backends, time_limit_s);
      executor->set_environment({{"OPBENCH_PLUGINS", v.plugin}});
      g.executor = std::move(executor);
    }
    groups.push_back(std::move(g));
  }
  out.backends = std::move(plain);
  for (auto& b : versioned.backends) out.backends.push_back(std::move(b));
  if (out.backends.empty()) throw UsageError("--versions: no backend left to run (see opbench list)");
  std::stable_sort(out.backends.begin(), out.backends.end(),
                   [](const auto& a, const auto& b) { return a->info().column < b->info().column; });
  out.executor = std::make_unique<RoundsExecutor>(std::move(groups), rounds);
  return out;
}

}  // namespace opbench::cli
