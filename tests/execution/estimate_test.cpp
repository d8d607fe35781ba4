// The estimate a run prints before it starts: from an earlier run of this
// machine, cell by cell, else from the sampling settings' bounds.
#include "execution/estimate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "format/json.h"
#include "model/stats.h"

namespace opbench {
namespace {

const Machine kHere = {"AMD EPYC 7B13", 2, 25769803776ULL, "Linux 6.1.0 x86_64", "laptop"};

// A cell of `backend` whose phases add up to `seconds`.
Cell cell_of(const std::string& backend, double seconds) {
  Cell c;
  c.backend = backend;
  c.phases = CellPhases{0.25 * seconds, 0.25 * seconds, 0.25 * seconds, 0.25 * seconds};
  c.samples_ms = {1.0, 1.5};
  c.stats = summarize(c.samples_ms);
  return c;
}

// An earlier run of `machine`: ReLU (cells of 10 and 20 s, 6 s of inputs and
// reference between them) and Sort (cpu 40 s, no experiment phases).
RunRecord earlier_run(const Machine& machine, const std::string& created = "2026-12-01T10:00:00Z") {
  RunRecord r;
  r.created = created;
  r.machine = machine;
  ExperimentRecord relu{"ReLU", "ReLU / dim=8", "ReLU dim1=8", {cell_of("cpu", 10), cell_of("mlx_cpu", 20)}};
  relu.phases = ExperimentPhases{2, 3, 1};
  ExperimentRecord sort{"Sort", "Sort / dim=8 axi=0", "Sort dim1=8 axis=0", {cell_of("cpu", 40)}};
  r.experiments = {relu, sort};
  return r;
}

TEST(RunEstimate, EachCellAsLongAsItTookInAnEarlierRunOfThisMachine) {
  std::vector<PlannedCell> cells = {{"ReLU dim1=8", "cpu"}, {"ReLU dim1=8", "mlx_cpu"}, {"Sort dim1=8 axis=0", "cpu"}};
  RunEstimate e = estimate_run(cells, SamplerSettings{}, {{"results/a/result.json", earlier_run(kHere)}}, kHere);
  ASSERT_TRUE(e.earlier);
  EXPECT_EQ(e.earlier->path, "results/a/result.json");
  EXPECT_EQ(e.matched, 3u);
  EXPECT_DOUBLE_EQ(e.seconds, (10 + 3) + (20 + 3) + 40);  // each ReLU cell carries half of its 6 s
  EXPECT_EQ(estimate_text(e, "results"),
            "3 cells, about 1m16s: the time each took in results/a/result.json (this machine, 3 of these cells; the "
            "rest at its mean a cell)");
  // A cell the earlier run lacks counts at its mean: (13 + 23 + 40) / 3.
  cells.push_back({"Sort dim1=8 axis=0", "mlx_cpu"});
  e = estimate_run(cells, SamplerSettings{}, {{"results/a/result.json", earlier_run(kHere)}}, kHere);
  EXPECT_EQ(e.matched, 3u);
  EXPECT_DOUBLE_EQ(e.seconds, 76 + 76.0 / 3);
}

TEST(RunEstimate, OnlyAnEarlierRunOfThisMachineCounts) {
  Machine other = kHere;
  other.hostname = "desktop";
  std::vector<PlannedCell> cells(40, PlannedCell{"ReLU dim1=8", "cpu"});
  RunEstimate e = estimate_run(cells, SamplerSettings{}, {{"results/b/result.json", earlier_run(other)}}, kHere);
  EXPECT_FALSE(e.earlier);
  EXPECT_DOUBLE_EQ(e.least_s, 40 * 0.02);
  EXPECT_DOUBLE_EQ(e.most_s, 40 * 2.01);
  EXPECT_EQ(estimate_text(e, "results"),
            "40 cells: sampling alone takes 0m01s to 1m20s (each cell 0.02 to 2.01 s: --warmup, --min-time, "
            "--max-time), inputs and references on top; no earlier run of this machine in results to estimate from");
  // A run that shares no cell with the plan tells nothing either.
  e = estimate_run({{"MatMul dim1=8x8 dim2=8x8", "cpu"}}, SamplerSettings{}, {{"x", earlier_run(kHere)}}, kHere);
  EXPECT_FALSE(e.earlier);
}

TEST(RunEstimate, TheRunWithTheMostOfThePlannedCellsThenTheNewest) {
  RunRecord old_full = earlier_run(kHere, "2026-11-01T00:00:00Z"), new_full = earlier_run(kHere, "2026-12-02T00:00:00Z");
  RunRecord newest_partial = earlier_run(kHere, "2026-12-03T00:00:00Z");
  newest_partial.experiments.pop_back();  // no Sort
  for (Cell& c : new_full.experiments[1].cells) c.phases = CellPhases{100, 0, 0, 0};
  std::vector<PlannedCell> cells = {{"ReLU dim1=8", "cpu"}, {"Sort dim1=8 axis=0", "cpu"}};
  RunEstimate e = estimate_run(cells, SamplerSettings{}, {{"old", old_full}, {"partial", newest_partial}, {"new", new_full}}, kHere);
  ASSERT_TRUE(e.earlier);
  EXPECT_EQ(e.earlier->path, "new");
  EXPECT_DOUBLE_EQ(e.seconds, 13 + 100);
}

TEST(RunEstimate, AMinuteOrLessSaysNothing) {
  std::vector<PlannedCell> one = {{"ReLU dim1=8", "cpu"}};
  EXPECT_EQ(estimate_text(estimate_run(one, SamplerSettings{}, {{"a", earlier_run(kHere)}}, kHere), "results"), "");
  std::vector<PlannedCell> few(29, PlannedCell{"ReLU dim1=8", "cpu"});  // 29 x 2.01 s = 58 s at most
  EXPECT_EQ(estimate_text(estimate_run(few, SamplerSettings{}, {}, kHere), "results"), "");
}

TEST(RunEstimate, EarlierRunsAreTheResultFilesOfAFoldersFolders) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("opbench_estimate_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  for (const char* sub : {"good", "corrupt", "empty"}) std::filesystem::create_directories(dir / sub);
  write_file_atomically((dir / "good" / "result.json").string(), to_json(earlier_run(kHere)));
  std::ofstream(dir / "corrupt" / "result.json") << "{\"schema\": \"opbench-result\", ";
  std::ofstream(dir / "result.json") << to_json(earlier_run(kHere));  // in the folder itself: not a run folder
  std::vector<EarlierRun> runs = earlier_runs(dir.string());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].path, (dir / "good" / "result.json").string());
  EXPECT_EQ(runs[0].record.experiments.size(), 2u);
  EXPECT_TRUE(earlier_runs((dir / "absent").string()).empty());
  std::filesystem::remove_all(dir);
}

TEST(RunEstimate, Durations) {
  EXPECT_EQ(duration_text(42), "0m42s");
  EXPECT_EQ(duration_text(18 * 60 + 22), "18m22s");
  EXPECT_EQ(duration_text(3900), "1h05m");
}

}  // namespace
}  // namespace opbench
