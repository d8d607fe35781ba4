// Comparing two runs: a planted slowdown is flagged, noise is not.
#include "report/compare.h"

#include <gtest/gtest.h>

#include <random>

#include "model/mann_whitney.h"
#include "model/stats.h"
#include "model/text.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

const CellComparison* find(const Comparison& c, const std::string& op, const std::string& backend) {
  for (const CellComparison& x : c.cells)
    if (x.experiment.rfind(op, 0) == 0 && x.backend == backend) return &x;
  return nullptr;
}

TEST(Compare, APlantedTwofoldSlowdownIsSlower) {
  Comparison c = compare_runs(noisy_run(1), noisy_run(2, 2.0), CompareSettings{});
  ASSERT_EQ(c.cells.size(), 6u);
  const CellComparison* matmul = find(c, "MatMul", "cpu");
  ASSERT_TRUE(matmul);
  EXPECT_NEAR(matmul->ratio, 2.0, 0.02);
  EXPECT_LT(matmul->p, 1e-20);
  EXPECT_EQ(matmul->change, Change::slower);
  EXPECT_EQ(find(c, "MatMul", "mlx_cpu")->change, Change::slower);
  EXPECT_EQ(c.slower, 2u);
  EXPECT_EQ(c.same, 4u);
  EXPECT_NEAR(c.geomean_ratio, std::pow(2.0, 2.0 / 6), 0.01);
  EXPECT_TRUE(regressed(*matmul, 0.10));
  EXPECT_FALSE(regressed(*matmul, 1.5));  // 2x is not more than 2.5x
}

TEST(Compare, ARerunIsTheSame) {
  Comparison c = compare_runs(noisy_run(1), noisy_run(2), CompareSettings{});
  EXPECT_EQ(c.same, 6u);
  EXPECT_EQ(c.slower + c.faster, 0u);
  EXPECT_NEAR(c.geomean_ratio, 1.0, 0.01);
  for (const CellComparison& x : c.cells) EXPECT_FALSE(regressed(x, 0.0)) << x.experiment;
}

TEST(Compare, FasterIsFaster) {
  Comparison c = compare_runs(noisy_run(1, 2.0), noisy_run(2), CompareSettings{});
  EXPECT_EQ(find(c, "MatMul", "cpu")->change, Change::faster);
  EXPECT_EQ(c.faster, 2u);
}

TEST(Compare, ASignificantChangeBelowTheMinimumEffectIsTheSame) {
  // 3% slower on 200 samples a side: the test sees it, the rule does not count it by default.
  Comparison c = compare_runs(noisy_run(1), noisy_run(2, 1.03), CompareSettings{});
  const CellComparison* matmul = find(c, "MatMul", "cpu");
  EXPECT_LT(matmul->p, 0.05);
  EXPECT_EQ(matmul->change, Change::same);
  Comparison strict = compare_runs(noisy_run(1), noisy_run(2, 1.03), CompareSettings{0.05, 0.01});
  EXPECT_EQ(find(strict, "MatMul", "cpu")->change, Change::slower);
}

TEST(Compare, BigDifferenceWithoutEvidenceIsTheSame) {
  // One sample is not enough to test: "untested", never "slower".
  RunRecord base = noisy_run(1), next = noisy_run(2, 2.0);
  next.experiments[2].cells[1].samples_ms.resize(1);
  Comparison c = compare_runs(base, next, CompareSettings{});
  const CellComparison* matmul = find(c, "MatMul", "cpu");
  EXPECT_EQ(matmul->change, Change::untested);
  EXPECT_TRUE(std::isnan(matmul->p));
  EXPECT_FALSE(regressed(*matmul, 0.1));
  EXPECT_EQ(c.untested, 1u);
}

TEST(Compare, TooFewSamplesForTheTestAreUntestedNotSame) {
  // 3 samples a side cannot give p below 0.1: a 2x change there is not "same".
  RunRecord base = noisy_run(1), next = noisy_run(2, 2.0);
  base.experiments[2].cells[1].samples_ms.resize(3);
  next.experiments[2].cells[1].samples_ms.resize(3);
  Comparison c = compare_runs(base, next, CompareSettings{});
  EXPECT_EQ(find(c, "MatMul", "cpu")->change, Change::untested);
  base.experiments[2].cells[1].samples_ms = noisy("cpu", 0.25, 7, 5).samples_ms;  // 5 and 5 can: p >= 2/252
  next.experiments[2].cells[1].samples_ms = noisy("cpu", 0.5, 8, 5).samples_ms;
  c = compare_runs(base, next, CompareSettings{});
  EXPECT_EQ(find(c, "MatMul", "cpu")->change, Change::slower);
  EXPECT_NEAR(find(c, "MatMul", "cpu")->p, 2.0 / 252, 1e-12);
}

