// --memory in the reports: the memory table, the CSV columns and the HTML
// tooltips; and nothing of it where a run had no --memory.
#include <gtest/gtest.h>

#include "model/ops.h"
#include "model/peak_memory.h"
#include "report/csv.h"
#include "report/html.h"
#include "report/memory_table.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

MemoryFigure figure(double peak, double least, const std::string& source, bool in_place = false) {
  MemoryFigure m;
  m.peak_bytes = peak;
  m.least_bytes = least;
  m.source = source;
  m.in_place = in_place;
  return m;
}

MemoryFigure none(const std::string& why) {
  MemoryFigure m;
  m.unavailable = why;
  return m;
}

const std::string kTorch = "LibTorch's CPU allocator, counted by opbench", kMlx = "MLX's allocator (active memory)";

// The CPU machine with a figure of each kind: plausible, wrong (below its
// result), none, in place; Sort's cells have none (a file from before --memory).
RunRecord measured_machine() {
  RunRecord r = cpu_machine();
  r.settings.memory = true;
  auto set = [&](size_t experiment, size_t cell, MemoryFigure m) { r.experiments[experiment].cells[cell].memory = m; };
  set(0, 0, figure(524288, 524288, kMlx));   // Argmax axis=0: 1024x128 uint32 indices
  set(0, 1, figure(1048576, 524288, kTorch));  // int64 indices: twice the least
  set(1, 0, figure(1000, 32768, kMlx));      // below its 64x128 indices: impossible
  set(1, 1, none("a planted reason: no count here"));
  set(2, 0, figure(0, 0, kMlx, /*in_place=*/true));
  set(2, 1, figure(16384, 16384, kTorch));
  return r;
}

TEST(PeakMemory, TheLeastIsTheResultWithIndicesAtFourBytes) {
  EXPECT_EQ(least_memory(parse_experiment("MatMul dim1=64x64 dim2=64x64")), 64 * 64 * 4);
  EXPECT_EQ(least_memory(parse_experiment("Argmax dim1=64x1024x128 axis=1")), 64 * 128 * 4);
  EXPECT_EQ(least_memory(parse_experiment("ReLU dim1=10x10 dtype=float16")), 100 * 2);
}

TEST(PeakMemory, AFigureBelowTheLeastIsImplausible) {
  EXPECT_EQ(implausible_memory(figure(1000, 32768, kMlx)), "1000 bytes, below the 32.0 KiB its result alone takes");
  EXPECT_EQ(implausible_memory(figure(32768, 32768, kMlx)), "");
  EXPECT_EQ(implausible_memory(figure(0, 0, kMlx, true)), "");
  EXPECT_EQ(implausible_memory(none("why")), "");
  EXPECT_EQ(memory_ratio(figure(1048576, 524288, kTorch)), 2.0);
  EXPECT_TRUE(std::isnan(memory_ratio(figure(0, 0, kMlx, true))));
  EXPECT_TRUE(std::isnan(memory_ratio(none("why"))));
}

TEST(MemoryTable, ARowPerExperimentWithPeakAndRatioPerBackend) {
  std::vector<std::string> lines = lines_of(memory_table(measured_machine()));
  ASSERT_GE(lines.size(), 8u);
  EXPECT_EQ(lines[0], "| Experiment | least | mlx_cpu peak | mlx_cpu peak/least | cpu peak | cpu peak/least |");
  EXPECT_EQ(lines[2], "| Argmax / dim=64x1024x128 axi=0 | 512.0 KiB | 512.0 KiB | 1.00 | 1.0 MiB | 2.00 |");
  EXPECT_EQ(lines[3], "| Argmax / dim=64x1024x128 axi=1 | 32.0 KiB | 1000 bytes | wrong | n/a: a planted reason: no count here | n/a |");
  EXPECT_EQ(lines[4], "| MatMul / dim=64x64 dim=64x64 | 16.0 KiB | 0 bytes | in place | 16.0 KiB | 1.00 |");
  EXPECT_EQ(lines[5], "| Sort / dim=64x128x1024 axi=0 | nan | nan | nan | nan | nan |");
}

// A cell with no such call (Argmax's backward pass) is n/a in the memory
// table too, not nan; a row of only such cells has no least either.
TEST(MemoryTable, ANotApplicableCellIsNotApplicable) {
  RunRecord r = measured_machine();
  for (Cell& c : r.experiments[3].cells) c.not_applicable = true, c.error = "no gradient";
  std::vector<std::string> lines = lines_of(memory_table(r));
  EXPECT_EQ(lines[5], "| Sort / dim=64x128x1024 axi=0 | n/a | n/a | n/a | n/a | n/a |");
  r.experiments[3].cells[0].not_applicable = false;
  EXPECT_EQ(lines_of(memory_table(r))[5], "| Sort / dim=64x128x1024 axi=0 | nan | nan | nan | n/a | n/a |");
}

TEST(MemoryTable, NotesSayWhoseCountAndListWrongFigures) {
  std::string table = memory_table(measured_machine());
  EXPECT_TRUE(contains(table, "from the framework's own count: mlx_cpu, " + kMlx + "; cpu, " + kTorch + "."));
  EXPECT_TRUE(contains(table, "- wrong memory figure: Argmax / dim=64x1024x128 axi=1 on mlx_cpu: 1000 bytes, below the "
                              "32.0 KiB its result alone takes\n"));
  EXPECT_EQ(count_of(table, "- wrong memory figure"), 1u);
}

TEST(MemoryCsv, FourColumnsOnlyWhereARunMeasuredMemory) {
  std::vector<std::string> with = lines_of(csv_report({measured_machine()}, {"a.json"}));
  EXPECT_TRUE(contains(with[0], ",system_ms_per_call,peak_memory_bytes,least_memory_bytes,memory_ratio,memory_note\r"));
  EXPECT_TRUE(contains(with[2], ",1048576,524288,2,\r")) << with[2];                       // Argmax axis=0 on cpu
  EXPECT_TRUE(contains(with[3], ",1000,32768,0.030517578125,\"wrong: 1000 bytes, below the 32.0 KiB"))  // the wrong figure
      << with[3];
  EXPECT_TRUE(contains(with[4], ",,,,a planted reason: no count here\r")) << with[4];
  EXPECT_TRUE(contains(with[5], ",0,0,,in place\r")) << with[5];
  std::vector<std::string> without = lines_of(csv_report({cpu_machine()}, {"a.json"}));
  EXPECT_FALSE(contains(without[0], "memory"));
}

TEST(MemoryHtml, TheTooltipGivesTheFigureOrWhyNot) {
  std::string html = html_report({measured_machine()}, {"epyc.json"}, {});
  // Tooltips are attributes: the apostrophes escaped.
  EXPECT_TRUE(contains(html, "peak memory 1.0 MiB beyond the inputs in one call, 2.00x the least it needs (its result, "
                             "512.0 KiB); LibTorch&#39;s CPU allocator, counted by opbench"));
  EXPECT_TRUE(contains(html, "peak memory n/a: a planted reason: no count here"));
  EXPECT_TRUE(contains(html, "peak memory 1000 bytes beyond the inputs in one call: wrong, 1000 bytes, below the"));
  EXPECT_TRUE(contains(html, "peak memory 0 bytes beyond the inputs in one call; its result is an input&#39;s memory"));
  EXPECT_FALSE(contains(html_report({cpu_machine()}, {"epyc.json"}, {}), "peak memory"));
}

}  // namespace
}  // namespace opbench
