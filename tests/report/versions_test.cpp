// The tables of a run over several framework versions, on planted results:
// a column per version in version order, a change column per backend
// (newest against oldest, the seed's speedup format), the p-value of
// opbench compare's test and a mark where the change is beyond noise; the
// notes list those changes largest first; the machine line every version.
#include "report/versions.h"

#include <gtest/gtest.h>

#include <cmath>

#include "model/mann_whitney.h"
#include "model/stats.h"
#include "model/text.h"
#include "report/markdown.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using testing::contains;
using testing::lines_of;
using testing::noisy;

ExperimentRecord experiment(const std::string& op, const std::string& name, std::vector<Cell> cells) {
  ExperimentRecord e;
  e.op = op;
  e.name = name;
  e.line = name;
  e.cells = std::move(cells);
  return e;
}

// torch 2.15.0 twice as fast as 2.11.0 on ReLU, alike on Sum; mlx 0.32.4 a
// fifth slower than 0.31.2 on ReLU, alike on Sum. 200 samples a cell, 3% noise.
RunRecord planted() {
  RunRecord r;
  r.machine.cpu = "Test CPU";
  r.machine.cores = 2;
  r.backends = {testing::backend("mlx_cpu@mlx-0.31.2", 3000, ""), testing::backend("mlx_cpu@mlx-0.32.4", 3001, ""),
                testing::backend("cpu@torch-2.11.0", 5000, ""), testing::backend("cpu@torch-2.15.0", 5001, "")};
  r.versions = {{"torch@2.11.0", "2.11.0"}, {"torch@2.11.0_blas", "MKL 2024"}, {"torch@2.15.0", "2.15.0"},
                {"torch@2.15.0_blas", "MKL 2025"}, {"mlx@0.31.2", "0.31.2"}, {"mlx@0.32.4", "0.32.4"}};
  r.experiments = {experiment("ReLU", "ReLU / dim1=64x64", {noisy("cpu@torch-2.11.0", 10, 1), noisy("cpu@torch-2.15.0", 5, 2),
                                                            noisy("mlx_cpu@mlx-0.31.2", 3, 3), noisy("mlx_cpu@mlx-0.32.4", 3.6, 4)}),
                   experiment("Sum", "Sum / dim1=64x64", {noisy("cpu@torch-2.11.0", 4, 5), noisy("cpu@torch-2.15.0", 4, 6),
                                                          noisy("mlx_cpu@mlx-0.31.2", 2, 7), noisy("mlx_cpu@mlx-0.32.4", 2, 8)})};
  return r;
}

const Cell& cell(const RunRecord& r, size_t e, const std::string& backend) { return *r.experiments[e].find(backend); }

// The change column's text computed here from the two cells' samples as
// opbench compare sizes a change: the Hodges-Lehmann ratio new/old, shown as
// a speedup (1 / ratio - 1) x 100, toward zero.
std::string speedup_text(double ratio) {
  const double x = (1 / ratio - 1) * 100;
  std::string text = (x > 0 ? "+" : "") + std::to_string(static_cast<long long>(x));
  return std::string(6 - text.size(), ' ') + text + "%";
}
std::string change(const Cell& old_cell, const Cell& new_cell) {
  return speedup_text(hodges_lehmann_ratio(old_cell.samples_ms, new_cell.samples_ms));
}

TEST(VersionTables, AColumnPerVersionThenAChangeAndItsTestPerBackend) {
  RunRecord r = planted();
  std::vector<std::string> lines = lines_of(detailed_table(r));
  ASSERT_GE(lines.size(), 4u);
  EXPECT_TRUE(contains(lines[0], "| mlx_cpu@mlx-0.31.2 | mlx_cpu@mlx-0.32.4 | cpu@torch-2.11.0 | cpu@torch-2.15.0 | "
                                 "mlx_cpu 0.32.4/0.31.2 speedup | p-value | cpu 2.15.0/2.11.0 speedup | p-value |"));
  const Cell &old_relu = cell(r, 0, "cpu@torch-2.11.0"), &new_relu = cell(r, 0, "cpu@torch-2.15.0");
  const double p = mann_whitney_u(old_relu.samples_ms, new_relu.samples_ms).p;
  ASSERT_LT(p, 0.05);
  EXPECT_TRUE(contains(lines[2], change(old_relu, new_relu) + "! | " +
                                     (p < 0.001 ? formatted("%.1e", p) : formatted("%.3f", p)) + " |"));
  // MLX's slowdown is marked too; the Sums, alike, are not.
  const Cell &old_mlx = cell(r, 0, "mlx_cpu@mlx-0.31.2"), &new_mlx = cell(r, 0, "mlx_cpu@mlx-0.32.4");
  EXPECT_TRUE(contains(lines[2], change(old_mlx, new_mlx) + "! |"));
  EXPECT_EQ(lines[3].find('!'), std::string::npos) << lines[3];
  const Cell &old_sum = cell(r, 1, "cpu@torch-2.11.0"), &new_sum = cell(r, 1, "cpu@torch-2.15.0");
  EXPECT_TRUE(contains(lines[3], change(old_sum, new_sum) + "  | "));
}

