// Nothing lost, in the core: a run stopped part-way keeps its cells and a
// resumed one runs only what is missing; experiments that cannot fit in
// memory are skipped with a reason; hostile shapes, experiment lines and
// result files are refused with clear errors; a full disk leaves the last
// complete file.
#include <gtest/gtest.h>

#include "record_views.h"
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "execution/runner.h"
#include "format/json.h"
#include "model/error.h"
#include "model/experiment.h"
#include "model/memory.h"
#include "model/ops.h"
#include "model/shape.h"
#include "reference_backend.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::usage_error;

namespace fs = std::filesystem;

RunSettings fast() { return without_warmup(3, 5, 0.001); }

// Stops the run once `stop_after` cells have started (and finished).
class StoppingObserver : public RunObserver {
 public:
  explicit StoppingObserver(size_t stop_after = SIZE_MAX) : stop_after_(stop_after) {}
  void cell_started(size_t index, size_t total, const Experiment&, const std::string& backend, double) override {
    started.push_back(backend);
    indices.push_back(index);
    this->total = total;
  }
  void experiment_finished(const RunRecord& record) override {
    written.push_back(record.experiments.size());
    last_written = record;
  }
  bool stop_requested() override { return started.size() >= stop_after_; }

  std::vector<std::string> started;
  std::vector<size_t> indices;
  std::vector<size_t> written;  // experiments in the record at each write
  RunRecord last_written;
  size_t total = 0;

 private:
  size_t stop_after_;
};

std::vector<Experiment> experiments(const std::vector<std::string>& lines) {
  std::vector<Experiment> out;
  for (const std::string& l : lines) out.push_back(parse_experiment(l));
  return out;
}

const std::vector<std::string> kLines = {"ReLU dim1=8x8", "Sum dim1=4x6 axis=1", "Argmax dim1=5x7 axis=0",
                                         "Softmax dim1=3x9 axis=-1"};

using opbench::test_views::backends_of;
using opbench::test_views::lines_of;

// ---- stopping and resuming ------------------------------------------------

