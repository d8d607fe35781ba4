// Every op of every backend in this build against the independent
// double-precision reference, the frameworks against each other, and the
// runner's handling of backends that fail.
//
// Backends come from create_backends(): on a machine without a GPU the GPU
// backends are skipped with their reason; the same binary on a GPU machine
// tests them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "execution/framework_ops.h"
#include "execution/isolation.h"
#include "execution/runner.h"
#include "execution/sampler.h"
#include "execution/world.h"
#include "model/check.h"
#include "model/experiment.h"
#include "model/ops.h"
#include "model/peak_memory.h"
#include "model/suite.h"

namespace opbench {
namespace {

constexpr uint64_t kSeed = 0;  // opbench run's default seed

// ---- backends ------------------------------------------------------------

// One instance of each backend of this build for the whole binary: MLX keeps
// compiled functions per thread, and gtest runs every test on this one.
const std::vector<std::unique_ptr<Backend>>& backends() {
  static const std::vector<std::unique_ptr<Backend>> all = create_backends();
  return all;
}

Backend* backend_named(const std::string& name) {
  for (const auto& b : backends())
    if (b->info().name == name) return b.get();
  return nullptr;
}

// ---- experiments ---------------------------------------------------------

// Small shapes on the axes the quick suite does not reach: negative axes,
// axis 0 and 1, attention with Lq != Lk, batch broadcasting on either side,
// one input channel, index draws from [0, 1) (every index 0).
const std::vector<std::string> kExtraLines = {
    "Argmax dim1=5x7 axis=0",
    "Argmax dim1=5x7 axis=1",
    "Argmax dim1=3x5x7 axis=-1",
    "Argmax dim1=4x3x6 axis=-2",
    "Softmax dim1=6x9 axis=0",
    "Softmax dim1=6x9 axis=1",
    "Softmax dim1=3x5x7 axis=-2",
    "Sum dim1=6x9 axis=0",
    "Sum dim1=6x9 axis=1",
    "Sum dim1=3x5x7 axis=-3",
    "Sort dim1=6x9 axis=0",
    "Sort dim1=6x9 axis=1",
    "Sort dim1=3x5x7 axis=-2",
    "Concat dim1=3x5 dim2=4x5 axis=0",
    "Concat dim1=3x5 dim2=3x2 axis=1",
    "Concat dim1=2x3x4 dim2=2x3x5 axis=-1",
    "Concat dim1=2x3x4 dim2=2x1x4 axis=-2",
    "ScaledDotProductAttention dim1=1x2x12x8 dim2=1x2x5x8 dim3=1x2x5x8",   // Lq > Lk
    "ScaledDotProductAttention dim1=2x1x3x16 dim2=2x1x9x16 dim3=2x1x9x16",  // Lq < Lk
    "ScaledDotProductAttention dim1=1x2x12x8 dim2=1x2x12x8 dim3=1x2x12x8 mask=causal",  // the fused causal path
    "MatMul dim1=7x5 dim2=3x5x4",          // batch on the right only
    "MatMul dim1=3x7x5 dim2=5x4",          // batch on the left only
    "MatMul dim1=2x1x3x5 dim2=4x5x6",      // both sides broadcast
    "MatMul dim1=1x4x5 dim2=3x5x2",        // size-1 batch on the left
    "MatMul dim1=3x4x5 dim2=1x5x2",        // size-1 batch on the right
    "Conv1d dim1=2x11x1 dim2=3x4x1",       // Cin = 1
    "Conv2d dim1=2x7x6x1 dim2=4x3x2x1",    // Cin = 1
    "Conv2d dim1=1x5x9x2 dim2=3x5x1x2",    // kernel as tall as the input
    "Gather dim1=2x5 dim2=7",              // 2 rows: every index 0
    "Scatter dim1=2x5 dim2=7",
    "Scatter dim1=3x64 dim2=50",           // every row written many times, over many columns
    "ScatterSum dim1=2x5 dim2=7",
    "ScatterMax dim1=2x5 dim2=7",
    "Linear dim1=5x3 dim2=3x4 dim3=4",
    "PReLU dim1=3x4 dim2=1x1",
    "LayerNorm dim1=7x13",
    "BCE dim1=7 dim2=7",
    "SumAll dim1=1",
    "ReLU dim1=1",
};

// The quick suite, then the extras.
const std::vector<std::string>& experiment_lines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    for (const Experiment& e : load_suite("quick").experiments) out.push_back(e.line());
    out.insert(out.end(), kExtraLines.begin(), kExtraLines.end());
    return out;
  }();
  return lines;
}

std::vector<size_t> quick_indices() {
  std::vector<size_t> out;
  for (size_t i = 0; i < load_suite("quick").experiments.size(); ++i) out.push_back(i);
  return out;
}

std::string op_of_line(const std::string& line) { return line.substr(0, line.find(' ')); }

// ---- comparing -----------------------------------------------------------

bool same_tensor(const HostTensor& a, const HostTensor& b) {
  if (a.name != b.name || a.shape != b.shape || a.dtype != b.dtype) return false;
  if (a.f32.size() != b.f32.size() || a.i64.size() != b.i64.size()) return false;
  // Bytes, not values: a NaN written into an input must count as a change.
  return std::memcmp(a.f32.data(), b.f32.data(), a.f32.size() * sizeof(float)) == 0 &&
         std::memcmp(a.i64.data(), b.i64.data(), a.i64.size() * sizeof(int64_t)) == 0;
}

std::string describe(const HostTensor& t) {
  return format_shape(t.shape) + (t.dtype == DType::Float32 ? " float32" : " int64") + ", " +
         std::to_string(t.dtype == DType::Float32 ? t.f32.size() : t.i64.size()) + " values";
}

// ---- every backend x every experiment against the reference ---------------

struct BackendCase {
  std::string backend;
  size_t index;  // into experiment_lines()
};

