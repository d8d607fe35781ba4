// check_output against planted faults: each wrong answer a backend could
// give must fail, and the right ones must pass.
#include "model/check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "model/ops.h"
#include "model/parallel.h"

namespace opbench {
namespace {

// One experiment with its inputs and its reference result.
struct Case {
  Experiment e;
  std::vector<HostTensor> inputs;
  RefTensor ref;
};

Case make_case(const std::string& line, uint64_t seed = 3) {
  Case c{parse_experiment(line), {}, {}};
  c.inputs = make_inputs(c.e, seed);
  c.ref = c.e.spec().reference(c.e, c.inputs);
  return c;
}

// What a correct backend returns: the reference rounded to float.
HostTensor as_float(const RefTensor& ref) {
  HostTensor t{"out", ref.shape, DType::Float32, {}, {}};
  for (double v : ref.values) t.f32.push_back(static_cast<float>(v));
  return t;
}

HostTensor floats(Shape shape, std::vector<float> values) {
  return {"out", std::move(shape), DType::Float32, {values.begin(), values.end()}, {}};
}

CheckResult check(const Case& c, const HostTensor& got) { return check_output(c.e, c.inputs, got, c.ref); }

HostTensor scaled(const Case& c, double factor) {
  HostTensor got = as_float(c.ref);
  for (float& v : got.f32) v = static_cast<float>(v * factor);
  return got;
}

// Every op's quick-suite lines, read from the op units: an op added to the
// registry is checked by every test below without this file changing.
std::vector<std::string> every_op_line() {
  std::vector<std::string> lines;
  for (const OpSpec& op : all_ops()) lines.insert(lines.end(), op.quick.begin(), op.quick.end());
  return lines;
}

TEST(CheckOutput, EveryOpHasLinesToCheck) {
  for (const OpSpec& op : all_ops()) EXPECT_FALSE(op.quick.empty()) << op.name;
}

TEST(CheckOutput, CorrectOutputsPass) {
  for (const std::string& line : every_op_line()) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    CheckResult r = check(c, as_float(c.ref));
    EXPECT_TRUE(r.passed) << r.detail;
    EXPECT_LE(r.error, tolerance(c.e.spec()));
    EXPECT_EQ(r.detail, "");
  }
}

TEST(CheckOutput, ArgmaxAsIntegersPasses) {
  Case c = make_case("Argmax dim1=4x5x6 axis=2");
  HostTensor got{"out", c.ref.shape, DType::Int64, {}, {}};
  for (double v : c.ref.values) got.i64.push_back(static_cast<int64_t>(v));
  EXPECT_TRUE(check(c, got).passed);
}

// An op that hands back its input untouched.
TEST(CheckOutput, ReturningTheInputFails) {
  for (const char* line : {"ReLU dim1=4x16", "Sigmoid dim1=4x16", "Softmax dim1=4x16 axis=1", "LeakyReLU dim1=4x16",
                           "Sort dim1=4x16 axis=1"}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    HostTensor got = c.inputs[0];
    CheckResult r = check(c, got);
    EXPECT_FALSE(r.passed);
    EXPECT_GT(r.error, tolerance(c.e.spec()));
    EXPECT_NE(r.detail.find("relative error"), std::string::npos) << r.detail;
  }
}

// ... which is right for Copy.
TEST(CheckOutput, ReturningTheInputIsRightForCopy) {
  Case c = make_case("Copy dim1=4x16");
  EXPECT_TRUE(check(c, c.inputs[0]).passed);
}

TEST(CheckOutput, AllZerosFails) {
  for (const char* line : {"MatMul dim1=2x3x8 dim2=8x4", "ScatterSum dim1=8x4 dim2=20", "SumAll dim1=4x16"}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    HostTensor got = as_float(c.ref);
    std::fill(got.f32.begin(), got.f32.end(), 0.0f);
    CheckResult r = check(c, got);
    EXPECT_FALSE(r.passed);
    if (c.e.op != "SumAll") EXPECT_NEAR(r.error, 1.0, 1e-12);  // |0 - ref| / |ref|
  }
}

// A sum is judged at the scale of its terms' magnitudes: an error float32
// accumulation can make passes, one a hundred times larger does not.
TEST(CheckOutput, SumsAreJudgedAgainstTheirTermsMagnitudes) {
  Case c = make_case("SumAll dim1=100000");
  double magnitudes = 0;
  for (float v : c.inputs[0].f32) magnitudes += std::abs(v);
  for (auto [offset, passes] : {std::pair{1e-5, true}, std::pair{1e-3, false}}) {
    HostTensor got = as_float(c.ref);
    got.f32[0] = static_cast<float>(c.ref.values[0] + offset * magnitudes);
    CheckResult r = check(c, got);
    EXPECT_EQ(r.passed, passes) << offset;
    EXPECT_NEAR(r.error, offset, offset * 1e-3);
  }
}

// The scale is found once, with the reference (every backend's cell reuses
// it, and the reference cache keeps it): the same error as found per check.
TEST(CheckOutput, TheReferenceCarriesTheScaleOfItsCheck) {
  Case c = make_case("SumAll dim1=100000");
  double magnitudes = 0;
  for (float v : c.inputs[0].f32) magnitudes += std::abs(v);
  const RefTensor with_scale = expected_result(c.e, c.inputs);
  EXPECT_NEAR(with_scale.scale, magnitudes, magnitudes * 1e-12);
  EXPECT_TRUE(std::isnan(c.ref.scale));  // the op's reference alone does not know it
  HostTensor got = as_float(c.ref);
  got.f32[0] = static_cast<float>(c.ref.values[0] + 1e-4 * magnitudes);
  const CheckResult found_now = check(c, got);
  c.ref = with_scale;
  EXPECT_DOUBLE_EQ(check(c, got).error, found_now.error);
  // Any other op's scale is its reference's norm.
  Case relu = make_case("ReLU dim1=1000");
  double squares = 0;
  for (double v : relu.ref.values) squares += v * v;
  EXPECT_NEAR(expected_result(relu.e, relu.inputs).scale, std::sqrt(squares), 1e-9 * std::sqrt(squares));
}

// Only the first column of src written: the reference's own PyTorch fault.
TEST(CheckOutput, ScatterWritingOneColumnFails) {
  Case c = make_case("Scatter dim1=8x4 dim2=20");
  HostTensor got = as_float(c.ref);
  for (int64_t r = 0; r < 8; ++r)
    for (int64_t col = 1; col < 4; ++col) got.f32[r * 4 + col] = 0.0f;
  std::set<int64_t> written(c.inputs[0].i64.begin(), c.inputs[0].i64.end());
  CheckResult r = check(c, got);
  EXPECT_FALSE(r.passed);
  // Three zeroed columns in every written row match no source element.
  size_t wrong = 3 * written.size();
  EXPECT_DOUBLE_EQ(r.error, static_cast<double>(wrong) / 32);
  EXPECT_NE(r.detail.find(std::to_string(wrong) + " of 32 elements"), std::string::npos) << r.detail;
}

TEST(CheckOutput, ScatterSumWritingOneColumnFails) {
  Case c = make_case("ScatterSum dim1=8x4 dim2=20");
  HostTensor got = as_float(c.ref);
  for (int64_t r = 0; r < 8; ++r)
    for (int64_t col = 1; col < 4; ++col) got.f32[r * 4 + col] = 0.0f;
  EXPECT_FALSE(check(c, got).passed);
}

TEST(CheckOutput, ArgmaxOffByOneFailsWithTheShareOfWrongElements) {
  Case c = make_case("Argmax dim1=4x5x6 axis=1");
  ASSERT_EQ(c.ref.values.size(), 24u);
  HostTensor got = as_float(c.ref);
  got.f32[7] = std::fmod(got.f32[7] + 1, 5);
  CheckResult one = check(c, got);
  EXPECT_FALSE(one.passed);
  EXPECT_DOUBLE_EQ(one.error, 1.0 / 24);
  EXPECT_NE(one.detail.find("1 of 24"), std::string::npos) << one.detail;

  got.f32[0] = std::fmod(got.f32[0] + 1, 5);
  got.f32[23] = std::fmod(got.f32[23] + 4, 5);
  EXPECT_DOUBLE_EQ(check(c, got).error, 3.0 / 24);
}

TEST(CheckOutput, WrongShapeFails) {
  Case c = make_case("ReLU dim1=4x6");
  HostTensor got = as_float(c.ref);
  got.shape = {6, 4};  // same values, transposed shape
  CheckResult r = check(c, got);
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.detail.find("6x4"), std::string::npos) << r.detail;
  EXPECT_NE(r.detail.find("4x6"), std::string::npos) << r.detail;