TEST(Resume, AStopKeepsFinishedCellsAndTheCutExperimentsFirstCells) {
  ReferenceBackend a("a", 1), b("b", 2);
  RunRecord record;
  record.settings = fast();
  StoppingObserver observer(5);  // two experiments of two cells, then one cell of the third
  InProcessExecutor executor;

  run_experiments(experiments(kLines), {&a, &b}, record, observer, executor);

  EXPECT_EQ(observer.started.size(), 5u);
  ASSERT_EQ(lines_of(record), (std::vector<std::string>{kLines[0], kLines[1], kLines[2]}));
  EXPECT_EQ(backends_of(record.experiments[1]), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(backends_of(record.experiments[2]), (std::vector<std::string>{"a"}));
  EXPECT_EQ(observer.written, (std::vector<size_t>{1, 2, 3}));  // the cut experiment is written too
  for (const ExperimentRecord& e : record.experiments)
    for (const Cell& c : e.cells) EXPECT_TRUE(c.ok()) << e.line << " " << c.backend << ": " << c.error;
}

TEST(Resume, RunsOnlyWhatIsMissingAndEndsAsAFullRunWould) {
  ReferenceBackend a("a", 1), b("b", 2);
  RunRecord first;
  first.settings = fast();
  StoppingObserver stopping(3);
  InProcessExecutor executor;
  run_experiments(experiments(kLines), {&a, &b}, first, stopping, executor);
  ASSERT_EQ(first.experiments.size(), 2u);  // kLines[0] whole, kLines[1] on a only
  // An earlier run may have left its experiments in any order: the plan's wins.
  std::swap(first.experiments[0], first.experiments[1]);
  const std::vector<Cell> kept = first.experiments[1].cells;

  ReferenceBackend a2("a", 1), b2("b", 2);
  RunRecord resumed;
  resumed.settings = fast();
  StoppingObserver observer;
  run_experiments(experiments(kLines), {&a2, &b2}, resumed, observer, executor, first.experiments);

  // Exactly the missing cells ran: b of kLines[1], then both of the rest.
  EXPECT_EQ(observer.started, (std::vector<std::string>{"b", "a", "b", "a", "b"}));
  EXPECT_EQ(observer.total, 5u);
  EXPECT_EQ(observer.indices, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(a2.prepared.count(kLines[0]), 0u);
  EXPECT_EQ(a2.prepared.count(kLines[1]), 0u);
  EXPECT_EQ(b2.prepared[kLines[1]], 1);
  // Every write holds the carried experiments too: nothing measured is ever missing from the file.
  EXPECT_EQ(observer.written, (std::vector<size_t>{2, 3, 4}));
  EXPECT_EQ(lines_of(observer.last_written), kLines);

  ASSERT_EQ(lines_of(resumed), kLines);
  for (const ExperimentRecord& e : resumed.experiments) {
    EXPECT_EQ(backends_of(e), (std::vector<std::string>{"a", "b"})) << e.line;
    for (const Cell& c : e.cells) EXPECT_TRUE(c.ok()) << e.line << " " << c.backend << ": " << c.error;
  }
  // Carried cells are the very same measurements.
  EXPECT_EQ(resumed.experiments[0].cells.at(0).samples_ms, kept.at(0).samples_ms);
}

TEST(Resume, ACompleteRecordRunsNothing) {
  ReferenceBackend a("a", 1);
  RunRecord full;
  full.settings = fast();
  StoppingObserver first;
  InProcessExecutor executor;
  run_experiments(experiments(kLines), {&a}, full, first, executor);

  ReferenceBackend again("a", 1);
  RunRecord resumed;
  resumed.settings = fast();
  StoppingObserver observer;
  run_experiments(experiments(kLines), {&again}, resumed, observer, executor, full.experiments);
  EXPECT_TRUE(observer.started.empty());
  EXPECT_TRUE(again.prepared.empty());
  EXPECT_EQ(to_json(resumed), to_json(full));
}

TEST(Resume, RepeatedLinesAreMatchedOneForOne) {
  ReferenceBackend a("a", 1);
  RunRecord first;
  first.settings = fast();
  StoppingObserver stopping(1);
  InProcessExecutor executor;
  std::vector<std::string> twice = {"ReLU dim1=8", "ReLU dim1=8"};
  run_experiments(experiments(twice), {&a}, first, stopping, executor);
  ASSERT_EQ(first.experiments.size(), 1u);

  RunRecord resumed;
  resumed.settings = fast();
  StoppingObserver observer;
  run_experiments(experiments(twice), {&a}, resumed, observer, executor, first.experiments);
  EXPECT_EQ(observer.started.size(), 1u);
  EXPECT_EQ(lines_of(resumed), twice);
}

// ---- both passes: in pairs, the inputs handed on ---------------------------------

// A reference backend that keeps a copy of the inputs each cell was given,
// and the order its cells were prepared in.
class RecordingBackend : public ReferenceBackend {
 public:
  using ReferenceBackend::ReferenceBackend;
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    given[e.line()] = inputs;
    order.push_back(e.line());
    return ReferenceBackend::prepare(e, inputs);
  }
  std::map<std::string, std::vector<HostTensor>> given;
  std::vector<std::string> order;
};

// Bit for bit: names, shapes, types and every value's bytes.
void expect_same_inputs(const std::vector<HostTensor>& got, const std::vector<HostTensor>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i) + " ('" + want[i].name + "')");
    EXPECT_EQ(got[i].name, want[i].name);
    EXPECT_EQ(got[i].shape, want[i].shape);
    EXPECT_EQ(got[i].dtype, want[i].dtype);
    ASSERT_EQ(got[i].f32.size(), want[i].f32.size());
    ASSERT_EQ(got[i].i64.size(), want[i].i64.size());
    // memcmp of an empty buffer's null pointer is undefined (UBSan), so only non-empty ones.
    if (!want[i].f32.empty()) EXPECT_EQ(std::memcmp(got[i].f32.data(), want[i].f32.data(), want[i].f32.size() * 4), 0);
    if (!want[i].i64.empty()) EXPECT_EQ(std::memcmp(got[i].i64.data(), want[i].i64.data(), want[i].i64.size() * 8), 0);
  }
}

Experiment backward_of(Experiment e) {
  e.pass = Pass::backward;
  return e;
}

// An op of several inputs, one of them indices (Scatter: idx, src), one
// that picks rows (Gather), and a float16 line.
const std::vector<std::string> kTwinLines = {"Scatter dim1=64x16 dim2=1000", "Gather dim1=64x256 dim2=100",
                                             "MatMul dim1=8x16 dim2=16x4 dtype=float16"};

