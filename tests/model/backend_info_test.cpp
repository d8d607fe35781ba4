// The one table of backend columns and speedup columns (model/backend_info.cpp).
#include "model/backend_info.h"

#include <gtest/gtest.h>

namespace opbench {
namespace {

std::vector<std::pair<std::string, int>> speedups_of(const BackendInfo& info) {
  std::vector<std::pair<std::string, int>> out;
  for (const SpeedupColumn& s : info.speedups) out.emplace_back(s.baseline, s.order);
  return out;
}

// The seed's order of columns, opbench's own beside their kin: the numbers
// result files have always recorded.
TEST(BackendTable, ColumnsFollowTheSeed) {
  std::vector<std::string> names = {"mlx_gpu", "mlx_gpu_compile", "mlx_cpu", "mlx_cpu_compile", "mps", "cpu", "cuda", "cuda_graph"};
  std::vector<int> columns = {10, 20, 30, 35, 40, 50, 60, 65};
  for (size_t i = 0; i < names.size(); ++i) {
    BackendInfo info = backend_info(names[i], "words");
    EXPECT_EQ(info.name, names[i]);
    EXPECT_EQ(info.column, columns[i]) << names[i];
    EXPECT_EQ(info.description, "words");
  }
}

// Each speedup column is declared once, on the backend that is faster when
// it is positive, whichever plug-in the baseline lives in.
TEST(BackendTable, SpeedupsAreDeclaredOnceWithTheirOrder) {
  using Pairs = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(speedups_of(backend_info("mlx_gpu", "")), (Pairs{{"mps", 20}, {"cuda", 25}, {"mlx_cpu", 30}}));
  EXPECT_EQ(speedups_of(backend_info("mlx_gpu_compile", "")), (Pairs{{"mlx_gpu", 10}}));
  EXPECT_EQ(speedups_of(backend_info("mlx_cpu_compile", "")), (Pairs{{"mlx_cpu", 35}}));
  // The two frameworks on one CPU: after the seed's MLX pairs, before cuda/cpu.
  EXPECT_EQ(speedups_of(backend_info("mlx_cpu", "")), (Pairs{{"cpu", 37}}));
  EXPECT_EQ(speedups_of(backend_info("cuda", "")), (Pairs{{"cpu", 40}}));
  EXPECT_EQ(speedups_of(backend_info("cuda_graph", "")), (Pairs{{"cuda", 45}}));
  EXPECT_TRUE(backend_info("cpu", "").speedups.empty());
  EXPECT_TRUE(backend_info("mps", "").speedups.empty());
}

TEST(BackendTable, AnUnlistedBackendComesAfterTheKnownOnes) {
  BackendInfo info = backend_info("rocm", "a framework on AMD GPUs");
  EXPECT_EQ(info.column, kUnlistedColumn);
  EXPECT_GT(info.column, backend_info("cuda_graph", "").column);
  EXPECT_TRUE(info.speedups.empty());
}

}  // namespace
}  // namespace opbench
