// Framework versions timed in rounds (execution/rounds.h): the order of the
// turns, each cell's share of the sampling, the merged cell, and a version
// that cannot run costing only its own cells.
#include "execution/rounds.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "model/stats.h"
#include "reference_backend.h"

namespace opbench {
namespace {

// Exactly `samples` samples a cell, whatever their noise.
RunSettings budget(size_t samples) {
  RunSettings s = without_warmup(samples, samples, 60);
  s.sampler.target_noise = 0;
  return s;
}

// An executor that cannot start its worker, as a version whose plug-in does not load.
class BrokenExecutor : public ExperimentExecutor {
 public:
  void run(const Experiment&, const std::vector<Backend*>&, const RunSettings&, const CellEvents&, bool) override {
    throw std::runtime_error("the worker process cannot start: cannot load the plug-in");
  }
};

struct Outcome {
  std::vector<size_t> started;
  std::map<size_t, Cell> finished;
  std::vector<std::string> schedule;
};

Outcome run_rounds(std::vector<BackendGroup> groups, const std::vector<Backend*>& backends, int rounds, size_t samples) {
  RoundsExecutor executor(std::move(groups), rounds);
  Outcome out;
  CellEvents events;
  events.started = [&](size_t i) { out.started.push_back(i); };
  events.finished = [&](size_t i, Cell c) { out.finished[i] = std::move(c); };
  executor.run(parse_experiment("ReLU dim1=16x16"), backends, budget(samples), events, /*keep_inputs=*/false);
  out.schedule = executor.schedule();
  return out;
}

BackendGroup in_process(std::vector<std::string> names) {
  return {std::move(names), std::make_unique<InProcessExecutor>(), ""};
}

TEST(Rounds, TurnsAlternateDirectionAndEachRoundTakesItsShare) {
  ReferenceBackend a("cpu@torch-2.11.0", 5000), b("cpu@torch-2.15.0", 5001), c("mlx_cpu@mlx-0.32.4", 3000);
  std::vector<BackendGroup> groups;
  groups.push_back(in_process({"cpu@torch-2.11.0"}));
  groups.push_back(in_process({"cpu@torch-2.15.0"}));
  groups.push_back(in_process({"mlx_cpu@mlx-0.32.4"}));
  Outcome r = run_rounds(std::move(groups), {&a, &b, &c}, 3, 9);
  EXPECT_EQ(r.schedule, (std::vector<std::string>{"1 cpu@torch-2.11.0", "1 cpu@torch-2.15.0", "1 mlx_cpu@mlx-0.32.4",
                                                  "2 mlx_cpu@mlx-0.32.4", "2 cpu@torch-2.15.0", "2 cpu@torch-2.11.0",
                                                  "3 cpu@torch-2.11.0", "3 cpu@torch-2.15.0", "3 mlx_cpu@mlx-0.32.4"}));
  // Each cell started once (progress counts cells, not turns) and finished once, merged.
  EXPECT_EQ(r.started, (std::vector<size_t>{0, 1, 2}));
  ASSERT_EQ(r.finished.size(), 3u);
  for (auto& [i, cell] : r.finished) {
    EXPECT_TRUE(cell.ok()) << cell.error;
    EXPECT_EQ(cell.check.verdict, Verdict::passed);  // against the one reference of the experiment
    EXPECT_EQ(cell.samples_ms.size(), 9u);           // 3 a round
    EXPECT_EQ(cell.stats.count, 9u);
    EXPECT_DOUBLE_EQ(cell.stats.mean, summarize(cell.samples_ms).mean);
  }
  EXPECT_EQ(a.prepared["ReLU dim1=16x16"], 3);  // prepared and checked in every round
}

TEST(Rounds, AVersionThatCannotRunCostsOnlyItsOwnCells) {
  ReferenceBackend a("cpu@torch-2.11.0", 5000), b("cpu@torch-2.99.0", 5001), c("cpu@torch-3.0.0", 5002);
  std::vector<BackendGroup> groups;
  groups.push_back(in_process({"cpu@torch-2.11.0"}));
  groups.push_back({{"cpu@torch-2.99.0"}, nullptr, "cannot build the torch 2.99.0 plug-in: error: no member named 'foo'"});
  groups.push_back({{"cpu@torch-3.0.0"}, std::make_unique<BrokenExecutor>(), ""});
  Outcome r = run_rounds(std::move(groups), {&a, &b, &c}, 2, 6);
  EXPECT_EQ(r.schedule, (std::vector<std::string>{"1 cpu@torch-2.11.0", "1 cpu@torch-2.99.0", "1 cpu@torch-3.0.0",
                                                  "2 cpu@torch-2.11.0"}));
  EXPECT_TRUE(r.finished[0].ok());
  EXPECT_EQ(r.finished[0].samples_ms.size(), 6u);
  EXPECT_EQ(r.finished[1].error, "cannot build the torch 2.99.0 plug-in: error: no member named 'foo'");
  EXPECT_EQ(r.finished[2].error, "the worker process cannot start: cannot load the plug-in");
  EXPECT_EQ(r.started, (std::vector<size_t>{0, 1, 2}));
}

// In this process, noting what each turn was told of the inputs.
class KeepNoting : public ExperimentExecutor {
 public:
  explicit KeepNoting(std::vector<bool>& noted) : noted_(noted) {}
  void run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
           const CellEvents& events, bool keep_inputs) override {
    noted_.push_back(keep_inputs);
    in_process_.run(e, backends, settings, events, keep_inputs);
  }