// How ctest and failure messages show a case: the backend and the suite line.
void PrintTo(const BackendCase& c, std::ostream* out) { *out << c.backend << ": " << experiment_lines()[c.index]; }

std::vector<BackendCase> backend_cases() {
  std::vector<BackendCase> out;
  for (const auto& b : backends())
    for (size_t i = 0; i < experiment_lines().size(); ++i) out.push_back({b->info().name, i});
  return out;
}

std::string backend_case_name(const testing::TestParamInfo<BackendCase>& info) {
  return info.param.backend + "_" + op_of_line(experiment_lines()[info.param.index]) + "_" +
         std::to_string(info.param.index);
}

class BackendOp : public testing::TestWithParam<BackendCase> {};

// A cell through the runner at its least: no warm-up, the fewest samples.
// These tests check results and figures, not times.
SamplerSettings few_samples() {
  SamplerSettings quick;
  quick.warmup_s = 0;
  quick.min_samples = 3;
  quick.min_time_s = 0;
  quick.max_time_s = 0.001;
  return quick;
}

// Why a backend is not checked here, or empty: OPBENCH_TEST_BACKENDS=1 adds
// backends that crash or hang on purpose, for the harness's own tests, and a
// framework's device may be missing on this machine.
std::string reason_to_skip(const Backend& backend) {
  const std::string& name = backend.info().name;
  if (name.rfind("test_", 0) == 0) return name + " is a backend for testing opbench itself";
  std::string reason = backend.unavailable_reason();
  return reason.empty() ? "" : name + " is not available here: " + reason;
}

