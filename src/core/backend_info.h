#pragma once
// What a backend says of itself, as result files record it: its name, its
// column and its speedup columns.
#include <string>
#include <vector>

namespace opbench {

// "speedup of this backend over `baseline`", a column of the seed's tables.
struct SpeedupColumn {
  std::string baseline;
  int order = 0;  // position among all speedup columns (the seed's order)
};

struct BackendInfo {
  std::string name;         // the seed's column name: "cpu", "cuda", "mlx_gpu"
  int column = 0;           // position among backend columns (the seed's order)
  std::string description;  // "torch framework with cpu backend"
  std::vector<SpeedupColumn> speedups;
};

}  // namespace opbench
