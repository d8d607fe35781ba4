// The markdown tables against the seed's layout
// (../shared/seed/000_263619b934305184.txt). Speedups are worked out by hand
// from the times fed in: (time_B / time_A - 1) x 100, cut toward zero.
#include "report/markdown.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "model/experiment.h"

namespace opbench {
namespace {

::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' is not in:\n" << text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

BackendRecord backend(const std::string& name, int column, std::vector<SpeedupColumn> speedups = {}) {
  BackendRecord b;
  b.info = {name, column, name + " backend", std::move(speedups)};
  return b;
}

Cell timed(const std::string& backend, double mean_ms) {
  Cell c;
  c.backend = backend;
  c.stats = {mean_ms, mean_ms, mean_ms, mean_ms, 0.0, 0.002, 5};
  c.samples_ms = std::vector<double>(5, mean_ms);
  c.stop = Stop::noise;
  return c;
}

Cell failed(const std::string& backend, const std::string& error) {
  Cell c;
  c.backend = backend;
  c.error = error;
  return c;
}

ExperimentRecord experiment(const std::string& line, std::vector<Cell> cells) {
  Experiment e = parse_experiment(line);
  return {e.op, e.name(), e.line(), std::move(cells)};
}

// Times per backend in the seed's Apple column order.
std::vector<Cell> apple_cells(double gpu, double compile, double mlx_cpu, double mps, double cpu) {
  return {timed("mlx_gpu", gpu), timed("mlx_gpu_compile", compile), timed("mlx_cpu", mlx_cpu), timed("mps", mps),
          timed("cpu", cpu)};
}

// The seed's "Apple M1 Pro" section: five backends, three speedup columns.
// Argmax averages to the seed's row (1.75, 1.74, 10.55, 1.02, 8.19);
// ScatterSum's mps fails in one of its experiments.
RunRecord apple_run() {
  RunRecord r;
  r.machine = {"Apple M1 Pro", 10, 17179869184, "Darwin 23.0 arm64", "mac"};
  r.versions = {{"mlx", "0.5.0"}, {"torch", "2.2.1"}};
  r.backends = {backend("mlx_gpu", 10, {{"mps", 20}, {"mlx_cpu", 30}}), backend("mlx_gpu_compile", 20, {{"mlx_gpu", 10}}),
                backend("mlx_cpu", 30), backend("mps", 40), backend("cpu", 50)};
  std::vector<Cell> failing = apple_cells(0.33, 0.40, 0.10, NAN, 1.54);
  failing[3] = failed("mps", "scatter_reduce is not implemented for MPS");
  r.experiments = {
      experiment("Argmax dim1=64x1024x128 axis=0", apple_cells(1.50, 1.70, 10.00, 1.00, 8.00)),
      experiment("Argmax dim1=64x1024x128 axis=1", apple_cells(2.00, 1.78, 11.10, 1.04, 8.38)),
      experiment("ScatterSum dim1=64x16 dim2=10", apple_cells(0.29, 0.40, 0.10, 0.50, 1.40)),
      experiment("ScatterSum dim1=64x16 dim2=1000", failing),
  };
  return r;
}

// The seed's CUDA sections: cpu, cuda and one speedup column.
RunRecord cuda_run() {
  RunRecord r;
  r.machine = {"Intel Xeon Gold 5120", 28, 64424509440, "Linux", "v100"};
  r.backends = {backend("cpu", 50), backend("cuda", 60, {{"cpu", 40}})};
  r.backends[1].device = "Tesla V100";
  auto cells = [](double cpu, double cuda) { return std::vector<Cell>{timed("cpu", cpu), timed("cuda", cuda)}; };
  r.experiments = {experiment("Argmax dim1=64x1024x128 axis=0", cells(34.34, 0.11)),
                   experiment("BCE dim1=1000000 dim2=1000000", cells(198.19, 0.19)),
                   experiment("MatMul dim1=64x1000000 dim2=1000000x32", cells(1241.12, 2.80)),
                   experiment("ScatterSum dim1=64x16 dim2=10", cells(4.25, 0.08))};
  return r;
}

// ---- the backward pass -------------------------------------------------------

// A run of both passes: the forward tables exactly as a forward run prints
// them, then the backward pass's under its heading; Argmax, without a
// gradient, is n/a in both backward tables, not nan, and listed.
TEST(MarkdownBackward, EachPassHasItsOwnTablesTheForwardOnesAsBefore) {
  RunRecord forward = cuda_run();
  RunRecord both = forward;
  for (ExperimentRecord e : forward.experiments) {
    e.pass = Pass::backward;
    for (Cell& c : e.cells) c.stats.mean *= 3;
    if (e.op == "Argmax")
      for (Cell& c : e.cells) {
        c = failed(c.backend, "Argmax gives indices: no gradient with respect to its float input");
        c.not_applicable = true;
      }
    both.experiments.push_back(e);
  }
  const std::string f = render_run(forward), b = render_run(both);
  ASSERT_EQ(b.substr(0, f.size()), f);
  const std::string backward = b.substr(f.size());
  EXPECT_EQ(backward.rfind("\n## Backward pass (forward + gradients)\n\n### Detailed benchmark\n\n", 0), 0u) << backward;
  EXPECT_TRUE(contains(backward, "\n### Average benchmark\n"));
  size_t rows_na = 0;
  for (const std::string& line : lines_of(backward))
    if (line.rfind("| Argmax ", 0) == 0) {
      EXPECT_TRUE(contains(line, "|    n/a |    n/a |    nan% |"));
      ++rows_na;
    }
  EXPECT_EQ(rows_na, 2u) << "Argmax's row in each backward table";
  EXPECT_TRUE(contains(backward, " | 594.57 |   0.57 |"));
  EXPECT_FALSE(contains(f, "n/a"));
  EXPECT_TRUE(contains(backward, "- n/a: Argmax / dim=64x1024x128 axi=0 on cpu: Argmax gives indices"));
  EXPECT_FALSE(contains(backward, "- nan:"));
  // The run files: average.md's table, then the backward pass's under its heading.
  EXPECT_EQ(tables_by_pass(forward, average_table), average_table(forward));
  EXPECT_EQ(tables_by_pass(both, average_table),
            average_table(forward) + "\n## Backward pass (forward + gradients)\n\n" + average_table(both.only(Pass::backward)));
}

// ---- cells ---------------------------------------------------------------

TEST(FormatMs, TwoDecimalsAtLeastSixWide) {
  EXPECT_EQ(format_ms(1.81), "  1.81");
  EXPECT_EQ(format_ms(1241.12), "1241.12");
  EXPECT_EQ(format_ms(10.5), " 10.50");
  EXPECT_EQ(format_ms(0.004), "  0.00");
  EXPECT_EQ(format_ms(NAN), "   nan");
}

TEST(FormatSpeedup, TheSeedsRule) {
  EXPECT_EQ(format_speedup(1.81, 2.87), "   +58%");  // 2.87 / 1.81 = 1.5856
  EXPECT_EQ(format_speedup(2.0, 1.0), "   -50%");
  EXPECT_EQ(format_speedup(1.0, 1.004), "    +0%");  // +0.4% is cut to +0
  EXPECT_EQ(format_speedup(1.0, 0.999), "     0%");  // -0.1% is cut to 0, unsigned
  EXPECT_EQ(format_speedup(1.0, 1.0), "     0%");
  EXPECT_EQ(format_speedup(1.75, 1.02), "   -41%");  // -41.7% is cut toward zero, not rounded to -42
  EXPECT_EQ(format_speedup(0.19, 198.19), "+104210%");  // wider than 6: not cut
}

TEST(FormatSpeedup, NanWhenEitherTimeIsMissing) {
  EXPECT_EQ(format_speedup(NAN, 1.0), "   nan%");
  EXPECT_EQ(format_speedup(1.0, NAN), "   nan%");
  EXPECT_EQ(format_speedup(0.0, 1.0), "   nan%");  // infinitely faster is no number either
}

// ---- the seed's Apple layout ---------------------------------------------

TEST(AverageTable, HeaderAndSeparatorAreTheSeeds) {
  std::vector<std::string> lines = lines_of(average_table(apple_run()));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "| Operation       | mlx_gpu | mlx_gpu_compile | mlx_cpu | mps | cpu | mlx_gpu_compile/mlx_gpu speedup | "
            "mlx_gpu/mps speedup | mlx_gpu/mlx_cpu speedup |");
  EXPECT_EQ(lines[1],
            "|-----------------|-------|---------------|-------|------|------|-------------------------------|-------------"
            "------|-----------------------|");
}

TEST(AverageTable, OneRowPerOpWithTheMeanOfItsExperiments) {
  std::vector<std::string> lines = lines_of(average_table(apple_run()));
  ASSERT_EQ(lines.size(), 4u);
  // 1.75/1.74 - 1 = +0.6%; 1.02/1.75 - 1 = -41.7%; 10.55/1.75 - 1 = +502.9%.
  EXPECT_EQ(lines[2], "| Argmax      |   1.75 |   1.74 |  10.55 |   1.02 |   8.19 |     +0% |    -41% |   +502% |");
  // mps failed once: its average is nan, not the other experiment's time.
  // 0.31/0.40 - 1 = -22.5%; 0.10/0.31 - 1 = -67.7%.
  EXPECT_EQ(lines[3], "| ScatterSum  |   0.31 |   0.40 |   0.10 |    nan |   1.47 |    -22% |    nan% |    -67% |");
}

TEST(AverageTable, BackendsInColumnOrderWhateverTheRecordsOrder) {
  RunRecord r = apple_run();
  std::swap(r.backends[0], r.backends[4]);
  std::swap(r.backends[1], r.backends[3]);
  EXPECT_EQ(average_table(r), average_table(apple_run()));
}

TEST(AverageTable, OpsInTheOrderTheyFirstAppear) {
  RunRecord r = apple_run();
  std::swap(r.experiments[0], r.experiments[2]);
  std::vector<std::string> lines = lines_of(average_table(r));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2].rfind("| ScatterSum  |", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("| Argmax      |", 0), 0u) << lines[3];
}