  Case sum = make_case("SumAll dim1=4x6");
  HostTensor one_element = as_float(sum.ref);
  one_element.shape = {1};  // not the scalar shape
  EXPECT_FALSE(check(sum, one_element).passed);

  Case argmax = make_case("Argmax dim1=4x6 axis=0");
  HostTensor kept = as_float(argmax.ref);
  kept.shape = {1, 6};  // keepdims
  EXPECT_FALSE(check(argmax, kept).passed);
}

TEST(CheckOutput, NonFiniteValuesFail) {
  for (float bad : {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::infinity()}) {
    Case c = make_case("Sigmoid dim1=4x16");
    HostTensor got = as_float(c.ref);
    got.f32[5] = bad;
    CheckResult r = check(c, got);
    EXPECT_FALSE(r.passed) << bad;
    EXPECT_NE(r.detail.find("element 5"), std::string::npos) << r.detail;
  }
  Case sum = make_case("SumAll dim1=4x16");
  EXPECT_FALSE(check(sum, floats({}, {std::numeric_limits<float>::quiet_NaN()})).passed);
}

// idx = {1, 1}: both source rows go to row 1, and either may win each
// element (on a GPU the columns of one row may come from different writers).
TEST(CheckOutput, ScatterAcceptsEitherWriterOfARepeatedIndexPerElement) {
  Experiment e = parse_experiment("Scatter dim1=3x2 dim2=2");
  std::vector<HostTensor> inputs = {{"idx", {2}, DType::Int64, {}, {1, 1}},
                                    {"src", {2, 2}, DType::Float32, {1, 2, 3, 4}, {}}};
  RefTensor ref = find_op("Scatter").reference(e, inputs);
  auto passes = [&](std::vector<float> values) { return check_output(e, inputs, floats({3, 2}, values), ref).passed; };
  EXPECT_TRUE(passes({0, 0, 1, 2, 0, 0}));   // the first writer
  EXPECT_TRUE(passes({0, 0, 3, 4, 0, 0}));   // the last writer
  EXPECT_FALSE(passes({0, 0, 5, 6, 0, 0}));  // neither
  EXPECT_TRUE(passes({0, 0, 1, 4, 0, 0}));   // half of each
  EXPECT_TRUE(passes({0, 0, 3, 2, 0, 0}));   // the other half of each
  EXPECT_FALSE(passes({0, 0, 5, 6, 0, 0}));  // neither
  EXPECT_FALSE(passes({0, 0, 1, 6, 0, 0}));  // one column from no writer
  EXPECT_FALSE(passes({0, 0, 2, 1, 0, 0}));  // a writer's values in the wrong columns
  EXPECT_FALSE(passes({0, 0, 0, 0, 0, 0}));  // never written
  EXPECT_FALSE(passes({7, 0, 1, 2, 0, 0}));  // a row nobody writes must stay zero
  // Element shares: 7, 5 and 6 come from no candidate, 3 of 6 elements.
  EXPECT_DOUBLE_EQ(check_output(e, inputs, floats({3, 2}, {7, 0, 5, 6, 0, 0}), ref).error, 3.0 / 6);
}

