#pragma once
// Small views of a result record, and of its folder, shared by the tests of
// running and resuming.
#include <filesystem>
#include <string>
#include <vector>

#include "model/result.h"

namespace opbench::test_views {

// The suite lines of a record's experiments, in order.
inline std::vector<std::string> lines_of(const RunRecord& r) {
  std::vector<std::string> out;
  for (const ExperimentRecord& e : r.experiments) out.push_back(e.line);
  return out;
}

// The backends of an experiment's cells, in order.
inline std::vector<std::string> backends_of(const ExperimentRecord& e) {
  std::vector<std::string> out;
  for (const Cell& c : e.cells) out.push_back(c.backend);
  return out;
}

// The temporary files write_file_atomically left beside `path`
// (`path`.partial.<process id>): none, once it returned.
inline size_t temporaries_of(const std::string& path) {
  std::filesystem::path file(path);
  std::filesystem::path folder = file.parent_path().empty() ? "." : file.parent_path();
  std::string prefix = file.filename().string() + ".partial";
  size_t n = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec))
    n += entry.path().filename().string().rfind(prefix, 0) == 0;
  return n;
}

}  // namespace opbench::test_views
