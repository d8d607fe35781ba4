#include "model/stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace opbench {

double relative_standard_error(size_t n, double sum, double sum_squares) {
  if (n < 2 || sum <= 0) return std::numeric_limits<double>::infinity();
  double mean = sum / n;
  double variance = std::max(0.0, (sum_squares - n * mean * mean) / (n - 1));
  return std::sqrt(variance / n) / mean;
}

namespace {

// The q-quantile of sorted values, linear between order statistics.
double quantile(const std::vector<double>& sorted, double q) {
  const double at = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(at);
  if (below + 1 >= sorted.size()) return sorted.back();
  return sorted[below] + (at - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

}  // namespace

Fences outlier_fences(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  const double q1 = quantile(samples, 0.25), q3 = quantile(samples, 0.75);
  const double spread = std::max(q3 - q1, 0.05 * std::abs(quantile(samples, 0.5)));
  return {q1 - 3 * spread, q3 + 3 * spread};
}

bool Stats::mixed() const {
  return outliers > 0 && std::abs(every_sample_mean() - mean) > std::max(2 * noise, 0.01) * mean;
}

Stats summarize(const std::vector<double>& samples) {
  Stats s;
  s.count = samples.size();
  if (samples.empty()) {
    s.mean = s.median = s.min = s.max = s.stddev = s.noise = s.mean_all = std::numeric_limits<double>::quiet_NaN();
    return s;
  }
  std::vector<double> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  s.min = sorted.front();
  s.max = sorted.back();
  s.median = quantile(sorted, 0.5);
  s.mean_all = mean_of(sorted);
  const Fences fences = outlier_fences(sorted);
  std::vector<double> kept;
  for (double v : sorted)
    if (fences.inside(v)) kept.push_back(v);
  s.outliers = sorted.size() - kept.size();
  const size_t n = kept.size();
  s.mean = mean_of(kept);
  double squares = 0;  // two passes: no cancellation for tight samples
  // Identical samples have no spread, though their rounded mean may differ
  // from each of them in the last bit.
  if (kept.front() != kept.back())
    for (double v : kept) squares += (v - s.mean) * (v - s.mean);
  s.stddev = n > 1 ? std::sqrt(squares / (n - 1)) : 0.0;
  s.noise = n > 1 && s.mean > 0 ? s.stddev / std::sqrt(static_cast<double>(n)) / s.mean : 0.0;
  return s;
}

double level_spread(const std::vector<double>& samples, const std::vector<size_t>& parts) {
  std::vector<size_t> sizes = parts;
  if (sizes.empty()) {
    if (samples.size() < 9) return 0;
    const size_t third = samples.size() / 3;
    sizes = {third, third, samples.size() - 2 * third};
  }
  size_t total = 0;
  for (size_t n : sizes) total += n;
  if (total != samples.size())
    throw std::invalid_argument("level_spread: the parts hold " + std::to_string(total) + " samples, the cell " +
                                std::to_string(samples.size()));
  std::vector<double> medians;
  size_t start = 0;
  for (size_t n : sizes) {
    if (n) {
      std::vector<double> part(samples.begin() + static_cast<std::ptrdiff_t>(start),
                               samples.begin() + static_cast<std::ptrdiff_t>(start + n));
      std::sort(part.begin(), part.end());
      medians.push_back(quantile(part, 0.5));
    }
    start += n;
  }
  if (medians.size() < 2) return 0;
  std::vector<double> all = samples;
  std::sort(all.begin(), all.end());
  const double median = quantile(all, 0.5);
  if (!(median > 0)) return 0;
  const auto [low, high] = std::minmax_element(medians.begin(), medians.end());
  return (*high - *low) / median;
}

}  // namespace opbench