TEST(Passes, EachExperimentIsFollowedByItsOtherPassInTheOrderGiven) {
  std::vector<Experiment> plan = experiments({"ReLU dim1=8", "Scatter dim1=64x16 dim2=1000", "Sum dim1=4x6 axis=1 dtype=float16"});
  for (size_t i = 0; i < 3; ++i) plan.push_back(backward_of(plan[i]));
  EXPECT_EQ(run_order(plan), (std::vector<size_t>{0, 3, 1, 4, 2, 5}));
  // --pass backward,forward: the backward experiment of each pair first.
  std::vector<Experiment> backward_first(plan.begin() + 3, plan.end());
  backward_first.insert(backward_first.end(), plan.begin(), plan.begin() + 3);
  EXPECT_EQ(run_order(backward_first), (std::vector<size_t>{0, 3, 1, 4, 2, 5}));
  // Another dtype or mask is another experiment, not a twin: the order stays.
  EXPECT_EQ(run_order(experiments({"ReLU dim1=8", "Sum dim1=4x6 axis=1", "ReLU dim1=8 dtype=float16"})),
            (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(run_order(experiments(kLines)), (std::vector<size_t>{0, 1, 2, 3}));
}

// The cells run in pairs, the record stays in the plan's order (each pass's
// experiments in the suite's order), and a resume finds what was done.
TEST(Passes, BothPassesRunInPairsTheRecordKeepsThePlansOrderAndAResumeFindsTheDoneCells) {
  std::vector<Experiment> plan = experiments({"ReLU dim1=8x8", "Sum dim1=4x6 axis=1"});
  plan.push_back(backward_of(plan[0]));
  plan.push_back(backward_of(plan[1]));
  std::vector<std::string> lines;
  for (const Experiment& e : plan) lines.push_back(e.line());

  RecordingBackend a("a", 1);
  RunRecord full;
  full.settings = fast();
  StoppingObserver observer;
  InProcessExecutor executor;
  run_experiments(plan, {&a}, full, observer, executor);
  EXPECT_EQ(a.order, (std::vector<std::string>{lines[0], lines[2], lines[1], lines[3]}));
  EXPECT_EQ(observer.indices, (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(lines_of(full), lines);
  EXPECT_EQ(observer.written, (std::vector<size_t>{1, 2, 3, 4}));

  // Stopped after three cells: ReLU's two passes and Sum's forward, written in the plan's order.
  RecordingBackend b("a", 1);
  RunRecord first;
  first.settings = fast();
  StoppingObserver stopping(3);
  InProcessExecutor first_executor;
  run_experiments(plan, {&b}, first, stopping, first_executor);
  ASSERT_EQ(lines_of(first), (std::vector<std::string>{lines[0], lines[1], lines[2]}));

  RecordingBackend c("a", 1);
  RunRecord resumed;
  resumed.settings = fast();
  StoppingObserver resuming;
  InProcessExecutor resume_executor;
  run_experiments(plan, {&c}, resumed, resuming, resume_executor, first.experiments);
  EXPECT_EQ(c.order, (std::vector<std::string>{lines[3]}));
  EXPECT_EQ(resuming.total, 1u);
  EXPECT_EQ(lines_of(resumed), lines);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(resumed.experiments[i].cells.at(0).samples_ms, first.experiments[i].cells.at(0).samples_ms);
}

// What matters: a backward experiment's cells get exactly the inputs
// make_inputs makes for it, whether its forward twin ran just before (the
// inputs handed on) or not (made afresh).
TEST(Passes, TheBackwardExperimentGetsTheInputsMakeInputsMakesForIt) {
  const RunSettings settings = fast();
  for (const std::string& line : kTwinLines) {
    SCOPED_TRACE(line);
    const Experiment forward = parse_experiment(line), backward = backward_of(forward);
    const std::vector<HostTensor> own = make_inputs(backward, settings.seed);
    ASSERT_EQ(own.size(), make_inputs(forward, settings.seed).size() + 1);

    RecordingBackend paired("a", 1);
    RunRecord record;
    record.settings = settings;
    StoppingObserver observer;
    InProcessExecutor executor;
    run_experiments({forward, backward}, {&paired}, record, observer, executor);
    ASSERT_EQ(paired.order, (std::vector<std::string>{forward.line(), backward.line()}));
    expect_same_inputs(paired.given[forward.line()], make_inputs(forward, settings.seed));
    expect_same_inputs(paired.given[backward.line()], own);

    RecordingBackend alone("a", 1);
    run_experiment(backward, {&alone}, settings, {});
    expect_same_inputs(alone.given[backward.line()], own);
  }
}

// The slot itself: a twin takes the very buffers kept (moved, not copied),
// a backward experiment's dy is not kept, and anything else (another line,
// another seed) finds nothing and empties the slot.
TEST(Passes, KeptInputsGoToATwinOnlyAndLeaveTheSlotEmpty) {
  const Experiment scatter = parse_experiment(kTwinLines[0]), scatter_back = backward_of(scatter);
  KeptInputs kept;
  std::vector<HostTensor> inputs = make_inputs(scatter, 0);
  const int64_t* idx = inputs[0].i64.data();
  const float* src = inputs[1].f32.data();
  kept.keep(scatter, 0, std::move(inputs));
  std::optional<std::vector<HostTensor>> taken = kept.take(scatter_back, 0);
  ASSERT_TRUE(taken);
  EXPECT_EQ((*taken)[0].i64.data(), idx);
  EXPECT_EQ((*taken)[1].f32.data(), src);
  EXPECT_FALSE(kept.take(scatter_back, 0)) << "taken once";

  kept.keep(scatter_back, 0, make_inputs(scatter_back, 0));
  taken = kept.take(scatter, 0);
  ASSERT_TRUE(taken);
  expect_same_inputs(*taken, make_inputs(scatter, 0));

  // The key is what make_inputs draws from: a float16 or masked line has the same numbers.
  kept.keep(scatter, 0, make_inputs(scatter, 0));
  EXPECT_TRUE(kept.take(parse_experiment(kTwinLines[0] + " dtype=float16 pass=backward"), 0));

  kept.keep(scatter, 0, make_inputs(scatter, 0));
  EXPECT_FALSE(kept.take(scatter_back, 1)) << "another seed";
  EXPECT_FALSE(kept.take(scatter_back, 0)) << "dropped by the experiment before";
  kept.keep(scatter, 0, make_inputs(scatter, 0));
  EXPECT_FALSE(kept.take(parse_experiment("Scatter dim1=64x16 dim2=999 pass=backward"), 0));
  EXPECT_FALSE(kept.take(scatter_back, 0)) << "dropped by the experiment before";
}

// run_experiment takes what is kept for its experiment (planted values show
// that they, not new ones, reach the cell), keeps its own only when asked,
// and an unrelated experiment makes its own.
TEST(Passes, RunExperimentTakesKeptInputsAndKeepsItsOwnOnlyWhenAsked) {
  const RunSettings settings = fast();
  const Experiment gather = parse_experiment(kTwinLines[1]), gather_back = backward_of(gather);
  KeptInputs kept;
  std::vector<HostTensor> planted = make_inputs(gather, settings.seed);
  planted[0].f32[0] += 1;
  kept.keep(gather, settings.seed, planted);
  RecordingBackend a("a", 1);
  run_experiment(gather_back, {&a}, settings, {}, &kept, /*keep_inputs=*/false);
  planted.push_back(make_inputs(gather_back, settings.seed).back());  // dy, made for it
  expect_same_inputs(a.given[gather_back.line()], planted);
  EXPECT_FALSE(kept.take(gather, settings.seed)) << "not asked to keep";

  run_experiment(gather, {&a}, settings, {}, &kept, /*keep_inputs=*/true);
  std::optional<std::vector<HostTensor>> own = kept.take(gather_back, settings.seed);
  ASSERT_TRUE(own);
  expect_same_inputs(*own, make_inputs(gather, settings.seed));

  run_experiment(gather, {&a}, settings, {}, &kept, /*keep_inputs=*/true);
  const Experiment other = parse_experiment("ReLU dim1=8x8");
  run_experiment(other, {&a}, settings, {}, &kept, /*keep_inputs=*/false);
  expect_same_inputs(a.given[other.line()], make_inputs(other, settings.seed));
  EXPECT_FALSE(kept.take(gather_back, settings.seed));
}

// ---- memory -----------------------------------------------------------------

TEST(Memory, EstimateCoversInputsOutputsAndReference) {
  MemoryNeed relu = estimate_memory(parse_experiment("ReLU dim1=1000x1000"), true);
  // Input 4 MB, reference 8 MB, output 4 MB: at least those.
  EXPECT_GE(relu.host_bytes, 16e6);
  EXPECT_LE(relu.host_bytes, 64e6);
  EXPECT_GE(relu.device_bytes, 8e6);
  EXPECT_LT(estimate_memory(parse_experiment("ReLU dim1=1000x1000"), false).host_bytes, relu.host_bytes);
  // A matrix product's sampled reference costs next to nothing.
  Experiment matmul = parse_experiment("MatMul dim1=4096x4096 dim2=4096x4096");
  EXPECT_LT(estimate_memory(matmul, true).host_bytes - estimate_memory(matmul, false).host_bytes, 1e6);
}

TEST(Memory, ReadsAvailableMemory) {
  std::optional<uint64_t> available = available_host_memory();
#ifdef __linux__
  ASSERT_TRUE(available.has_value());
  EXPECT_GT(*available, 0u);
#endif
  EXPECT_EQ(memory_shortfall(1e6, std::nullopt, "memory"), "");
  EXPECT_EQ(memory_shortfall(1e6, uint64_t{2'000'000}, "memory"), "");
  std::string why = memory_shortfall(3.0 * (1 << 30), uint64_t{1} << 30, "memory");
  EXPECT_NE(why.find("3.0 GiB"), std::string::npos) << why;
  EXPECT_NE(why.find("1.0 GiB"), std::string::npos) << why;
  EXPECT_EQ(format_bytes(512), "512 bytes");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
}

TEST(Memory, AnExperimentThatCannotFitIsSkippedWithItsReason) {
  ReferenceBackend a("a", 1);
  RunRecord record;
  record.settings = fast();
  StoppingObserver observer;
  // 10^11 floats: 400 GB of input alone, on no test machine.
  run_experiments(experiments({"ReLU dim1=1000000x100000", "ReLU dim1=8"}), {&a}, record, observer);
  ASSERT_EQ(record.experiments.size(), 2u);
  const Cell& skipped = record.experiments[0].cells.at(0);
  EXPECT_NE(skipped.error.find("skipped: needs about"), std::string::npos) << skipped.error;
  EXPECT_NE(skipped.error.find("GiB"), std::string::npos) << skipped.error;
  EXPECT_TRUE(a.prepared.count("ReLU dim1=8"));
  EXPECT_FALSE(a.prepared.count("ReLU dim1=1000000x100000"));
  EXPECT_TRUE(record.experiments[1].cells.at(0).ok());
}

// Inputs taken from the slot already hold memory the estimate counts: the
// check counts them as the experiment's own, as when it makes them.
TEST(Memory, KeptInputsCountAsTheExperimentsOwnInTheCheck) {
  const RunSettings settings = fast();
  const Experiment forward = parse_experiment("ReLU dim1=1000x1000"), backward = backward_of(forward);
  const double need = estimate_memory(backward, settings.check).host_bytes, inputs = 4e6;
  setenv("OPBENCH_TEST_MEMORY_AVAILABLE", std::to_string(static_cast<uint64_t>(need - inputs / 2)).c_str(), 1);
  std::vector<Cell> cells;
  CellEvents events;
  events.finished = [&](size_t, Cell c) { cells.push_back(std::move(c)); };
  ReferenceBackend a("a", 1);
  run_experiment(backward, {&a}, settings, events);
  KeptInputs kept;
  kept.keep(forward, settings.seed, make_inputs(forward, settings.seed));
  run_experiment(backward, {&a}, settings, events, &kept);
  unsetenv("OPBENCH_TEST_MEMORY_AVAILABLE");
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_NE(cells[0].error.find("skipped: needs about"), std::string::npos) << cells[0].error;
  EXPECT_EQ(a.prepared[backward.line()], 1) << cells[1].error;
  EXPECT_EQ(cells[1].error.find("skipped"), std::string::npos) << cells[1].error;
}

TEST(Memory, ADeviceWithoutRoomSkipsOnlyItsCell) {
  ReferenceBackend host("host", 1), gpu("gpu", 2);
  gpu.device_free = 1000;  // bytes
  RunRecord record;
  record.settings = fast();
  StoppingObserver observer;
  run_experiments(experiments({"ReLU dim1=64x64"}), {&host, &gpu}, record, observer);
  ASSERT_EQ(record.experiments.size(), 1u);
  EXPECT_TRUE(record.experiments[0].cells.at(0).ok());
  const std::string& why = record.experiments[0].cells.at(1).error;
  EXPECT_NE(why.find("memory on Test GPU"), std::string::npos) << why;
  EXPECT_FALSE(gpu.prepared.count("ReLU dim1=64x64"));
}

// ---- hostile shapes and experiment lines ---------------------------------------

TEST(Hostile, ShapesThatOverflowAreRefused) {
  for (const char* text : {"18446744073709551616", "9223372036854775808", "99999999999999999999999", "4294967296x4294967296",
                           "1099511627777", "1048576x1048577", "2x2x2x2x2x2x2x2x2", "1x1x1x1x1x1x1x1x1",
                           "3037000500x3037000500", "1099511627776x2"}) {
    SCOPED_TRACE(text);
    std::string why = usage_error([&] { parse_shape(text); });
    EXPECT_NE(why.find(text), std::string::npos) << why;
  }
  EXPECT_NE(usage_error([] { parse_shape("1099511627776x2"); }).find("2^40"), std::string::npos);
  EXPECT_NE(usage_error([] { parse_shape("1x1x1x1x1x1x1x1x1"); }).find("more than 8 dimensions"), std::string::npos);
  EXPECT_NE(usage_error([] { parse_shape(std::string(10000, '1')); }).find("too large"), std::string::npos);
}

TEST(Hostile, ResultsThatWouldOverflowAreRefused) {
  // Each input holds 2^40 elements or fewer, the result more.
  std::string matmul = usage_error([] {
    parse_experiment("MatMul dim1=1099511627776x1x1 dim2=1x1099511627776x1x1x1");
  });
  EXPECT_NE(matmul.find("more than 2^40 elements"), std::string::npos) << matmul;
  std::string batch = usage_error([] {
    parse_experiment("MatMul dim1=1048576x1x1x1x1x1x1x1 dim2=1x1048576x1048576x1x1x1x1x1");
  });
  EXPECT_NE(batch.find("more than 2^40 elements"), std::string::npos) << batch;
  std::string concat = usage_error([] { parse_experiment("Concat dim1=1099511627776 dim2=1099511627776 axis=0"); });
  EXPECT_NE(concat.find("more than 2^40 elements"), std::string::npos) << concat;
  // At the limit it is fine.
  EXPECT_NO_THROW(parse_experiment("Concat dim1=549755813888 dim2=549755813888 axis=0"));
}

TEST(Hostile, AxesAndIndicesOutOfRangeAreRefused) {
  for (const char* line : {"Sum dim1=4x4 axis=2", "Sum dim1=4x4 axis=-3", "Sum dim1=4x4 axis=9223372036854775807",
                           "Sum dim1=4x4 axis=-9223372036854775808", "Softmax dim1=4 axis=1"}) {
    SCOPED_TRACE(line);
    EXPECT_NE(usage_error([&] { parse_experiment(line); }).find("out of range"), std::string::npos);
  }
  // Beyond 64 bits an axis is not a number at all.
  EXPECT_NE(usage_error([] { parse_experiment("Sum dim1=4x4 axis=99999999999999999999"); }).find("99999999999999999999"),
            std::string::npos);
  // Index inputs need rows to point at.
  EXPECT_NE(usage_error([] { parse_experiment("Gather dim1=1x4 dim2=3"); }).find("at least 2 rows"), std::string::npos);
  EXPECT_NE(usage_error([] { parse_experiment("ReLU dim2=4"); }).find("dim1"), std::string::npos);
  EXPECT_NE(usage_error([] { parse_experiment("ReLU dim1=4 dim1=4"); }).find("dim2"), std::string::npos);
}

TEST(Hostile, AttentionWorkIsCountedInClosedForm) {
  // 2^40 queries would take minutes to count one by one.
  Experiment huge = parse_experiment("ScaledDotProductAttention dim1=1x1x1099511627776x1 dim2=1x1x1x1 dim3=1x1x1x1");
  EXPECT_TRUE(std::isfinite(huge.spec().flops(huge)));
  for (const char* line : {"ScaledDotProductAttention dim1=1x2x12x8 dim2=1x2x5x8 dim3=1x2x5x8",
                           "ScaledDotProductAttention dim1=2x1x3x16 dim2=2x1x9x16 dim3=2x1x9x16"}) {
    Experiment e = parse_experiment(line);
    double visible = 0;
    for (int64_t i = 0; i < e.dims[0][2]; ++i) visible += std::min(i + 1, e.dims[1][2]);
    double expected = static_cast<double>(e.dims[0][0]) * e.dims[0][1] * visible * (4.0 * e.dims[0][3] + 3);
    EXPECT_DOUBLE_EQ(e.spec().flops(e), expected) << line;
  }
}

// ---- hostile result files -------------------------------------------------------

std::string minimal_result(const std::string& settings, const std::string& cell) {
  return R"({"schema": "opbench-result", "schema_version": 1, "settings": )" + settings +
         R"(, "backends": [{"name": "cpu", "column": 5}], "experiments": [{"op": "ReLU", "name": "ReLU / dim=4",
            "line": "ReLU dim1=4", "cells": [)" + cell + "]}]}";
}