TEST_P(BackendOp, MatchesReferenceTwiceAndLeavesInputsAlone) {
  Backend* backend = backend_named(GetParam().backend);
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;

  const std::string& line = experiment_lines()[GetParam().index];
  SCOPED_TRACE(GetParam().backend + ": " + line);
  const Experiment e = parse_experiment(line);
  const OpSpec& spec = e.spec();
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const std::vector<HostTensor> untouched = inputs;
  const RefTensor ref = spec.reference(e, inputs);
  ASSERT_EQ(ref.shape, spec.output_shape(e)) << "reference and op table disagree on the result's shape";

  std::unique_ptr<PreparedOp> op = backend->prepare(e, inputs);
  ASSERT_NE(op, nullptr);
  for (int call = 1; call <= 2; ++call) {
    op->run();
    HostTensor got = op->output();
    // The digest found where the result lies (a copying op's check) is the
    // one the host finds in the same result, bit for bit.
    const std::optional<uint64_t> digest = op->output_digest();
    if (e.dtype == FloatType::float32 && got.dtype == DType::Float32) EXPECT_TRUE(digest) << "call " << call;
    if (digest) EXPECT_EQ(*digest, result_digest(got.f32.data(), got.f32.size())) << "call " << call;
    CheckResult check = check_output(e, inputs, got, ref);
    EXPECT_TRUE(check.passed) << "call " << call << ": " << check.detail << " (error " << check.error << ", got "
                              << describe(got) << ")";
    // The sampled check's elements, gathered where the result lives, are
    // the whole result's at those positions.
    std::vector<int64_t> picks{0, got.numel() / 3, got.numel() - 1};
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
    SampledOutput part = op->output_at(picks);
    EXPECT_EQ(part.shape, got.shape);
    EXPECT_TRUE(part.all_finite);
    EXPECT_TRUE(same_tensor(part.values, elements_at(got, picks))) << describe(part.values);
    op->release_output();
  }

  ASSERT_EQ(inputs.size(), untouched.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_TRUE(same_tensor(inputs[i], untouched[i])) << "input " << i << " ('" << untouched[i].name
                                                      << "') was modified by " << GetParam().backend;
}

// The same cell through the runner, as `opbench run` times it: the check run
// on poisoned memory (an op that updates a buffer in place must survive it),
// then a few samples.
TEST_P(BackendOp, PassesItsCheckThroughTheRunner) {
  Backend* backend = backend_named(GetParam().backend);
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;

  const Experiment e = parse_experiment(experiment_lines()[GetParam().index]);
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const RefTensor ref = e.spec().reference(e, inputs);
  const SamplerSettings quick = few_samples();
  Cell cell = run_cell(*backend, e, inputs, &ref, quick);
  EXPECT_EQ(cell.error, "");
  EXPECT_EQ(cell.check.verdict, Verdict::passed) << cell.check.detail;
  EXPECT_GE(cell.samples_ms.size(), kMinimumSamples);
}

// Gather and Concat through the runner as `opbench run` checks them: against
// their reference's digest, where a backend finds the result's digest where
// it lies; a reference whose digest the result does not match (damaged)
// sends the check element by element, which still passes a right result.
TEST(CopyingOps, PassTheirCheckByDigestOrElementByElementOnEveryBackend) {
  for (const auto& b : backends()) {
    if (!reason_to_skip(*b).empty()) continue;
    for (const char* line : {"Gather dim1=64x256 dim2=1000", "Concat dim1=300x64 dim2=300x32 axis=1"}) {
      SCOPED_TRACE(b->info().name + ": " + line);
      const Experiment e = parse_experiment(line);
      const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
      RefTensor ref = expected_result(e, inputs);
      ASSERT_TRUE(ref.on_demand);
      for (int damaged = 0; damaged < 2; ++damaged) {
        Cell cell = run_cell(*b, e, inputs, &ref, few_samples());
        EXPECT_EQ(cell.error, "");
        EXPECT_EQ(cell.check.verdict, Verdict::passed) << cell.check.detail << (damaged ? " (damaged digest)" : "");
        EXPECT_EQ(cell.check.error, 0.0);
        ref.digest ^= 1;
      }
    }
  }
}

// --memory: a backend whose framework counts its memory gives every op a
// figure no call can fall below (its result, unless written in place); one
// that does not (mps) says why.
TEST_P(BackendOp, ItsPeakMemoryIsAtLeastItsResult) {
  Backend* backend = backend_named(GetParam().backend);
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;

  const Experiment e = parse_experiment(experiment_lines()[GetParam().index]);
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const SamplerSettings quick = few_samples();
  backend->count_memory();
  Cell cell = run_cell(*backend, e, inputs, nullptr, quick, /*memory=*/true);
  ASSERT_EQ(cell.error, "");
  ASSERT_TRUE(cell.memory);
  const MemoryFigure& m = *cell.memory;
  if (GetParam().backend == "mps") {
    EXPECT_FALSE(m.measured());
    EXPECT_FALSE(m.unavailable.empty());
    return;
  }
  ASSERT_TRUE(m.measured()) << m.unavailable;
  EXPECT_EQ(m.least_bytes, m.in_place ? 0 : least_memory(e));
  EXPECT_EQ(implausible_memory(m), "") << m.source;
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendOp, testing::ValuesIn(backend_cases()), backend_case_name);

// ---- the backward pass -------------------------------------------------------

// Where a framework's gradient convention differs from the reference's
// (docs/ops.md), the cell is wrong by design, and stays so until the
// framework changes: none known yet.
bool known_wrong_gradient(const std::string& backend, const std::string& op) {
  (void)backend, (void)op;
  return false;
}

std::vector<BackendCase> backward_cases() {
  std::vector<BackendCase> out;
  for (const auto& b : backends())
    for (size_t i : quick_indices()) out.push_back({b->info().name, i});
  return out;
}

class BackwardOp : public testing::TestWithParam<BackendCase> {};

// Every quick experiment's training step through the runner, as `opbench run
// --pass backward` times it: the gradients of every float input agree with
// the reference's VJP (imprecise at most) before the step is timed, twice
// (the runner's check run and the samples after it).
TEST_P(BackwardOp, GradientsAgreeWithTheReferenceThroughTheRunner) {
  Backend* backend = backend_named(GetParam().backend);
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;
  const Experiment e = parse_experiment(experiment_lines()[GetParam().index] + " pass=backward");
  SCOPED_TRACE(GetParam().backend + ": " + e.line());
  if (std::string why = no_gradient_reason(e); !why.empty()) GTEST_SKIP() << why;
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const RefTensor ref = expected_result(e, inputs);
  const SamplerSettings quick = few_samples();
  Cell cell = run_cell(*backend, e, inputs, &ref, quick);
  if (GetParam().backend == "cuda_graph") {  // declared, with its reason, in every backward cell
    EXPECT_EQ(cell.error, "cuda_graph captures the forward call only: autograd's backward is not captured");
    return;
  }
  ASSERT_EQ(cell.error, "");
  if (known_wrong_gradient(GetParam().backend, e.op)) {
    EXPECT_EQ(cell.check.verdict, Verdict::wrong) << "a known difference is gone: " << cell.check.detail;
    return;
  }
  EXPECT_TRUE(cell.check.verdict == Verdict::passed || cell.check.verdict == Verdict::imprecise)
      << cell.check.detail << " (error " << cell.check.error << ")";
  EXPECT_GE(cell.samples_ms.size(), kMinimumSamples);
  // The step is repeatable: a second output after the samples agrees too.
  std::unique_ptr<PreparedOp> op = backend->prepare(e, inputs);
  for (int call = 1; call <= 2; ++call) {
    op->run();
    CheckResult again = check_output(e, inputs, op->output(), ref);
    EXPECT_NE(verdict(e, again), Verdict::wrong) << "call " << call << ": " << again.detail;
    op->release_output();
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackwardOp, testing::ValuesIn(backward_cases()), backend_case_name);

// Against a sampled backward reference (MatMul's, Linear's above the budget)
// the runner asks a backend only for the gradients' elements at its
// positions (PreparedOp::output_at): they must be the whole gradients'
// there, whatever the leaf's layout (Conv2d's channels-first view, Linear's
// w.T, PReLU's single alpha), with a finiteness flag that sees every element;
// and a right step passes, its record saying how many elements were compared.
TEST(BackwardPass, GradientsAtSampledPositionsOnEveryBackend) {
  for (const auto& b : backends()) {
    if (!reason_to_skip(*b).empty() || b->info().name == "cuda_graph") continue;
    for (const char* line : {"MatMul dim1=3x20x16 dim2=3x16x12", "MatMul dim1=2x1x20x16 dim2=3x16x12",
                             "Linear dim1=3x20x16 dim2=16x12 dim3=12", "Conv2d dim1=2x9x8x3 dim2=5x3x2x3",
                             "PReLU dim1=4x6 dim2=1"}) {
      SCOPED_TRACE(b->info().name + ": " + line);
      const Experiment e = parse_experiment(std::string(line) + " pass=backward");
      std::vector<HostTensor> inputs = make_inputs(e, kSeed);
      const RefTensor ref = expected_result(e, inputs, 0);  // no budget: sampled where the op can be
      std::unique_ptr<PreparedOp> op = b->prepare(e, inputs);
      op->run();
      const HostTensor whole = op->output();
      const std::vector<int64_t> picks =
          ref.dense() ? std::vector<int64_t>{0, whole.numel() / 3, whole.numel() - 1} : ref.positions;
      const SampledOutput part = op->output_at(picks);
      EXPECT_EQ(part.shape, whole.shape);
      EXPECT_TRUE(part.all_finite);
      EXPECT_TRUE(same_tensor(part.values, elements_at(whole, picks))) << describe(part.values);
      op->release_output();
      if (ref.dense()) continue;
      const Cell cell = run_cell(*b, e, inputs, &ref, few_samples());
      ASSERT_EQ(cell.error, "");
      EXPECT_EQ(cell.check.verdict, Verdict::passed) << cell.check.detail;
      EXPECT_EQ(cell.check.against.sampled_elements, static_cast<int64_t>(ref.positions.size()));
      // A NaN in a's first element makes b's gradient's first row NaN: the
      // flag sees it wherever the positions fall.
      inputs[0].f32[0] = NAN;
      op = b->prepare(e, inputs);
      op->run();
      EXPECT_FALSE(op->output_at({0}).all_finite);
    }
  }
}

// Argmax has no gradient: every backend's backward cell is n/a with the
// reason, never run, never nan.
TEST(BackwardPass, ArgmaxIsNotApplicableOnEveryBackend) {
  std::vector<Backend*> all;
  for (const auto& b : backends()) all.push_back(b.get());
  std::vector<Cell> cells;
  CellEvents events;
  events.finished = [&](size_t, Cell c) { cells.push_back(std::move(c)); };
  RunSettings settings;
  run_experiment(parse_experiment("Argmax dim1=4x5 axis=1 pass=backward"), all, settings, events);
  ASSERT_EQ(cells.size(), all.size());
  for (const Cell& c : cells) {
    EXPECT_TRUE(c.not_applicable) << c.backend;
    EXPECT_EQ(c.error, "Argmax gives indices: no gradient with respect to its float input") << c.backend;
    EXPECT_TRUE(c.samples_ms.empty());
  }
}

// ---- every op in every framework -----------------------------------------

// Each op of the registry is implemented by every framework plug-in linked
// here, or declared impossible there with a reason (the cells then say it).
// Asked of every backend of this build, available on this machine or not:
// what a plug-in implements does not depend on the device.
TEST(Coverage, EveryFrameworkImplementsOrDeclinesEveryOp) {
  ASSERT_FALSE(backends().empty());
  for (const auto& b : backends())
    for (const OpSpec& op : all_ops()) {
      OpSupport s = b->support(op.name);
      EXPECT_TRUE(s.implemented || !s.cannot.empty())
          << b->info().name << " neither implements " << op.name << " nor declares why it cannot";
    }
}

// The test above can fail: an op no plug-in registered is neither.
TEST(Coverage, AnUnregisteredOpIsNeitherImplementedNorDeclined) {
  for (const auto& b : backends()) {
    OpSupport s = b->support("NoSuchOp");
    EXPECT_FALSE(s.implemented) << b->info().name;
    EXPECT_EQ(s.cannot, "") << b->info().name;
  }
}

// A framework's table (execution/framework_ops.h) as the plug-ins use it: an op
// declared impossible becomes a nan cell carrying the declared reason.
struct PlantedEntry {
  int unused = 0;
};

class DecliningBackend : public Backend {
 public:
  DecliningBackend() : table_("Planted 1.0") { table_.cannot("ReLU", "no ReLU kernel on this device"); }
  const BackendInfo& info() const override { return info_; }
  std::string unavailable_reason() const override { return ""; }
  std::map<std::string, std::string> versions() const override { return {}; }
  OpSupport support(const std::string& op) const override { return table_.support(op); }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>&) override {
    table_.require(e.op);
    ADD_FAILURE() << "require() let " << e.op << " through";
    return nullptr;
  }

 private:
  BackendInfo info_{"declining", 1000, "a backend of this test", {}};
  FrameworkOps<PlantedEntry> table_;
};

TEST(Coverage, AnOpDeclaredImpossibleIsANanCellWithTheReason) {
  DecliningBackend backend;
  EXPECT_EQ(backend.support("ReLU").cannot, "no ReLU kernel on this device");
  EXPECT_FALSE(backend.support("ReLU").implemented);
  const Experiment e = parse_experiment("ReLU dim1=4x4");
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const RefTensor ref = e.spec().reference(e, inputs);
  Cell cell = run_cell(backend, e, inputs, &ref, SamplerSettings{});
  EXPECT_FALSE(cell.ok());
  EXPECT_EQ(cell.error, "Planted 1.0 cannot run ReLU: no ReLU kernel on this device");
  EXPECT_TRUE(cell.samples_ms.empty());
  // An op neither implemented nor declared says so.
  const Experiment sort = parse_experiment("Sort dim1=4x4 axis=0");
  const std::vector<HostTensor> sort_inputs = make_inputs(sort, kSeed);
  EXPECT_EQ(run_cell(backend, sort, sort_inputs, nullptr, SamplerSettings{}).error, "Planted 1.0 has no Sort in opbench");
}

// ---- float16 and bfloat16 -------------------------------------------------

struct HalfCase {
  std::string backend;
  std::string dtype;
};

void PrintTo(const HalfCase& c, std::ostream* out) { *out << c.backend << " in " << c.dtype; }

std::vector<HalfCase> half_cases() {
  std::vector<HalfCase> out;
  for (const auto& b : backends())
    for (const char* dtype : {"float16", "bfloat16"}) out.push_back({b->info().name, dtype});
  return out;
}

class HalfPrecision : public testing::TestWithParam<HalfCase> {};

// Cells that are wrong in float16 and bfloat16 for what the framework's call
// does, not for a fault of opbench's: MLX's softmax (precise=false, the
// default that mlx.nn and the reference use) sums its exponentials in the
// input's type, and a 10000-element lane sums to 0.46 (float16) and 3.1
// (bfloat16) of the reference's norm away on mlx_cpu. Measured on mlx_cpu;
// other devices are expected right until measured otherwise.
bool known_wrong_in_half_precision(const std::string& backend, const std::string& op) {
  return (backend == "mlx_cpu" || backend == "mlx_cpu_compile") && op == "Softmax";
}

// Every op's first quick line in the dtype, through the runner: the inputs
// are made in float32 and converted outside timing, the result is compared
// with the double-precision reference at the dtype's tolerance. Rounding the
// inputs may leave a result imprecise, never wrong (a doubled or missing
// result would be), except the known cells above, which must stay wrong
// until the framework changes.
TEST_P(HalfPrecision, EveryOpIsRightOrImpreciseNeverWrong) {
  Backend* backend = backend_named(GetParam().backend);
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;
  SamplerSettings once;
  once.warmup_s = 0;
  once.min_samples = 3;
  once.min_time_s = 0;
  once.max_time_s = 0.001;
  for (const OpSpec& op : all_ops()) {
    if (op.collective) continue;  // several processes: Collectives.* below, in worker processes
    const Experiment e = parse_experiment(op.quick.at(0) + " dtype=" + GetParam().dtype);
    SCOPED_TRACE(e.line());
    const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
    const RefTensor ref = e.spec().reference(e, inputs);
    Cell cell = run_cell(*backend, e, inputs, &ref, once);
    EXPECT_EQ(cell.error, "");
    if (known_wrong_in_half_precision(GetParam().backend, op.name))
      EXPECT_EQ(cell.check.verdict, Verdict::wrong) << "now " << cell.check.detail << ": update the known cells";
    else
      EXPECT_NE(cell.check.verdict, Verdict::wrong) << cell.check.detail;
    EXPECT_EQ(cell.check.tolerance, tolerance(e.spec(), e.dtype));
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, HalfPrecision, testing::ValuesIn(half_cases()),
                         [](const testing::TestParamInfo<HalfCase>& info) {
                           return info.param.backend + "_" + info.param.dtype;
                         });

// ---- LibTorch on the CPU against MLX on the CPU ----------------------------

HostTensor output_of(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs) {
  std::unique_ptr<PreparedOp> op = backend.prepare(e, inputs);
  op->run();
  HostTensor out = op->output();
  op->release_output();
  return out;
}

// ||a - b|| / ||b||, both read as doubles.
double relative_norm_error(const HostTensor& a, const HostTensor& b) {
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < b.numel(); ++i) {
    diff += (a.at(i) - b.at(i)) * (a.at(i) - b.at(i));
    norm += b.at(i) * b.at(i);
  }
  return std::sqrt(diff) / std::max(std::sqrt(norm), 1e-30);
}

class CrossFramework : public testing::TestWithParam<size_t> {};

TEST_P(CrossFramework, TorchCpuAndMlxCpuAgree) {
  for (const char* name : {"cpu", "mlx_cpu"}) {
    Backend* b = backend_named(name);
    if (!b) GTEST_SKIP() << name << " is not in this build";
    if (std::string reason = b->unavailable_reason(); !reason.empty())
      GTEST_SKIP() << name << " is not available here: " << reason;
  }
  const Experiment e = load_suite("quick").experiments[GetParam()];
  SCOPED_TRACE(e.line());
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  HostTensor torch = output_of(*backend_named("cpu"), e, inputs);
  HostTensor mlx = output_of(*backend_named("mlx_cpu"), e, inputs);
  ASSERT_EQ(torch.shape, mlx.shape);
  ASSERT_EQ(torch.numel(), mlx.numel());

  if (e.spec().gives_indices) {
    ASSERT_EQ(torch.dtype, DType::Int64);
    ASSERT_EQ(mlx.dtype, DType::Int64);
    EXPECT_EQ(torch.i64, mlx.i64);
  } else if (e.spec().check == CheckKind::any_writer) {
    // A repeated index may keep a different row on each framework: each must
    // hold one of the rows written there.
    const RefTensor ref = e.spec().reference(e, inputs);
    CheckResult t = check_output(e, inputs, torch, ref), m = check_output(e, inputs, mlx, ref);
    EXPECT_TRUE(t.passed) << "cpu: " << t.detail;
    EXPECT_TRUE(m.passed) << "mlx_cpu: " << m.detail;
  } else {
    ASSERT_EQ(torch.dtype, DType::Float32);
    ASSERT_EQ(mlx.dtype, DType::Float32);
    EXPECT_LE(relative_norm_error(mlx, torch), tolerance(e.spec()));
  }
}

INSTANTIATE_TEST_SUITE_P(QuickSuite, CrossFramework, testing::ValuesIn(quick_indices()),
                         [](const testing::TestParamInfo<size_t>& info) {
                           return load_suite("quick").experiments[info.param].op + "_" + std::to_string(info.param);
                         });

// ---- failures through the runner ----------------------------------------

// Backends of this test that fail on purpose, each in one way. None stands in
// for a framework: they test what the runner makes of a failure.
enum class Fault { None, RuntimeError, BadAlloc, MultiLineError, UnknownThrow, WrongShape, NonFinite, WrongValues, ThrowsInRun };

// Computes ReLU correctly on the host unless told to fail.
class PlantedOp : public PreparedOp {
 public:
  PlantedOp(Fault fault, const Experiment& e, const std::vector<HostTensor>& inputs)
      : fault_(fault), shape_(e.spec().output_shape(e)), x_(inputs.at(0)) {}

  void run() override {
    if (fault_ == Fault::ThrowsInRun) throw std::runtime_error("planted in run");
    out_ = HostTensor{"out", shape_, DType::Float32, HostBuffer<float>(x_.f32.size()), {}};
    for (size_t i = 0; i < x_.f32.size(); ++i) out_.f32[i] = x_.f32[i] > 0 ? x_.f32[i] : 0.0f;
    if (fault_ == Fault::WrongShape) out_.shape.push_back(1);
    if (fault_ == Fault::NonFinite) out_.f32.back() = std::numeric_limits<float>::quiet_NaN();
    if (fault_ == Fault::WrongValues) out_.f32 = x_.f32;  // the input, negatives and all
    ++runs;
  }
  HostTensor output() override { return out_; }
  void release_output() override { out_ = {}; }

  int runs = 0;

 private:
  Fault fault_;
  Shape shape_;
  HostTensor x_;
  HostTensor out_;
};

class PlantedBackend : public Backend {
 public:
  PlantedBackend(std::string name, Fault fault) : info_{std::move(name), 1000, "a backend of this test", {}}, fault_(fault) {}

  const BackendInfo& info() const override { return info_; }
  std::string unavailable_reason() const override { return ""; }
  std::map<std::string, std::string> versions() const override { return {}; }
  OpSupport support(const std::string&) const override { return {true, ""}; }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    ++prepared;
    switch (fault_) {
      case Fault::RuntimeError: throw std::runtime_error("planted");
      case Fault::BadAlloc: throw std::bad_alloc();
      case Fault::MultiLineError: throw std::runtime_error("planted first line\n  frame #0: somewhere\n  frame #1: elsewhere");
      case Fault::UnknownThrow: throw 42;
      default: return std::make_unique<PlantedOp>(fault_, e, inputs);
    }
  }

  int prepared = 0;

 private:
  BackendInfo info_;
  Fault fault_;
};

