#pragma once
// The backends of a run over several framework versions: each version made
// ready (installed, its plug-in built: environments/store.h), asked what
// backends its plug-in has, and each such backend named with its version
// ("cpu@torch-2.15.0"), in column order: a backend's versions side by side,
// oldest first.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "environments/store.h"
#include "environments/versions.h"
#include "execution/remote_backend.h"

namespace opbench {

// This build's own plug-in of a framework, which serves the version it was
// built with: no second install of the same version.
struct OwnPlugin {
  std::string version;  // "2.11.0"
  std::string module;   // <program's folder>/plugins/opbench_torch.so
};

// One framework version as the run uses it.
struct VersionPlugin {
  std::string framework, version;
  std::string plugin;  // the module its workers load; empty when `error`
  std::string error;   // why its backends' cells are nan
  std::vector<std::string> backends;  // its backends' names in the run
  std::string setup;   // what making it took: "installed in 95 s, plug-in built in 120 s", "reused"
};

struct VersionedBackends {
  std::vector<std::unique_ptr<Backend>> backends;  // RemoteBackends, in column order
  std::vector<VersionPlugin> versions;             // in the order of the requests
  // Names every versioned framework's plug-ins have ("cpu", "cuda", ...):
  // --backends names among them are the versions'.
  std::vector<std::string> claimed;
};

// What a plug-in says of its backends: `exe` started as `opbench worker
// --describe` loading `plugin` alone. Throws std::runtime_error with why it
// cannot say (the module does not load).
using Describe = std::function<std::vector<BackendDescription>(const std::string& plugin)>;
std::vector<BackendDescription> describe_plugin(const std::string& exe, const std::string& plugin, const std::string& log);

// `wanted`: the --backends names (empty: every backend a version has that
// can run here). `own`: this build's plug-ins by framework. `say` hears
// each install and build as it begins.
VersionedBackends versioned_backends(const std::vector<VersionRequest>& requests, const std::vector<std::string>& wanted,
                                     const VersionStore& store, const std::map<std::string, OwnPlugin>& own,
                                     const Describe& describe, const std::function<void(const std::string&)>& say);

// The versions map of a version's backend keyed by version, so that one
// run's record holds every version: {"torch": "2.15.0", "torch_blas": "MKL"}
// -> {"torch@2.15.0": "2.15.0", "torch@2.15.0_blas": "MKL"}.
std::map<std::string, std::string> versions_by_version(const std::map<std::string, std::string>& versions,
                                                       const std::string& framework, const std::string& version);

}  // namespace opbench