const std::string kGoodCell =
    R"({"backend": "cpu", "time_ms": {"mean": 1, "median": 1, "min": 0.5, "max": 1.5, "stddev": 0.5}, "noise": 0.3,
        "count": 3, "samples_ms": [0.5, 1, 1.5]})";

// minimal_result with the value at `pointer` (a JSON pointer) replaced by `value`.
std::string result_with(const std::string& pointer, const std::string& value) {
  nlohmann::json j = nlohmann::json::parse(minimal_result("{}", kGoodCell));
  j["machine"] = {{"cpu", "x"}, {"cores", 2}, {"memory_bytes", 1024}};
  j["peaks"] = {{"cpu", {{"bandwidth_gbs", 10}, {"gflops", {{"float32", 100}}}}}};
  j[nlohmann::json::json_pointer(pointer)] = nlohmann::json::parse(value);
  return j.dump();
}

TEST(Hostile, NumbersAFieldCannotHoldAreRefusedNamingFileAndField) {
  EXPECT_NO_THROW(from_json(result_with("/settings/threads", "4"), "f.json"));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"/experiments/0/cells/0/count", "1e30"},
      {"/experiments/0/cells/0/count", "18446744073709551616"},  // 2^64
      {"/experiments/0/cells/0/count", "-5"},
      {"/machine/cores", "1e30"},
      {"/machine/cores", "-5"},
      {"/machine/memory_bytes", "-1"},
      {"/settings/threads", "1e300"},
      {"/settings/seed", "-5"},
      {"/settings/min_samples", "1e30"},
      {"/backends/0/column", "1e30"},
      {"/peaks/cpu/bandwidth_gbs", "-1"},
      {"/peaks/cpu/gflops/float32", "-1"},
  };
  for (const auto& [pointer, value] : bad) {
    SCOPED_TRACE(pointer + " = " + value);
    std::string why = usage_error([&] { from_json(result_with(pointer, value), "f.json"); });
    EXPECT_NE(why.find("f.json"), std::string::npos) << why;
    std::string field = pointer.substr(pointer.rfind('/') + 1);
    EXPECT_NE(why.find("'" + field + "'"), std::string::npos) << why;
    EXPECT_NE(why.find("out of range"), std::string::npos) << why;
  }
  // Out of range where the field is required, as before.
  std::string why = usage_error([&] { from_json(result_with("/schema_version", "1e300"), "f.json"); });
  EXPECT_NE(why.find("schema_version"), std::string::npos) << why;
}

