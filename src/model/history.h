#pragma once
// Series of runs as the history holds them (store/store.h reads them, the
// history page draws them): plain records, no database.
#include <cstdint>
#include <string>
#include <vector>

#include "model/changepoint.h"

namespace opbench {

// One run of a series.
struct HistoryRun {
  int64_t id = 0;
  std::string created, label, opbench_version, suite, hostname, machine, versions;  // versions: "torch 2.11.0, mlx 0.32.4"
};

// A cell across runs: one machine, experiment line, pass and backend.
struct HistorySeries {
  std::string machine, hostname, op, name, line, pass, backend;
  std::vector<size_t> runs;          // indices into History::runs, oldest first
  std::vector<SeriesPoint> points;   // each run's level (cell_level)
};

struct History {
  std::vector<HistoryRun> runs;  // oldest first
  std::vector<HistorySeries> series;
};

}  // namespace opbench