// The column is compare's size of the change, not the ratio of the means:
// three calls in ten of the new version take twice as long (too many for
// the outlier fences to leave out), which pulls its mean up by a quarter,
// yet most of its samples are as fast as the old version's.
TEST(VersionTables, TheChangeIsCompareRatioNotTheMeansRatio) {
  RunRecord r = planted();
  Cell& slow_calls = r.experiments[1].cells[1];  // Sum on cpu@torch-2.15.0
  for (size_t i = 0; i < slow_calls.samples_ms.size(); ++i)
    if (i % 10 < 3) slow_calls.samples_ms[i] *= 2;
  slow_calls.stats = summarize(slow_calls.samples_ms);
  const Cell& old_sum = cell(r, 1, "cpu@torch-2.11.0");
  ASSERT_GT(slow_calls.stats.mean / old_sum.stats.mean, 1.2);  // the tables' means
  ASSERT_LT(hodges_lehmann_ratio(old_sum.samples_ms, slow_calls.samples_ms), 1.05);
  const std::string line = lines_of(detailed_table(r))[3];
  EXPECT_TRUE(contains(line, change(old_sum, slow_calls) + "  | ")) << line;
  EXPECT_EQ(line.find('!'), std::string::npos) << line;
  // The same ratio in the notes' list, in the HTML page's and the charts' speedups (one function gives them all).
  const TableData data = detailed_data(r);
  const SpeedupPair& torch = data.speedups.back();
  EXPECT_DOUBLE_EQ(speedup_in(data, "Sum / dim1=64x64", torch), 1 / hodges_lehmann_ratio(old_sum.samples_ms, slow_calls.samples_ms));
}

// A version twice as fast in rounds whose medians move by a third (a
// machine that drifts while both are timed): far beyond the test, yet
// within what a version does on its own, the change is not marked; the same
// samples timed without drift are.
TEST(VersionTables, AChangeWithinTheSpreadOfItsRoundsIsNotMarked) {
  RunRecord r = planted();
  auto in_rounds = [](Cell& c, std::vector<double> levels) {
    const size_t n = c.samples_ms.size() / levels.size();
    c.round_samples.assign(levels.size(), n);
    c.round_samples.back() += c.samples_ms.size() - n * levels.size();
    for (size_t i = 0; i < c.samples_ms.size(); ++i) c.samples_ms[i] *= levels[std::min(i / n, levels.size() - 1)];
    c.stats = summarize(c.samples_ms);
  };
  // MLX's ReLU: 0.31.2 at 3 ms, 0.32.4 at 3.6 (20% slower); rounds moving by 30%.
  in_rounds(r.experiments[0].cells[2], {1.0, 1.3, 1.0});
  in_rounds(r.experiments[0].cells[3], {1.3, 1.0, 1.0});
  const Cell &old_mlx = cell(r, 0, "mlx_cpu@mlx-0.31.2"), &new_mlx = cell(r, 0, "mlx_cpu@mlx-0.32.4");
  ASSERT_LT(mann_whitney_u(old_mlx.samples_ms, new_mlx.samples_ms).p, 0.05);
  ASSERT_GT(level_spread(old_mlx.samples_ms, old_mlx.round_samples), 0.25);
  Comparison c = compare_versions(r, version_changes(r)[0]);
  EXPECT_EQ(c.cells[0].change, Change::same);
  EXPECT_NEAR(c.cells[0].noise, std::max(level_spread(old_mlx.samples_ms, old_mlx.round_samples),
                                         level_spread(new_mlx.samples_ms, new_mlx.round_samples)), 1e-12);
  const std::string line = lines_of(detailed_table(r))[2];
  EXPECT_TRUE(contains(line, change(old_mlx, new_mlx) + "  | ")) << line;  // its size shown, not marked
  EXPECT_TRUE(contains(line, change(cell(r, 0, "cpu@torch-2.11.0"), cell(r, 0, "cpu@torch-2.15.0")) + "! |")) << line;
  EXPECT_EQ(table_notes(r).find("on mlx_cpu: 0.31.2 -> 0.32.4"), std::string::npos);
  // Rounds that agree: the same change is marked.
  RunRecord steady = planted();
  in_rounds(steady.experiments[0].cells[2], {1.0, 1.0, 1.0});
  in_rounds(steady.experiments[0].cells[3], {1.0, 1.0, 1.0});
  EXPECT_EQ(compare_versions(steady, version_changes(steady)[0]).cells[0].change, Change::slower);
}

