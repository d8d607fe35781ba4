#pragma once
// Results as CSV (RFC 4180) for spreadsheets: a row per experiment and backend
// of every record, with every statistic, the check, the error, and the
// achieved GB/s, GFLOP/s and share of the calibrated peak (empty where unknown).
#include <string>
#include <vector>

#include "model/result.h"

namespace opbench {

// `sources[i]` names the file records[i] came from (the first column).
std::string csv_report(const std::vector<RunRecord>& records, const std::vector<std::string>& sources);

}  // namespace opbench
