#pragma once
// Framework versions installed once and kept, each with its plug-in built
// once per opbench build, under one folder (~/.opbench, or
// $OPBENCH_VERSIONS_DIR):
//
//   envs/<fw>-<version>/            pip install --target of that version; a
//                                   folder there is complete: pip fills
//                                   envs/.<fw>-<version>.partial-<pid> and
//                                   it is renamed only when pip succeeded, so
//                                   a full disk or a kill leaves nothing a
//                                   later run would trust
//   envs/<fw>-<version>.log         pip's output
//   plugins/<fw>-<version>-<build>.so   the plug-in built against it, for one
//                                   opbench build (execution/build_info.h);
//                                   building it removes that version's
//                                   plug-ins of other builds (prune_plugins)
//   plugins/build/<fw>-<version>/   its CMake build folder, kept so that the
//                                   next opbench build's plug-in is an
//                                   incremental build
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "environments/versions.h"

namespace opbench {

struct StoreSettings {
  std::string root;        // the folder above
  std::string python;      // whose pip installs
  std::string source_dir;  // opbench's sources, which plug-ins are built from
  std::string build_key;   // this opbench build
  std::string build_type;  // CMAKE_BUILD_TYPE of this build: the plug-in's objects match its core's
  // Where this build's configure found its dependencies (-DVAR=value,
  // execution/build_info.h): the plug-in's configure needs them as well.
  std::vector<std::string> configure_args = {};
};

// ~/.opbench, or $OPBENCH_VERSIONS_DIR.
std::string default_versions_root();

// One version made ready, or why it cannot run.
struct PreparedVersion {
  std::string framework, version;
  std::string plugin;  // the module its worker loads; empty when `error`
  std::string error;   // one line: why its backends cannot run (pip or the compiler said)
  bool installed = false, built = false;  // by this call (else found in the store)
  double install_s = 0, build_s = 0;
};

class VersionStore {
 public:
  explicit VersionStore(StoreSettings settings) : s_(std::move(settings)) {}

  // Throws UsageError naming the first version of `request` that the package
  // index has no file of for this platform (pip index versions lists only
  // those), or saying that the index cannot be asked. Versions already
  // installed are not looked up.
  void check_available(const VersionRequest& request) const;

  // Installs `version` unless the store has it, and builds its plug-in unless
  // the store has it for this build. `say` hears each step as it begins. A
  // failure is the result's `error`, never an exception.
  PreparedVersion prepare(const Framework& framework, const std::string& version,
                          const std::function<void(const std::string&)>& say) const;

  // Where `version` is (or goes): the build's own Python environment
  // (OPBENCH_PYTHON's site-packages) when it has that version, so that the
  // version `make build` installed is never downloaded again; else
  // envs/<fw>-<version>.
  std::string environment_dir(const Framework& framework, const std::string& version) const;
  std::string plugin_path(const Framework& framework, const std::string& version) const;

  // The CMake command that configures `version`'s plug-in in its build folder:
  // this build's type and dependency locations, the framework's plug-in
  // alone, found in the version's environment.
  std::vector<std::string> configure_command(const Framework& framework, const std::string& version) const;

 private:
  std::string install(const Framework& framework, const std::string& version, PreparedVersion& out) const;
  std::string build(const Framework& framework, const std::string& version, PreparedVersion& out) const;

  // The build Python's site-packages when it has `framework` at `version`, else empty.
  std::string build_python_has(const Framework& framework, const std::string& version) const;

  StoreSettings s_;
  mutable std::map<std::string, std::string> asked_;  // build_python_has's answers, by "<fw>-<version>"
};

// Removes the plug-ins of `framework` at `version` in `plugins_dir` that
// another opbench build made (plugins/<fw>-<version>-<other key>.so), all
// but `keep`: each opbench build builds its own, and the folder would
// otherwise grow by one plug-in a version with every rebuilt opbench. Other
// versions and files that are not such plug-ins are left alone; returns the
// files removed. A worker that has one loaded keeps running (the file goes
// when the last process holding it ends).
std::vector<std::string> prune_plugins(const std::string& plugins_dir, const Framework& framework,
                                       const std::string& version, const std::string& keep);

// The versions pip's "Available versions: 2.15.0, 2.14.1, ..." line lists;
// empty when `output` has none.
std::vector<std::string> listed_versions(const std::string& output);

}  // namespace opbench
