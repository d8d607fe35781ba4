// The seeded generator: each normal value against Box-Muller in double
// precision with the C library's functions, the values' distribution, and
// the same values on any number of threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <random>

#include "model/parallel.h"
#include "model/random.h"

namespace opbench {
namespace {

constexpr double kTwoPi = 6.283185307179586;

// Box-Muller as random.h defines it, in double precision with libm.
void box_muller(uint64_t draw, double& z_cos, double& z_sin) {
  const double u1 = (static_cast<float>(draw >> 33) + 0.5f) / 2147483648.0f;
  const double a = kTwoPi * (static_cast<double>(static_cast<uint32_t>(draw)) + 0.5) / 4294967296.0;
  const double r = std::sqrt(-2.0 * std::log(u1));
  z_cos = r * std::cos(a);
  z_sin = r * std::sin(a);
}

// Draws that reach the ends of every range: u1 at its smallest and at 1,
// each quarter turn's first and last angle.
std::vector<uint64_t> edge_draws() {
  std::vector<uint64_t> draws;
  for (uint64_t high : {0ULL, 1ULL, 0x7fffffffULL, 0x80000000ULL, 0xfffffffeULL, 0xffffffffULL})
    for (uint64_t low : {0ULL, 0x3fffffffULL, 0x40000000ULL, 0x7fffffffULL, 0x80000000ULL, 0xbfffffffULL,
                         0xc0000000ULL, 0xffffffffULL, 0x20000000ULL, 0x9e3779b9ULL})
      draws.push_back(high << 32 | low);
  return draws;
}

TEST(NormalPair, EachValueIsBoxMullerInDoubleWithinAFewFloatSteps) {
  std::vector<uint64_t> draws = edge_draws();
  std::mt19937_64 other_generator(12345);
  for (int i = 0; i < 1000000; ++i) draws.push_back(other_generator());
  double worst = 0;
  for (uint64_t draw : draws) {
    float got_cos, got_sin;
    double want_cos, want_sin;
    normal_pair(draw, got_cos, got_sin);
    box_muller(draw, want_cos, want_sin);
    ASSERT_TRUE(std::isfinite(got_cos) && std::isfinite(got_sin)) << std::hex << draw;
    // A few float steps of the radius r (both values are r times a number
    // at most 1), or of 1 where r is below it.
    const double scale = std::max(1.0, std::hypot(want_cos, want_sin)) * 0x1p-23;
    for (auto [got, want] : {std::pair{got_cos, want_cos}, std::pair{got_sin, want_sin}}) {
      const double error = std::abs(got - want) / scale;
      worst = std::max(worst, error);
      ASSERT_LE(error, 4.0) << std::hex << "draw 0x" << draw << std::dec << ": " << got << " vs " << want;
    }
  }
  RecordProperty("worst_error_in_float_steps", std::to_string(worst));
}

TEST(NormalPair, TheLargestValueComesFromTheSmallestU1) {
  float z_cos, z_sin;
  normal_pair(0, z_cos, z_sin);  // u1 = 2^-32, the first angle
  const double r = std::sqrt(-2.0 * std::log(0x1p-32));
  EXPECT_NEAR(std::hypot(z_cos, z_sin), r, 1e-5 * r);
  EXPECT_LT(r, 6.7);
}

// Kolmogorov-Smirnov: the largest gap between the values' empirical CDF and
// the normal CDF, against the 0.1% critical value 1.95 / sqrt(n).
double ks_distance(std::vector<float> values) {
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  double worst = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const double cdf = 0.5 * std::erfc(-values[i] / std::sqrt(2.0));
    worst = std::max({worst, std::abs(cdf - static_cast<double>(i) / n), std::abs(cdf - static_cast<double>(i + 1) / n)});
  }
  return worst;
}

TEST(FillNormal, ValuesFollowTheStandardNormalDistribution) {
  HostBuffer<float> x(1 << 20);
  fill_normal(x, 3, 0);
  EXPECT_LT(ks_distance({x.begin(), x.end()}), 1.95 / std::sqrt(static_cast<double>(x.size())));
  // The cos and sin halves each on their own, and both of one pair together:
  // independent, so their product averages 0 with standard deviation 1/sqrt(n).
  std::vector<float> even, odd;
  double product = 0;
  for (size_t i = 0; i + 1 < x.size(); i += 2) {
    even.push_back(x[i]);
    odd.push_back(x[i + 1]);
    product += static_cast<double>(x[i]) * x[i + 1];
  }
  const double half = static_cast<double>(even.size());
  EXPECT_LT(ks_distance(even), 1.95 / std::sqrt(half));
  EXPECT_LT(ks_distance(odd), 1.95 / std::sqrt(half));
  EXPECT_LT(std::abs(product / half), 4.0 / std::sqrt(half));
}

HostBuffer<float> normal_values(size_t n, uint64_t seed, uint64_t stream, unsigned threads) {
  host_threads_override() = threads;
  HostBuffer<float> x(n);
  fill_normal(x, seed, stream);
  host_threads_override() = 0;
  return x;
}

TEST(FillNormal, TheSameValuesOnOneThreadAndOnManyAndForAnyLength) {
  const size_t n = (size_t{1} << 21) + 3;  // odd: the last pair gives one value
  const HostBuffer<float> one = normal_values(n, 9, 2, 1), many = normal_values(n, 9, 2, 7);
  EXPECT_EQ(one, many);
  // Element i depends on (seed, stream, i) only: a shorter fill is a prefix.
  const HostBuffer<float> shorter = normal_values(1001, 9, 2, 3);
  EXPECT_TRUE(std::equal(shorter.begin(), shorter.end(), one.begin()));
  // Another stream or seed is another draw.
  EXPECT_NE(normal_values(1001, 9, 3, 3), shorter);
  EXPECT_NE(normal_values(1001, 10, 2, 3), shorter);
  EXPECT_TRUE(normal_values(0, 9, 2, 3).empty());
  EXPECT_EQ(normal_values(1, 9, 2, 1)[0], one[0]);
}

// fill_normal transforms blocks of pairs in vector code (AVX2 where the
// machine has it): the same bits as the one-pair scalar transform.
TEST(FillNormal, EachPairIsTheScalarTransformOfItsDraw) {
  const size_t n = 100003;
  const HostBuffer<float> x = normal_values(n, 5, 4, 3);
  for (size_t k = 0; k < (n + 1) / 2; ++k) {
    float z_cos = 0, z_sin = 0;
    normal_pair(normal_draw(5, 4, k), z_cos, z_sin);
    ASSERT_EQ(std::bit_cast<uint32_t>(x[2 * k]), std::bit_cast<uint32_t>(z_cos)) << "pair " << k;
    if (2 * k + 1 < n) ASSERT_EQ(std::bit_cast<uint32_t>(x[2 * k + 1]), std::bit_cast<uint32_t>(z_sin)) << "pair " << k;
  }
}

}  // namespace
}  // namespace opbench