// ---- the reference at sampled elements -----------------------------------

// The ops whose full reference may cost too much: their reference_at.
const std::vector<std::string> kCostlyExperiments = {
    "MatMul dim1=3x20x16 dim2=16x12",
    "MatMul dim1=2x1x20x16 dim2=3x16x12",  // broadcast batch
    "Linear dim1=3x20x16 dim2=16x12 dim3=12",
    "Conv1d dim1=2x40x3 dim2=8x5x3",
    "Conv2d dim1=2x9x8x3 dim2=5x3x2x3",
    "ScaledDotProductAttention dim1=2x3x10x8 dim2=2x3x14x8 dim3=2x3x14x8",
};

TEST(ExpectedResult, WithinBudgetIsTheFullReference) {
  for (const std::string& line : kCostlyExperiments) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    RefTensor full = expected_result(c.e, c.inputs, 1e12);
    EXPECT_TRUE(full.dense());
    EXPECT_EQ(full.shape, c.ref.shape);
    EXPECT_EQ(full.values, c.ref.values);
  }
}

// Gather and Concat copy their inputs' values: every element is checked,
// each read from the inputs as the check goes, none stored or cached.
TEST(ExpectedResult, ACopyingOpIsCheckedWholeAgainstElementsReadOnDemand) {
  for (const std::string line : {"Gather dim1=50x3 dim2=40", "Concat dim1=4x3x5 dim2=4x2x5 axis=1",
                                  "Concat dim1=3x4 dim2=5x4 axis=0", "Concat dim1=2x3x4 dim2=2x3x6 axis=-1"}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    const RefTensor on_demand = expected_result(c.e, c.inputs, 0);  // no budget: still every element
    ASSERT_TRUE(on_demand.on_demand);
    EXPECT_TRUE(on_demand.dense());
    EXPECT_TRUE(on_demand.values.empty());
    EXPECT_FALSE(checks_sampled(c.e, on_demand));
    for (int64_t k = 0; k < element_count(c.ref.shape); ++k)
      ASSERT_EQ(c.e.spec().reference_at(c.e, c.inputs, k), c.ref.values[k]) << "element " << k;
    HostTensor got = as_float(c.ref);
    EXPECT_TRUE(check_output(c.e, c.inputs, got, on_demand).passed);
    // A digest that is not the result's (a damaged one) sends the check element
    // by element, which still finds the copy right.
    RefTensor other_digest = on_demand;
    other_digest.digest ^= 1;
    EXPECT_TRUE(check_output(c.e, c.inputs, got, other_digest).passed);
    got.f32.back() += 1.0f;  // the last element only
    const CheckResult r = check_output(c.e, c.inputs, got, on_demand);
    EXPECT_FALSE(r.passed);
    EXPECT_EQ(verdict(c.e, r), Verdict::wrong);
    // Two elements swapped: every value is there, in the wrong places.
    got = as_float(c.ref);
    std::swap(got.f32[0], got.f32[1]);
    EXPECT_FALSE(check_output(c.e, c.inputs, got, on_demand).passed);
  }
}

