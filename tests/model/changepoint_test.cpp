// The change-point method on planted series: steps where they were put, none
// in noise alone, the run-to-run scatter not taken for steps.
#include "model/changepoint.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace opbench {
namespace {

// `n` runs at 1 ms, `step` higher from run `at` on, each scattered by a
// relative `scatter` (normal, from `seed`) and stating `noise` of its own.
std::vector<SeriesPoint> planted(size_t n, size_t at, double step, double scatter, double noise, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> spread(0, scatter);
  std::vector<SeriesPoint> points;
  for (size_t i = 0; i < n; ++i) points.push_back({(i >= at ? 1 + step : 1.0) * (1 + spread(rng)), noise});
  return points;
}

TEST(ChangePoint, AFivePercentStepAmidTwoPercentNoiseIsFoundAtItsRun) {
  // A run whose 2 % scatter puts it past the middle of the step looks like
  // the other level, about one time in ten for each of the two runs beside
  // it: no method can place every such step exactly.
  int exact = 0, near = 0;
  for (unsigned seed = 0; seed < 20; ++seed) {
    Segmentation s = find_steps(planted(60, 30, 0.05, 0.02, 0.02, seed));
    ASSERT_EQ(s.steps.size(), 1u) << "seed " << seed;
    EXPECT_NEAR(s.steps[0].change(), 0.05, 0.02) << "seed " << seed;
    exact += s.steps[0].at == 30;
    near += s.steps[0].at >= 29 && s.steps[0].at <= 31;
  }
  EXPECT_GE(exact, 13);  // 76 % expected (15 of 20)
  EXPECT_GE(near, 17);   // 92 % expected
}

TEST(ChangePoint, AStepWellAboveTheNoiseIsFoundAtExactlyItsRun) {
  for (unsigned seed = 0; seed < 20; ++seed) {
    Segmentation s = find_steps(planted(40, 17, 0.05, 0.005, 0.005, seed));
    ASSERT_EQ(s.steps.size(), 1u) << "seed " << seed;
    EXPECT_EQ(s.steps[0].at, 17u) << "seed " << seed;
    EXPECT_NEAR(s.steps[0].before, 1.0, 0.005);
    EXPECT_NEAR(s.steps[0].after, 1.05, 0.005);
    ASSERT_EQ(s.segments.size(), 2u);
    EXPECT_EQ(s.segments[0].end, 17u);
    EXPECT_EQ(s.segments[1].end, 40u);
  }
}

TEST(ChangePoint, NoiseAloneGivesNoStep) {
  for (unsigned seed = 0; seed < 50; ++seed) {
    Segmentation s = find_steps(planted(60, 60, 0, 0.02, 0.02, 1000 + seed));
    EXPECT_TRUE(s.steps.empty()) << "seed " << seed << ": a step at " << s.steps[0].at;
    ASSERT_EQ(s.segments.size(), 1u);
  }
}

TEST(ChangePoint, RunsThatScatterMoreThanTheirNoiseSaysGiveNoStep) {
  // Each run claims 0.1 %, the runs scatter by 3 %: weighing by the claimed
  // noise alone would cut this series into many levels.
  for (unsigned seed = 0; seed < 20; ++seed) {
    Segmentation s = find_steps(planted(50, 50, 0, 0.03, 0.001, 2000 + seed));
    EXPECT_TRUE(s.steps.empty()) << "seed " << seed;
    EXPECT_NEAR(s.scatter, 0.03, 0.012);
  }
}

TEST(ChangePoint, AStepUpAndOneBackAreBothFound) {
  std::vector<SeriesPoint> points = planted(60, 20, 0.10, 0.01, 0.01, 7);
  for (size_t i = 40; i < 60; ++i) points[i].value /= 1.10;
  Segmentation s = find_steps(points);
  ASSERT_EQ(s.steps.size(), 2u);
  EXPECT_EQ(s.steps[0].at, 20u);
  EXPECT_EQ(s.steps[1].at, 40u);
  EXPECT_GT(s.steps[0].change(), 0.07);
  EXPECT_LT(s.steps[1].change(), -0.06);
}

TEST(ChangePoint, ShortSeries) {
  EXPECT_TRUE(find_steps({}).segments.empty());
  Segmentation one = find_steps({{2.0, 0.01}});
  ASSERT_EQ(one.segments.size(), 1u);
  EXPECT_DOUBLE_EQ(one.segments[0].level, 2.0);
  EXPECT_TRUE(find_steps({{1.0, 0.01}, {5.0, 0.01}, {1.0, 0.01}}).steps.empty());  // a level holds two runs at least
}

TEST(ChangePoint, ALatestRunIsJudgedAgainstTheCurrentLevel) {
  std::vector<SeriesPoint> before = planted(30, 15, 0.20, 0.01, 0.01, 3);  // the level is 1.2 ms since run 15
  LevelChange slower = change_from_level(before, {1.2 * 1.10, 0.01});
  EXPECT_NEAR(slower.level, 1.2, 0.01);
  EXPECT_NEAR(slower.change, 0.10, 0.015);
  EXPECT_GT(slower.z, kBeyondNoise);
  LevelChange same = change_from_level(before, {1.2 * 1.005, 0.01});
  EXPECT_LT(same.z, kBeyondNoise);
  LevelChange faster = change_from_level(before, {1.0, 0.01});
  EXPECT_LT(faster.change, -0.1);
}

TEST(ChangePoint, ACellsLevelIsItsMedianWithItsNoise) {
  Stats s = summarize({1.0, 1.1, 1.2, 9.0});
  SeriesPoint p = cell_level(s);
  EXPECT_DOUBLE_EQ(p.value, 1.15);
  EXPECT_DOUBLE_EQ(p.noise, s.noise);
}

}  // namespace
}  // namespace opbench

namespace opbench {
namespace {

// Past kExactUpTo runs the cut is made among the runs binary segmentation
// proposes: the steps are still found where they are, and noise gives none.
TEST(ChangePoint, ALongSeriesKeepsItsStepsAndNoiseStaysQuiet) {
  for (unsigned seed = 0; seed < 5; ++seed) {
    std::vector<SeriesPoint> points = planted(1000, 300, 0.05, 0.01, 0.01, 3000 + seed);
    for (size_t i = 700; i < 1000; ++i) points[i].value *= 1.05;
    Segmentation s = find_steps(points);
    ASSERT_EQ(s.steps.size(), 2u) << "seed " << seed;
    // A step of 5 % amid 1.4 % (scatter and noise together): within two runs.
    EXPECT_NEAR(static_cast<double>(s.steps[0].at), 300, 2) << "seed " << seed;
    EXPECT_NEAR(static_cast<double>(s.steps[1].at), 700, 2) << "seed " << seed;
    EXPECT_TRUE(find_steps(planted(1000, 1000, 0, 0.02, 0.01, 4000 + seed)).steps.empty()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace opbench
