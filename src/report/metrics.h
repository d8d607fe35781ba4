#pragma once
// The --metrics table: per experiment and backend, the achieved memory
// throughput and arithmetic rate, and the share of the machine's peak.
#include <string>

#include "model/result.h"

namespace opbench {

// Columns per backend: GB/s, GFLOP/s, and "% peak" where the record holds
// the machine's peaks (opbench calibrate). Rows whose op this opbench does not
// know print nan.
std::string metrics_table(const RunRecord& record);

// One cell's figures of that table: NaN where unknown (a cell without a time,
// an op this opbench does not know; peak_share where the record holds no peaks).
struct CellRates {
  double gbs, gflops, peak_share;
};
CellRates cell_rates(const RunRecord& record, const ExperimentRecord& experiment, const Cell& cell);

}  // namespace opbench
