#pragma once
// What a backend says of itself, as result files record it: its name, its
// column and its speedup columns; and the one table that orders the columns
// of every backend opbench knows and declares the speedup columns.
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
  std::vector<SpeedupColumn> speedups;  // this backend's speedups over others
};

// The column of a backend the table does not list: after every known one
// (create_backends() orders such backends by name). Result files without a
// column read as this too.
inline constexpr int kUnlistedColumn = 1000;

// `name`'s info: its column and speedup columns from the table
// (model/backend_info.cpp), kUnlistedColumn and none when it is not there.
BackendInfo backend_info(const std::string& name, const std::string& description);

// A backend of one framework version of several in a run (opbench run
// --versions): "cpu@torch-2.15.0", `backend` of `framework` at `version`.
// Its worker process loads that version's plug-in, where it is plain "cpu".
std::string versioned_name(const std::string& backend, const std::string& framework, const std::string& version);
// "cpu" of "cpu@torch-2.15.0"; a plain name as it is.
std::string base_name(const std::string& name);
// "torch-2.15.0" of "cpu@torch-2.15.0"; empty for a plain name.
std::string version_tag(const std::string& name);

}  // namespace opbench
