// The runs of one host as one section of a report; what tells sections apart
// (host, suite, settings) in their bold lines, labels and compare's header.
#include "report/machines.h"

#include <gtest/gtest.h>

#include "report/compare.h"
#include "report/document.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

const std::string kH200 = "NVIDIA H200";

// One run on an H200 host `host`: `backends` (cuda, mlx_gpu, cpu), the
// Argmax and MatMul experiments, each backend's time `ms` (+1 a backend).
RunRecord h200_run(const std::string& host, const std::vector<std::string>& backends, double ms,
                   Pass pass = Pass::forward) {
  RunRecord r;
  r.opbench_version = "0.7.0";
  r.created = "2026-12-03T06:00:00Z";
  r.suite = "default";
  r.machine = {"Intel(R) Xeon(R) Platinum 8480+", 32, 137438953472ULL, "Linux 6.1.0 x86_64", host};
  for (const std::string& b : backends) {
    if (b == "cuda") {
      r.backends.push_back(backend("cuda", 60, "torch framework with cuda backend", {{"cpu", 40}}, kH200 + " (139 GiB)"));
      r.versions["torch"] = "2.11.0";
    } else if (b == "mlx_gpu") {
      // MLX rounds the GPU's memory another way: the same GPU.
      r.backends.push_back(backend("mlx_gpu", 10, "mlx framework with gpu backend", {{"cuda", 25}}, kH200 + " (140 GiB)"));
      r.versions["mlx"] = "0.32.4";
    } else {
      r.backends.push_back(torch_cpu());
      r.versions["torch"] = "2.11.0";
    }
  }
  auto cells = [&](double base) {
    std::vector<Cell> out;
    for (size_t i = 0; i < backends.size(); ++i) out.push_back(timed(backends[i], base + static_cast<double>(i)));
    return out;
  };
  r.experiments = {experiment("Argmax dim1=64x1024x128 axis=0", cells(ms)),
                   experiment("MatMul dim1=64x64 dim2=64x64", cells(ms * 2))};
  for (ExperimentRecord& e : r.experiments) e.pass = pass;
  for (const ExperimentRecord& e : r.experiments) r.plan.push_back(e.line);
  return r;
}

// The bold lines of a markdown document, in order.
std::vector<std::string> bold_lines(const std::string& doc) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(doc))
    if (line.rfind("**", 0) == 0) out.push_back(line.substr(2, line.size() - 4));
  return out;
}

TEST(MachineSections, ThreeRunsOfOneHostAreOneSectionWithEveryColumn) {
  std::vector<RunRecord> runs = {h200_run("h200-a", {"cuda"}, 1), h200_run("h200-a", {"mlx_gpu"}, 5),
                                 h200_run("h200-a", {"cuda"}, 9, Pass::backward)};
  MachineSections s = machine_sections(runs);
  // The backward run shares no table with the forward ones: two sections, not three.
  ASSERT_EQ(s.records.size(), 2u);
  EXPECT_EQ(s.runs, (std::vector<std::vector<size_t>>{{0, 1}, {2}}));
  const RunRecord& merged = s.records[0];
  ASSERT_EQ(merged.backends.size(), 2u);
  EXPECT_EQ(merged.backends[0].info.name, "mlx_gpu");  // the seed's column order
  EXPECT_EQ(merged.backends[1].info.name, "cuda");
  EXPECT_EQ(merged.versions, (std::map<std::string, std::string>{{"mlx", "0.32.4"}, {"torch", "2.11.0"}}));
  ASSERT_EQ(merged.experiments.size(), 2u);
  EXPECT_EQ(merged.experiments[0].find("cuda")->stats.mean, 1);
  EXPECT_EQ(merged.experiments[0].find("mlx_gpu")->stats.mean, 5);
  EXPECT_EQ(merged.experiments[1].find("mlx_gpu")->stats.mean, 10);
  EXPECT_EQ(merged.description(), "Intel(R) Xeon(R) Platinum 8480+ (32 cores), 128 GiB / NVIDIA H200 (140 GiB) - "
                                  "mlx 0.32.4, torch 2.11.0");
  EXPECT_EQ(host_count(s.records), 1u);
}