// Few samples, little time: these tests are about errors, not timings.
SamplerSettings fast_settings() {
  SamplerSettings s;
  s.warmup_s = 0;
  s.min_samples = 3;
  s.max_samples = 20;
  s.min_time_s = 0;
  s.max_time_s = 0.001;
  return s;
}

// One cell of `line` on a planted backend, its output compared with the
// reference unless `compare` is false.
Cell cell_for(Fault fault, const std::string& line = "ReLU dim1=4x4", bool compare = true) {
  PlantedBackend backend("planted", fault);
  const Experiment e = parse_experiment(line);
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const RefTensor ref = e.spec().reference(e, inputs);
  return run_cell(backend, e, inputs, compare ? &ref : nullptr, fast_settings());
}

TEST(RunCell, HealthyBackendGivesSamples) {
  Cell cell = cell_for(Fault::None);
  EXPECT_EQ(cell.backend, "planted");
  ASSERT_TRUE(cell.ok()) << cell.error << cell.check.detail;
  EXPECT_EQ(cell.check.verdict, Verdict::passed);
  EXPECT_EQ(cell.check.against, CheckScope{CheckScope::Kind::reference});
  EXPECT_GE(cell.samples_ms.size(), kMinimumSamples);
  EXPECT_EQ(cell.samples_ms.size(), cell.stats.count);
  EXPECT_NE(cell.stop, Stop::none);
}