TEST(AverageTable, ASpeedupColumnNeedsBothBackends) {
  RunRecord r = apple_run();
  r.backends.erase(r.backends.begin() + 3);  // no mps
  r.backends.erase(r.backends.begin() + 1);  // no mlx_gpu_compile
  std::string header = lines_of(average_table(r))[0];
  EXPECT_EQ(header, "| Operation       | mlx_gpu | mlx_cpu | cpu | mlx_gpu/mlx_cpu speedup |");
}

// ---- the seed's CUDA layout ----------------------------------------------

TEST(AverageTable, CudaLayout) {
  std::vector<std::string> lines = lines_of(average_table(cuda_run()));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "| Operation       | cpu | cuda | cuda/cpu speedup |");
  EXPECT_EQ(lines[1], "|-----------------|------|------|----------------|");
  EXPECT_EQ(lines[2], "| Argmax      |  34.34 |   0.11 | +31118% |");    // 34.34 / 0.11 = 312.18
  EXPECT_EQ(lines[3], "| BCE         | 198.19 |   0.19 | +104210% |");   // 198.19 / 0.19 = 1043.1
  EXPECT_EQ(lines[4], "| MatMul      | 1241.12 |   2.80 | +44225% |");   // 1241.12 / 2.80 = 443.26
  EXPECT_EQ(lines[5], "| ScatterSum  |   4.25 |   0.08 |  +5212% |");    // 4.25 / 0.08 = 53.125
}

