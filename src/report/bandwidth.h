#pragma once
// The collectives' table and charts, in nccl-tests' figures (model/bandwidth.h).
#include <string>
#include <utility>
#include <vector>

#include "model/bandwidth.h"
#include "report/svg.h"

namespace opbench {

// A row per collective experiment (op, ranks, size); per backend the time in
// microseconds, algbw and busbw in GB/s. Empty when there is none.
std::string bandwidth_table(const RunRecord& r);

// Per collective op and rank count, its bus bandwidth against message size:
// a group a size, a bar a backend, on a log scale; each with its file name
// ("bandwidth_AllReduce_2ranks").
std::vector<std::pair<std::string, BarChart>> bandwidth_charts(const RunRecord& r);

}  // namespace opbench