TEST(Compare, CellsWithoutATimeInBothAreListed) {
  RunRecord base = noisy_run(1), next = noisy_run(2);
  next.experiments[0].cells[0] = failed("mlx_cpu", "out of memory");
  next.experiments[1].cells[1] = wrong("cpu");
  next.experiments.pop_back();  // no MatMul in the new run
  next.experiments.push_back(experiment("Sort dim1=64x128x1024 axis=0", {noisy("cpu", 1.0, 9)}));
  Comparison c = compare_runs(base, next, CompareSettings{});
  EXPECT_EQ(c.cells.size(), 2u);
  ASSERT_EQ(c.not_compared.size(), 5u);
  EXPECT_EQ(c.not_compared[0].why, "nan in new: out of memory");
  EXPECT_EQ(c.not_compared[1].why, "wrong in new: 50% of elements differ");
  EXPECT_EQ(c.not_compared[2].why, "only in base");
  EXPECT_EQ(c.not_compared[3].why, "only in base");
  EXPECT_EQ(c.not_compared[4].experiment, "Sort / dim=64x128x1024 axi=0");
  EXPECT_EQ(c.not_compared[4].why, "only in new");
}

// An imprecise cell has a time: compared, its mean marked as in the tables.
TEST(Compare, AnImpreciseCellIsComparedAndMarked) {
  RunRecord base = noisy_run(1), next = noisy_run(2);
  next.experiments[2].cells[1] = imprecise(next.experiments[2].cells[1]);  // MatMul on cpu
  CompareSettings settings;
  Comparison c = compare_runs(base, next, settings);
  ASSERT_EQ(c.cells.size(), 6u);
  EXPECT_TRUE(c.not_compared.empty());
  EXPECT_FALSE(c.cells[5].base_imprecise);
  EXPECT_TRUE(c.cells[5].new_imprecise);
  std::string text = render_comparison(c, settings);
  EXPECT_EQ(count_of(text, "*"), 2u) << text;  // the cell and the legend
  EXPECT_TRUE(contains(text, formatted("%.3f", c.cells[5].new_ms) + "* |")) << text;
  EXPECT_TRUE(contains(text, "\n*: the output was imprecise in that run")) << text;
  EXPECT_FALSE(contains(render_comparison(compare_runs(base, base, settings), settings), "*"));
}

TEST(Compare, RenderedWithTheRuleAndTheGeometricMean) {
  CompareSettings settings;
  Comparison c = compare_runs(noisy_run(1), noisy_run(2, 2.0), settings);
  std::string text = render_comparison(c, settings);
  std::vector<std::string> lines = lines_of(text);
  EXPECT_EQ(lines[0].substr(0, 14), "| Experiment  ");
  EXPECT_TRUE(contains(lines[0], "| backend | base ms | new ms | new/base | p-value | change |"));
  EXPECT_EQ(count_of(text, "| slower |"), 2u);
  EXPECT_TRUE(contains(text, "Geometric mean of new/base: 1.26"));
  EXPECT_TRUE(contains(text,
                       "over 6 cells: 2 slower, 0 faster, 4 same (a change is real when p < 0.05, new/base is off 1 "
                       "by more than 5% and by more than either cell moved on its own (the spread of its rounds' medians, "
                       "or of its samples' thirds) and the medians moved its way; new/base is the Hodges-Lehmann estimate"));
  EXPECT_EQ(change_name(Change::untested), "untested");
  // Several runs a side: the runs' means carry the drift, and the rule says no more of the cells' own.
  Comparison runs = compare_runs(std::vector<RunRecord>{noisy_run(1), noisy_run(3)},
                                 std::vector<RunRecord>{noisy_run(2), noisy_run(4)}, settings);
  EXPECT_TRUE(contains(render_comparison(runs, settings), "by more than 5% and the medians moved its way;"));
}