// ---- detailed table, notes, the whole report -----------------------------

TEST(DetailedTable, ARowPerExperimentLabelledByItsName) {
  std::vector<std::string> lines = lines_of(detailed_table(apple_run()));
  ASSERT_EQ(lines.size(), 6u);
  // The longest label, "ScatterSum / dim=64x16 dim=1000", is 31 wide; as in
  // the seed, the first column of the header and separator is 4 wider still.
  EXPECT_EQ(lines[0].rfind("| Operation" + std::string(26, ' ') + " | mlx_gpu |", 0), 0u) << lines[0];
  EXPECT_EQ(lines[1].rfind("|-------------------------------------|-------|", 0), 0u) << lines[1];
  // 1.50/1.70 - 1 = -11.8%; 1.00/1.50 - 1 = -33.3%; 10.00/1.50 - 1 = +566.7%.
  EXPECT_EQ(lines[2],
            "| Argmax / dim=64x1024x128 axi=0  |   1.50 |   1.70 |  10.00 |   1.00 |   8.00 |    -11% |    -33% |   +566% |");
  EXPECT_EQ(lines[3].rfind("| Argmax / dim=64x1024x128 axi=1  |", 0), 0u) << lines[3];
  EXPECT_EQ(lines[4].rfind("| ScatterSum / dim=64x16 dim=10   |", 0), 0u) << lines[4];
  // 0.33/0.40 - 1 = -17.5%; 0.10/0.33 - 1 = -69.7%.
  EXPECT_EQ(lines[5],
            "| ScatterSum / dim=64x16 dim=1000 |   0.33 |   0.40 |   0.10 |    nan |   1.54 |    -17% |    nan% |    -69% |");
}

