#pragma once
// What the build of this opbench knew (generated: build_info.cpp.in).
#include <string>
#include <vector>

namespace opbench {

// The sources this opbench was built from, and how: opbench run --versions
// builds a framework version's plug-in from them.
std::string build_source_dir();
std::string build_type();
// The Python whose pip installs framework versions (OPBENCH_PYTHON).
std::string build_python();
// Where this build's configure found its dependencies, as CMake arguments
// ("-Dnlohmann_json_DIR=/opt/json/share/cmake/nlohmann_json", the compiler,
// CMAKE_PREFIX_PATH): a framework version's plug-in is configured with them.
const std::vector<std::string>& build_configure_args();
// The MLX distributions the build's Python had at configure time, separated
// by spaces ("mlx mlx-cpu"; "mlx mlx-cuda-13" for MLX's CUDA build).
std::string build_mlx_distributions();

// This opbench build, for keys of what a build made (cached references,
// versions' plug-ins): its version and the program file's size and time, so
// that a rebuilt program never takes an older build's.
std::string this_build();

}  // namespace opbench
