// Summary statistics of a cell's samples, worked out by hand.
#include "model/stats.h"

#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace
}  // namespace opbench