TEST(RunCell, WithoutReferenceTheCheckIsSkipped) {
  Cell cell = cell_for(Fault::None, "ReLU dim1=4x4", /*compare=*/false);
  ASSERT_TRUE(cell.ok()) << cell.error;
  EXPECT_EQ(cell.check.verdict, Verdict::skipped);
  EXPECT_GE(cell.samples_ms.size(), kMinimumSamples);
}

TEST(RunCell, WrongValuesAreNotTimed) {
  Cell cell = cell_for(Fault::WrongValues);
  EXPECT_FALSE(cell.ok());
  EXPECT_TRUE(cell.wrong());
  EXPECT_EQ(cell.check.verdict, Verdict::wrong);
  EXPECT_GT(cell.check.error, tolerance(find_op("ReLU")));
  EXPECT_FALSE(cell.check.detail.empty());
  EXPECT_TRUE(cell.samples_ms.empty());
}

TEST(RunCell, PrepareThrowingBecomesCellWithItsMessage) {
  Cell cell = cell_for(Fault::RuntimeError);
  EXPECT_FALSE(cell.ok());
  EXPECT_EQ(cell.error, "planted");
  EXPECT_EQ(cell.backend, "planted");
  EXPECT_TRUE(cell.samples_ms.empty());
}

TEST(RunCell, BadAllocBecomesOutOfMemory) {
  Cell cell = cell_for(Fault::BadAlloc);
  EXPECT_FALSE(cell.ok());
  EXPECT_EQ(cell.error, "out of memory");
}