// The digest of a copying op's reference is that of its result's values and
// positions: a right result matches it whatever the number of cores; a
// result with any element changed, moved or of another sign does not.
TEST(ExpectedResult, ACopyingOpsDigestIsItsResultsAndOnlyItsOnAnyCoreCount) {
  Case c = make_case("Concat dim1=300x70 dim2=300x50 axis=1");
  const RefTensor ref = expected_result(c.e, c.inputs);
  ASSERT_TRUE(ref.on_demand);
  EXPECT_NE(ref.digest, 0u);
  host_threads_override() = 1;
  const RefTensor one_core = expected_result(c.e, c.inputs);
  host_threads_override() = 0;
  EXPECT_EQ(one_core.digest, ref.digest);
  EXPECT_EQ(one_core.scale, ref.scale);
  HostTensor got = as_float(c.ref);
  CheckResult r = check_output(c.e, c.inputs, got, ref);
  EXPECT_TRUE(r.passed);
  EXPECT_EQ(r.error, 0.0);
  EXPECT_EQ(r.relative_error, 0.0);
  // Each change, alone, must miss the digest: the check then measures it.
  for (size_t k : {size_t{0}, got.f32.size() / 2, got.f32.size() - 1}) {
    HostTensor changed = got;
    changed.f32[k] = -changed.f32[k];
    r = check_output(c.e, c.inputs, changed, ref);
    EXPECT_FALSE(r.passed) << k;
    EXPECT_GT(r.relative_error, 0.0) << k;
  }
}

