// The backward pass's reference: every op's vector-Jacobian product
// (OpSpec::vjp) against central finite differences of its own forward
// reference, an independent check of each gradient; conventions where the
// derivative is not unique, worked out by hand; and the check catching a
// wrong gradient.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/check.h"
#include "model/parallel.h"
#include "model/ops.h"
#include "model/reference.h"

namespace opbench {
namespace {

// One small experiment per op with a gradient. Scatter's indices are
// distinct here: where two rows write one place the frameworks' convention
// (every writer gets the gradient) is not the derivative, tested by hand below.
const std::map<std::string, std::string> kLines = {
    {"BCE", "BCE dim1=3x4 dim2=3x4"},
    {"Concat", "Concat dim1=2x3 dim2=2x2 axis=1"},
    {"Conv1d", "Conv1d dim1=2x7x3 dim2=4x3x3"},
    {"Conv2d", "Conv2d dim1=2x5x6x3 dim2=4x2x3x3"},
    {"Gather", "Gather dim1=6x4 dim2=9"},
    {"GELU", "GELU dim1=3x5"},
    {"LayerNorm", "LayerNorm dim1=3x8"},
    {"LeakyReLU", "LeakyReLU dim1=4x5"},
    {"Linear", "Linear dim1=2x3x4 dim2=4x5 dim3=5"},
    {"MatMul", "MatMul dim1=2x1x3x4 dim2=3x4x2"},
    {"PReLU", "PReLU dim1=4x6 dim2=1"},
    {"ReLU", "ReLU dim1=4x6"},
    {"RMSNorm", "RMSNorm dim1=3x8"},
    {"ScaledDotProductAttention", "ScaledDotProductAttention dim1=2x2x5x4 dim2=2x2x6x4 dim3=2x2x6x4"},
    {"Scatter", "Scatter dim1=64x3 dim2=4"},
    {"ScatterSum", "ScatterSum dim1=6x3 dim2=10"},
    {"ScatterMax", "ScatterMax dim1=6x3 dim2=10"},
    {"SeLU", "SeLU dim1=4x5"},
    {"Sigmoid", "Sigmoid dim1=4x5"},
    {"Softmax", "Softmax dim1=3x5 axis=0"},
    {"Softplus", "Softplus dim1=4x5"},
    {"Sort", "Sort dim1=3x6 axis=1"},
    {"Sum", "Sum dim1=3x4x2 axis=1"},
    {"SumAll", "SumAll dim1=3x4"},
    {"Copy", "Copy dim1=5"},
};

// sum(dy x reference(inputs)): the scalar whose gradient the VJP is.
double weighted_output(const Experiment& e, const std::vector<HostTensor>& in, const HostTensor& dy) {
  RefTensor y = e.spec().reference(e, in);
  double sum = 0;
  for (size_t i = 0; i < y.values.size(); ++i) sum += y.values[i] * dy.at(static_cast<int64_t>(i));
  return sum;
}

// The gradient of input `which` by central differences, element by element.
// The step is relative (a probability stays inside (0, 1); a step never
// crosses a kink at 0 unless the value is within 1e-5 of it), and what float32
// actually stored is divided by, not the step asked for.
std::vector<double> finite_differences(const Experiment& e, std::vector<HostTensor> in, const HostTensor& dy,
                                       size_t which) {
  std::vector<double> out;
  for (float& v : in[which].f32) {
    const float original = v, step = 1e-3f * std::max(std::abs(original), 1e-2f);
    v = original + step;
    const double up = weighted_output(e, in, dy), high = v;
    v = original - step;
    const double down = weighted_output(e, in, dy), low = v;
    v = original;
    out.push_back((up - down) / (high - low));
  }
  return out;
}

double relative_error(std::span<const double> got, std::span<const double> want) {
  double diff = 0, norm = 0;
  for (size_t i = 0; i < want.size(); ++i) diff += (got[i] - want[i]) * (got[i] - want[i]), norm += want[i] * want[i];
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

class VjpAgainstFiniteDifferences : public testing::TestWithParam<std::string> {};

TEST_P(VjpAgainstFiniteDifferences, EveryGradientOfEveryFloatInput) {
  const Experiment e = parse_experiment(kLines.at(GetParam()) + " pass=backward");
  SCOPED_TRACE(e.line());
  std::vector<HostTensor> in = make_inputs(e, 0);
  const HostTensor dy = in.back();
  ASSERT_EQ(dy.name, "dy");
  ASSERT_EQ(dy.shape, e.spec().output_shape(e));
  in.pop_back();
  const std::vector<RefTensor> gradients = e.spec().vjp(e, in, dy);
  std::vector<size_t> floats;
  for (size_t i = 0; i < in.size(); ++i)
    if (in[i].dtype == DType::Float32) floats.push_back(i);
  ASSERT_EQ(gradients.size(), floats.size()) << "one gradient per float input";
  for (size_t k = 0; k < floats.size(); ++k) {
    const HostTensor& x = in[floats[k]];
    EXPECT_EQ(gradients[k].shape, x.shape) << "the gradient of " << x.name << " has its input's shape";
    std::vector<double> numeric = finite_differences(e, in, dy, floats[k]);
    EXPECT_LT(relative_error(gradients[k].values, numeric), 1e-4) << "gradient of " << x.name;
  }
}

std::vector<std::string> ops_with_gradients() {
  std::vector<std::string> out;
  for (const OpSpec& op : all_ops())
    if (op.vjp) out.push_back(op.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(EveryOp, VjpAgainstFiniteDifferences, testing::ValuesIn(ops_with_gradients()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// Each op has a gradient, or says why not; every op with one is tested above.
TEST(Vjp, EveryOpHasAGradientOrSaysWhyNot) {
  for (const OpSpec& op : all_ops()) {
    EXPECT_TRUE(op.vjp || op.no_gradient) << op.name;
    if (op.vjp) EXPECT_TRUE(kLines.count(op.name)) << op.name << " has no finite-difference case in this file";
  }
  const Experiment argmax = parse_experiment("Argmax dim1=4x5 axis=1 pass=backward");
  EXPECT_EQ(no_gradient_reason(argmax), "Argmax gives indices: no gradient with respect to its float input");
  EXPECT_EQ(no_gradient_reason(parse_experiment("ReLU dim1=4 pass=backward")), "");
}

// The test above can fail: a gradient off by 1% of one element is seen.
TEST(Vjp, FiniteDifferencesSeeAWrongGradient) {
  const Experiment e = parse_experiment("Softmax dim1=3x5 axis=1 pass=backward");
  std::vector<HostTensor> in = make_inputs(e, 0);
  const HostTensor dy = in.back();
  in.pop_back();
  HostBuffer<double> gradient = e.spec().vjp(e, in, dy).at(0).values;
  gradient[3] += 0.05 * std::abs(gradient[3]) + 1e-3;
  EXPECT_GT(relative_error(gradient, finite_differences(e, in, dy, 0)), 1e-4);
}

HostTensor floats(std::string name, Shape shape, std::vector<float> values) {
  return {std::move(name), std::move(shape), DType::Float32, {values.begin(), values.end()}, {}};
}
HostTensor indices(std::vector<int64_t> values) {
  return {"idx", {static_cast<int64_t>(values.size())}, DType::Int64, {}, {values.begin(), values.end()}};
}

// ---- conventions, by hand ------------------------------------------------

// Two source rows tie for a maximum: each gets half of dy there (PyTorch's
// even split, whose gradients add up to dy); the row below both gets none.
TEST(VjpConvention, ScatterMaxSharesATiedMaximumEvenly) {
  const Experiment e = parse_experiment("ScatterMax dim1=3x1 dim2=3");
  const std::vector<HostTensor> in = {indices({1, 1, 1}), floats("src", {3, 1}, {2, 2, 1})};
  const HostTensor dy = floats("dy", {3, 1}, {10, 20, 30});
  const std::vector<RefTensor> g = e.spec().vjp(e, in, dy);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].values, (HostBuffer<double>{10, 10, 0}));
}

// MLX's convention, which the check also accepts: each tied element gets the
// whole of dy. A gradient of neither convention is wrong.
TEST(VjpConvention, ScatterMaxTiesMayAlsoGetTheWholeGradientAndNothingElse) {
  const Experiment e = parse_experiment("ScatterMax dim1=3x1 dim2=3 pass=backward");
  const std::vector<HostTensor> in = {indices({1, 1, 1}), floats("src", {3, 1}, {2, 2, 1}),
                                      floats("dy", {3, 1}, {10, 20, 30})};
  const std::vector<HostTensor> forward(in.begin(), in.end() - 1);
  EXPECT_EQ(e.spec().vjp_alternative(e, forward, in.back())[0].values, (HostBuffer<double>{20, 20, 0}));
  const RefTensor ref = expected_result(e, in);
  EXPECT_EQ(ref.values, (HostBuffer<double>{10, 10, 0}));
  auto check = [&](HostBuffer<float> g) {
    return check_output(e, in, HostTensor{"gradients", {3}, DType::Float32, std::move(g), {}}, ref);
  };
  EXPECT_TRUE(check({10, 10, 0}).passed);
  EXPECT_TRUE(check({20, 20, 0}).passed);
  EXPECT_FALSE(check({20, 0, 0}).passed);
  EXPECT_FALSE(check({10, 10, 10}).passed);
}

// Where the buffer's 0 is the maximum (every source below it), no source gets anything.
TEST(VjpConvention, ScatterMaxGivesNothingWhereTheZeroWins) {
  const Experiment e = parse_experiment("ScatterMax dim1=2x1 dim2=2");
  const std::vector<HostTensor> in = {indices({0, 0}), floats("src", {2, 1}, {-1, -2})};
  const std::vector<RefTensor> g = e.spec().vjp(e, in, floats("dy", {2, 1}, {5, 7}));
  EXPECT_EQ(g[0].values, (HostBuffer<double>{0, 0}));
}

// Scatter: both rows written to row 0 get dy there, the overwritten one too
// (PyTorch's index_put_ and MLX's scatter both gather dy at the indices).
TEST(VjpConvention, ScatterGivesEveryWriterTheGradientOfItsRow) {
  const Experiment e = parse_experiment("Scatter dim1=2x2 dim2=2");
  const std::vector<HostTensor> in = {indices({0, 0}), floats("src", {2, 2}, {1, 2, 3, 4})};
  const std::vector<RefTensor> g = e.spec().vjp(e, in, floats("dy", {2, 2}, {5, 6, 7, 8}));
  EXPECT_EQ(g[0].values, (HostBuffer<double>{5, 6, 5, 6}));
}

// PReLU's one alpha collects x dy over every element where x <= 0; ReLU's
// and PReLU's derivative at 0 is the negative side's.
TEST(VjpConvention, PReLUAlphaSumsOverAllElementsAndZeroIsNegative) {
  const Experiment e = parse_experiment("PReLU dim1=4 dim2=1");
  const std::vector<HostTensor> in = {floats("x", {4}, {-2, 0, 3, -1}), floats("alpha", {1}, {0.25f})};
  const std::vector<RefTensor> g = e.spec().vjp(e, in, floats("dy", {4}, {1, 2, 3, 4}));
  EXPECT_EQ(g[0].values, (HostBuffer<double>{0.25, 0.5, 3, 1}));
  EXPECT_EQ(g[1].values, (HostBuffer<double>{-2 * 1 + 0 * 2 + -1 * 4}));
  const Experiment relu = parse_experiment("ReLU dim1=3");
  EXPECT_EQ(relu.spec().vjp(relu, {floats("x", {3}, {0, 1, -1})}, floats("dy", {3}, {1, 1, 1}))[0].values,
            (HostBuffer<double>{0, 1, 0}));
}

// Sort: equal values keep their order, so the first of two ties gets the
// first sorted position's gradient.
TEST(VjpConvention, SortSendsEachGradientBackToItsValuesPlaceTiesInOrder) {
  const Experiment e = parse_experiment("Sort dim1=4 axis=0");
  const std::vector<HostTensor> in = {floats("x", {4}, {3, 1, 2, 1})};
  const std::vector<RefTensor> g = e.spec().vjp(e, in, floats("dy", {4}, {10, 20, 30, 40}));
  EXPECT_EQ(g[0].values, (HostBuffer<double>{40, 10, 30, 20}));
}

// ---- the check ------------------------------------------------------------

// The backward reference joins every float input's gradient; a cell whose
// gradient of one input is off is wrong, naming that input, even where that
// input is one value among thousands (PReLU's alpha).
TEST(BackwardCheck, AWrongGradientOfOneInputIsCaughtAndNamed) {
  const Experiment e = parse_experiment("PReLU dim1=16x16x16 dim2=1 pass=backward");
  const std::vector<HostTensor> in = make_inputs(e, 0);
  ASSERT_EQ(result_shape(e, in), (Shape{16 * 16 * 16 + 1}));
  const RefTensor ref = expected_result(e, in);
  ASSERT_EQ(ref.shape, result_shape(e, in));
  HostTensor got{"gradients", ref.shape, DType::Float32, HostBuffer<float>(ref.values.begin(), ref.values.end()), {}};
  EXPECT_TRUE(check_output(e, in, got, ref).passed);
  got.f32.back() *= 1.5f;  // alpha's gradient
  CheckResult r = check_output(e, in, got, ref);
  EXPECT_FALSE(r.passed);
  EXPECT_NEAR(r.error, 0.5, 1e-6);
  EXPECT_EQ(verdict(e, r), Verdict::wrong);
  EXPECT_NE(r.detail.find("gradient of alpha"), std::string::npos) << r.detail;
  got.f32.back() = ref.values.back();
  got.f32[0] = NAN;
  EXPECT_NE(check_output(e, in, got, ref).detail.find("non-finite value in the gradient of x"), std::string::npos);
}

// Sum's, SumAll's and Concat's gradients only place dy's values: the
// reference stores none (the check reads them from dy, OpSpec::vjp_range), and
// judges a result as the stored gradients would, error for error, whatever
// the thread count.
TEST(BackwardCheck, AGradientReadFromDyAsTheCheckGoesJudgesAsTheStoredOne) {
  for (const char* line : {"Sum dim1=5x70x300 axis=1 pass=backward", "Sum dim1=5x70x300 axis=2 pass=backward",
                           "Sum dim1=5x70x300 axis=0 pass=backward", "SumAll dim1=700x300 pass=backward",
                           "Concat dim1=300x70x3 dim2=300x50x3 axis=1 pass=backward",
                           "Concat dim1=300x170 dim2=200x170 axis=0 pass=backward"}) {
    SCOPED_TRACE(line);
    const Experiment e = parse_experiment(line);
    const std::vector<HostTensor> in = make_inputs(e, 3);
    const RefTensor on_demand = expected_result(e, in), stored = stored_gradients(e, in);
    EXPECT_TRUE(on_demand.on_demand);
    EXPECT_TRUE(on_demand.values.empty());
    ASSERT_EQ(on_demand.shape, stored.shape);
    ASSERT_EQ(stored.values.size(), static_cast<size_t>(element_count(result_shape(e, in))));
    HostTensor got{"gradients", stored.shape, DType::Float32, HostBuffer<float>(stored.values.begin(), stored.values.end()), {}};
    EXPECT_EQ(check_output(e, in, got, on_demand).error, 0);
    for (size_t i = 0; i < got.f32.size(); i += 97) got.f32[i] *= 1.01f;
    const double against_stored = check_output(e, in, got, stored).error;
    EXPECT_GT(against_stored, 0);
    host_threads_override() = 1;
    const double one_thread = check_output(e, in, got, on_demand).error;
    host_threads_override() = 5;
    const double five_threads = check_output(e, in, got, on_demand).error;
    host_threads_override() = 0;
    EXPECT_EQ(one_thread, against_stored);
    EXPECT_EQ(five_threads, against_stored);
    got.f32[1234] = NAN;
    EXPECT_NE(check_output(e, in, got, on_demand).detail.find("non-finite value in the gradient of " + in[0].name),
              std::string::npos);
  }
}

// ---- the sampled backward reference ------------------------------------------
// Above the budget (here none: 0), MatMul's, Linear's and attention's gradients are taken
// at positions of each input's gradient (OpSpec::sampled_vjp_at).

const std::vector<std::string> kSampledGradientLines = {
    "MatMul dim1=3x20x16 dim2=3x16x12 pass=backward",
    "MatMul dim1=2x1x20x16 dim2=3x16x12 pass=backward",  // a broadcast over b's batch, b over a's
    "MatMul dim1=4x20x16 dim2=16x12 pass=backward",      // b broadcast over every matrix
    "MatMul dim1=2x300 dim2=300x5 pass=backward",        // b's 1500 elements, each a sum over 2 rows
    "Linear dim1=3x20x16 dim2=16x12 dim3=12 pass=backward",
    // Keys 5 and 6 are seen by no query, their gradients zero; more queries than keys.
    "ScaledDotProductAttention dim1=2x3x5x4 dim2=2x3x7x4 dim3=2x3x7x4 pass=backward",
    "ScaledDotProductAttention dim1=1x2x9x8 dim2=1x2x4x8 dim3=1x2x4x8 pass=backward",
};

// The float gradients a right backend gives: the complete reference, rounded.
HostTensor rounded(const RefTensor& ref) {
  return {"gradients", ref.shape, DType::Float32, HostBuffer<float>(ref.values.begin(), ref.values.end()), {}};
}

TEST(SampledGradients, EqualTheCompleteVjpAtTheirPositionsEachInputWithItsOwn) {
  for (const std::string& line : kSampledGradientLines) {
    SCOPED_TRACE(line);
    const Experiment e = parse_experiment(line);
    const std::vector<HostTensor> in = make_inputs(e, 3);
    const RefTensor complete = stored_gradients(e, in);
    EXPECT_EQ(expected_result(e, in, 1e12).values, complete.values);  // within the budget: complete
    const RefTensor sampled = expected_result(e, in, 0);
    ASSERT_FALSE(sampled.dense());
    EXPECT_EQ(sampled.shape, complete.shape);
    ASSERT_EQ(sampled.values.size(), sampled.positions.size());
    EXPECT_TRUE(std::is_sorted(sampled.positions.begin(), sampled.positions.end()));
    EXPECT_EQ(std::adjacent_find(sampled.positions.begin(), sampled.positions.end()), sampled.positions.end());
    // Every input's gradient has positions of its own: at least 64 (all of
    // them where it has fewer), its first and last element among them.
    int64_t start = 0;
    for (size_t i : differentiable_inputs(in)) {
      const int64_t end = start + in[i].numel();
      const auto first = std::lower_bound(sampled.positions.begin(), sampled.positions.end(), start);
      const auto last = std::lower_bound(sampled.positions.begin(), sampled.positions.end(), end);
      EXPECT_EQ(last - first, std::min<int64_t>(64, in[i].numel())) << in[i].name;
      ASSERT_NE(first, last) << in[i].name;
      EXPECT_EQ(*first, start) << in[i].name;
      EXPECT_EQ(*(last - 1), end - 1) << in[i].name;
      start = end;
    }
    size_t same_bits = 0;
    for (size_t k = 0; k < sampled.positions.size(); ++k) {
      const double full = complete.values[sampled.positions[k]];
      EXPECT_NEAR(sampled.values[k], full, 1e-12 * std::max(1.0, std::abs(full))) << "at " << sampled.positions[k];
      same_bits += sampled.values[k] == full;
    }
    // The same sums in the same order as the complete products' (each
    // rounded product added in the order of the inner index).
    EXPECT_EQ(same_bits, sampled.positions.size());
    // The check asks the backend only for those elements, and says so.
    const ExperimentCheck check(e, in, &sampled);
    EXPECT_TRUE(check.sampled());
    EXPECT_EQ(check.positions(), sampled.positions);
    const CheckRecord record = check.judge(rounded(complete));
    EXPECT_EQ(record.verdict, Verdict::passed) << record.detail;
    EXPECT_EQ(scope_text(record.against),
              "reference at " + std::to_string(sampled.positions.size()) + " sampled elements");
  }
}

TEST(SampledGradients, AreTheSameOnOneThreadAndOnSeven) {
  const Experiment e = parse_experiment("MatMul dim1=2x1x20x16 dim2=3x16x12 pass=backward");
  const std::vector<HostTensor> in = make_inputs(e, 5);
  host_threads_override() = 1;
  const RefTensor one = expected_result(e, in, 0);
  host_threads_override() = 7;
  const RefTensor seven = expected_result(e, in, 0);
  host_threads_override() = 0;
  EXPECT_EQ(one.positions, seven.positions);
  EXPECT_EQ(one.values, seven.values);
}

// A wrong gradient of one input fails the sampled check, naming that input,
// on the whole result and on the sampled elements alone (as a GPU backend
// sends them); so does a non-finite element.
TEST(SampledGradients, AWrongGradientOfOneInputIsCaughtAndNamed) {
  for (const std::string& line : kSampledGradientLines) {
    SCOPED_TRACE(line);
    const Experiment e = parse_experiment(line);
    const std::vector<HostTensor> in = make_inputs(e, 3);
    const RefTensor sampled = expected_result(e, in, 0);
    const HostTensor right = rounded(stored_gradients(e, in));
    auto judged = [&](const HostTensor& got) {
      const CheckResult whole = check_output(e, in, got, sampled);
      const SampledOutput part{got.shape, true, elements_at(got, sampled.positions)};
      const CheckResult picked = check_sampled(e, in, part, sampled);
      EXPECT_EQ(whole.passed, picked.passed);
      EXPECT_EQ(whole.detail, picked.detail);
      return whole;
    };
    EXPECT_TRUE(judged(right).passed);
    int64_t start = 0;
    for (size_t i : differentiable_inputs(in)) {
      SCOPED_TRACE(in[i].name);
      const int64_t count = in[i].numel();
      HostTensor scaled = right;
      for (int64_t k = start; k < start + count; ++k) scaled.f32[k] *= 1.5f;
      CheckResult r = judged(scaled);
      EXPECT_FALSE(r.passed);
      EXPECT_NEAR(r.error, 0.5, 1e-6);
      EXPECT_EQ(verdict(e, r), Verdict::wrong);
      EXPECT_NE(r.detail.find("gradient of " + in[i].name + ":"), std::string::npos) << r.detail;
      // A NaN at a sampled position (the segment's last element, always one).
      HostTensor nan = right;
      nan.f32[start + count - 1] = NAN;
      r = judged(nan);
      EXPECT_FALSE(r.passed);
      EXPECT_EQ(r.detail, "non-finite value in the gradient of " + in[i].name);
      start += count;
    }
    // A NaN where no position is: the whole result still shows it; the
    // sampled elements alone cannot, and ExperimentCheck judges their
    // all_finite flag first.
    const auto sampled_at = [&](int64_t p) {
      return std::binary_search(sampled.positions.begin(), sampled.positions.end(), p);
    };
    int64_t unsampled = 0;
    while (sampled_at(unsampled)) ++unsampled;
    ASSERT_LT(unsampled, right.numel());
    HostTensor hidden_nan = right;
    hidden_nan.f32[unsampled] = NAN;
    EXPECT_EQ(check_output(e, in, hidden_nan, sampled).detail.rfind("non-finite value in the gradient of ", 0), 0u);
    const ExperimentCheck check(e, in, &sampled);
    const SampledOutput flagged{right.shape, false, elements_at(right, sampled.positions)};
    EXPECT_EQ(check.judge(flagged).verdict, Verdict::wrong);
  }
}

// A backward experiment sees the forward's inputs, and an upstream gradient
// of the result's shape that the seed decides.
TEST(BackwardInputs, SameNumbersAsTheForwardPassPlusASeededUpstreamGradient) {
  const Experiment forward = parse_experiment("Linear dim1=3x4 dim2=4x5 dim3=5");
  const Experiment backward = parse_experiment("Linear dim1=3x4 dim2=4x5 dim3=5 pass=backward");
  EXPECT_EQ(backward.line(), "Linear dim1=3x4 dim2=4x5 dim3=5 pass=backward");
  EXPECT_EQ(backward.name(), forward.name());
  const std::vector<HostTensor> f = make_inputs(forward, 7), b = make_inputs(backward, 7);
  ASSERT_EQ(b.size(), f.size() + 1);
  for (size_t i = 0; i < f.size(); ++i) EXPECT_EQ(b[i].f32, f[i].f32);
  EXPECT_EQ(b.back().shape, (Shape{3, 5}));
  EXPECT_EQ(make_inputs(backward, 7).back().f32, b.back().f32);
  EXPECT_NE(make_inputs(backward, 8).back().f32, b.back().f32);
  EXPECT_EQ(differentiable_inputs(b), (std::vector<size_t>{0, 1, 2}));
}

// ---- the fast gradients against naive loops ---------------------------------
// The products' and convolutions' gradients run in cache tiles and chunks
// on all cores; here they meet the definitions as plain loops, on shapes that
// cross every tile and chunk edge (partial tiles, several slices of the inner
// index, broadcast batches), and give the same bits on one thread and seven.

// The naive vector-Jacobian products, one product at a time.
std::vector<std::vector<double>> naive_matmul_vjp(const HostTensor& a, const HostTensor& b, const HostTensor& dy,
                                                  int64_t batches, bool b_broadcast) {
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  std::vector<double> da(a.numel(), 0.0), db(b.numel(), 0.0);
  for (int64_t t = 0; t < batches; ++t) {
    const int64_t b0 = b_broadcast ? 0 : t * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j)
        for (int64_t p = 0; p < k; ++p) {
          const double g = dy.at(t * m * n + i * n + j);
          da[t * m * k + i * k + p] += g * b.at(b0 + p * n + j);
          db[b0 + p * n + j] += g * a.at(t * m * k + i * k + p);
        }
  }
  return {da, db};
}

std::vector<std::vector<double>> naive_conv2d_vjp(const HostTensor& x, const HostTensor& w, const HostTensor& dy) {
  const Shape &xs = x.shape, &ws = w.shape;
  const int64_t oh = xs[1] - ws[1] + 1, ow = xs[2] - ws[2] + 1;
  std::vector<double> dx(x.numel(), 0.0), dw(w.numel(), 0.0);
  for (int64_t n = 0; n < xs[0]; ++n)
    for (int64_t i = 0; i < oh; ++i)
      for (int64_t j = 0; j < ow; ++j)
        for (int64_t co = 0; co < ws[0]; ++co)
          for (int64_t di = 0; di < ws[1]; ++di)
            for (int64_t dj = 0; dj < ws[2]; ++dj)
              for (int64_t ci = 0; ci < ws[3]; ++ci) {
                const double g = dy.at(((n * oh + i) * ow + j) * ws[0] + co);
                const int64_t xo = ((n * xs[1] + i + di) * xs[2] + j + dj) * xs[3] + ci;
                const int64_t wo = ((co * ws[1] + di) * ws[2] + dj) * ws[3] + ci;
                dx[xo] += g * w.at(wo);
                dw[wo] += g * x.at(xo);
              }
  return {dx, dw};
}

void expect_close(const HostBuffer<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  double worst = 0;
  for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]) / (1 + std::abs(want[i])));
  EXPECT_LT(worst, 1e-11) << what;
}

TEST(FastGradients, MatMulAcrossTilesAndBroadcastBatches) {
  for (const char* line : {"MatMul dim1=3x37x300 dim2=3x300x70", "MatMul dim1=4x19x260 dim2=260x65"}) {
    const Experiment e = parse_experiment(std::string(line) + " pass=backward");
    std::vector<HostTensor> in = make_inputs(e, 3);
    const HostTensor dy = in.back();
    in.pop_back();
    const std::vector<RefTensor> g = e.spec().vjp(e, in, dy);
    const bool broadcast = in[1].shape.size() == 2;
    const auto want = naive_matmul_vjp(in[0], in[1], dy, in[0].shape[0], broadcast);
    expect_close(g[0].values, want[0], std::string(line) + ": da");
    expect_close(g[1].values, want[1], std::string(line) + ": db");
  }
}

TEST(FastGradients, LinearAcrossTiles) {
  const Experiment e = parse_experiment("Linear dim1=5x9x300 dim2=300x70 dim3=70 pass=backward");
  std::vector<HostTensor> in = make_inputs(e, 3);
  const HostTensor dy = in.back();
  in.pop_back();
  const std::vector<RefTensor> g = e.spec().vjp(e, in, dy);
  // Linear is a MatMul of the 45 rows of x by w, plus b: the same naive product, one batch.
  HostTensor x = in[0];
  x.shape = {45, 300};
  const auto want = naive_matmul_vjp(x, in[1], dy, 1, true);
  expect_close(g[0].values, want[0], "dx");
  expect_close(g[1].values, want[1], "dw");
  std::vector<double> db(70, 0.0);
  for (int64_t r = 0; r < 45; ++r)
    for (int64_t j = 0; j < 70; ++j) db[j] += dy.at(r * 70 + j);
  expect_close(g[2].values, db, "db");
}

TEST(FastGradients, ConvolutionsAcrossChunks) {
  // 2 x 30 x 31 = 1860 result positions: chunks of 256 and a partial one.
  const Experiment e = parse_experiment("Conv2d dim1=2x32x34x3 dim2=5x3x4x3 pass=backward");
  std::vector<HostTensor> in = make_inputs(e, 3);
  const HostTensor dy = in.back();
  in.pop_back();
  const std::vector<RefTensor> g = e.spec().vjp(e, in, dy);
  const auto want = naive_conv2d_vjp(in[0], in[1], dy);
  expect_close(g[0].values, want[0], "dx");
  expect_close(g[1].values, want[1], "dw");
  // Conv1d is the case H = KH = 1.
  const Experiment one = parse_experiment("Conv1d dim1=3x300x4 dim2=6x5x4 pass=backward");
  std::vector<HostTensor> in1 = make_inputs(one, 3);
  const HostTensor dy1 = in1.back();
  in1.pop_back();
  const std::vector<RefTensor> g1 = one.spec().vjp(one, in1, dy1);
  HostTensor x2 = in1[0], w2 = in1[1], dy2 = dy1;
  x2.shape = {3, 1, 300, 4};
  w2.shape = {6, 1, 5, 4};
  dy2.shape = {3, 1, 296, 6};
  const auto want1 = naive_conv2d_vjp(x2, w2, dy2);
  expect_close(g1[0].values, want1[0], "Conv1d dx");
  expect_close(g1[1].values, want1[1], "Conv1d dw");
}

TEST(FastGradients, AreBitIdenticalOnOneThreadAndOnSeven) {
  for (const char* line : {"MatMul dim1=3x37x300 dim2=300x70", "Linear dim1=5x9x300 dim2=300x70 dim3=70",
                           "Conv2d dim1=2x32x34x3 dim2=5x3x4x3", "Conv1d dim1=3x300x4 dim2=6x5x4",
                           "ScaledDotProductAttention dim1=2x3x9x8 dim2=2x3x11x8 dim3=2x3x11x8",
                           "Softmax dim1=70x300 axis=0", "BCE dim1=300000 dim2=300000", "PReLU dim1=300000 dim2=1",
                           "Sum dim1=64x32x40 axis=1", "Concat dim1=300x64 dim2=300x32 axis=1"}) {
    const Experiment e = parse_experiment(std::string(line) + " pass=backward");
    const std::vector<HostTensor> in = make_inputs(e, 5);
    host_threads_override() = 1;
    const RefTensor one = expected_result(e, in);
    host_threads_override() = 7;
    const RefTensor seven = expected_result(e, in);
    host_threads_override() = 0;
    ASSERT_EQ(one.values.size(), seven.values.size()) << line;
    ASSERT_EQ(one.on_demand, seven.on_demand) << line;
    // Sum's and Concat's gradients are read from dy as the check goes: nothing stored to compare.
    if (one.values.size() == 0) continue;
    EXPECT_EQ(std::memcmp(one.values.data(), seven.values.data(), one.values.size() * sizeof(double)), 0) << line;
  }
}

}  // namespace
}  // namespace opbench