TEST(RunCell, OnlyTheFirstLineOfAFrameworkMessageIsKept) {
  Cell cell = cell_for(Fault::MultiLineError);
  EXPECT_EQ(cell.error, "planted first line");
}

TEST(RunCell, NonExceptionThrowIsStillACell) {
  Cell cell = cell_for(Fault::UnknownThrow);
  EXPECT_FALSE(cell.ok());
  EXPECT_FALSE(cell.error.empty());
}

TEST(RunCell, ThrowInRunBecomesCell) {
  Cell cell = cell_for(Fault::ThrowsInRun);
  EXPECT_EQ(cell.error, "planted in run");
}

// The shape is checked even when no reference is compared (--no-check).
TEST(RunCell, WrongShapeFailsTheCheckRun) {
  for (bool compare : {true, false}) {
    Cell cell = cell_for(Fault::WrongShape, "ReLU dim1=4x4", compare);
    EXPECT_FALSE(cell.ok());
    EXPECT_TRUE(cell.wrong());
    EXPECT_EQ(cell.check.verdict, Verdict::wrong);
    EXPECT_NE(cell.check.detail.find("shape 4x4x1 instead of 4x4"), std::string::npos) << cell.check.detail;
    EXPECT_TRUE(cell.samples_ms.empty());
  }
}

TEST(RunCell, NonFiniteValuesFailTheCheckRun) {
  for (bool compare : {true, false}) {
    Cell cell = cell_for(Fault::NonFinite, "ReLU dim1=4x4", compare);
    EXPECT_FALSE(cell.ok());
    EXPECT_EQ(cell.check.verdict, Verdict::wrong);
    EXPECT_NE(cell.check.detail.find("non-finite"), std::string::npos) << cell.check.detail;
    EXPECT_TRUE(cell.samples_ms.empty());
  }
}

// Counts what the runner reports, to see that it goes on past failures.
class CountingObserver : public RunObserver {
 public:
  void cell_started(size_t index, size_t total, const Experiment&, const std::string& backend, double) override {
    started.push_back(backend);
    indices.push_back(index);
    this->total = total;
  }
  void experiment_finished(const RunRecord& record) override { finished.push_back(record.experiments.size()); }

