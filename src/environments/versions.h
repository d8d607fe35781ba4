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

// Every framework --versions knows, by name. Its MLX is the build of MLX
// that this program's own is (mlx_flavour of build_mlx_distributions()).
const std::vector<Framework>& frameworks();

// Which build of MLX --versions installs, so that every version is the kind
// this program's own MLX is: "cuda13" where `distributions` (the MLX
// distributions of the build's Python at configure time, separated by
// spaces) include mlx-cuda-13 (MLX's CUDA 13 build; any mlx-cuda-NN gives
// "cudaNN"), else "cpu". Names compare as pip normalizes them (MLX_CUDA_13
// is mlx-cuda-13).
std::string mlx_flavour(const std::string& distributions);
// MLX as pip names it for `flavour`: on Linux the requirement mlx[cpu]=={}
// and the package mlx-cpu, or mlx[cuda13]=={} and mlx-cuda-13; on macOS
// plain mlx=={} (Metal), whatever the flavour.
Framework mlx_framework(const std::string& flavour);
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
