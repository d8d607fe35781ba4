// The reference against answers worked out by hand, one small case per
// point where an op could go wrong (axis, layout, mask, clamp, ties).
#include "model/reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "model/check.h"
#include "model/ops.h"
#include "model/parallel.h"
#include "model/random.h"

namespace opbench {
namespace {

using namespace reference;

HostTensor floats(Shape shape, std::vector<float> values) {
  return {"x", std::move(shape), DType::Float32, {values.begin(), values.end()}, {}};
}

HostTensor indices(std::vector<int64_t> values) {
  return {"idx", {static_cast<int64_t>(values.size())}, DType::Int64, {}, {values.begin(), values.end()}};
}

// The reference of the op that `line` names, from its unit, on `in`.
RefTensor run(const std::string& line, const Inputs& in) {
  const Experiment e = parse_experiment(line);
  return e.spec().reference(e, in);
}

void expect_tensor(const RefTensor& got, const Shape& shape, const std::vector<double>& values, double tolerance = 1e-12) {
  EXPECT_EQ(got.shape, shape);
  ASSERT_EQ(got.values.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(got.values[i], values[i], tolerance) << "at flat index " << i;
}

const double kLn3 = std::log(3.0);

// ---- Argmax --------------------------------------------------------------

// x = [[1, 5, 5],
//      [4, 2, 6]]
const HostTensor kTwoByThree = floats({2, 3}, {1, 5, 5, 4, 2, 6});

TEST(ReferenceArgmax, AlongRowsAndColumnsFirstOccurrenceOnTies) {
  expect_tensor(run("Argmax dim1=2x3 axis=0", {kTwoByThree}), {3}, {1, 0, 1});
  expect_tensor(run("Argmax dim1=2x3 axis=1", {kTwoByThree}), {2}, {1, 2});  // 5, 5: the first
}

TEST(ReferenceArgmax, NegativeAxisCountsFromTheEnd) {
  expect_tensor(run("Argmax dim1=2x3 axis=-2", {kTwoByThree}), {3}, {1, 0, 1});
  expect_tensor(run("Argmax dim1=2x3 axis=-1", {kTwoByThree}), {2}, {1, 2});
}

// ---- BCE -----------------------------------------------------------------

TEST(ReferenceBce, MeanOfProbabilityForm) {
  // -(log 0.5 + log(1 - 0.25)) / 2
  expect_tensor(run("BCE dim1=2 dim2=2", {floats({2}, {0.5f, 0.25f}), floats({2}, {1, 0})}), {}, {0.4904146265058631});
}

TEST(ReferenceBce, EachLogClampedAtMinus100) {
  // log 0 and log(1 - 1) are -inf, and log of the smallest float is -103.3: all count as -100.
  const float tiny = std::numeric_limits<float>::denorm_min();
  HostTensor p = floats({4}, {0.0f, 1.0f, tiny, 0.0f}), t = floats({4}, {1, 0, 1, 0});
  expect_tensor(run("BCE dim1=4 dim2=4", {p, t}), {}, {(100 + 100 + 100 + 0) / 4.0});
}

// ---- Concat --------------------------------------------------------------

TEST(ReferenceConcat, AlongColumns) {
  HostTensor a = floats({2, 1}, {1, 2}), b = floats({2, 2}, {3, 4, 5, 6});
  expect_tensor(run("Concat dim1=2x1 dim2=2x2 axis=1", {a, b}), {2, 3}, {1, 3, 4, 2, 5, 6});
  expect_tensor(run("Concat dim1=2x1 dim2=2x2 axis=-1", {a, b}), {2, 3}, {1, 3, 4, 2, 5, 6});
}

TEST(ReferenceConcat, AlongRows) {
  HostTensor a = floats({1, 2}, {1, 2}), b = floats({2, 2}, {3, 4, 5, 6});
  expect_tensor(run("Concat dim1=1x2 dim2=2x2 axis=0", {a, b}), {3, 2}, {1, 2, 3, 4, 5, 6});
}

// ---- Conv1d / Conv2d -----------------------------------------------------

TEST(ReferenceConv1d, SlidesWithoutFlippingTheKernel) {
  // [1 2 3 4] with kernel [2 1]: 2*1+2, 2*2+3, 2*3+4 (cross-correlation, not convolution).
  HostTensor x = floats({1, 4, 1}, {1, 2, 3, 4}), w = floats({1, 2, 1}, {2, 1});
  expect_tensor(run("Conv1d dim1=1x4x1 dim2=1x2x1", {x, w}), {1, 3, 1}, {4, 7, 10});
}

TEST(ReferenceConv1d, ChannelsLastInAndOut) {
  // x (L x Cin) = [[1,2],[3,4],[5,6]]. Filter 0 takes channel 0 at tap 0 and
  // channel 1 at tap 1; filter 1 sums the whole window.
  HostTensor x = floats({1, 3, 2}, {1, 2, 3, 4, 5, 6});
  HostTensor w = floats({2, 2, 2}, {1, 0, 0, 1, /**/ 1, 1, 1, 1});
  expect_tensor(run("Conv1d dim1=1x3x2 dim2=2x2x2", {x, w}), {1, 2, 2}, {1 + 4, 1 + 2 + 3 + 4, 3 + 6, 3 + 4 + 5 + 6});
}

TEST(ReferenceConv2d, KnownWindowsChannelsLast) {
  // x = [[1 2 3], [4 5 6], [7 8 9]]; filter 0 = [[1 2], [3 4]], filter 1 = all ones.
  HostTensor x = floats({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  HostTensor w = floats({2, 2, 2, 1}, {1, 2, 3, 4, 1, 1, 1, 1});
  // Output N x 2 x 2 x Cout: each position holds (filter 0, filter 1).
  expect_tensor(run("Conv2d dim1=1x3x3x1 dim2=2x2x2x1", {x, w}), {1, 2, 2, 2}, {37, 12, 47, 16, 67, 24, 77, 28});
}

// ---- Gather --------------------------------------------------------------

TEST(ReferenceGather, PicksRowsWithRepeats) {
  HostTensor x = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_tensor(run("Gather dim1=3x2 dim2=3", {x, indices({2, 0, 2})}), {3, 2}, {5, 6, 1, 2, 5, 6});
}

// ---- LayerNorm -----------------------------------------------------------

TEST(ReferenceLayerNorm, LastAxisBiasedVarianceWithEps) {
  // Row [1 3]: mean 2, biased variance 1. Row [2 2]: variance 0, eps keeps it finite.
  const double unit = 1 / std::sqrt(1 + 1e-5);
  expect_tensor(run("LayerNorm dim1=2x2", {floats({2, 2}, {1, 3, 2, 2})}), {2, 2}, {-unit, unit, 0, 0});
}

TEST(ReferenceLayerNorm, ThreeElementRow) {
  // [0 3 6]: mean 3, biased variance (9 + 0 + 9) / 3 = 6 (the unbiased one would be 9).
  const double s = 3 / std::sqrt(6 + 1e-5);
  expect_tensor(run("LayerNorm dim1=1x3", {floats({1, 3}, {0, 3, 6})}), {1, 3}, {-s, 0, s});
}

// ---- RMSNorm -------------------------------------------------------------

TEST(ReferenceRmsNorm, EachRowOverItsRootMeanSquareWithEps) {
  // [3 4]: mean square (9 + 16) / 2 = 12.5; [1 1 ...] of the second row: 1.
  const double a = 1 / std::sqrt(12.5 + 1e-5), b = 1 / std::sqrt(1 + 1e-5);
  expect_tensor(run("RMSNorm dim1=2x2", {floats({2, 2}, {3, 4, -1, 1})}), {2, 2}, {3 * a, 4 * a, -b, b});
}

TEST(ReferenceRmsNorm, NoMeanIsSubtractedAndZerosStayZero) {
  // Unlike LayerNorm, a constant row is not centred: [2 2] becomes [~1 ~1].
  const double s = 2 / std::sqrt(4 + 1e-5);
  expect_tensor(run("RMSNorm dim1=2x2", {floats({2, 2}, {2, 2, 0, 0})}), {2, 2}, {s, s, 0, 0});
}

TEST(ReferenceRmsNorm, OnlyTheLastAxis) {
  // dim1=2x1x2: rows [6 8] and [0 5], each alone.
  const double a = 1 / std::sqrt(50 + 1e-5), b = 1 / std::sqrt(12.5 + 1e-5);
  expect_tensor(run("RMSNorm dim1=2x1x2", {floats({2, 1, 2}, {6, 8, 0, 5})}), {2, 1, 2}, {6 * a, 8 * a, 0, 5 * b});
}

// ---- Elementwise ---------------------------------------------------------

// x times the standard normal CDF, from its table: Phi(1) = 0.8413447460685429,
// Phi(2) = 0.9772498680518208, Phi(-1) = 1 - Phi(1).
TEST(ReferenceGelu, ExactErfFormAgainstTheNormalTable) {
  expect_tensor(run("GELU dim1=5", {floats({5}, {0, 1, -1, 2, -2})}), {5},
                {0, 0.8413447460685429, -1 * (1 - 0.8413447460685429), 2 * 0.9772498680518208,
                 -2 * (1 - 0.9772498680518208)},
                1e-15);
}

// The tanh approximation, 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))),
// differs from the exact form by up to about 5e-4 (4.7e-4 at x = 2.7): the
// reference is the exact one.
TEST(ReferenceGelu, IsNotTheTanhApproximation) {
  const double x = 2.7, approx = 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  const RefTensor exact = run("GELU dim1=1", {floats({1}, {2.7f})});
  EXPECT_GT(std::abs(exact.values[0] - approx), 4e-4);
}


TEST(ReferenceLeakyRelu, SlopeOneHundredth) {
  expect_tensor(run("LeakyReLU dim1=3", {floats({3}, {-2, 0, 3})}), {3}, {-0.02, 0, 3}, 1e-9);
}

TEST(ReferencePrelu, SlopeFromAlpha) {
  expect_tensor(run("PReLU dim1=3 dim2=1", {floats({3}, {-2, 0, 3}), floats({1}, {0.25f})}), {3}, {-0.5, 0, 3});
}

TEST(ReferenceRelu, ClampsNegatives) {
  expect_tensor(run("ReLU dim1=3", {floats({3}, {-1, 0, 2})}), {3}, {0, 0, 2});
}

TEST(ReferenceSelu, BothBranches) {
  // x = -1: lambda * alpha * (e^-1 - 1).
  expect_tensor(run("SeLU dim1=3", {floats({3}, {1, 0, -1})}), {3}, {1.0507009873554805, 0, -1.1113307378125625});
}

TEST(ReferenceSigmoid, KnownValues) {
  HostTensor x = floats({3}, {0, static_cast<float>(kLn3), -static_cast<float>(kLn3)});
  expect_tensor(run("Sigmoid dim1=3", {x}), {3}, {0.5, 0.75, 0.25}, 1e-7);
}

TEST(ReferenceSoftplus, ThresholdAndSmallValues) {
  // log(1+e^21) is 21 + 7.6e-10: the threshold must return 21 itself. 20 is
  // not above it; -30 needs log1p to keep its 9.4e-14.
  HostTensor x = floats({4}, {0, 21, 20, -30});
  RefTensor y = run("Softplus dim1=4", {x});
  EXPECT_EQ(y.values[1], 21.0);
  expect_tensor(y, {4}, {std::log(2.0), 21, 20.000000002061153, 9.357622968839737e-14}, 1e-13);
  EXPECT_NEAR(y.values[3] / 9.357622968839737e-14, 1.0, 1e-9);
}

// ---- Linear / MatMul -----------------------------------------------------

TEST(ReferenceLinear, RowsTimesWeightsPlusBias) {
  HostTensor x = floats({2, 2}, {1, 2, 3, 4}), w = floats({2, 3}, {1, 0, 1, 0, 1, 1}), b = floats({3}, {10, 20, 30});
  expect_tensor(run("Linear dim1=2x2 dim2=2x3 dim3=3", {x, w, b}), {2, 3}, {11, 22, 33, 13, 24, 37});
}

TEST(ReferenceLinear, LeadingAxesAreRows) {
  HostTensor x = floats({2, 1, 2}, {1, 2, 3, 4}), w = floats({2, 1}, {1, -1}), b = floats({1}, {0.5f});
  expect_tensor(run("Linear dim1=2x1x2 dim2=2x1 dim3=1", {x, w, b}), {2, 1, 1}, {-0.5, -0.5});
}

TEST(ReferenceMatmul, TwoByTwo) {
  HostTensor a = floats({2, 2}, {1, 2, 3, 4}), b = floats({2, 2}, {5, 6, 7, 8});
  expect_tensor(run("MatMul dim1=2x2 dim2=2x2", {a, b}), {2, 2}, {19, 22, 43, 50});
}

TEST(ReferenceMatmul, MissingBatchDimRepeats) {
  // a holds two 1x2 rows [1 2] and [3 4]; b = [5; 6] serves both.
  HostTensor a = floats({2, 1, 2}, {1, 2, 3, 4}), b = floats({2, 1}, {5, 6});
  expect_tensor(run("MatMul dim1=2x1x2 dim2=2x1", {a, b}), {2, 1, 1}, {17, 39});
  // And the other way round: a = [1 2] against b's two 2x1 columns [5;6] and [7;8].
  HostTensor row = floats({1, 2}, {1, 2}), columns = floats({2, 2, 1}, {5, 6, 7, 8});
  expect_tensor(run("MatMul dim1=1x2 dim2=2x2x1", {row, columns}), {2, 1, 1}, {17, 23});
}

TEST(ReferenceMatmul, SizeOneBatchDimsBroadcastOnBothSides) {
  // Batch 2x1 against batch 3 gives 2x3: an outer product of a = [1 2] and b = [10 20 30].
  HostTensor a = floats({2, 1, 1, 1}, {1, 2}), b = floats({3, 1, 1}, {10, 20, 30});
  expect_tensor(run("MatMul dim1=2x1x1x1 dim2=3x1x1", {a, b}), {2, 3, 1, 1}, {10, 20, 30, 20, 40, 60});
}

// ---- ScaledDotProductAttention ---------------------------------------------

TEST(ReferenceAttention, CausalMaskTopLeftWhenMoreQueriesThanKeys) {
  // D = 1 (scale 1), Lq = 3, Lk = 2, two heads.
  // Head 0: q = [5 0 ln3], k = [0 1], v = [4 8]. Query 0 sees key 0 only,
  // whatever its score; query 1 scores (0, 0); query 2 scores (0, ln3): weights 1/4, 3/4.
  // Head 1: q = k = 0, v = [1 3]: query 0 sees v0, the others the mean.
  HostTensor q = floats({1, 2, 3, 1}, {5, 0, static_cast<float>(kLn3), 0, 0, 0});
  HostTensor k = floats({1, 2, 2, 1}, {0, 1, 0, 0});
  HostTensor v = floats({1, 2, 2, 1}, {4, 8, 1, 3});
  expect_tensor(run("ScaledDotProductAttention dim1=1x2x3x1 dim2=1x2x2x1 dim3=1x2x2x1", {q, k, v}),
                {1, 2, 3, 1}, {4, 6, 7, 1, 2, 2}, 1e-6);
}

TEST(ReferenceAttention, CausalMaskTopLeftWhenFewerQueriesThanKeys) {
  // One query sees key 0 only (bottom-right alignment would let it see all three).
  HostTensor q = floats({1, 1, 1, 1}, {1}), k = floats({1, 1, 3, 1}, {0, 5, 5}), v = floats({1, 1, 3, 1}, {2, 100, 100});
  expect_tensor(run("ScaledDotProductAttention dim1=1x1x1x1 dim2=1x1x3x1 dim3=1x1x3x1", {q, k, v}),
                {1, 1, 1, 1}, {2});
}

TEST(ReferenceAttention, ScoresScaledByOneOverSqrtD) {
  // D = 4, scale 1/2. Query 1 = ones, key 1 = ln3/2 everywhere: score 4 * ln3/2 / 2 = ln3,
  // key 0 scores 0, so weights 1/4, 3/4 (unscaled they would be 1/10, 9/10).
  const float c = static_cast<float>(kLn3 / 2);
  HostTensor q = floats({1, 1, 2, 4}, {0, 0, 0, 0, 1, 1, 1, 1});
  HostTensor k = floats({1, 1, 2, 4}, {0, 0, 0, 0, c, c, c, c});
  HostTensor v = floats({1, 1, 2, 4}, {4, 0, 0, 0, 8, 4, 0, 0});
  expect_tensor(run("ScaledDotProductAttention dim1=1x1x2x4 dim2=1x1x2x4 dim3=1x1x2x4", {q, k, v}),
                {1, 1, 2, 4}, {4, 0, 0, 0, 7, 3, 0, 0}, 1e-6);
}

// ---- Scatter family --------------------------------------------------------

// Rows 0 and 2 of a 3x2 result are hit: row 0 by sources 0 and 1, row 2 by source 2.
const HostTensor kScatterIdx = indices({0, 0, 2});

TEST(ReferenceScatter, LastWriterWinsUntouchedRowsStayZero) {
  HostTensor src = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_tensor(run("Scatter dim1=3x2 dim2=3", {kScatterIdx, src}), {3, 2}, {3, 4, 0, 0, 5, 6});
}

TEST(ReferenceScatterSum, AddsEveryColumn) {
  HostTensor src = floats({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_tensor(run("ScatterSum dim1=3x2 dim2=3", {kScatterIdx, src}), {3, 2}, {4, 6, 0, 0, 5, 6});
}

TEST(ReferenceScatterMax, InitialZerosTakePart) {
  // Every source negative: the zeros win everywhere.
  HostTensor negative = floats({3, 2}, {-1, -2, -3, -4, -5, -6});
  expect_tensor(run("ScatterMax dim1=3x2 dim2=3", {kScatterIdx, negative}), {3, 2}, {0, 0, 0, 0, 0, 0});
  // Mixed: per column, the largest of 0 and the sources.
  HostTensor mixed = floats({3, 2}, {1, -2, 3, -4, -5, 6});
  expect_tensor(run("ScatterMax dim1=3x2 dim2=3", {kScatterIdx, mixed}), {3, 2}, {3, 0, 0, 0, 0, 6});
}

// ---- Softmax / Sort / Sum / SumAll ------------------------------------------

TEST(ReferenceSoftmax, AlongEachAxis) {
  // x = [[0 0], [ln3 0]]
  HostTensor x = floats({2, 2}, {0, 0, static_cast<float>(kLn3), 0});
  expect_tensor(run("Softmax dim1=2x2 axis=-1", {x}), {2, 2}, {0.5, 0.5, 0.75, 0.25}, 1e-7);
  expect_tensor(run("Softmax dim1=2x2 axis=0", {x}), {2, 2}, {0.25, 0.5, 0.75, 0.5}, 1e-7);
}

TEST(ReferenceSoftmax, LargeValuesStayFinite) {
  expect_tensor(run("Softmax dim1=2 axis=0", {floats({2}, {1000, 1000})}), {2}, {0.5, 0.5});
}

TEST(ReferenceSort, AscendingAlongEachAxis) {
  // x = [[3 1 2], [0 5 -1]]
  HostTensor x = floats({2, 3}, {3, 1, 2, 0, 5, -1});
  expect_tensor(run("Sort dim1=2x3 axis=1", {x}), {2, 3}, {1, 2, 3, -1, 0, 5});
  expect_tensor(run("Sort dim1=2x3 axis=-1", {x}), {2, 3}, {1, 2, 3, -1, 0, 5});
  expect_tensor(run("Sort dim1=2x3 axis=0", {x}), {2, 3}, {0, 1, -1, 3, 5, 2});
}

TEST(ReferenceSum, AlongEachAxis) {
  HostTensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_tensor(run("Sum dim1=2x3 axis=0", {x}), {3}, {5, 7, 9});
  expect_tensor(run("Sum dim1=2x3 axis=1", {x}), {2}, {6, 15});
  expect_tensor(run("Sum dim1=2x3 axis=-1", {x}), {2}, {6, 15});
}

TEST(ReferenceSum, MiddleAxisOfThree) {
  // x[i][j][k] = 4i + 2j + k; summing j pairs (0,2), (1,3), (4,6), (5,7).
  HostTensor x = floats({2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  expect_tensor(run("Sum dim1=2x2x2 axis=1", {x}), {2, 2}, {2, 4, 10, 12});
}

TEST(ReferenceSumAll, ScalarAccumulatedInDouble) {
  expect_tensor(run("SumAll dim1=2x2", {floats({2, 2}, {1, 2, 3, 4})}), {}, {10});
  // In float, 2^24 + 1 rounds back to 2^24 and both ones would be lost.
  expect_tensor(run("SumAll dim1=3", {floats({3}, {16777216, 1, 1})}), {}, {16777218});
}

// ---- Every op: shapes agree with the op's unit ------------------------------

// Every op's quick-suite lines, from the registry: a new op is covered here
// without this file changing.
std::vector<std::string> every_op_line() {
  std::vector<std::string> lines;
  for (const OpSpec& op : all_ops()) lines.insert(lines.end(), op.quick.begin(), op.quick.end());
  return lines;
}

class ReferenceShapes : public testing::TestWithParam<std::string> {};

TEST_P(ReferenceShapes, MatchOutputShapeAndAreFinite) {
  const Experiment e = parse_experiment(GetParam());
  const OpSpec& op = e.spec();
  const RefTensor out = op.reference(e, make_inputs(e, 7));
  EXPECT_EQ(out.shape, op.output_shape(e));
  EXPECT_EQ(static_cast<int64_t>(out.values.size()), element_count(out.shape));
  for (double v : out.values) EXPECT_TRUE(std::isfinite(v));
}

INSTANTIATE_TEST_SUITE_P(EveryOp, ReferenceShapes, testing::ValuesIn(every_op_line()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param.substr(0, info.param.find(' ')) + "_" + std::to_string(info.index);
                         });


// ---- on all cores ----------------------------------------------------------

// Runs `f` with parallel_for limited to `threads` threads.
template <class F>
auto on_threads(unsigned threads, F f) {
  host_threads_override() = threads;
  auto result = f();
  host_threads_override() = 0;
  return result;
}

// The reference is made on all cores; each element is computed by the same
// code whatever thread runs it, so the result is bit-identical to one
// thread's. Every op's quick lines, and shapes larger than one thread's share.
TEST(ReferenceOnAllCores, IsBitIdenticalToOneThreads) {
  std::vector<std::string> lines;
  for (const OpSpec& op : all_ops()) lines.insert(lines.end(), op.quick.begin(), op.quick.end());
  for (const char* line : {"ReLU dim1=300000", "Softmax dim1=512x300 axis=-1", "Sum dim1=64x32x40 axis=1",
                           "Concat dim1=300x64 dim2=300x32 axis=1", "Gather dim1=64x256 dim2=5000",
                           "MatMul dim1=300x64 dim2=64x50", "Conv2d dim1=4x40x40x3 dim2=8x3x3x3",
                           "ScaledDotProductAttention dim1=2x4x64x16 dim2=2x4x64x16 dim3=2x4x64x16",
                           // the backward pass's products and loops along the head dimension
                           "MatMul dim1=300x64 dim2=64x50 pass=backward", "MatMul dim1=5x30x70 dim2=70x50 pass=backward",
                           "Linear dim1=3x100x70 dim2=70x90 dim3=90 pass=backward",
                           "ScaledDotProductAttention dim1=2x4x64x40 dim2=2x4x64x40 dim3=2x4x64x40 pass=backward"})
    lines.push_back(line);
  for (const std::string& line : lines) {
    const Experiment e = parse_experiment(line);
    const Inputs in = make_inputs(e, 5);
    RefTensor one = on_threads(1, [&] { return expected_result(e, in); });
    RefTensor many = on_threads(7, [&] { return expected_result(e, in); });
    EXPECT_EQ(one.shape, many.shape) << line;
    EXPECT_EQ(one.positions, many.positions) << line;
    ASSERT_EQ(one.values.size(), many.values.size()) << line;
    size_t differ = 0;
    for (size_t i = 0; i < one.values.size(); ++i)
      differ += std::memcmp(&one.values[i], &many.values[i], sizeof(double)) != 0;
    EXPECT_EQ(differ, 0u) << line;
  }
}

// The product's blocked, vectorized kernel against the plain loop it stands
// for: each element is what it held plus its products, each rounded and then
// added in the order of the inner index, bit for bit, whatever the thread
// count. Shapes with edges in every direction (rows not a multiple of the
// register block, columns not of the tile, an inner length past one slice),
// and views read straight and transposed.
TEST(ReferenceOnAllCores, TheProductsKernelIsThePlainLoopBitForBit) {
  struct Case {
    int64_t m, k, n;
    bool a_transposed, b_transposed;
  };
  for (const Case& c : {Case{1, 1, 1, false, false}, Case{5, 300, 9, false, false}, Case{67, 513, 130, false, true},
                        Case{3, 1000, 70, true, false}, Case{130, 257, 65, true, true}, Case{64, 64, 64, false, false}}) {
    SCOPED_TRACE(std::to_string(c.m) + "x" + std::to_string(c.k) + "x" + std::to_string(c.n) + (c.a_transposed ? " a^T" : "") +
                 (c.b_transposed ? " b^T" : ""));
    HostTensor a{"a", {c.m * c.k}, DType::Float32, HostBuffer<float>(static_cast<size_t>(c.m * c.k)), {}};
    HostTensor b{"b", {c.k * c.n}, DType::Float32, HostBuffer<float>(static_cast<size_t>(c.k * c.n)), {}};
    fill_normal(a.f32, 11, 1);
    fill_normal(b.f32, 11, 2);
    // A transposed operand is stored the other way round and read through its view's steps.
    const MatrixView av = c.a_transposed ? matrix(a, 0, c.k, c.m).transposed() : matrix(a, 0, c.m, c.k);
    const MatrixView bv = c.b_transposed ? matrix(b, 0, c.n, c.k).transposed() : matrix(b, 0, c.k, c.n);
    std::vector<double> start(static_cast<size_t>(c.m * c.n));
    for (size_t i = 0; i < start.size(); ++i) start[i] = 0.25 * static_cast<double>(i % 7) - 0.5;
    std::vector<double> plain = start;
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j)
        for (int64_t p = 0; p < c.k; ++p) {
          volatile double product = av(i, p) * bv(p, j);  // rounded before the sum: no fused multiply-add
          plain[i * c.n + j] += product;
        }
    for (unsigned threads : {1u, 3u, 7u}) {
      std::vector<double> got = start;
      on_threads(threads, [&] {
        multiply_add(av, bv, got.data());
        return 0;
      });
      size_t differ = 0;
      for (size_t i = 0; i < got.size(); ++i) differ += std::memcmp(&got[i], &plain[i], sizeof(double)) != 0;
      EXPECT_EQ(differ, 0u) << threads << " threads";
    }
  }
}

// A parallel_for inside another's range runs on that range's thread: the
// cores are busy already, and a batched product's thousand small matrices
// each given a thread per core cost more in threads than in work.
TEST(ReferenceOnAllCores, AParallelForInsideAnotherRunsOnItsThread) {
  std::vector<std::thread::id> outer(8), inner(8 * 64);
  on_threads(4, [&] {
    parallel_for(8, [&](size_t b, size_t e) {
      for (size_t i = b; i < e; ++i) {
        outer[i] = std::this_thread::get_id();
        parallel_for(64, [&](size_t ib, size_t ie) {
          for (size_t k = ib; k < ie; ++k) inner[i * 64 + k] = std::this_thread::get_id();
        }, 1);
      }
    }, 1);
    return 0;
  });
  for (size_t i = 0; i < 8; ++i)
    for (size_t k = 0; k < 64; ++k) EXPECT_EQ(inner[i * 64 + k], outer[i]) << i << ", " << k;
  EXPECT_NE(outer.front(), outer.back());  // the outer one did run on several threads
  // Outside, the calling thread is no worker: its parallel_for spreads again.
  std::vector<std::thread::id> after(64);
  on_threads(4, [&] {
    parallel_for(64, [&](size_t b, size_t e) {
      for (size_t k = b; k < e; ++k) after[k] = std::this_thread::get_id();
    }, 1);
    return 0;
  });
  EXPECT_NE(after.front(), after.back());
}

// The check's sums run in fixed chunks: the same error on any number of cores.
TEST(ReferenceOnAllCores, TheCheckGivesTheSameErrorOnAnyNumberOfThreads) {
  const Experiment e = parse_experiment("ReLU dim1=300000");
  const Inputs in = make_inputs(e, 5);
  const RefTensor ref = expected_result(e, in);
  HostTensor got = in[0];
  for (float& v : got.f32) v = std::max(v, 0.0f) * 1.00001f;
  double one = on_threads(1, [&] { return check_output(e, in, got, ref).error; });
  double many = on_threads(7, [&] { return check_output(e, in, got, ref).error; });
  EXPECT_GT(one, 0);
  EXPECT_EQ(one, many);
  got.f32[123456] = NAN;
  EXPECT_EQ(on_threads(7, [&] { return check_output(e, in, got, ref).detail; }), "non-finite value at element 123456");
}

}  // namespace
}  // namespace opbench
