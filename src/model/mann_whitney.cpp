#include "model/mann_whitney.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace opbench {

namespace {

constexpr size_t kMaxExact = 20;

struct Ranked {
  double rank_sum_a = 0;  // sum of the ranks of a's values in the pooled sample (1-based, ties averaged)
  double tie_term = 0;    // sum over groups of tied values of t^3 - t
};

Ranked rank(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(a.size() + b.size());
  for (double x : a) pooled.emplace_back(x, true);
  for (double x : b) pooled.emplace_back(x, false);
  std::sort(pooled.begin(), pooled.end(), [](auto& x, auto& y) { return x.first < y.first; });
  Ranked r;
  for (size_t i = 0; i < pooled.size();) {
    size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    double t = static_cast<double>(j - i);
    double average_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k)
      if (pooled[k].second) r.rank_sum_a += average_rank;
    r.tie_term += t * t * t - t;
    i = j;
  }
  return r;
}

// P(U >= u) for samples of m and n values without ties. U of the first
// sample is the number of pairs it wins; its distribution follows
// P(m, n, u) = m/(m+n) P(m-1, n, u-n) + n/(m+n) P(m, n-1, u)
// (the largest pooled value comes from the first sample, winning n pairs, or from the second).
double exact_upper_tail(size_t m, size_t n, double u) {
  size_t cells = m * n + 1;
  // pmf[i][j][k]: P(U = k) for sizes i and j, built up from i = 0 or j = 0 (U = 0 surely).
  std::vector<std::vector<std::vector<double>>> pmf(m + 1, std::vector<std::vector<double>>(n + 1));
  for (size_t i = 0; i <= m; ++i)
    for (size_t j = 0; j <= n; ++j) {
      std::vector<double>& p = pmf[i][j];
      p.assign(i * j + 1, 0.0);
      if (i == 0 || j == 0) {
        p[0] = 1;
        continue;
      }
      double from_first = static_cast<double>(i) / static_cast<double>(i + j);
      const std::vector<double>& first = pmf[i - 1][j];
      const std::vector<double>& second = pmf[i][j - 1];
      for (size_t k = 0; k < first.size(); ++k) p[k + j] += from_first * first[k];
      for (size_t k = 0; k < second.size(); ++k) p[k] += (1 - from_first) * second[k];
    }
  double tail = 0;
  for (size_t k = 0; k < cells; ++k)
    if (static_cast<double>(k) >= u - 1e-9) tail += pmf[m][n][k];
  return tail;
}

double normal_upper_tail(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

}  // namespace

namespace {

// How many pairs (i, j) have next[j] / base[i] <= t; both sorted ascending.
// The ratio falls as i grows and rises as j grows: one pass of two pointers.
size_t pairs_at_or_below(const std::vector<double>& base, const std::vector<double>& next, double t) {
  size_t count = 0, i = 0;  // i: the first base index whose ratio with next[j] is <= t
  for (double y : next) {
    while (i < base.size() && y / base[i] > t) ++i;
    count += base.size() - i;
  }
  return count;
}

// The k-th smallest (1-based) of the m x n ratios: the smallest ratio t with
// at least k pairs at or below it, found by halving [lowest, highest]
// until no double lies between (t is then a ratio of the set).
double kth_ratio(const std::vector<double>& base, const std::vector<double>& next, size_t k) {
  double low = next.front() / base.back(), high = next.back() / base.front();
  if (pairs_at_or_below(base, next, low) >= k) return low;
  for (;;) {  // invariant: count(low) < k <= count(high)
    const double mid = low + (high - low) / 2;
    if (mid <= low || mid >= high) return high;
    (pairs_at_or_below(base, next, mid) >= k ? high : low) = mid;
  }
}

}  // namespace

double hodges_lehmann_ratio(const std::vector<double>& base, const std::vector<double>& next) {
  if (base.empty() || next.empty()) throw std::invalid_argument("hodges_lehmann_ratio: a sample is empty");
  for (const std::vector<double>* side : {&base, &next})
    for (double v : *side)
      if (!(v > 0) || !std::isfinite(v)) throw std::invalid_argument("hodges_lehmann_ratio: a value is not a positive time");
  std::vector<double> a = base, b = next;
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  const size_t pairs = a.size() * b.size();
  if (pairs % 2) return kth_ratio(a, b, pairs / 2 + 1);
  return (kth_ratio(a, b, pairs / 2) + kth_ratio(a, b, pairs / 2 + 1)) / 2;
}

double mann_whitney_smallest_p(size_t m, size_t n) {
  double arrangements = 1;  // C(m+n, m), built up as a product of ratios
  for (size_t i = 1; i <= std::min(m, n); ++i)
    arrangements = arrangements * static_cast<double>(m + n - std::min(m, n) + i) / static_cast<double>(i);
  return std::min(1.0, 2 / arrangements);
}

MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b, MannWhitneyMethod method) {
  if (a.empty() || b.empty()) throw std::invalid_argument("mann_whitney_u: a sample is empty");
  double m = static_cast<double>(a.size()), n = static_cast<double>(b.size());
  Ranked r = rank(a, b);
  MannWhitney result;
  result.u = r.rank_sum_a - m * (m + 1) / 2;
  // The larger of the two U's, so that one upper tail, doubled, is the two-sided p.
  double u_max = std::max(result.u, m * n - result.u);
  bool ties = r.tie_term > 0;
  bool small = a.size() <= kMaxExact && b.size() <= kMaxExact;
  if (method == MannWhitneyMethod::exact && !small)
    throw std::invalid_argument("mann_whitney_u: the exact test takes at most 20 values a sample");
  result.exact = method == MannWhitneyMethod::exact || (method == MannWhitneyMethod::automatic && small && !ties);
  if (result.exact) {
    result.p = std::min(1.0, 2 * exact_upper_tail(a.size(), b.size(), u_max));
    return result;
  }
  double total = m + n;
  double variance = m * n / 12 * ((total + 1) - r.tie_term / (total * (total - 1)));
  if (variance <= 0) return result;  // every value equal: p = 1
  double z = (u_max - m * n / 2 - 0.5) / std::sqrt(variance);
  result.p = std::clamp(2 * normal_upper_tail(z), 0.0, 1.0);
  return result;
}

}  // namespace opbench