TEST(DetailedTable, AMissingCellIsNan) {
  RunRecord r = cuda_run();
  r.experiments[0].cells.pop_back();  // Argmax never ran on cuda
  std::vector<std::string> lines = lines_of(detailed_table(r));
  EXPECT_EQ(lines[2], "| Argmax / dim=64x1024x128 axi=0         |  34.34 |    nan |    nan% |");
}

TEST(TableNotes, ListEveryNanCellWithItsReason) {
  std::string notes = table_notes(apple_run());
  EXPECT_TRUE(
      contains(notes, "ScatterSum / dim=64x16 dim=1000 on mps: scatter_reduce is not implemented for MPS"));
  // That one failure, and no other cell.
  size_t listed = 0;
  for (const std::string& line : lines_of(notes)) listed += line.rfind("- ", 0) == 0;
  EXPECT_EQ(listed, 1u) << notes;
}

// A cell whose output disagreed with the reference has no time.
TEST(DetailedTable, AWrongCellIsMarkedAndHasNoSpeedup) {
  RunRecord r = cuda_run();
  r.experiments[3].cells[1].check = {Verdict::wrong, 0.75, 1e-4, "48 of 64 rows differ", {CheckScope::Kind::reference}};
  std::vector<std::string> lines = lines_of(detailed_table(r));
  EXPECT_EQ(lines[5], "| ScatterSum / dim=64x16 dim=10          |   4.25 |  wrong |    nan% |");
  EXPECT_EQ(lines_of(average_table(r))[5], "| ScatterSum  |   4.25 |    nan |    nan% |");
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "- wrong: ScatterSum / dim=64x16 dim=10 on cuda"));
  EXPECT_TRUE(contains(notes, "48 of 64 rows differ"));
}

// An imprecise cell is timed: its time, and its op's average, carry the
// mark; the notes say how far off it was.
TEST(DetailedTable, AnImpreciseCellIsTimedMarkedAndNoted) {
  RunRecord r = cuda_run();
  r.experiments[1].cells[1].check = {Verdict::imprecise, 0.0178, 1e-4, "relative error 0.017800 above 0.000100",
                                     {CheckScope::Kind::reference}};
  EXPECT_EQ(lines_of(detailed_table(r))[3], "| BCE / dim=1000000 dim=1000000          | 198.19 |   0.19* | +104210% |");
  EXPECT_EQ(lines_of(average_table(r))[3], "| BCE         | 198.19 |   0.19* | +104210% |");
  EXPECT_EQ(lines_of(average_table(r))[2], "| Argmax      |  34.34 |   0.11 | +31118% |");  // no mark elsewhere
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "1 cell's output was imprecise"));
  EXPECT_TRUE(contains(notes, "- imprecise: BCE / dim=1000000 dim=1000000 on cuda: error 0.018 above the tolerance "
                              "0.0001 against the reference; timed, marked *\n"));
  EXPECT_TRUE(contains(notes, "Samples: wall timing, warm caches, memory the allocators reuse (4 cells); wall timing, warm "
                              "caches, memory the allocators reuse, results awaited by polling (4 cells)"))
      << notes;  // counted among the timed
}

TEST(AverageTable, AnAverageWithAnImpreciseCellIsMarkedUnlessItIsNan) {
  RunRecord r = apple_run();
  r.experiments[1].cells[0].check.verdict = Verdict::imprecise;  // Argmax on mlx_gpu
  r.experiments[3].cells[2].check.verdict = Verdict::imprecise;  // ScatterSum on mlx_cpu
  r.experiments[3].cells[2].error = "out of memory";             // ... with no time after all
  std::vector<std::string> lines = lines_of(average_table(r));
  EXPECT_EQ(lines[2].rfind("| Argmax      |   1.75* |   1.74 |", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3].rfind("| ScatterSum  |   0.31 |   0.40 |    nan |", 0), 0u) << lines[3];
}

