#pragma once
// `opbench run --versions torch=2.11.0,2.15.0 --versions mlx=0.31.2,0.32.4`:
// which releases of which framework a run times side by side, and the names
// their backends take ("cpu@torch-2.15.0"). Plain text, no I/O.
#include <string>
#include <vector>

#include "model/backend_info.h"  // versioned_name

namespace opbench {

// A framework that can be installed at several versions: how pip names it,
// and what tells opbench's build where a version's C++ library lies.
struct Framework {
  std::string name;          // "torch", "mlx": the key of Backend::versions()
  std::string package;       // the package the index lists ("torch", "mlx-cpu")
  std::string requirement;   // pip's requirement, "{}" standing for the version ("mlx[cpu]=={}")
  std::string cmake_option;  // the option that builds its plug-in (OPBENCH_WITH_TORCH)
  std::string module;        // the plug-in's module (opbench_torch.so)
  // The CMake arguments that find the version installed in `prefix` (a pip --target folder).
  std::vector<std::string> cmake_args(const std::string& prefix) const;
  std::string requirement_for(const std::string& version) const;
};

// Every framework --versions knows, by name.
const std::vector<Framework>& frameworks();
// Throws UsageError naming `name` and the known ones.
const Framework& find_framework(const std::string& name);

// One framework and its versions, oldest first, each once.
struct VersionRequest {
  std::string framework;
  std::vector<std::string> versions;
};

// --versions texts ("torch=2.11.0,2.15.0"; several in one text may be
// separated by spaces), in the order given, a framework once. Malformed text,
// an unknown framework or a version that is not a release number is one
// UsageError naming it.
std::vector<VersionRequest> parse_version_requests(const std::vector<std::string>& texts);

// Release numbers in numeric order: 0.9.1 < 0.31.2 < 0.32.4; a part of
// letters (2.15.0rc1) compares as text after the numbers it follows.
bool version_less(const std::string& a, const std::string& b);

}  // namespace opbench
