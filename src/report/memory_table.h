#pragma once
// The --memory table: per experiment and backend, the peak memory one call
// needed beyond its inputs, and how many times the least it needs that was.
#include <string>

#include "model/result.h"

namespace opbench {

// A row per experiment; per backend the peak and peak/least. A cell the
// framework gives no figure for says why ("n/a: ..."); a figure no call can
// have prints "wrong" and is listed under the table; a cell without a time
// (nan, wrong) has no figure ("nan").
std::string memory_table(const RunRecord& record);

// One cell's figure in words, for the HTML tooltips and the notes: "peak
// memory 4.0 MiB beyond the inputs in one call, 1.00x the least it needs
// (its result, 4.0 MiB); LibTorch's CPU allocator, counted by opbench".
std::string memory_detail(const MemoryFigure& m);

}  // namespace opbench