TEST(FormatTime, MarksAnImpreciseTimeAndNamesAWrongCell) {
  EXPECT_EQ(format_time({12.34, Verdict::passed}), " 12.34");
  EXPECT_EQ(format_time({12.34, Verdict::imprecise}), " 12.34*");
  EXPECT_EQ(format_time({NAN, Verdict::imprecise}), "   nan");
  EXPECT_EQ(format_time({NAN, Verdict::wrong}), " wrong");
  EXPECT_EQ(format_time({}), "   nan");
}

TEST(TableNotes, SayHowNoisyTheCellsWere) {
  RunRecord r = cuda_run();
  r.experiments[2].cells[1].stats.noise = 0.034;
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "median 0.2%"));
  EXPECT_TRUE(contains(notes, "worst 3.4% (MatMul / dim=64x1000000 dim=1000000x32 on cuda)"));
}

// Cells stopped once their spread settled above the target are counted;
// runs without such cells (every file before the rule) say nothing of it.
TEST(TableNotes, CountCellsStoppedOnceTheirSpreadSettled) {
  RunRecord r = cuda_run();
  EXPECT_FALSE(contains(table_notes(r), "settled"));
  r.experiments[2].cells[1].stop = Stop::settled;
  r.experiments[3].cells[0].stop = Stop::settled;
  EXPECT_TRUE(contains(table_notes(r), "2 cells stopped before the 1.0% noise target once the samples' spread had "
                                       "settled: at that spread the target lay beyond --max-time"))
      << table_notes(r);
}

// Page faults and system time are a large share of the cell's time: the note
// names the cell with its figures; a cell that faults little is not named.
TEST(TableNotes, NameCellsWhoseTimeGoesToPageFaults) {
  RunRecord r = cuda_run();
  r.experiments[1].cells[0].host = HostCost{48828, 90.0, 99.1};  // BCE on cpu: 198.19 ms a call
  r.experiments[2].cells[0].host = HostCost{3, 1200.0, 0.5};
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "- page faults: BCE / dim=1000000 dim=1000000 on cpu: 48828 minor page faults and 99.1 ms "
                              "of system time per call (50.0% of its 198 ms)"));
  EXPECT_EQ(notes.find("MatMul / dim=64x1000000 dim=1000000x32 on cpu"), std::string::npos) << notes;
}

// A cell whose samples are two populations (a few calls preempted for 10 ms
// among calls of 4.5 us) shows its steady mean, marked ~, as does its op's
// average; the notes give what was left out, the median and every sample's mean.
TEST(TableNotes, AMixedCellIsMarkedAndListed) {
  RunRecord r = cuda_run();
  Cell& scatter = r.experiments[3].cells[0];  // ScatterSum on cpu
  scatter.samples_ms.assign(190, 4.25);
  for (size_t i = 0; i < 190; ++i) scatter.samples_ms[i] += 0.001 * (i % 3);
  scatter.samples_ms.insert(scatter.samples_ms.end(), 10, 100.0);
  scatter.stats = summarize(scatter.samples_ms);
  ASSERT_TRUE(scatter.stats.mixed());
  EXPECT_EQ(lines_of(detailed_table(r))[5], "| ScatterSum / dim=64x16 dim=10          |   4.25~ |   0.08 |  +5213% |");
  EXPECT_EQ(lines_of(average_table(r))[5], "| ScatterSum  |   4.25~ |   0.08 |  +5213% |");
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "- mixed samples: ScatterSum / dim=64x16 dim=10 on cpu: 10 of 200 samples beyond the "
                              "outlier fences (up to 100 ms) left out of its mean, marked ~; median 4.25 ms, mean of "
                              "every sample 9.04 ms\n"))
      << notes;
  EXPECT_FALSE(contains(table_notes(cuda_run()), "mixed samples"));
}