// An op's row: the geometric mean of its experiments' ratios, as compare's
// summary takes them.
TEST(VersionTables, TheAverageChangeIsTheGeometricMeanOfTheExperimentsRatios) {
  RunRecord r = planted();
  r.experiments.push_back(experiment("ReLU", "ReLU / dim1=32x32", {noisy("cpu@torch-2.11.0", 6, 11), noisy("cpu@torch-2.15.0", 4, 12),
                                                                    noisy("mlx_cpu@mlx-0.31.2", 1, 13), noisy("mlx_cpu@mlx-0.32.4", 1, 14)}));
  const double a = hodges_lehmann_ratio(cell(r, 0, "cpu@torch-2.11.0").samples_ms, cell(r, 0, "cpu@torch-2.15.0").samples_ms);
  const double b = hodges_lehmann_ratio(cell(r, 2, "cpu@torch-2.11.0").samples_ms, cell(r, 2, "cpu@torch-2.15.0").samples_ms);
  const TableData data = average_data(r);
  EXPECT_NEAR(speedup_in(data, "ReLU ", data.speedups.back()), 1 / std::sqrt(a * b), 1e-12);
  EXPECT_TRUE(contains(lines_of(average_table(r))[2], speedup_text(std::sqrt(a * b)) + " |"));
}

TEST(VersionTables, TheAverageTableHasTheChangeWithoutATest) {
  std::vector<std::string> lines = lines_of(average_table(planted()));
  EXPECT_TRUE(contains(lines[0], "| cpu@torch-2.15.0 | mlx_cpu 0.32.4/0.31.2 speedup | cpu 2.15.0/2.11.0 speedup |"));
  EXPECT_EQ(lines[0].find("p-value"), std::string::npos);
}

TEST(VersionTables, NotesListTheChangesBeyondNoiseLargestFirst) {
  RunRecord r = planted();
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "the Hodges-Lehmann ratio of each cell's samples"));
  EXPECT_TRUE(contains(notes, "beyond noise (a change is real when p < 0.05, new/base is off 1 by more than 5% and by more than "
                              "either cell moved on its own (the spread of its rounds' medians, or of its samples' thirds) and "
                              "the medians moved its way): 2 of 4 cells, largest first:\n"
                              "- ReLU / dim1=64x64 on cpu: 2.11.0 -> 2.15.0: "));
  // Each change's size is the column's: compare's ratio.
  const std::string relu = trimmed(change(cell(r, 0, "cpu@torch-2.11.0"), cell(r, 0, "cpu@torch-2.15.0")));
  EXPECT_TRUE(contains(notes, " ms, " + relu + " (faster, p ")) << notes;
  size_t torch = notes.find("on cpu: 2.11.0 -> 2.15.0"), mlx = notes.find("on mlx_cpu: 0.31.2 -> 0.32.4");
  ASSERT_NE(mlx, std::string::npos);
  EXPECT_LT(torch, mlx);  // x2 before x1.2
  EXPECT_TRUE(contains(notes, "(faster, p "));
  EXPECT_TRUE(contains(notes, "(slower, p "));
  EXPECT_EQ(notes.find("- Sum / dim1=64x64 on"), std::string::npos);
}

TEST(VersionTables, ChangesAreCompareRunsOfTheTwoVersions) {
  RunRecord r = planted();
  std::vector<VersionChange> changes = version_changes(r);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[1].backend, "cpu");
  EXPECT_EQ(changes[1].oldest, "cpu@torch-2.11.0");
  EXPECT_EQ(changes[1].newest, "cpu@torch-2.15.0");
  Comparison c = compare_versions(r, changes[1]);
  ASSERT_EQ(c.cells.size(), 2u);
  EXPECT_EQ(c.cells[0].backend, "cpu");
  // compare's size of a change: the Hodges-Lehmann ratio of the two versions' samples.
  EXPECT_DOUBLE_EQ(c.cells[0].ratio, hodges_lehmann_ratio(cell(r, 0, "cpu@torch-2.11.0").samples_ms,
                                                          cell(r, 0, "cpu@torch-2.15.0").samples_ms));
  EXPECT_EQ(c.cells[0].change, Change::faster);
  EXPECT_EQ(c.cells[1].change, Change::same);
}

TEST(VersionTables, OneVersionOfABackendHasNoChangeColumn) {
  RunRecord r = planted();
  r.backends.pop_back();
  for (ExperimentRecord& e : r.experiments) e.cells.pop_back();
  EXPECT_EQ(version_changes(r).size(), 1u);
  EXPECT_EQ(detailed_table(r).find("cpu 2.15.0"), std::string::npos);
  // A version without a time: its change is nan, not tested, and the notes say nothing of it.
  RunRecord failed = planted();
  failed.experiments[0].cells[1] = testing::failed("cpu@torch-2.15.0", "cannot build the torch 2.15.0 plug-in: error: x");
  EXPECT_TRUE(contains(lines_of(detailed_table(failed))[2], "   nan%  | n/a |"));
}

TEST(VersionTables, TheMachineLineGivesEveryVersion) {
  EXPECT_EQ(planted().description(),
            "Test CPU (2 cores), 0 GiB - mlx 0.31.2, mlx 0.32.4, torch 2.11.0 (blas MKL 2024), torch 2.15.0 (blas MKL 2025)");
}

}  // namespace
}  // namespace opbench