// A cell whose level drifts while it is timed (its thirds' medians 0.9, 1.0
// and 1.1 of its level): a 10% slowdown is far beyond the test with 200
// samples a side, yet within what the cell does on its own: the same.
// Without the drift the same slowdown is slower.
TEST(Compare, AChangeWithinTheDriftOfACellIsTheSame) {
  auto drifting = [](Cell& c) {
    for (size_t i = 0; i < c.samples_ms.size(); ++i) c.samples_ms[i] *= 0.9 + 0.1 * static_cast<double>(i * 3 / c.samples_ms.size());
    c.stats = summarize(c.samples_ms);
  };
  RunRecord base = noisy_run(1), next = noisy_run(2, 1.10);
  Comparison steady = compare_runs(base, next, CompareSettings{});
  EXPECT_EQ(find(steady, "MatMul", "cpu")->change, Change::slower);
  EXPECT_LT(find(steady, "MatMul", "cpu")->noise, 0.03);
  drifting(next.experiments[2].cells[1]);
  Comparison c = compare_runs(base, next, CompareSettings{});
  const CellComparison* matmul = find(c, "MatMul", "cpu");
  EXPECT_LT(matmul->p, 0.05);
  EXPECT_GT(matmul->ratio, 1.05);
  EXPECT_NEAR(matmul->noise, level_spread(next.experiments[2].cells[1].samples_ms), 1e-12);
  EXPECT_GT(matmul->noise, matmul->ratio - 1);
  EXPECT_EQ(matmul->change, Change::same);
  // A cell timed in rounds (a versions run) is measured by its rounds: rounds that agree leave the change slower.
  Cell& in_rounds = next.experiments[2].cells[1];
  in_rounds.samples_ms = noisy_run(2, 1.10).experiments[2].cells[1].samples_ms;
  in_rounds.stats = summarize(in_rounds.samples_ms);
  in_rounds.round_samples = {67, 66, 67};
  EXPECT_EQ(find(compare_runs(base, next, CompareSettings{}), "MatMul", "cpu")->change, Change::slower);
}

// The cell: the base run's ReLU had a few calls preempted for 10 ms
// (its mean 0.5 ms), the new run none, but each of its calls is slower than
// most of the base's. Its mean is lower; it is still slower, never "faster".
TEST(Compare, FasterNeverComesWithAHigherMedian) {
  RunRecord base = noisy_run(1), next = noisy_run(2);
  Cell& b = base.experiments[0].cells[0];
  Cell& n = next.experiments[0].cells[0];
  b.samples_ms.assign(180, 0.0045);
  n.samples_ms.assign(200, 0.0054);
  for (size_t i = 0; i < 180; ++i) b.samples_ms[i] += 1e-6 * (i % 5);
  for (size_t i = 0; i < 200; ++i) n.samples_ms[i] += 1e-6 * (i % 5);
  b.samples_ms.insert(b.samples_ms.end(), 20, 10.0);
  b.stats = summarize(b.samples_ms);
  n.stats = summarize(n.samples_ms);
  ASSERT_GT(b.stats.mean_all, 100 * n.stats.mean_all);  // every sample's mean: base far slower
  Comparison c = compare_runs(base, next, CompareSettings{});
  const CellComparison& cell = c.cells.front();
  EXPECT_NEAR(cell.ratio, 0.0054 / 0.0045, 0.01);
  EXPECT_EQ(cell.change, Change::slower);
  EXPECT_NEAR(cell.base_ms, 0.0045 + 2e-6, 1e-6);  // the steady mean: the preempted calls left out
}

// A ratio below 1 whose medians moved up is no shift: "same", not "faster".
TEST(Compare, ARatioAgainstTheMediansIsTheSame) {
  RunRecord base = noisy_run(1), next = noisy_run(2);
  Cell& b = base.experiments[0].cells[0];
  Cell& n = next.experiments[0].cells[0];
  // base: 31 calls of 1 ms and 30 of 10 (median 1); new: 29 of 0.5 and 32 of 1.1 (median 1.1). Most
  // pairs have new below base (every pair with a 10), so the ratio is below 1; the medians rose.
  b.samples_ms.assign(31, 1.0);
  b.samples_ms.insert(b.samples_ms.end(), 30, 10.0);
  n.samples_ms.assign(29, 0.5);
  n.samples_ms.insert(n.samples_ms.end(), 32, 1.1);
  b.stats = summarize(b.samples_ms);
  n.stats = summarize(n.samples_ms);
  const double ratio = hodges_lehmann_ratio(b.samples_ms, n.samples_ms);
  ASSERT_LT(ratio, 0.95);
  ASSERT_GT(summarize(n.samples_ms).median, summarize(b.samples_ms).median);
  Comparison c = compare_runs(base, next, CompareSettings{});
  EXPECT_LT(c.cells.front().p, 0.05);
  EXPECT_EQ(c.cells.front().change, Change::same);
}