TEST(Hostile, FieldsOfTheWrongTypeAreRefusedNamingThem) {
  for (const auto& [pointer, value] : std::vector<std::pair<std::string, std::string>>{
           {"/experiments/0/cells/0/samples_ms", R"({"a": 1})"},
           {"/experiments/0/cells/0/count", R"("3")"},
           {"/experiments/0/cells/0/time_ms/mean", R"("fast")"},
           {"/machine/cores", R"([2])"},
           {"/settings/max_time_s", R"("2")"},
           {"/peaks/cpu/bandwidth_gbs", R"("10")"}}) {
    SCOPED_TRACE(pointer + " = " + value);
    std::string why = usage_error([&] { from_json(result_with(pointer, value), "f.json"); });
    EXPECT_NE(why.find("f.json"), std::string::npos) << why;
    EXPECT_NE(why.find("'" + pointer.substr(pointer.rfind('/') + 1) + "' has the wrong type"), std::string::npos) << why;
  }
}

TEST(Hostile, TimesMustBeFiniteAndPositive) {
  for (const auto& [pointer, value] : std::vector<std::pair<std::string, std::string>>{
           {"/experiments/0/cells/0/samples_ms", "[-0.5, -1, -1.5]"},
           {"/experiments/0/cells/0/samples_ms", "[0.5, 0, 1.5]"},
           {"/experiments/0/cells/0/time_ms/mean", "-1"},
           {"/experiments/0/cells/0/time_ms/min", "0"},
           {"/experiments/0/cells/0/time_ms/stddev", "-0.5"},
           {"/experiments/0/cells/0/noise", "-0.3"}}) {
    SCOPED_TRACE(pointer + " = " + value);
    std::string why = usage_error([&] { from_json(result_with(pointer, value), "f.json"); });
    EXPECT_NE(why.find("f.json: experiment 'ReLU / dim=4': cell for 'cpu'"), std::string::npos) << why;
    EXPECT_NE(why.find(pointer.substr(pointer.rfind('/') + 1)), std::string::npos) << why;
  }
  // A statistic the file cannot give (nan, written as null) stays nan.
  RunRecord r = from_json(result_with("/experiments/0/cells/0/noise", "null"), "f.json");
  EXPECT_TRUE(std::isnan(r.experiments[0].cells[0].stats.noise));
}