  std::vector<std::string> started;
  std::vector<size_t> indices;
  std::vector<size_t> finished;
  size_t total = 0;
};

TEST(RunExperiments, FailingBackendsBecomeCellsAndTheRunGoesOn) {
  PlantedBackend throwing("throws", Fault::RuntimeError), oom("oom", Fault::BadAlloc),
      wrong("wrong_shape", Fault::WrongShape), wrong_values("wrong_values", Fault::WrongValues),
      healthy("healthy", Fault::None);
  std::vector<Backend*> list = {&throwing, &oom, &wrong, &wrong_values, &healthy};
  std::vector<Experiment> experiments = {parse_experiment("ReLU dim1=8x8"), parse_experiment("ReLU dim1=3x5x2")};
  RunRecord record;
  record.settings.sampler = fast_settings();
  CountingObserver observer;

  run_experiments(experiments, list, record, observer);

  ASSERT_EQ(record.experiments.size(), 2u);
  EXPECT_EQ(observer.total, 10u);
  EXPECT_EQ(observer.indices, (std::vector<size_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(observer.finished, (std::vector<size_t>{1, 2}));
  EXPECT_EQ(throwing.prepared, 2);
  EXPECT_EQ(healthy.prepared, 2);
  for (size_t i = 0; i < experiments.size(); ++i) {
    const ExperimentRecord& rec = record.experiments[i];
    EXPECT_EQ(rec.line, experiments[i].line());
    EXPECT_EQ(rec.name, experiments[i].name());
    ASSERT_EQ(rec.cells.size(), 5u);
    ASSERT_NE(rec.find("throws"), nullptr);
    EXPECT_EQ(rec.find("throws")->error, "planted");
    EXPECT_EQ(rec.find("oom")->error, "out of memory");
    EXPECT_TRUE(rec.find("wrong_shape")->wrong());
    EXPECT_NE(rec.find("wrong_shape")->check.detail.find("shape"), std::string::npos);
    EXPECT_TRUE(rec.find("wrong_values")->wrong());
    EXPECT_TRUE(rec.find("wrong_values")->samples_ms.empty());
    const Cell* ok = rec.find("healthy");
    ASSERT_NE(ok, nullptr);
    EXPECT_TRUE(ok->ok()) << ok->error;
    EXPECT_EQ(ok->check.verdict, Verdict::passed);
    EXPECT_GE(ok->samples_ms.size(), kMinimumSamples);
    EXPECT_EQ(ok->samples_ms.size(), ok->stats.count);
  }
}

// A real backend next to a failing one: the failure does not spoil its cell.
TEST(RunExperiments, RealBackendsStillMeasureNextToAFailingOne) {
  PlantedBackend throwing("throws", Fault::RuntimeError);
  std::vector<Backend*> list = {&throwing};
  for (const auto& b : backends())
    if (b->unavailable_reason().empty() && b->info().name.rfind("test_", 0) != 0) list.push_back(b.get());
  if (list.size() == 1) GTEST_SKIP() << "no backend of this build is available here";
  std::vector<Experiment> experiments = {parse_experiment("Softmax dim1=4x6 axis=0"), parse_experiment("Sum dim1=4x6 axis=-1")};
  RunRecord record;
  record.settings.sampler = fast_settings();
  CountingObserver observer;

  run_experiments(experiments, list, record, observer);

  ASSERT_EQ(record.experiments.size(), experiments.size());
  for (const ExperimentRecord& rec : record.experiments) {
    ASSERT_EQ(rec.cells.size(), list.size());
    EXPECT_EQ(rec.cells[0].error, "planted");
    for (size_t i = 1; i < list.size(); ++i) {
      const Cell& c = rec.cells[i];
      EXPECT_EQ(c.backend, list[i]->info().name);
      EXPECT_TRUE(c.ok()) << rec.line << " on " << c.backend << ": " << c.error << c.check.detail;
      EXPECT_EQ(c.check.verdict, Verdict::passed) << rec.line << " on " << c.backend;
      EXPECT_EQ(c.samples_ms.size(), c.stats.count);
      EXPECT_GE(c.stats.count, kMinimumSamples);
    }
  }
}

// A backend of this build that keeps a copy of the inputs each of its cells
// was given (as it was given them: after the cells before it ran).
class RecordingBackend : public Backend {
 public:
  explicit RecordingBackend(Backend& real) : real_(real) {}
  const BackendInfo& info() const override { return real_.info(); }
  std::string unavailable_reason() const override { return real_.unavailable_reason(); }
  std::map<std::string, std::string> versions() const override { return real_.versions(); }
  std::string device_name() const override { return real_.device_name(); }
  std::optional<uint64_t> free_device_memory() const override { return real_.free_device_memory(); }
  OpSupport support(const std::string& op) const override { return real_.support(op); }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    given[e.line()] = inputs;
    return real_.prepare(e, inputs);
  }
  std::map<std::string, std::vector<HostTensor>> given;

 private:
  Backend& real_;
};

// Both passes as `opbench run --pass forward,backward` runs them: each
// backward experiment right after its forward twin, taking the inputs the
// forward cell had (execution/runner.h KeptInputs). So no backend's forward
// call may write into its inputs (Scatter's in-place index_put_ writes into
// a buffer of its own): every cell, the backward ones included, gets exactly
// the inputs make_inputs makes for it, and its check passes. An op of
// several inputs, one of them indices (Scatter), one that picks rows
// (Gather), and a float16 line.
TEST(BackwardPass, TheBackwardCellGetsItsOwnInputsAfterItsForwardTwinRan) {
  const std::vector<std::string> lines = {"Scatter dim1=64x16 dim2=1000", "Gather dim1=64x256 dim2=100",
                                          "MatMul dim1=8x16 dim2=16x4 dtype=float16"};
  std::vector<Experiment> plan;
  for (const std::string& line : lines) plan.push_back(parse_experiment(line));
  for (const std::string& line : lines) plan.push_back(parse_experiment(line + " pass=backward"));
  bool any = false;
  for (const auto& b : backends()) {
    if (!reason_to_skip(*b).empty()) continue;
    any = true;
    SCOPED_TRACE(b->info().name);
    RecordingBackend recording(*b);
    RunRecord record;
    record.settings.sampler = few_samples();
    CountingObserver observer;
    run_experiments(plan, {&recording}, record, observer);
    ASSERT_EQ(record.experiments.size(), plan.size());
    for (size_t i = 0; i < plan.size(); ++i) {
      const Experiment& e = plan[i];
      SCOPED_TRACE(e.line());
      EXPECT_EQ(record.experiments[i].line, e.line()) << "the record keeps the plan's order";
      if (!b->support(e.op).implemented) continue;
      const std::vector<HostTensor> own = make_inputs(e, kSeed);
      const std::vector<HostTensor>& got = recording.given[e.line()];
      ASSERT_EQ(got.size(), own.size());
      for (size_t k = 0; k < own.size(); ++k) EXPECT_TRUE(same_tensor(got[k], own[k])) << "input '" << own[k].name << "'";
      const Cell& cell = record.experiments[i].cells.at(0);
      EXPECT_EQ(cell.error, "");
      EXPECT_TRUE(cell.check.verdict == Verdict::passed ||
                  (e.dtype != FloatType::float32 && cell.check.verdict == Verdict::imprecise))
          << cell.check.detail;
    }
  }
  if (!any) GTEST_SKIP() << "no backend of this build is available here";
}

// ---- collectives: a worker process a rank, the framework's own runtime ----

// Where a framework's runtime lacks a collective it registers: the cell's
// error then says so, and nothing else may.
std::string known_runtime_gap(const std::string& backend, const std::string& op) {
  if (backend.rfind("mlx_cpu", 0) == 0 && op == "ReduceScatter") return "[ring] sum_scatter not supported";
  return "";
}

// The backends a collective runs on; the compiled MLX variants and the CUDA
// graph capture are the plain ones' runtime again.
std::vector<std::string> collective_backends() {
  std::vector<std::string> out;
  for (const auto& b : backends())
    for (const char* name : {"cpu", "cuda", "mlx_cpu", "mlx_gpu"})
      if (b->info().name == name) out.push_back(name);
  return out;
}

class Collectives : public testing::TestWithParam<std::string> {};

// Every collective of the collectives' quick suite on two ranks, through
// opbench's worker processes as `opbench run` starts them: right on every
// rank (each checks the whole world's result), or declined with the
// framework's reason. On GPUs each rank takes a GPU of its own.
TEST_P(Collectives, EveryCollectiveOnTwoRanksIsRightOrDeclined) {
  Backend* backend = backend_named(GetParam());
  ASSERT_NE(backend, nullptr);
  if (std::string why = reason_to_skip(*backend); !why.empty()) GTEST_SKIP() << why;
  IsolatedExecutor executor(OPBENCH_EXE, {GetParam()}, 120);
  RunSettings settings;
  settings.sampler = few_samples();
  for (const Experiment& e : load_suite("collectives-quick").experiments) {
    SCOPED_TRACE(GetParam() + ": " + e.line());
    Cell cell;
    CellEvents events;
    events.finished = [&](size_t, Cell c) { cell = std::move(c); };
    executor.run(e, {backend}, settings, events, /*keep_inputs=*/false);
    if (cell.error.find("is not available") != std::string::npos) GTEST_SKIP() << "one GPU a rank: " << cell.error;
    OpSupport support = backend->support(e.op);
    if (!support.implemented) {
      EXPECT_NE(cell.error.find(support.cannot), std::string::npos) << cell.error;
    } else if (std::string gap = known_runtime_gap(GetParam(), e.op); !gap.empty()) {
      EXPECT_NE(cell.error.find(gap), std::string::npos) << cell.error;
    } else {
      EXPECT_EQ(cell.error, "");
      EXPECT_EQ(cell.check.verdict, Verdict::passed) << cell.check.detail;
      EXPECT_GE(cell.samples_ms.size(), kMinimumSamples);
    }
  }
  EXPECT_EQ(executor.workers_started(), 2);  // one world for every cell
}

INSTANTIATE_TEST_SUITE_P(FrameworkRuntimes, Collectives, testing::ValuesIn(collective_backends()),
                         [](const testing::TestParamInfo<std::string>& info) { return info.param; });

// A rank that cannot meet its peers (nobody serves the store at
// MASTER_PORT) fails its cell within the rendezvous timeout, saying where it
// looked, and the process can still run a plain op afterwards.
TEST(CollectiveRendezvous, ARankThatCannotMeetItsPeersSaysWhere) {
  Backend* cpu = backend_named("cpu");
  if (!cpu) GTEST_SKIP() << "no LibTorch in this build";
  Rendezvous unused = local_rendezvous(1, 1);
  remove_rendezvous(unused);
  const std::string port = std::to_string(unused.torch_port);
  const std::vector<std::pair<const char*, std::string>> variables = {
      {"RANK", "1"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port},
      {"OPBENCH_RENDEZVOUS_TIMEOUT_S", "1"}};
  for (const auto& [name, value] : variables) setenv(name, value.c_str(), 1);
  const Experiment e = parse_experiment("AllReduce dim1=8 ranks=2");
  const std::vector<HostTensor> inputs = make_inputs(e, kSeed);
  const RefTensor ref = e.spec().reference(e, inputs);
  Cell cell = run_cell(*cpu, e, inputs, &ref, few_samples());
  for (const auto& [name, value] : variables) unsetenv(name);
  EXPECT_NE(cell.error.find("rank 1 of 2 could not meet the others at 127.0.0.1:" + port), std::string::npos)
      << cell.error;
  EXPECT_TRUE(cell.samples_ms.empty());
}

}  // namespace
}  // namespace opbench
