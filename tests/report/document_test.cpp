// Merging result files into the reference's two documents: the preamble, the
// machines grouped by kind, the union of the experiments with nan where a
// machine lacks one.
#include "report/document.h"

#include <gtest/gtest.h>

#include "report/markdown.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

std::vector<RunRecord> three_machines() { return {cpu_machine(), cuda_machine(), apple_machine()}; }

// The lines of `text` from the one equal to `first` up to the next blank line.
std::vector<std::string> block_after(const std::string& text, const std::string& first) {
  std::vector<std::string> lines = lines_of(text), block;
  auto it = std::find(lines.begin(), lines.end(), first);
  if (it == lines.end()) {
    ADD_FAILURE() << "no line '" << first << "' in:\n" << text;
    return block;
  }
  for (++it; it != lines.end() && !it->empty(); ++it) block.push_back(*it);
  if (block.empty() && it != lines.end())  // the bold line is followed by a blank line, then the table
    for (++it; it != lines.end() && !it->empty(); ++it) block.push_back(*it);
  return block;
}

TEST(MachineKind, FromTheBackendsThatRanAndTheCpu) {
  EXPECT_EQ(machine_kind(cpu_machine()), MachineKind::cpu);
  EXPECT_EQ(machine_kind(cuda_machine()), MachineKind::cuda_gpu);
  EXPECT_EQ(machine_kind(apple_machine()), MachineKind::apple_silicon);
  RunRecord mac_cpu_only = apple_machine();
  mac_cpu_only.backends = {torch_cpu()};
  EXPECT_EQ(machine_kind(mac_cpu_only), MachineKind::apple_silicon);  // an Apple chip, whatever ran on it
  RunRecord h100_cpu_only = cuda_machine();
  h100_cpu_only.backends = {torch_cpu()};
  EXPECT_EQ(machine_kind(h100_cpu_only), MachineKind::cpu);  // no GPU backend ran: its numbers are a CPU's
  EXPECT_EQ(kind_heading(MachineKind::apple_silicon), "Apple Silicon");
  EXPECT_EQ(kind_heading(MachineKind::cuda_gpu), "CUDA GPUs");
  EXPECT_EQ(kind_heading(MachineKind::cpu), "CPUs");
}

TEST(GroupMachines, KindsInTheSeedsOrderMachinesInTheGivenOrder) {
  std::vector<RunRecord> records = {cpu_machine(), cuda_machine(), apple_machine(), cpu_machine()};
  auto groups = group_machines(records);
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].first, MachineKind::apple_silicon);
  EXPECT_EQ(groups[0].second, std::vector<size_t>{2});
  EXPECT_EQ(groups[1].first, MachineKind::cuda_gpu);
  EXPECT_EQ(groups[1].second, std::vector<size_t>{1});
  EXPECT_EQ(groups[2].first, MachineKind::cpu);
  EXPECT_EQ(groups[2].second, (std::vector<size_t>{0, 3}));
}

TEST(MachineLabels, TheGpuElseTheCpuAndRepeatsNumbered) {
  std::vector<RunRecord> records = {cpu_machine(), cuda_machine(), apple_machine(), cpu_machine()};
  EXPECT_EQ(machine_labels(records),
            (std::vector<std::string>{"AMD EPYC 7B13", "NVIDIA H100 80GB HBM3", "Apple M2 Max", "AMD EPYC 7B13 #2"}));
  RunRecord xeon = cuda_machine();
  xeon.backends = {torch_cpu()};
  EXPECT_EQ(machine_labels({xeon}), std::vector<std::string>{"Intel Xeon Platinum 8481C"});
}

TEST(AlignExperiments, EveryRecordGetsTheUnionInFirstSeenOrder) {
  std::vector<RunRecord> aligned = align_experiments(three_machines());
  std::vector<std::string> expected = {"Argmax / dim=64x1024x128 axi=0", "Argmax / dim=64x1024x128 axi=1",
                                       "MatMul / dim=64x64 dim=64x64", "Sort / dim=64x128x1024 axi=0",
                                       "Softmax / dim=64x1000000 axi=-1"};
  for (const RunRecord& r : aligned) {
    std::vector<std::string> names;
    for (const ExperimentRecord& e : r.experiments) names.push_back(e.name);
    EXPECT_EQ(names, expected);
  }
  EXPECT_TRUE(aligned[0].experiments[4].cells.empty());  // the CPU machine ran no Softmax
  EXPECT_EQ(aligned[0].experiments[4].op, "Softmax");
  EXPECT_TRUE(aligned[1].experiments[3].cells.empty());  // the H100 no Sort
  EXPECT_EQ(aligned[1].experiments[0].cells.size(), 2u);
  EXPECT_EQ(aligned[1].experiments[4].cells.size(), 2u);
}

