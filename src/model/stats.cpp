#include "model/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace opbench {

double relative_standard_error(size_t n, double sum, double sum_squares) {
  if (n < 2 || sum <= 0) return std::numeric_limits<double>::infinity();
  double mean = sum / n;
  double variance = std::max(0.0, (sum_squares - n * mean * mean) / (n - 1));
  return std::sqrt(variance / n) / mean;
}

Stats summarize(const std::vector<double>& samples) {
  Stats s;
  s.count = samples.size();
  if (samples.empty()) {
    s.mean = s.median = s.min = s.max = s.stddev = s.noise = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  size_t n = sorted.size();
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  double sum = 0;
  for (double v : sorted) sum += v;
  s.mean = sum / n;
  double squares = 0;  // two passes: no cancellation for tight samples
  // Identical samples have no spread, though their rounded mean may differ
  // from each of them in the last bit.
  if (s.min != s.max)
    for (double v : sorted) squares += (v - s.mean) * (v - s.mean);
  s.stddev = n > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  s.noise = n > 1 && s.mean > 0 ? s.stddev / std::sqrt(static_cast<double>(n)) / s.mean : 0.0;
  return s;
}

}  // namespace opbench
