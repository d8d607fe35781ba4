// Summary statistics of a cell's samples, worked out by hand.
#include "model/stats.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace opbench {
namespace {

double sum_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

double sum_of_squares(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x * x;
  return s;
}

TEST(Summarize, OddCount) {
  // Unsorted on purpose. mean 4; deviations -3 -1 0 1 3 -> squares 20; n-1 = 4.
  Stats s = summarize({7, 1, 4, 3, 5});
  EXPECT_EQ(s.count, 5u);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.median, 4.0);
  EXPECT_DOUBLE_EQ(s.min, 1.0);
  EXPECT_DOUBLE_EQ(s.max, 7.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(5.0));
  EXPECT_DOUBLE_EQ(s.noise, std::sqrt(5.0) / std::sqrt(5.0) / 4.0);
}

TEST(Summarize, EvenCountMedianIsTheMiddlePairsMean) {
  // sorted 1 2 4 9: median (2+4)/2; mean 4; squares 9+4+0+25 = 38; n-1 = 3.
  Stats s = summarize({9, 2, 1, 4});
  EXPECT_EQ(s.count, 4u);
  EXPECT_DOUBLE_EQ(s.median, 3.0);
  EXPECT_DOUBLE_EQ(s.mean, 4.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(38.0 / 3.0));
  EXPECT_DOUBLE_EQ(s.noise, std::sqrt(38.0 / 3.0) / 2.0 / 4.0);
}

TEST(Summarize, TwoSamples) {
  Stats s = summarize({1.0, 3.0});
  EXPECT_DOUBLE_EQ(s.median, 2.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.0));  // squares 1+1 over n-1 = 1
  EXPECT_DOUBLE_EQ(s.noise, std::sqrt(2.0) / std::sqrt(2.0) / 2.0);
}

TEST(Summarize, TightSamplesKeepTheirSpread) {
  // Large mean, tiny spread: a one-pass formula would lose it to cancellation.
  Stats s = summarize({1e9 + 1, 1e9 + 2, 1e9 + 3});
  EXPECT_DOUBLE_EQ(s.mean, 1e9 + 2);
  EXPECT_NEAR(s.stddev, 1.0, 1e-6);
}

TEST(Summarize, EmptyIsNan) {
  Stats s = summarize({});
  EXPECT_EQ(s.count, 0u);
  EXPECT_TRUE(std::isnan(s.mean));
  EXPECT_TRUE(std::isnan(s.median));
  EXPECT_TRUE(std::isnan(s.min));
  EXPECT_TRUE(std::isnan(s.max));
  EXPECT_TRUE(std::isnan(s.stddev));
  EXPECT_TRUE(std::isnan(s.noise));
}

TEST(Summarize, SingleSample) {
  Stats s = summarize({2.5});
  EXPECT_EQ(s.count, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.median, 2.5);
  EXPECT_DOUBLE_EQ(s.min, 2.5);
  EXPECT_DOUBLE_EQ(s.max, 2.5);
  EXPECT_EQ(s.stddev, 0.0);
  EXPECT_EQ(s.noise, 0.0);  // one sample: no spread to speak of, and not nan
}

// No spread, exactly, whatever rounding the mean of the samples takes: 0.3
// three times sums to 0.8999999999999999, whose third is not 0.3.
TEST(Summarize, IdenticalSamplesHaveNoNoise) {
  for (double v : {0.3, 0.1, 1.0 / 3, 7.0, 1e-9}) {
    for (size_t n : {2u, 3u, 7u, 100u}) {
      Stats s = summarize(std::vector<double>(n, v));
      EXPECT_EQ(s.stddev, 0.0) << v << " x" << n;
      EXPECT_EQ(s.noise, 0.0) << v << " x" << n;
      EXPECT_EQ(s.median, v);
      EXPECT_EQ(s.min, v);
      EXPECT_EQ(s.max, v);
    }
  }
}

// ---- the outlier fences ----------------------------------------------------