TEST(ExpectedResult, OverBudgetSamplesElementsThatMatchTheFullReference) {
  for (const std::string& line : kCostlyExperiments) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    RefTensor sampled = expected_result(c.e, c.inputs, 0);
    ASSERT_FALSE(sampled.dense());
    EXPECT_EQ(sampled.shape, c.ref.shape);
    ASSERT_EQ(sampled.values.size(), sampled.positions.size());
    EXPECT_EQ(sampled.positions.size(), 64u);  // distinct: a repeated draw is made up by another
    EXPECT_EQ(sampled.positions.front(), 0);
    EXPECT_EQ(sampled.positions.back(), static_cast<int64_t>(c.ref.values.size()) - 1);
    for (size_t k = 0; k < sampled.positions.size(); ++k) {
      if (k) {
        EXPECT_LT(sampled.positions[k - 1], sampled.positions[k]);
      }
      double full = c.ref.values[sampled.positions[k]];
      EXPECT_NEAR(sampled.values[k], full, 1e-12 * std::max(1.0, std::abs(full))) << "at " << sampled.positions[k];
    }
  }
}

// 24 elements, fewer than the 64 positions a sample has at least: it stays inside them.
TEST(ExpectedResult, FewerElementsThanTheSample) {
  Case c = make_case("MatMul dim1=2x3x8 dim2=8x4");
  RefTensor sampled = expected_result(c.e, c.inputs, 0);
  EXPECT_EQ(sampled.positions.size(), 24u);  // every one, once
  EXPECT_EQ(sampled.positions.front(), 0);
  EXPECT_EQ(sampled.positions.back(), 23);
  for (size_t k = 0; k < sampled.positions.size(); ++k) {
    if (k) {
      EXPECT_LT(sampled.positions[k - 1], sampled.positions[k]);
    }
    EXPECT_NEAR(sampled.values[k], c.ref.values[sampled.positions[k]], 1e-12);
  }
  EXPECT_TRUE(check_output(c.e, c.inputs, as_float(c.ref), sampled).passed);
}

TEST(ExpectedResult, OpsWithoutAnElementReferenceAreAlwaysComplete) {
  for (const char* line : {"ReLU dim1=4x16", "Sort dim1=4x16 axis=0", "Scatter dim1=8x4 dim2=20"}) {
    Case c = make_case(line);
    RefTensor r = expected_result(c.e, c.inputs, 0);
    EXPECT_TRUE(r.dense()) << line;
    EXPECT_EQ(r.values, c.ref.values) << line;
  }
}

TEST(CheckOutput, AgainstASampledReference) {
  Case c = make_case("MatMul dim1=3x20x16 dim2=16x12");
  RefTensor sampled = expected_result(c.e, c.inputs, 0);
  HostTensor got = as_float(c.ref);
  EXPECT_TRUE(check_output(c.e, c.inputs, got, sampled).passed);

  HostTensor zeros = got;
  std::fill(zeros.f32.begin(), zeros.f32.end(), 0.0f);
  EXPECT_FALSE(check_output(c.e, c.inputs, zeros, sampled).passed);

  // A wrong element at a sampled position is seen.
  HostTensor one_wrong = got;
  one_wrong.f32[sampled.positions[sampled.positions.size() / 2]] += 100.0f;
  EXPECT_FALSE(check_output(c.e, c.inputs, one_wrong, sampled).passed);

  // A NaN at the last element (always sampled) is seen.
  HostTensor last_nan = got;
  last_nan.f32.back() = std::numeric_limits<float>::quiet_NaN();
  EXPECT_FALSE(check_output(c.e, c.inputs, last_nan, sampled).passed);
}

