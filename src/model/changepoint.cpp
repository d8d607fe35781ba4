#include "model/changepoint.h"

#include <algorithm>
#include <cmath>

namespace opbench {

SeriesPoint cell_level(const Stats& stats) { return {stats.median, std::isfinite(stats.noise) ? stats.noise : 0.0}; }

namespace {

constexpr size_t kMinSegment = 2;

// The run-to-run scatter of the logarithms: the median absolute successive
// difference, scaled to a standard deviation (1.4826 / sqrt 2). A step moves
// one difference only, so it does not inflate the estimate.
double scatter_of(const std::vector<double>& y) {
  if (y.size() < 3) return 0;
  std::vector<double> d;
  for (size_t i = 1; i < y.size(); ++i) d.push_back(std::fabs(y[i] - y[i - 1]));
  std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
  return 1.4826 / std::sqrt(2.0) * d[d.size() / 2];
}

// The penalty per step, in units of chi-square: a step must explain more than
// this much of the weighted squared deviation. Grows with the series' length,
// as the largest of its many candidate cuts does on noise alone (BIC-like);
// its constant was chosen on simulated noise-only series (docs/history.md).
double step_penalty(size_t n) { return 12.0 + 3.0 * std::log(static_cast<double>(n)); }

// Weighted prefix sums: the cost of a segment in O(1).
struct Sums {
  std::vector<double> w, wy, wyy;  // of points [0, k)
  Sums(const std::vector<double>& y, const std::vector<double>& weight) : w(y.size() + 1), wy(y.size() + 1), wyy(y.size() + 1) {
    for (size_t i = 0; i < y.size(); ++i) {
      w[i + 1] = w[i] + weight[i];
      wy[i + 1] = wy[i] + weight[i] * y[i];
      wyy[i + 1] = wyy[i] + weight[i] * y[i] * y[i];
    }
  }
  double weight(size_t a, size_t b) const { return w[b] - w[a]; }
  double mean(size_t a, size_t b) const { return (wy[b] - wy[a]) / weight(a, b); }
  double cost(size_t a, size_t b) const {
    double s = wy[b] - wy[a];
    return std::max(0.0, wyy[b] - wyy[a] - s * s / weight(a, b));
  }
};

// Series up to this long are cut exactly at any run; longer ones at the
// runs that binary segmentation proposes (below), which keeps `opbench
// history` over 1000 runs fast (PELT prunes nothing in a series without steps).
constexpr size_t kExactUpTo = 256;

// Where a long series may be cut: every split that binary segmentation finds
// worth a quarter of the penalty, recursively, so that a step the exact cut
// would make is among them (with many more that it will not make).
void propose_cuts(const Sums& sums, size_t begin, size_t end, double threshold, std::vector<size_t>& out) {
  if (end - begin < 2 * kMinSegment) return;
  const double whole = sums.cost(begin, end);
  double best_gain = 0;
  size_t best = 0;
  for (size_t k = begin + kMinSegment; k + kMinSegment <= end; ++k)
    if (double gain = whole - sums.cost(begin, k) - sums.cost(k, end); gain > best_gain) best_gain = gain, best = k;
  if (best_gain <= threshold) return;
  out.push_back(best);
  propose_cuts(sums, begin, best, threshold, out);
  propose_cuts(sums, best, end, threshold, out);
}

// The cut of the series with these sums: the ends of its segments. It
// minimises the cost plus the penalty per step over the cuts at `allowed`
// (sorted, 0 and n included), by dynamic programming with PELT's pruning:
// best[j] is the least cost of the points before allowed[j]; a candidate
// whose cost already exceeds best[j] can never start the last segment of a better cut.
std::vector<size_t> best_cut(const Sums& sums, size_t n) {
  if (n < kMinSegment) return {n};
  const double penalty = step_penalty(n);
  std::vector<size_t> allowed;
  if (n <= kExactUpTo) {
    for (size_t t = 0; t <= n; ++t) allowed.push_back(t);
  } else {
    allowed = {0, n};
    propose_cuts(sums, 0, n, penalty / 4, allowed);
    std::sort(allowed.begin(), allowed.end());
  }
  const size_t m = allowed.size();
  std::vector<double> best(m, INFINITY);
  std::vector<size_t> last_cut(m, 0);
  std::vector<size_t> candidates;  // indices into allowed: where the last segment may start
  best[0] = -penalty;
  for (size_t j = 1, next = 0; j < m; ++j) {
    const size_t t = allowed[j];
    // Starts at least kMinSegment before t become candidates, once each, if a cut can end there.
    for (; next < j && allowed[next] + kMinSegment <= t; ++next)
      if (std::isfinite(best[next])) candidates.push_back(next);
    double least = INFINITY;
    for (size_t i : candidates)
      if (double c = best[i] + sums.cost(allowed[i], t) + penalty; c < least) least = c, last_cut[j] = i;
    best[j] = least;
    std::erase_if(candidates, [&](size_t i) { return best[i] + sums.cost(allowed[i], t) > least; });
  }
  std::vector<size_t> ends;
  for (size_t j = m - 1; j > 0; j = last_cut[j]) ends.push_back(allowed[j]);
  std::reverse(ends.begin(), ends.end());
  return ends;
}

std::vector<double> weights(const std::vector<SeriesPoint>& points, double scatter) {
  std::vector<double> w;
  for (const SeriesPoint& p : points)  // a run without noise in a series without scatter: 1e-6 relative
    w.push_back(1 / std::max(p.noise * p.noise + scatter * scatter, 1e-12));
  return w;
}

// The scatter that the points' deviations from their segments' levels show
// beyond their own noise: the pooled variance less the mean own variance.
double scatter_within(const std::vector<double>& y, const std::vector<SeriesPoint>& points, const std::vector<size_t>& ends) {
  if (y.size() <= ends.size()) return 0;
  double squares = 0, own = 0;
  size_t begin = 0;
  for (size_t end : ends) {
    double mean = 0;
    for (size_t i = begin; i < end; ++i) mean += y[i] / (end - begin);
    for (size_t i = begin; i < end; ++i) squares += (y[i] - mean) * (y[i] - mean), own += points[i].noise * points[i].noise;
    begin = end;
  }
  return std::sqrt(std::max(0.0, squares / (y.size() - ends.size()) - own / y.size()));
}

}  // namespace

Segmentation find_steps(const std::vector<SeriesPoint>& points) {
  Segmentation out;
  const size_t n = points.size();
  if (n == 0) return out;
  std::vector<double> y;
  for (const SeriesPoint& p : points) y.push_back(std::log(p.value));
  // The scatter first from successive differences, then again from the
  // deviations within the levels that it gives, which use every point.
  out.scatter = scatter_of(y);
  std::vector<size_t> ends = best_cut(Sums(y, weights(points, out.scatter)), n);
  for (int round = 0; round < 2 && n >= 3; ++round) {
    out.scatter = scatter_within(y, points, ends);
    std::vector<size_t> again = best_cut(Sums(y, weights(points, out.scatter)), n);
    if (again == ends) break;  // settled: the scatter it gives is the one just used
    ends = std::move(again);
  }
  const Sums sums(y, weights(points, out.scatter));
  size_t begin = 0;
  for (size_t end : ends) {
    out.segments.push_back({begin, end, std::exp(sums.mean(begin, end)), 1 / std::sqrt(sums.weight(begin, end))});
    begin = end;
  }
  for (size_t i = 1; i < out.segments.size(); ++i)
    out.steps.push_back({out.segments[i].begin, out.segments[i - 1].level, out.segments[i].level});
  return out;
}

LevelChange change_from_level(const std::vector<SeriesPoint>& previous, const SeriesPoint& latest) {
  Segmentation s = find_steps(previous);
  const Segment& current = s.segments.back();
  double difference = std::log(latest.value) - std::log(current.level);
  double spread = std::sqrt(latest.noise * latest.noise + s.scatter * s.scatter + current.error * current.error);
  return {latest.value / current.level - 1, spread > 0 ? difference / spread : (difference > 0 ? INFINITY : 0), current.level};
}

}  // namespace opbench