TEST(ColumnLegend, TheSeedsWordsInColumnOrder) {
  auto legend = column_legend(three_machines());
  std::vector<std::pair<std::string, std::string>> expected = {
      {"mlx_gpu", "mlx framework with gpu backend"},
      {"mlx_cpu", "mlx framework with cpu backend"},
      {"mps", "torch framework with mps (gpu) backend"},
      {"cpu", "torch framework with cpu backend"},
      {"cuda", "torch framework with cuda backend"},
      {"mlx_gpu/mps speedup", "runtime speedup of mlx_gpu compared to mps"},
      {"mlx_gpu/mlx_cpu speedup", "runtime speedup of mlx_gpu compared to mlx_cpu"},
      {"cuda/cpu speedup", "runtime speedup of cuda compared to cpu"},
  };
  EXPECT_EQ(legend, expected);
}

TEST(ColumnLegend, OnlyTheColumnsThatAppear) {
  auto legend = column_legend({cpu_machine()});
  ASSERT_EQ(legend.size(), 2u);
  EXPECT_EQ(legend[0].first, "mlx_cpu");
  EXPECT_EQ(legend[1].first, "cpu");
}

TEST(MergedDocument, TheSeedsPreamble) {
  std::vector<std::string> lines = lines_of(merged_document(three_machines(), DocumentKind::average));
  ASSERT_GE(lines.size(), 14u);
  EXPECT_EQ(lines[0], "# Average MLX benchmark");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ(lines[2], "Averaged runtime benchmark of mlx operations, measured in `milliseconds`.");
  EXPECT_EQ(lines[3], "");
  EXPECT_EQ(lines[4], "* `mlx_gpu`: mlx framework with gpu backend");
  EXPECT_EQ(lines[7], "* `cpu`: torch framework with cpu backend");
  EXPECT_EQ(lines[11], "* `cuda/cpu speedup`: runtime speedup of cuda compared to cpu");
  EXPECT_EQ(lines[12], "");
  EXPECT_EQ(lines[13], "## Apple Silicon");

  lines = lines_of(merged_document(three_machines(), DocumentKind::detailed));
  EXPECT_EQ(lines[0], "# Detailed MLX benchmark");
  EXPECT_EQ(lines[2], "Detailed runtime benchmark of mlx operations, measured in `milliseconds`.");
}

TEST(MergedDocument, MachinesUnderTheirKindsHeadingsInTheSeedsOrder) {
  std::string doc = merged_document(three_machines(), DocumentKind::average);
  size_t apple = doc.find("\n## Apple Silicon\n"), cuda = doc.find("\n## CUDA GPUs\n"), cpus = doc.find("\n## CPUs\n");
  ASSERT_NE(apple, std::string::npos);
  ASSERT_NE(cuda, std::string::npos);
  ASSERT_NE(cpus, std::string::npos);
  EXPECT_LT(apple, cuda);
  EXPECT_LT(cuda, cpus);
  size_t mac = doc.find("**" + apple_machine().description() + "**"),
         h100 = doc.find("**" + cuda_machine().description() + "**"),
         epyc = doc.find("**" + cpu_machine().description() + "**");
  EXPECT_TRUE(apple < mac && mac < cuda) << doc;
  EXPECT_TRUE(cuda < h100 && h100 < cpus) << doc;
  EXPECT_GT(epyc, cpus);
  EXPECT_EQ(count_of(doc, "\n## "), 3u);
}

TEST(MergedDocument, EachMachineWithItsOwnColumnsAndEveryOp) {
  std::string doc = merged_document(three_machines(), DocumentKind::average);
  std::vector<std::string> cpu = block_after(doc, "**" + cpu_machine().description() + "**");
  ASSERT_EQ(cpu.size(), 6u) << doc;
  EXPECT_EQ(cpu[0], "| Operation    | mlx_cpu | cpu |");
  EXPECT_EQ(cpu[2], "| Argmax   |  11.00 |   7.00 |");
  EXPECT_EQ(cpu[3], "| MatMul   |   0.50 |   0.25 |");
  EXPECT_EQ(cpu[4], "| Sort     | 700.00 |  70.00 |");
  EXPECT_EQ(cpu[5], "| Softmax  |    nan |    nan |");  // only the H100 ran Softmax

  std::vector<std::string> h100 = block_after(doc, "**" + cuda_machine().description() + "**");
  ASSERT_EQ(h100.size(), 6u) << doc;
  EXPECT_EQ(h100[0], "| Operation    | cpu | cuda | cuda/cpu speedup |");
  EXPECT_EQ(h100[3], "| MatMul   |   0.20 |   0.02 |   +900% |");
  EXPECT_EQ(h100[4], "| Sort     |    nan |    nan |    nan% |");  // from the other machines' suite
  EXPECT_EQ(h100[5], "| Softmax  | 221.43 |    nan |    nan% |");  // cuda ran out of memory
}