// The same check on the sampled elements alone, as GPU backends send them.
TEST(CheckOutput, OnTheSampledElementsAlone) {
  for (const char* line : {"MatMul dim1=3x20x16 dim2=16x12", "Linear dim1=8x20x16 dim2=16x12 dim3=12"}) {
    Case c = make_case(line);
    RefTensor sampled = expected_result(c.e, c.inputs, 0);
    ASSERT_FALSE(sampled.dense()) << line;
    ASSERT_TRUE(checks_sampled(c.e, sampled));
    HostTensor got = as_float(c.ref);
    SampledOutput part{got.shape, true, elements_at(got, sampled.positions)};
    CheckResult right = check_sampled(c.e, c.inputs, part, sampled);
    EXPECT_TRUE(right.passed) << line << ": " << right.detail;
    EXPECT_EQ(right.error, check_output(c.e, c.inputs, got, sampled).error) << line;

    SampledOutput one_wrong = part;
    one_wrong.values.f32[one_wrong.values.f32.size() / 2] += 100.0f;
    EXPECT_FALSE(check_sampled(c.e, c.inputs, one_wrong, sampled).passed) << line;
    SampledOutput nan = part;
    nan.values.f32.back() = std::numeric_limits<float>::quiet_NaN();
    EXPECT_FALSE(check_sampled(c.e, c.inputs, nan, sampled).passed) << line;
    SampledOutput reshaped = part;
    reshaped.shape.push_back(1);
    EXPECT_EQ(check_sampled(c.e, c.inputs, reshaped, sampled).detail.rfind("shape ", 0), 0u) << line;
    SampledOutput short_of_one = part;
    short_of_one.values.f32.pop_back();
    short_of_one.values.shape = {short_of_one.values.shape[0] - 1};
    EXPECT_FALSE(check_sampled(c.e, c.inputs, short_of_one, sampled).passed) << line;
  }
  // Scatter's rows need the whole result: never checked on samples.
  Case scatter = make_case(find_op("Scatter").quick.at(0));
  RefTensor picked = scatter.ref;
  picked.positions = {0, 1};
  picked.values.resize(2);
  EXPECT_FALSE(checks_sampled(scatter.e, picked));
  EXPECT_FALSE(checks_sampled(scatter.e, scatter.ref));  // nor is a whole reference
}

// Argmax's indices on samples: a tie-free wrong index is seen.
TEST(CheckOutput, ArgmaxOnTheSampledElementsAlone) {
  Case c = make_case("Argmax dim1=64x40 axis=1");
  RefTensor sampled = c.ref;
  sampled.positions = {0, 5, 63};
  sampled.values = {c.ref.values[0], c.ref.values[5], c.ref.values[63]};
  SampledOutput part{c.ref.shape, true, {"out", {3}, DType::Int64, {}, {}}};
  for (double v : sampled.values) part.values.i64.push_back(static_cast<int64_t>(v));
  EXPECT_TRUE(check_sampled(c.e, c.inputs, part, sampled).passed);
  part.values.i64[1] = (part.values.i64[1] + 1) % 40;
  CheckResult r = check_sampled(c.e, c.inputs, part, sampled);
  EXPECT_FALSE(r.passed);
  EXPECT_EQ(r.detail, "1 of 3 elements differ");
}

TEST(Tolerance, LooserWhereGpusMayUseTf32) {
  for (const char* op : {"MatMul", "Conv1d", "Conv2d", "Linear", "ScaledDotProductAttention"})
    EXPECT_GT(tolerance(find_op(op)), tolerance(find_op("ReLU"))) << op;
  EXPECT_GT(tolerance(find_op("ReLU")), 0.0);
  EXPECT_LT(tolerance(find_op("MatMul")), 0.01);
}