TEST(Compare, NothingInCommon) {
  RunRecord other = noisy_run(1);
  for (ExperimentRecord& e : other.experiments) e.name += " (renamed)";
  Comparison c = compare_runs(noisy_run(1), other, CompareSettings{});
  EXPECT_TRUE(c.cells.empty());
  EXPECT_TRUE(std::isnan(c.geomean_ratio));
  EXPECT_TRUE(contains(render_comparison(c, CompareSettings{}), "No cell has a time in both runs."));
}

// Runs whose every time drifts by a factor of its own (another process,
// another memory layout), far more than the noise within a run.
std::vector<RunRecord> drifting_runs(unsigned seed, double matmul_factor = 1) {
  std::vector<RunRecord> runs;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> drift(0.85, 1.15);
  for (unsigned k = 0; k < 5; ++k) {
    RunRecord r = noisy_run(seed * 100 + k, matmul_factor);
    double factor = drift(rng);
    for (ExperimentRecord& e : r.experiments)
      for (Cell& c : e.cells) {
        for (double& v : c.samples_ms) v *= factor;
        c.stats = summarize(c.samples_ms);
      }
    runs.push_back(r);
  }
  return runs;
}

TEST(Compare, OneRunASideCallsDriftBetweenRunsAChange) {
  std::vector<RunRecord> a = drifting_runs(1), b = drifting_runs(2);
  Comparison c = compare_runs(a.front(), b.front(), CompareSettings{});
  EXPECT_FALSE(c.by_runs);
  EXPECT_GT(c.slower + c.faster, 0u);  // what the runs-level test is for
  EXPECT_TRUE(render_comparison(c, CompareSettings{}).find("give several runs a side") != std::string::npos);
}

TEST(Compare, SeveralRunsASideTestTheRunsMeansSoARerunIsTheSame) {
  Comparison c = compare_runs(drifting_runs(1), drifting_runs(2), CompareSettings{});
  EXPECT_TRUE(c.by_runs);
  EXPECT_EQ(c.cells.front().base_count, 5u);  // five means, not a thousand samples
  EXPECT_EQ(c.slower + c.faster, 0u);
  EXPECT_EQ(c.same, 6u);
}

TEST(Compare, SeveralRunsASideStillFlagATwofoldSlowdown) {
  Comparison c = compare_runs(drifting_runs(1), drifting_runs(2, 2.0), CompareSettings{});
  const CellComparison* matmul = find(c, "MatMul", "cpu");
  ASSERT_TRUE(matmul);
  EXPECT_EQ(matmul->change, Change::slower);
  EXPECT_LT(matmul->p, 0.05);
  EXPECT_EQ(c.slower, 2u);
}

// A run of both passes: each experiment's backward cell is compared with
// the backward cell of the other run, never with a forward one, under the
// label "<name> [backward]".
TEST(Compare, TheTwoPassesOfAnExperimentAreComparedApart) {
  auto with_backward = [](RunRecord r, const RunRecord& backward) {
    for (ExperimentRecord e : backward.experiments) {
      e.pass = Pass::backward;
      r.experiments.push_back(e);
    }
    return r;
  };
  Comparison c = compare_runs(with_backward(noisy_run(1), noisy_run(3)), with_backward(noisy_run(2), noisy_run(4, 2.0)),
                              CompareSettings{});
  ASSERT_EQ(c.cells.size(), 12u);
  EXPECT_TRUE(c.not_compared.empty());
  EXPECT_EQ(c.slower, 2u) << "the backward MatMul cells only";
  for (const CellComparison& x : c.cells) {
    bool backward = x.experiment.size() > 11 && x.experiment.substr(x.experiment.size() - 11) == " [backward]";
    bool matmul = x.experiment.rfind("MatMul", 0) == 0;
    EXPECT_EQ(x.change == Change::slower, backward && matmul) << x.experiment << " on " << x.backend;
  }
}

}  // namespace
}  // namespace opbench