TEST(Hostile, NumbersPastADoublesRangeAreInvalidJson) {
  std::string why = usage_error([] { from_json(R"({"schema": "opbench-result", "schema_version": 1e400})", "f.json"); });
  EXPECT_NE(why.find("f.json: not valid JSON"), std::string::npos) << why;
}

// ---- writing the result file ------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string temp_dir() {
  std::string pattern = (fs::path(testing::TempDir()) / "opbench_safety_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

// Runs write_file_atomically(path, text) in a child process whose files may
// not grow past `limit` bytes (RLIMIT_FSIZE: the kernel's "disk full" for
// one process); returns the error message, or "" when it succeeded.
std::string write_with_file_size_limit(const std::string& path, const std::string& text, rlim_t limit) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    signal(SIGXFSZ, SIG_IGN);  // the write fails with EFBIG instead of killing the process
    rlimit r{limit, limit};
    setrlimit(RLIMIT_FSIZE, &r);
    std::string message;
    try {
      write_file_atomically(path, text);
    } catch (const std::exception& e) {
      message = e.what();
    }
    ssize_t n = write(pipe_fds[1], message.data(), message.size());
    _exit(n == static_cast<ssize_t>(message.size()) ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string message;
  char buf[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) message.append(buf, static_cast<size_t>(n));
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return message;
}

TEST(AtomicWrite, AFileTooLargeForTheDiskLeavesTheOldOneWhole) {
  std::string dir = temp_dir(), path = dir + "/result.json";
  write_file_atomically(path, "old and complete\n");
  std::string why = write_with_file_size_limit(path, std::string(1 << 20, 'x'), 4096);
  EXPECT_NE(why.find("cannot write " + path), std::string::npos) << why;
  EXPECT_NE(why.find("File too large"), std::string::npos) << why;
  EXPECT_EQ(read_file(path), "old and complete\n");
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  fs::remove_all(dir);
}

TEST(AtomicWrite, AFullFilesystemLeavesTheOldOneWhole) {
  std::string dir = temp_dir();
  // A 64 KiB tmpfs: needs root and the right to mount (CI has both here).
  if (getuid() != 0 || mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=64k") != 0) {
    fs::remove_all(dir);
    GTEST_SKIP() << "cannot mount a small tmpfs here";
  }
  std::string path = dir + "/result.json";
  std::string old_text(40000, 'o');
  write_file_atomically(path, old_text);
  std::string error;
  try {
    write_file_atomically(path, std::string(40000, 'n'));  // old + new do not fit in 64 KiB
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("No space left on device"), std::string::npos) << error;
  EXPECT_EQ(read_file(path), old_text);
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  umount(dir.c_str());
  fs::remove_all(dir);
}

TEST(AtomicWrite, AMissingFolderIsAnError) {
  std::string error;
  try {
    write_file_atomically("/nonexistent-folder-of-opbench/result.json", "x");
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("No such file or directory"), std::string::npos) << error;
}

}  // namespace
}  // namespace opbench
