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

// The cut of `y` with these weights: the ends of its segments.
std::vector<size_t> best_cut(const Sums& sums, size_t n) {
  // PELT: best[t] is the least cost of points [0, t); a candidate whose cost
  // already exceeds best[t] can never start the last segment of a better cut.
  const double penalty = step_penalty(n);
  std::vector<double> best(n + 1, INFINITY);
  std::vector<size_t> last_cut(n + 1, 0);
  std::vector<size_t> candidates;  // where the last segment may start
  best[0] = -penalty;
  for (size_t t = kMinSegment; t <= n; ++t) {
    if (size_t s = t - kMinSegment; s == 0 || s >= kMinSegment) candidates.push_back(s);
    double least = INFINITY;
    for (size_t s : candidates)
      if (double c = best[s] + sums.cost(s, t) + penalty; c < least) least = c, last_cut[t] = s;
    best[t] = least;
    std::erase_if(candidates, [&](size_t s) { return best[s] + sums.cost(s, t) > least; });
  }
  if (n < kMinSegment) return {n};
  std::vector<size_t> ends;
  for (size_t t = n; t > 0; t = last_cut[t]) ends.push_back(t);
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
    ends = best_cut(Sums(y, weights(points, out.scatter)), n);
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