// The same relative error of 1e-3 is within MatMul's tolerance and not ReLU's.
TEST(Tolerance, DecidesWhatPasses) {
  for (const char* line : {"MatMul dim1=2x3x8 dim2=8x4", "ReLU dim1=4x16"}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    HostTensor got = as_float(c.ref);
    for (size_t i = 0; i < got.f32.size(); ++i) got.f32[i] = static_cast<float>(c.ref.values[i] * (1 + 1e-3));
    CheckResult r = check(c, got);
    EXPECT_NEAR(r.error, 1e-3, 1e-5);
    EXPECT_EQ(r.passed, 1e-3 <= tolerance(c.e.spec()));
  }
  EXPECT_GT(tolerance(find_op("MatMul")), 1e-3);
  EXPECT_LT(tolerance(find_op("ReLU")), 1e-3);
}

// float16 and bfloat16 round the inputs themselves (11 and 8 significant
// bits): the bound is at least 1e-2 and 5e-2, for every tolerance class.
TEST(Tolerance, HalfPrecisionLoosensTheBound) {
  for (const char* op : {"ReLU", "MatMul", "GELU"}) {
    SCOPED_TRACE(op);
    EXPECT_EQ(tolerance(find_op(op), FloatType::float16), 1e-2);
    EXPECT_EQ(tolerance(find_op(op), FloatType::bfloat16), 5e-2);
    EXPECT_LT(tolerance(find_op(op), FloatType::float32), 1e-2);
  }
}

// An output 2% off: wrong in float32 and float16, within bfloat16's bound.
TEST(Tolerance, AHalfPrecisionExperimentIsJudgedAtItsDtype) {
  for (const auto& [line, passes] : std::vector<std::pair<std::string, bool>>{
           {"GELU dim1=4x16", false}, {"GELU dim1=4x16 dtype=float16", false}, {"GELU dim1=4x16 dtype=bfloat16", true}}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    CheckResult r = check(c, scaled(c, 1.02));
    EXPECT_NEAR(r.error, 0.02, 1e-4);
    EXPECT_EQ(r.passed, passes);
  }
}

// Two values one float16 rounding cannot tell apart: an argmax may pick
// either in float16 (the framework compares rounded values), not in float32.
TEST(CheckOutput, AnArgmaxTieAfterRoundingPassesOnlyInItsDtype) {
  for (const auto& [line, passes] : std::vector<std::pair<std::string, bool>>{
           {"Argmax dim1=2 axis=0", false}, {"Argmax dim1=2 axis=0 dtype=float16", true}}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    c.inputs[0].f32 = {1.0f, 1.0004f};  // 0.0004 apart: below float16's step of 1/1024 near 1
    c.ref = c.e.spec().reference(c.e, c.inputs);
    ASSERT_EQ(c.ref.values, HostBuffer<double>{1});
    HostTensor other{"out", {}, DType::Int64, {}, {0}};
    EXPECT_EQ(check(c, other).passed, passes);
  }
}

// ---- the verdict: passed, imprecise or wrong ------------------------------

Verdict judged(const Case& c, const HostTensor& got) { return verdict(c.e, check(c, got)); }

TEST(Verdict, RightOutputsPass) {
  for (const std::string& line : every_op_line()) {
    Case c = make_case(line);
    EXPECT_EQ(judged(c, as_float(c.ref)), Verdict::passed) << line;
  }
}

// 1% off: far above the tolerance, within what rounding explains for an op
// that computes its values.
TEST(Verdict, AComputedResultOffByAPercentIsImprecise) {
  for (const char* line : {"BCE dim1=50 dim2=50", "MatMul dim1=2x3x8 dim2=8x4", "Softmax dim1=4x16 axis=-1",
                           "SumAll dim1=4x16", "Sigmoid dim1=4x16"}) {
    SCOPED_TRACE(line);
    Case c = make_case(line);
    CheckResult r = check(c, scaled(c, 1.01));
    EXPECT_FALSE(r.passed);
    EXPECT_NEAR(r.relative_error, 0.01, 1e-4);
    EXPECT_EQ(verdict(c.e, r), Verdict::imprecise);
  }
}