// The sampling line names the allocators' state, how the GPU cells' calls
// waited for their results and their threads held on one core where they
// were; the warm-up line its floor and cap, and how many cells reached the cap.
TEST(TableNotes, StateTheMemoryStateAndTheWarmUp) {
  RunRecord r = cuda_run();
  r.settings.sampler.one_core = true;  // --one-core: cuda's cells, not cpu's
  EXPECT_TRUE(contains(table_notes(r), "Samples: wall timing, warm caches, memory the allocators reuse (4 cells); wall "
                                       "timing, warm caches, memory the allocators reuse, results awaited by polling, "
                                       "threads on one core (4 cells)"))
      << table_notes(r);
  r.settings.sampler.one_core = false;
  r.settings.sampler.wait = GpuWait::sleep;
  EXPECT_TRUE(contains(table_notes(r), "memory the allocators reuse (4 cells); wall timing, warm caches, memory the "
                                       "allocators reuse, results awaited asleep (woken by the driver) (4 cells)"))
      << table_notes(r);
  r.settings.sampler.wait = GpuWait::framework;  // a file from before --wait
  EXPECT_TRUE(contains(table_notes(r), "reuse, results awaited as each framework does (4 cells)")) << table_notes(r);
  r.settings.sampler.wait = GpuWait::poll;
  r.settings.sampler.fresh_memory = true;
  r.settings.sampler.warmup_max_s = 0.5;
  r.experiments[0].cells[1].warmup = WarmUpRecord{400, true};
  r.experiments[1].cells[1].warmup = WarmUpRecord{30, false};
  std::string notes = table_notes(r);
  EXPECT_TRUE(contains(notes, "Samples: wall timing, warm caches, fresh memory every call (4 cells); wall timing, warm "
                              "caches, fresh memory every call, results awaited by polling (4 cells)"))
      << notes;
  EXPECT_TRUE(contains(notes, "Warm-up: until the calls' times no longer fell, at least 0.01 s, at most 0.5 s a cell; "
                              "1 cell reached the cap still falling.\n"))
      << notes;
}

// One GPU seen by two frameworks, which round its memory differently, is
// named once in the machine line.
TEST(MachineLine, EachDeviceOnce) {
  RunRecord r = cuda_run();
  r.backends.insert(r.backends.begin(), backend("mlx_gpu", 10));
  r.backends[0].device = "NVIDIA H100 80GB HBM3 (80 GiB)";
  r.backends[2].device = "NVIDIA H100 80GB HBM3 (79 GiB)";
  std::string line = r.description();
  EXPECT_TRUE(contains(line, "/ NVIDIA H100 80GB HBM3 (80 GiB)"));
  EXPECT_EQ(line.find("H100"), line.rfind("H100")) << line;
}

TEST(RenderRun, StartsWithTheBoldMachineLineThenBothTables) {
  RunRecord r = apple_run();
  std::string out = render_run(r);
  EXPECT_EQ(out.rfind("**" + r.description() + "**\n", 0), 0u) << out;
  EXPECT_TRUE(contains(out, detailed_table(r)));
  EXPECT_TRUE(contains(out, average_table(r)));
  EXPECT_LT(out.find(detailed_table(r)), out.find(average_table(r)));
  EXPECT_TRUE(contains(out, "scatter_reduce is not implemented for MPS"));
}

// Where the run's time went: each phase summed over the experiments and
// cells that recorded it; files from before phases were recorded say nothing.
TEST(TableNotes, SayWhereTheTimeWentWhenTheRecordHasPhases) {
  RunRecord r = cuda_run();
  EXPECT_FALSE(contains(table_notes(r), "Where the time went"));
  r.experiments[0].phases = ExperimentPhases{2.0, 30.0, 1.5};
  r.experiments[1].phases = ExperimentPhases{0.5, 4.0, 0.5};
  r.experiments[0].cells[0].phases = CellPhases{0.25, 0.5, 0.125, 1.0};
  r.experiments[0].cells[1].phases = CellPhases{1.0, 0.25, 0.125, 2.0};
  r.experiments[1].cells[1].phases = CellPhases{0.25, 0.25, 0.25, 3.0};
  EXPECT_TRUE(contains(table_notes(r),
                       "Where the time went: 48 s for 2 experiments: inputs 2.5 s, reference 34 s, preparing the backends "
                       "(inputs converted, moved to the device) 1.5 s, checked runs 1 s, warm-up 0.5 s, sampling 6 s, "
                       "the rest (worker processes, messages) 2 s.\n"))
      << table_notes(r);
}

}  // namespace
}  // namespace opbench