TEST(OutlierFences, TukeysFarOutFencesByHand) {
  // sorted 1..8, 100: Q1 = 3, Q3 = 7 (numpy.percentile: 3.0, 7.0), IQR 4: fences 3 - 12 and 7 + 12.
  const Fences f = outlier_fences({8, 100, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_DOUBLE_EQ(f.low, -9.0);
  EXPECT_DOUBLE_EQ(f.high, 19.0);
  EXPECT_TRUE(f.inside(19.0));
  EXPECT_FALSE(f.inside(19.000001));
  // Quartiles between order statistics: 1 2 3 4 -> Q1 1.75, Q3 3.25 (numpy), IQR 1.5.
  const Fences g = outlier_fences({4, 3, 2, 1});
  EXPECT_DOUBLE_EQ(g.high, 3.25 + 4.5);
  EXPECT_DOUBLE_EQ(g.low, 1.75 - 4.5);
}

TEST(OutlierFences, EqualQuartilesStillLeaveRoomOfFivePercentOfTheMedian) {
  // Quartiles 1 and 1 (a clock's ticks): the spread is 0.05, fences 0.85 and 1.15.
  std::vector<double> ticks(20, 1.0);
  ticks.push_back(1.1);
  const Fences f = outlier_fences(ticks);
  EXPECT_NEAR(f.high, 1.15, 1e-12);
  EXPECT_NEAR(f.low, 0.85, 1e-12);
  Stats s = summarize(ticks);
  EXPECT_EQ(s.outliers, 0u);
  EXPECT_FALSE(s.mixed());
}

TEST(Summarize, APreemptedSampleIsLeftOutOfTheMeanAndTheCellIsMixed) {
  // 1..8 and one call preempted for 100: the mean is the 8's, 4.5; every sample's is 136 / 9.
  Stats s = summarize({8, 100, 1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(s.count, 9u);
  EXPECT_EQ(s.outliers, 1u);
  EXPECT_DOUBLE_EQ(s.mean, 4.5);
  EXPECT_DOUBLE_EQ(s.mean_all, 136.0 / 9);
  EXPECT_DOUBLE_EQ(s.median, 5.0);
  EXPECT_DOUBLE_EQ(s.max, 100.0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(42.0 / 7));  // deviations of 1..8 from 4.5: squares sum to 42
  EXPECT_DOUBLE_EQ(s.noise, std::sqrt(42.0 / 7) / std::sqrt(8.0) / 4.5);
  EXPECT_TRUE(s.mixed());
}

TEST(Summarize, TheIssuesTwoModesReadAsTheSteadyOne) {
  // ReLU 16x16x256 on a loaded machine: most calls 4.5 us, a few preempted for 10 ms.
  std::vector<double> samples(190, 0.0045);
  for (int i = 0; i < 190; ++i) samples[i] += 1e-5 * (i % 7);
  for (int i = 0; i < 12; ++i) samples.push_back(10.0 + i * 0.01);
  Stats s = summarize(samples);
  EXPECT_EQ(s.outliers, 12u);
  EXPECT_NEAR(s.mean, 0.0045 + 3e-5, 1e-6);
  EXPECT_GT(s.mean_all, 0.5);
  EXPECT_TRUE(s.mixed());
}

TEST(Summarize, AnOutlierThatMovesTheMeanByLessThanItsNoiseIsNotMixed) {
  // 1000 samples spread 1..2 and one at 10: outside the fences (2 + 3 x 0.5 = 3.5)
  // but it moves the mean by under 1%.
  std::vector<double> samples;
  for (int i = 0; i < 1000; ++i) samples.push_back(1.0 + (i % 101) / 100.0);
  samples.push_back(10.0);
  Stats s = summarize(samples);
  EXPECT_EQ(s.outliers, 1u);
  EXPECT_LT(std::abs(s.mean_all - s.mean) / s.mean, 0.01);
  EXPECT_FALSE(s.mixed());
}

TEST(RelativeStandardError, MatchesSummarizesNoise) {
  for (const std::vector<double>& samples :
       std::vector<std::vector<double>>{{7, 1, 4, 3, 5}, {9, 2, 1, 4}, {1.0, 3.0}, {0.51, 0.49, 0.5, 0.52, 0.48, 0.5}}) {
    double expected = summarize(samples).noise;
    EXPECT_NEAR(relative_standard_error(samples.size(), sum_of(samples), sum_of_squares(samples)), expected,
                1e-9 * expected);
  }
}

TEST(RelativeStandardError, ByHand) {
  // 1 and 3: mean 2, variance 2, sqrt(2/2)/2.
  EXPECT_DOUBLE_EQ(relative_standard_error(2, 4.0, 10.0), 0.5);
}

TEST(RelativeStandardError, ZeroForIdenticalSamples) {
  EXPECT_DOUBLE_EQ(relative_standard_error(4, 8.0, 16.0), 0.0);
}

TEST(RelativeStandardError, InfiniteBelowTwoSamples) {
  EXPECT_TRUE(std::isinf(relative_standard_error(0, 0.0, 0.0)));
  EXPECT_TRUE(std::isinf(relative_standard_error(1, 2.0, 4.0)));
}

// The level spread: how far a cell's level moved while it was timed.
TEST(LevelSpread, TheSpreadOfItsRoundsMediansOverItsMedian) {
  // Rounds of medians 10, 12 and 11 (sizes 3, 2, 3); every sample's median 11: (12 - 10) / 11.
  const std::vector<double> samples = {9, 10, 30, 12, 12, 11, 11, 11};
  EXPECT_DOUBLE_EQ(level_spread(samples, {3, 2, 3}), 2.0 / 11);
  // Without rounds, the thirds in the order taken: 1 1 1 | 1 1 1 | 2 2 2 (median 1): a drift of 100%.
  EXPECT_DOUBLE_EQ(level_spread({1, 1, 1, 1, 1, 1, 2, 2, 2}), 1.0);
  // The same samples interleaved have no drift: each third's median is 1.
  EXPECT_DOUBLE_EQ(level_spread({1, 1, 2, 1, 1, 2, 1, 2, 1}), 0.0);
}

TEST(LevelSpread, NothingToMeasureWithIsZero) {
  EXPECT_EQ(level_spread({1, 2, 3, 4, 5, 6, 7, 8}), 0.0);  // fewer than 9 samples for thirds
  EXPECT_EQ(level_spread({1, 5}, {2}), 0.0);                 // one round
  EXPECT_EQ(level_spread({1, 5, 9}, {0, 3}), 0.0);           // a round without samples is no part
  EXPECT_THROW(level_spread({1, 2, 3}, {1, 1}), std::invalid_argument);
}

}  // namespace
}  // namespace opbench