TEST(MergedDocument, DetailedHasARowPerExperimentOfAnyMachine) {
  std::string doc = merged_document(three_machines(), DocumentKind::detailed);
  std::vector<std::string> cpu = block_after(doc, "**" + cpu_machine().description() + "**");
  ASSERT_EQ(cpu.size(), 7u) << doc;
  EXPECT_EQ(cpu[2], "| Argmax / dim=64x1024x128 axi=0  |  10.00 |   8.00 |");
  EXPECT_EQ(cpu[6], "| Softmax / dim=64x1000000 axi=-1 |    nan |    nan |");
}

TEST(MergedDocument, SaysWhichExperimentsAMachineDidNotRun) {
  std::string doc = merged_document(three_machines(), DocumentKind::average);
  EXPECT_TRUE(contains(doc, "- nan: 1 of the document's 5 experiments were not run on this machine (Softmax)"));
  EXPECT_TRUE(contains(doc, "- nan: 1 of the document's 5 experiments were not run on this machine (Sort)"));
  EXPECT_TRUE(contains(doc, "- nan: Softmax / dim=64x1000000 axi=-1 on cuda: out of memory"));  // the run's own notes
  EXPECT_TRUE(contains(doc, "- wrong: MatMul / dim=64x64 dim=64x64 on mps"));
}

TEST(MergedDocument, OneFileIsItsTablesUnderThePreamble) {
  RunRecord r = cuda_machine();
  std::string doc = merged_document({r}, DocumentKind::average);
  EXPECT_TRUE(
      contains(doc, "## CUDA GPUs\n\n**" + r.description() + "**\n\n" + average_table(r) + "\n" + table_notes(r)));
  EXPECT_EQ(count_of(doc, "\n## "), 1u);
  EXPECT_FALSE(contains(doc, "not run on this machine"));
}

TEST(MergedDocument, TheSameMachineTwiceIsTwoSections) {
  std::string doc = merged_document({cpu_machine(), cpu_machine()}, DocumentKind::average);
  EXPECT_EQ(count_of(doc, "**" + cpu_machine().description() + "**"), 2u);
  EXPECT_EQ(count_of(doc, "\n## CPUs\n"), 1u);
}

// A machine's average covers the experiments it ran: a suite with one more
// Argmax elsewhere does not turn its Argmax average into nan.
TEST(MergedDocument, AveragesAreOverTheExperimentsEachMachineRan) {
  RunRecord fewer = cpu_machine();
  fewer.experiments.erase(fewer.experiments.begin() + 1);  // no "Argmax ... axis=1"
  std::string doc = merged_document({fewer, cuda_machine()}, DocumentKind::average);
  std::vector<std::string> rows = block_after(doc, "**" + fewer.description() + "**");
  ASSERT_FALSE(rows.empty()) << doc;
  EXPECT_TRUE(contains(doc, "| Argmax   |  10.00 |   8.00 |")) << doc;  // the one Argmax it ran
  EXPECT_TRUE(contains(doc, "| Softmax  |    nan |    nan |")) << doc;  // an op it never ran
}

// The backward pass is a document of its own after the forward pass's: an
// experiment's two passes never share a row or a column, a machine that ran
// only the forward pass is in the forward document only, and files without
// backward cells give the documents they always gave.
TEST(MergedDocument, TheBackwardPassIsADocumentOfItsOwn) {
  RunRecord forward = cpu_machine(), both = cpu_machine();
  for (ExperimentRecord e : forward.experiments) {
    e.pass = Pass::backward;
    for (Cell& c : e.cells) c.stats.mean = 777;
    both.experiments.push_back(e);
  }
  for (DocumentKind kind : {DocumentKind::average, DocumentKind::detailed}) {
    const std::string plain = merged_document({forward, cuda_machine()}, kind);
    const std::string doc = merged_document({both, cuda_machine()}, kind);
    ASSERT_EQ(doc.substr(0, plain.size()), plain);
    const std::string backward = doc.substr(plain.size());
    EXPECT_EQ(backward.rfind(kind == DocumentKind::average
                                 ? "\n# Average MLX benchmark, backward pass (forward + gradients)\n"
                                 : "\n# Detailed MLX benchmark, backward pass (forward + gradients)\n",
                             0),
              0u)
        << backward;
    EXPECT_TRUE(contains(backward, "777.00"));
    EXPECT_FALSE(contains(plain, "777.00"));
    EXPECT_EQ(count_of(backward, "\n**"), 1u) << "only the machine that ran the backward pass";
  }
}

}  // namespace
}  // namespace opbench
