// The Mann-Whitney U test against scipy.stats.mannwhitneyu (scipy 1.17,
// alternative="two-sided", use_continuity=True): the values in the comments
// are what scipy printed for the same samples.
#include "model/mann_whitney.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

namespace opbench {
namespace {

// scipy's documentation example: ages of male and female authors.
const std::vector<double> kMales = {19, 22, 16, 29, 24}, kFemales = {20, 11, 17, 12};

TEST(MannWhitney, ExactOnScipysExample) {
  MannWhitney r = mann_whitney_u(kMales, kFemales, MannWhitneyMethod::exact);
  EXPECT_EQ(r.u, 17);                           // statistic=17.0
  EXPECT_NEAR(r.p, 0.1111111111111111, 1e-12);  // method="exact"
  EXPECT_TRUE(r.exact);
}

TEST(MannWhitney, AsymptoticOnScipysExample) {
  MannWhitney r = mann_whitney_u(kMales, kFemales, MannWhitneyMethod::asymptotic);
  EXPECT_EQ(r.u, 17);
  EXPECT_NEAR(r.p, 0.11134688653314041, 1e-12);  // method="asymptotic"
  EXPECT_FALSE(r.exact);
}

TEST(MannWhitney, AutomaticIsExactForSmallSamplesWithoutTies) {
  MannWhitney r = mann_whitney_u(kMales, kFemales);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p, 0.1111111111111111, 1e-12);
}

TEST(MannWhitney, TheUOfTheFirstSample) {
  // Swapping the samples gives the other U (n1 n2 - U) and the same p.
  MannWhitney r = mann_whitney_u(kFemales, kMales);
  EXPECT_EQ(r.u, 3);
  EXPECT_NEAR(r.p, 0.1111111111111111, 1e-12);
}

TEST(MannWhitney, TiesAreCorrectedFor) {
  // scipy: statistic=8.5, pvalue=0.025279736885893914 (auto picks the asymptotic p for ties).
  MannWhitney r = mann_whitney_u({1, 2, 2, 3, 3, 3, 4}, {2, 3, 4, 4, 5, 5, 6, 7});
  EXPECT_EQ(r.u, 8.5);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p, 0.025279736885893914, 1e-12);
}

const std::vector<double> kFifteen = {10.345584, 10.821618, 10.330437, 8.696843,  10.905356,
                                      10.446375, 9.463047,  10.581118, 10.364572, 10.294132,
                                      10.028422, 10.546713, 9.263546,  9.83709,   9.517881};
const std::vector<double> kTwelve = {8.710987, 10.425228, 10.17781,  10.813643, 10.817322, 12.717839,
                                     9.487979, 10.222395, 12.642772, 11.246703, 11.263063, 10.085994};

TEST(MannWhitney, ExactForMediumSamples) {
  MannWhitney r = mann_whitney_u(kFifteen, kTwelve);
  EXPECT_EQ(r.u, 62);
  EXPECT_TRUE(r.exact);
  EXPECT_NEAR(r.p, 0.18276136600271747, 1e-12);  // method="exact"
  EXPECT_NEAR(mann_whitney_u(kFifteen, kTwelve, MannWhitneyMethod::asymptotic).p, 0.17964055015107683, 1e-12);
}

TEST(MannWhitney, ExactAtTheLargestExactSize) {
  std::vector<double> a, b;
  for (int i = 1; i <= 20; ++i) a.push_back(i), b.push_back(i + 8.5);
  MannWhitney r = mann_whitney_u(a, b);
  EXPECT_EQ(r.u, 66);
  EXPECT_NEAR(r.p, 0.00015511547648704876, 1e-15);  // method="exact"
}

TEST(MannWhitney, AsymptoticForLargeSamples) {
  // The 25 and 30 values scipy drew (rng seed 1): statistic=248.0, pvalue=0.03249724800005481.
  std::vector<double> a = {10.345584, 10.821618, 10.330437, 8.696843,  10.905356, 10.446375, 9.463047,
                           10.581118, 10.364572, 10.294132, 10.028422, 10.546713, 9.263546,  9.83709,
                           9.517881,  10.598846, 10.039722, 9.707543,  9.218092,  9.742808,  10.008142,
                           9.724397,  11.294064, 11.006724, 7.288838};
  std::vector<double> b = {8.710987,  10.425228, 10.17781,  10.813643, 10.817322, 12.717839, 9.487979,  10.222395,
                           12.642772, 11.246703, 11.263063, 10.085994, 8.951925,  10.767465, 10.709014, 9.372648,
                           9.916773,  10.527956, 9.655248,  10.50173,  10.695483, 10.635586, 10.093708, 11.193748,
                           11.491167, 10.920848, 9.78177,   11.331652, 10.09856,  11.479161};
  MannWhitney r = mann_whitney_u(a, b);
  EXPECT_EQ(r.u, 248);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p, 0.03249724800005481, 1e-12);
}

TEST(MannWhitney, EveryValueEqualIsNoEvidence) {
  MannWhitney r = mann_whitney_u({5, 5, 5}, {5, 5, 5, 5});  // scipy: statistic=6.0, pvalue=1.0
  EXPECT_EQ(r.u, 6);
  EXPECT_EQ(r.p, 1);
}

