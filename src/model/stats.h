#pragma once
// Summary statistics over a cell's samples: plain functions over a vector.
#include <cstddef>
#include <vector>

namespace opbench {

struct Stats {
  double mean = 0, median = 0, min = 0, max = 0, stddev = 0;
  // Relative standard error of the mean (stddev / sqrt(n) / mean): how far
  // the reported mean may be from the true one, as a fraction of it.
  double noise = 0;
  size_t count = 0;
};

Stats summarize(const std::vector<double>& samples);
// Relative standard error of the mean from running sums, for the stopping
// rule (no copy, no sort).
double relative_standard_error(size_t n, double sum, double sum_squares);

}  // namespace opbench