TEST(MachineSections, TheMergedDocumentHasOneSectionAPassWithBothColumns) {
  std::vector<RunRecord> runs = {h200_run("h200-a", {"cuda"}, 1), h200_run("h200-a", {"mlx_gpu"}, 5),
                                 h200_run("h200-a", {"cuda"}, 9, Pass::backward)};
  std::string doc = merged_document(runs, DocumentKind::average);
  std::vector<std::string> bold = bold_lines(doc);
  ASSERT_EQ(bold.size(), 2u) << doc;  // the forward document's section, the backward document's
  EXPECT_EQ(count_of(doc, "\n## CUDA GPUs\n"), 2u);
  // No distinction: one machine, one way of measuring in each document.
  EXPECT_EQ(bold[0], machine_sections(runs).records[0].description());
  EXPECT_TRUE(contains(doc, "| Operation   | mlx_gpu | cuda | mlx_gpu/cuda speedup |\n"));
  EXPECT_TRUE(contains(doc, "| Argmax  |   5.00 |   1.00 |    -80% |\n")) << doc;
  EXPECT_TRUE(contains(doc, "* `mlx_gpu/cuda speedup`: runtime speedup of mlx_gpu compared to cuda"));
  size_t backward = doc.find("# Average MLX benchmark, backward pass");
  ASSERT_NE(backward, std::string::npos);
  EXPECT_TRUE(contains(doc.substr(backward), "| Argmax  |   9.00 |"));
  EXPECT_FALSE(contains(doc.substr(0, backward), "9.00"));
}

TEST(MachineSections, ACpuRunOfTheHostJoinsItsGpuRuns) {
  // The cpu backend names no GPU; the host is the same: one section, with the seed's cuda/cpu column.
  std::vector<RunRecord> runs = {h200_run("h200-a", {"cuda"}, 1), h200_run("h200-a", {"cpu"}, 30)};
  std::string doc = merged_document(runs, DocumentKind::detailed);
  EXPECT_EQ(bold_lines(doc).size(), 1u) << doc;
  EXPECT_TRUE(contains(doc, "| cpu | cuda | cuda/cpu speedup |"));
  EXPECT_TRUE(contains(doc, "|  30.00 |   1.00 |  +2900% |")) << doc;
}

TEST(MachineSections, TwoHostsOfOneModelStayApartNamedByHost) {
  std::vector<RunRecord> runs = {h200_run("h200-a", {"cuda"}, 1), h200_run("h200-b", {"mlx_gpu"}, 5)};
  ASSERT_EQ(machine_sections(runs).records.size(), 2u);
  std::vector<std::string> bold = bold_lines(merged_document(runs, DocumentKind::average));
  ASSERT_EQ(bold.size(), 2u);
  EXPECT_EQ(bold[0], runs[0].description() + " - host h200-a");
  EXPECT_EQ(bold[1], runs[1].description() + " - host h200-b");
  EXPECT_EQ(machine_labels(runs), (std::vector<std::string>{kH200 + " (host h200-a)", kH200 + " (host h200-b)"}));
  EXPECT_EQ(host_count(runs), 2u);
}

// Files that record no hostname (opbench before it did) may be of any host: never merged.
TEST(MachineSections, RunsWithoutAHostnameAreNotMerged) {
  std::vector<RunRecord> runs = {h200_run("", {"cuda"}, 1), h200_run("", {"mlx_gpu"}, 5)};
  EXPECT_EQ(machine_sections(runs).records.size(), 2u);
  EXPECT_EQ(host_count(runs), 2u);
}

TEST(MachineSections, RunsThatDifferOnlyInThreadsStayApartAndSaySo) {
  RunRecord one = h200_run("h200-a", {"cpu"}, 30), four = h200_run("h200-a", {"cpu"}, 12);
  one.settings.threads = 1;
  std::vector<RunRecord> runs = {one, four};
  EXPECT_EQ(machine_sections(runs).records.size(), 2u);
  std::vector<std::string> bold = bold_lines(merged_document(runs, DocumentKind::average));
  ASSERT_EQ(bold.size(), 2u);
  EXPECT_EQ(bold[0], one.description() + " - threads 1");
  EXPECT_EQ(bold[1], four.description() + " - threads default");
  EXPECT_NE(bold[0], bold[1]);
  EXPECT_EQ(host_count(runs), 1u);  // one machine, two runs
  // Even with other backends, runs of other settings never share a table.
  RunRecord cuda = h200_run("h200-a", {"cuda"}, 1);
  cuda.settings.threads = 1;
  EXPECT_EQ(machine_sections({cuda, four}).records.size(), 2u);
}