TEST(MannWhitney, TheSmallestSamplesCannotBeSignificant) {
  // scipy: statistic=0.0, pvalue=0.3333333333333333: total separation of 2 and 2 is 1 chance in 6.
  MannWhitney r = mann_whitney_u({1, 2}, {3, 4});
  EXPECT_EQ(r.u, 0);
  EXPECT_NEAR(r.p, 1.0 / 3, 1e-15);
}

TEST(MannWhitney, ATwofoldShiftOfManySamplesIsSignificant) {
  std::vector<double> a, b;
  for (int i = 0; i < 500; ++i) a.push_back(1.0 + 0.001 * (i % 37)), b.push_back(2.0 + 0.002 * (i % 41));
  EXPECT_LT(mann_whitney_u(a, b).p, 1e-100);
}

TEST(MannWhitney, TheSmallestPossibleP) {
  EXPECT_NEAR(mann_whitney_smallest_p(3, 3), 0.1, 1e-15);  // 2 / C(6, 3)
  EXPECT_NEAR(mann_whitney_smallest_p(4, 4), 2.0 / 70, 1e-15);
  EXPECT_NEAR(mann_whitney_smallest_p(5, 5), 2.0 / 252, 1e-15);
  EXPECT_NEAR(mann_whitney_smallest_p(3, 4), 2.0 / 35, 1e-15);
  EXPECT_NEAR(mann_whitney_smallest_p(1, 200), 2.0 / 201, 1e-15);
  EXPECT_EQ(mann_whitney_smallest_p(1, 1), 1);
  // It is what the exact test gives for total separation.
  EXPECT_NEAR(mann_whitney_u({1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}).p, mann_whitney_smallest_p(5, 5), 1e-15);
}

// ---- the Hodges-Lehmann ratio ---------------------------------------------------

// The median of every next_j / base_i, listed and sorted: the definition.
double every_ratio_median(const std::vector<double>& base, const std::vector<double>& next) {
  std::vector<double> ratios;
  for (double a : base)
    for (double b : next) ratios.push_back(b / a);
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  return n % 2 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
}

TEST(HodgesLehmannRatio, ByHand) {
  // ratios 2/1 4/1 2/2 4/2 = 2 4 1 2: sorted 1 2 2 4, median 2.
  EXPECT_EQ(hodges_lehmann_ratio({1, 2}, {2, 4}), 2.0);
  // one pair: its ratio; the same sample: 1.
  EXPECT_EQ(hodges_lehmann_ratio({4}, {3}), 0.75);
  EXPECT_EQ(hodges_lehmann_ratio({1, 2, 3}, {1, 2, 3}), 1.0);
}

TEST(HodgesLehmannRatio, IsTheMedianOfEveryPairsRatio) {
  std::mt19937 rng(3);
  std::lognormal_distribution<double> times(0.0, 0.7);
  for (size_t m : {1u, 2u, 7u, 30u})
    for (size_t n : {1u, 6u, 9u, 41u}) {
      std::vector<double> a(m), b(n);
      for (double& v : a) v = times(rng);
      for (double& v : b) v = 1.3 * times(rng);
      if (m > 2) a[1] = a[0];  // ties
      EXPECT_EQ(hodges_lehmann_ratio(a, b), every_ratio_median(a, b)) << m << " x " << n;
    }
}

// A few preempted base samples pull the base's mean far up; the ratio
// follows the bulk, where the test looks: new is slower.
TEST(HodgesLehmannRatio, FollowsTheBulkNotTheOutliers) {
  std::vector<double> base(180, 0.0045), next(180, 0.0054);
  for (int i = 0; i < 180; ++i) base[i] += 1e-6 * (i % 5), next[i] += 1e-6 * (i % 5);
  for (int i = 0; i < 20; ++i) base.push_back(10.0);
  EXPECT_NEAR(hodges_lehmann_ratio(base, next), 0.0054 / 0.0045, 0.01);
  EXPECT_EQ(hodges_lehmann_ratio(base, next), every_ratio_median(base, next));
}

TEST(HodgesLehmannRatio, RefusesWhatIsNoTime) {
  EXPECT_THROW(hodges_lehmann_ratio({}, {1.0}), std::invalid_argument);
  EXPECT_THROW(hodges_lehmann_ratio({1.0}, {0.0}), std::invalid_argument);
  EXPECT_THROW(hodges_lehmann_ratio({-1.0}, {1.0}), std::invalid_argument);
  EXPECT_THROW(hodges_lehmann_ratio({1.0}, {NAN}), std::invalid_argument);
}

TEST(MannWhitney, RefusesWhatItCannotTest) {
  EXPECT_THROW(mann_whitney_u({}, {1.0}), std::invalid_argument);
  EXPECT_THROW(mann_whitney_u(std::vector<double>(21, 1.0), {1.0}, MannWhitneyMethod::exact), std::invalid_argument);
}

}  // namespace
}  // namespace opbench