 private:
  std::vector<bool>& noted_;
  InProcessExecutor in_process_;
};

// One version keeps its inputs for its next round, and for the next
// experiment when the run says it has the same inputs; two versions keep
// none: each one's worker would hold them while the other makes its own.
TEST(Rounds, OnlyTheOneVersionOfAnExperimentKeepsItsInputs) {
  const Experiment e = parse_experiment("ReLU dim1=16x16");
  for (bool next_has_the_same : {false, true}) {
    ReferenceBackend a("cpu@torch-2.11.0", 5000);
    std::vector<bool> noted;
    std::vector<BackendGroup> groups;
    groups.push_back({{"cpu@torch-2.11.0"}, std::make_unique<KeepNoting>(noted), ""});
    RoundsExecutor executor(std::move(groups), 3);
    executor.run(e, {&a}, budget(3), {}, next_has_the_same);
    EXPECT_EQ(noted, (std::vector<bool>{true, true, next_has_the_same}));
  }
  ReferenceBackend a("cpu@torch-2.11.0", 5000), b("cpu@torch-2.15.0", 5001);
  std::vector<bool> noted;
  std::vector<BackendGroup> groups;
  groups.push_back({{"cpu@torch-2.11.0"}, std::make_unique<KeepNoting>(noted), ""});
  groups.push_back({{"cpu@torch-2.15.0"}, std::make_unique<KeepNoting>(noted), ""});
  RoundsExecutor executor(std::move(groups), 2);
  executor.run(e, {&a, &b}, budget(2), {}, true);
  EXPECT_EQ(noted, (std::vector<bool>(4, false)));
}

TEST(Rounds, ABackendInNoGroupIsAnError) {
  ReferenceBackend a("cpu@torch-2.11.0", 5000);
  EXPECT_THROW(run_rounds({}, {&a}, 2, 4), std::logic_error);
}

TEST(Rounds, ShareOfTheBudget) {
  SamplerSettings s;
  s.min_samples = 5, s.max_samples = 10000, s.min_time_s = 0.03, s.max_time_s = 2;
  SamplerSettings third = round_share(s, 3);
  EXPECT_EQ(third.min_samples, 2u);  // ceil(5/3): the rounds together take at least the floor
  EXPECT_EQ(third.max_samples, 3334u);
  EXPECT_DOUBLE_EQ(third.min_time_s, 0.01);
  EXPECT_DOUBLE_EQ(third.max_time_s, 2.0 / 3);
  s.min_samples = 1;
  EXPECT_EQ(round_share(s, 4).min_samples, 1u);  // never none
  EXPECT_EQ(round_share(s, 1), s);
}

TEST(Rounds, MergedCell) {
  auto cell = [](std::vector<double> samples, Verdict v = Verdict::passed) {
    Cell c;
    c.backend = "cpu@torch-2.15.0";
    c.samples_ms = samples;
    c.stats = summarize(samples);
    c.check.verdict = v;
    c.phases = CellPhases{1, 2, 3, 4};
    return c;
  };
  Cell m = merged_rounds({cell({1, 2}), cell({3}, Verdict::imprecise), cell({4, 5})});
  EXPECT_EQ(m.samples_ms, (std::vector<double>{1, 2, 3, 4, 5}));
  EXPECT_EQ(m.round_samples, (std::vector<size_t>{2, 1, 2}));  // which round each sample came from
  EXPECT_DOUBLE_EQ(m.stats.mean, 3);
  EXPECT_EQ(m.stats.count, 5u);
  EXPECT_DOUBLE_EQ(m.phases->sampling_s, 12);
  EXPECT_EQ(m.check.verdict, Verdict::imprecise);  // any round's imprecision shows
  Cell broken = cell({});
  broken.error = "out of memory";
  EXPECT_EQ(merged_rounds({cell({1}), broken, cell({2})}).error, "out of memory");
  EXPECT_TRUE(merged_rounds({cell({1}), cell({2}, Verdict::wrong)}).wrong());
  EXPECT_TRUE(merged_rounds({cell({1, 2})}).round_samples.empty());  // one round: a cell timed in one go
}

}  // namespace
}  // namespace opbench
