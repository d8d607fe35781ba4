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
//                                   opbench build (execution/build_info.h)
//   plugins/build/<fw>-<version>/   its CMake build folder, kept so that the
//                                   next opbench build's plug-in is an
//                                   incremental build
#include <functional>
#include <map>
#include <string>

#include "environments/versions.h"

namespace opbench {

struct StoreSettings {
  std::string root;        // the folder above
  std::string python;      // whose pip installs
  std::string source_dir;  // opbench's sources, which plug-ins are built from
  std::string build_key;   // this opbench build
  std::string build_type;  // CMAKE_BUILD_TYPE of this build: the plug-in's objects match its core's
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

 private:
  std::string install(const Framework& framework, const std::string& version, PreparedVersion& out) const;
  std::string build(const Framework& framework, const std::string& version, PreparedVersion& out) const;

  // The build Python's site-packages when it has `framework` at `version`, else empty.
  std::string build_python_has(const Framework& framework, const std::string& version) const;

  StoreSettings s_;
  mutable std::map<std::string, std::string> asked_;  // build_python_has's answers, by "<fw>-<version>"
};

// The versions pip's "Available versions: 2.15.0, 2.14.1, ..." line lists;
// empty when `output` has none.
std::vector<std::string> listed_versions(const std::string& output);

}  // namespace opbench