TEST(MachineSections, EachSettingThatDiffersIsNamed) {
  RunRecord base = h200_run("h200-a", {"cuda"}, 1);
  auto differs = [&](auto change) {
    RunRecord other = base;
    change(other);
    std::vector<std::string> apart = distinctions({base, other});
    return std::pair(apart[0], apart[1]);
  };
  using P = std::pair<std::string, std::string>;
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.timing = Timing::events; }),
            (P{"timing wall", "timing events"}));
  EXPECT_EQ(differs([](RunRecord& r) {
              r.settings.sampler.timing = Timing::batched;
              r.settings.sampler.batch = 32;
            }),
            (P{"timing wall", "timing batched x32"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.cold = true; }), (P{"warm caches", "cold caches"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.fresh_memory = true; }), (P{"memory reused", "fresh memory"}));
  // A file from before --wait against a run of today's default.
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.wait = GpuWait::framework; }),
            (P{"GPU wait poll", "GPU wait framework"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.one_core = true; }),
            (P{"GPU threads anywhere", "GPU threads on one core"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.check = false; }), (P{"outputs checked", "outputs not checked"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.seed = 7; }), (P{"seed 0", "seed 7"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.settings.sampler.target_noise = 0.005; }),
            (P{"target noise 1%", "target noise 0.5%"}));
  EXPECT_EQ(differs([](RunRecord& r) {
              for (ExperimentRecord& e : r.experiments) e.line += " dtype=float16";
            }),
            (P{"dtype float32", "dtype float16"}));
  EXPECT_EQ(differs([](RunRecord& r) {
              for (ExperimentRecord& e : r.experiments) e.pass = Pass::backward;
            }),
            (P{"pass forward", "pass backward"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.suite = "quick"; }), (P{"suite default", "suite quick"}));
  EXPECT_EQ(differs([](RunRecord& r) { r.opbench_version = "0.6.1"; }), (P{"opbench 0.7.0", "opbench 0.6.1"}));
  // Two settings at once: both, in measured_with's order.
  EXPECT_EQ(differs([](RunRecord& r) {
              r.settings.threads = 2;
              r.settings.sampler.cold = true;
            }),
            (P{"threads default, warm caches", "threads 2, cold caches"}));
}

TEST(MachineSections, TheSameBackendRunTwiceIsTwoSectionsToldApartByTheirTimes) {
  RunRecord first = h200_run("h200-a", {"cuda"}, 1), again = h200_run("h200-a", {"cuda"}, 1.2);
  again.created = "2026-12-03T07:00:00Z";
  std::vector<RunRecord> runs = {first, again};
  EXPECT_EQ(machine_sections(runs).records.size(), 2u);
  EXPECT_EQ(distinctions(runs),
            (std::vector<std::string>{"run of 2026-12-03T06:00:00Z", "run of 2026-12-03T07:00:00Z"}));
  // The same file given twice: nothing tells them apart, so the labels number them.
  EXPECT_EQ(machine_labels({first, first}), (std::vector<std::string>{kH200, kH200 + " #2"}));
}

TEST(MachineSections, AFrameworkInTwoVersionsIsNotOneMachinesSetUp) {
  RunRecord cuda = h200_run("h200-a", {"cuda"}, 1), cpu = h200_run("h200-a", {"cpu"}, 30);
  cpu.versions["torch"] = "2.10.0";
  EXPECT_EQ(machine_sections({cuda, cpu}).records.size(), 2u);
}

TEST(MachineSections, DifferentMachinesAreNotMergedAndKeepTheirLines) {
  std::vector<RunRecord> runs = {cpu_machine(), cuda_machine(), apple_machine()};
  MachineSections s = machine_sections(runs);
  EXPECT_EQ(s.records.size(), 3u);
  EXPECT_EQ(section_lines(runs),
            (std::vector<std::string>{runs[0].description(), runs[1].description(), runs[2].description()}));
}

TEST(CompareHeader, NamesTheSettingsInWhichTheRunsDiffer) {
  RunRecord base = h200_run("h200-a", {"cpu"}, 30), next = h200_run("h200-a", {"cpu"}, 12);
  next.settings.threads = 4;
  std::string header = comparison_header({"one.json"}, {base}, {"four.json"}, {next});
  EXPECT_EQ(header, "base: one.json: " + base.description() + " - threads default\n" +
                        "new:  four.json: " + next.description() + " - threads 4\n" +
                        "(the runs were measured with other settings: threads default / threads 4; a change below "
                        "may be theirs)\n");
  // Alike in every setting: no such note; the time of each run tells them apart.
  next.settings.threads = 0;
  next.created = "2026-12-03T08:00:00Z";
  header = comparison_header({"a.json"}, {base}, {"b.json"}, {next});
  EXPECT_EQ(header, "base: a.json: " + base.description() + " - run of 2026-12-03T06:00:00Z\n" +
                        "new:  b.json: " + next.description() + " - run of 2026-12-03T08:00:00Z\n");
}

}  // namespace
}  // namespace opbench
