#pragma once
// Small views of a result record shared by the tests of running and resuming.
#include <string>
#include <vector>

#include "core/result.h"

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

}  // namespace opbench::test_views
