#pragma once
// The Mann-Whitney U test (Wilcoxon rank-sum): do two sets of samples come
// from the same distribution? Rank-based, so a few outliers (a preempted
// sample) do not decide it. Plain functions over vectors.
#include <cstddef>
#include <vector>

namespace opbench {

struct MannWhitney {
  double u = 0;        // U of the first sample: how many (a, b) pairs have a > b, ties counting one half
  double p = 1;        // two-sided p-value
  bool exact = false;  // p from the exact distribution of U, not the normal approximation
};

enum class MannWhitneyMethod {
  automatic,   // exact when there are no ties and both samples have at most 20 values, else asymptotic
  exact,       // the exact distribution of U (ties are not allowed for; at most 20 values a sample)
  asymptotic,  // normal approximation with tie correction and continuity correction
};

// Two-sided test of `a` against `b`. Needs at least one value in each; with
// every value equal there is no evidence of a difference and p is 1.
// The same numbers as scipy.stats.mannwhitneyu(a, b, alternative="two-sided",
// method=...) with use_continuity=True.
MannWhitney mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                           MannWhitneyMethod method = MannWhitneyMethod::automatic);

// What the test's verdict is about, as a size: the Hodges-Lehmann estimate
// of how many times `next`'s values are `base`'s, the median of every ratio
// next_j / base_i (all values positive, as times are). Above 1: next is
// slower. The Mann-Whitney test asks whether a value of one sample tends to
// be above one of the other; this ratio is the estimate that goes with that
// question, so its direction is the test's, whatever a few outliers do to a
// mean. Exact (no pair skipped), O((m + n) log) by searching for the
// ratio whose count of smaller pairs reaches the middle. Every comparison
// of opbench (compare, and the change columns of history and versions)
// takes its size and direction from here.
double hodges_lehmann_ratio(const std::vector<double>& base, const std::vector<double>& next);

// The smallest two-sided p-value samples of m and n values can give (total
// separation, no ties): 2 / C(m+n, m). Below alpha, a test can tell; at or
// above it (3 and 3 samples: 0.1), no difference can ever be significant.
double mann_whitney_smallest_p(size_t m, size_t n);

}  // namespace opbench
