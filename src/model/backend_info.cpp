#include "model/backend_info.h"

namespace opbench {

namespace {

// The backend columns in the seed's order (mlx_gpu, mlx_gpu_compile, mlx_cpu,
// mps, cpu, cuda), opbench's own beside their kin. The numbers are what
// result files record, so they stay as they are; gaps leave room.
struct Column {
  const char* name;
  int column;
};
constexpr Column kColumns[] = {
    {"mlx_gpu", 10}, {"mlx_gpu_compile", 20}, {"mlx_cpu", 30}, {"mlx_cpu_compile", 35},
    {"mps", 40},     {"cpu", 50},             {"cuda", 60},    {"cuda_graph", 65},
};

// The speedup columns "a/b speedup", in the seed's order (mlx_gpu_compile/mlx_gpu,
// mlx_gpu/mps, mlx_gpu/mlx_cpu, cuda/cpu), opbench's own beside their kin;
// mlx_gpu/cuda is the NVIDIA counterpart of the seed's mlx_gpu/mps, and
// mlx_cpu/cpu the two frameworks on one CPU (every machine that runs both).
struct Speedup {
  const char* a;
  const char* b;
  int order;
};
constexpr Speedup kSpeedups[] = {
    {"mlx_gpu_compile", "mlx_gpu", 10}, {"mlx_gpu", "mps", 20}, {"mlx_gpu", "cuda", 25},
    {"mlx_gpu", "mlx_cpu", 30},         {"mlx_cpu_compile", "mlx_cpu", 35}, {"mlx_cpu", "cpu", 37},
    {"cuda", "cpu", 40},
    {"cuda_graph", "cuda", 45},
};

}  // namespace

BackendInfo backend_info(const std::string& name, const std::string& description) {
  BackendInfo info{name, kUnlistedColumn, description, {}};
  for (const Column& c : kColumns)
    if (name == c.name) info.column = c.column;
  for (const Speedup& s : kSpeedups)
    if (name == s.a) info.speedups.push_back({s.b, s.order});
  return info;
}

}  // namespace opbench