// Copying or selecting values rounds nothing: any error is wrong.
TEST(Verdict, ACopiedOrSelectedResultOffByAPercentIsWrong) {
  for (const char* line : {"ReLU dim1=4x16", "Sort dim1=4x16 axis=0", "Concat dim1=3x4 dim2=3x2 axis=1",
                           "Gather dim1=8x4 dim2=20", "ScatterMax dim1=8x4 dim2=20", "Scatter dim1=8x4 dim2=20"}) {
    Case c = make_case(line);
    EXPECT_EQ(judged(c, scaled(c, 1.01)), Verdict::wrong) << line;
  }
}

TEST(Verdict, ADoubledOutputIsWrongForEveryOp) {
  for (const std::string& line : every_op_line()) {
    Case c = make_case(line);
    EXPECT_EQ(judged(c, scaled(c, 2)), Verdict::wrong) << line;
  }
}

// SumAll's tolerance is judged against the sum of |x|, where a doubled
// signed sum is well within 10%; the band is judged against the sum itself.
TEST(Verdict, ADoubledSignedSumIsWrongThoughSmallAgainstItsTerms) {
  Case c = make_case("SumAll dim1=100000");
  CheckResult r = check(c, scaled(c, 2));
  EXPECT_LT(r.error, imprecise_bound(find_op("SumAll")));
  EXPECT_NEAR(r.relative_error, 1.0, 1e-6);
  EXPECT_EQ(verdict(c.e, r), Verdict::wrong);
}

TEST(Verdict, ANanIsWrongForEveryOp) {
  for (const std::string& line : every_op_line()) {
    Case c = make_case(line);
    HostTensor got = as_float(c.ref);
    got.f32[0] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_EQ(judged(c, got), Verdict::wrong) << line;
  }
}

TEST(Verdict, AScatteredRowFromNoSourceIsWrong) {
  Case c = make_case("Scatter dim1=8x4 dim2=20");
  HostTensor got = as_float(c.ref);
  for (int64_t col = 0; col < 4; ++col) got.f32[c.inputs[0].i64[0] * 4 + col] += 1000;
  EXPECT_EQ(judged(c, got), Verdict::wrong);
}

TEST(Verdict, AWrongShapeIsWrongThoughItsValuesAreRight) {
  Case c = make_case("MatMul dim1=2x3x8 dim2=8x4");
  HostTensor got = as_float(c.ref);
  got.shape = {6, 4};
  EXPECT_EQ(judged(c, got), Verdict::wrong);
}

// Just past the bound is wrong, just inside it imprecise.
TEST(Verdict, TheBoundSeparatesImpreciseFromWrong) {
  Case c = make_case("MatMul dim1=2x3x8 dim2=8x4");
  EXPECT_EQ(judged(c, scaled(c, 1.099)), Verdict::imprecise);
  EXPECT_EQ(judged(c, scaled(c, 1.101)), Verdict::wrong);
  EXPECT_EQ(imprecise_bound(find_op("MatMul")), 0.1);
  EXPECT_EQ(imprecise_bound(find_op("Argmax")), 0.0);
}

TEST(Verdict, TheFilesWordsReadBack) {
  for (Verdict v : {Verdict::none, Verdict::skipped, Verdict::passed, Verdict::imprecise, Verdict::wrong})
    EXPECT_EQ(verdict_from_text(verdict_text(v)), v) << verdict_text(v);
  EXPECT_EQ(verdict_text(Verdict::wrong), "failed");  // as files before "imprecise" say it
  EXPECT_EQ(verdict_from_text("a later version's word"), Verdict::none);
}

}  // namespace
}  // namespace opbench
