// opbench report and opbench compare as a user runs them: the program, its
// output, its exit status, with result files written to a folder.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "format/json.h"
#include "report/document.h"
#include "report/markdown.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

struct Outcome {
  int status;
  std::string out, err;
};

class Cli : public ::testing::Test {
 protected:
  Outcome opbench(const std::string& args) {
    std::string out = dir_.file("stdout"), err = dir_.file("stderr");
    int raw = std::system((std::string(OPBENCH_EXE) + " " + args + " >" + out + " 2>" + err).c_str());
    return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_text(out), read_text(err)};
  }
  std::string save(const std::string& name, const RunRecord& r) {
    write_text(dir_.file(name), to_json(r));
    return dir_.file(name);
  }
  std::string save_text(const std::string& name, const std::string& text) {
    write_text(dir_.file(name), text);
    return dir_.file(name);
  }

  TempDir dir_;
};

TEST_F(Cli, OneFileIsExactlyWhatTheRunPrinted) {
  std::string a = save("a.json", cuda_machine());
  Outcome o = opbench("report " + a);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, render_run(read_result_file(a)));
}

TEST_F(Cli, SeveralFilesAreTheTwoMergedDocuments) {
  std::string a = save("a.json", cpu_machine()), b = save("b.json", cuda_machine());
  std::vector<RunRecord> records = {read_result_file(a), read_result_file(b)};
  Outcome o = opbench("report " + a + " " + b);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out,
            merged_document(records, DocumentKind::average) + "\n" + merged_document(records, DocumentKind::detailed));
  o = opbench("report --document detailed " + a + " " + b);
  EXPECT_EQ(o.out, merged_document(records, DocumentKind::detailed));
  o = opbench("report " + b + " --document=average");
  EXPECT_EQ(o.out, merged_document({records[1]}, DocumentKind::average));
}

TEST_F(Cli, BadFilesAreNamedAndTheOthersStillReported) {
  std::string good = save("good.json", cpu_machine()), other = save("other.json", cuda_machine());
  std::string text = to_json(cuda_machine());
  std::string truncated = save_text("truncated.json", text.substr(0, text.size() / 2));
  std::string not_json = save_text("notes.txt", "these are my notes, not JSON\n");
  std::string foreign = save_text("package.json", "{\"name\": \"left-pad\", \"version\": \"1.3.0\"}\n");
  std::string future = text;
  future.replace(future.find("\"schema_version\": 1"), 19, "\"schema_version\": 99");
  future = save_text("future.json", future);
  std::string empty = save_text("empty.json", "");
  Outcome o = opbench("report " + good + " " + truncated + " " + not_json + " " + foreign + " " + other + " " + future +
                      " " + empty + " " + dir_.file("missing.json"));
  EXPECT_EQ(o.status, 2);  // bad input, as compare and run --resume call such a file
  std::vector<std::string> errors = lines_of(o.err);
  ASSERT_EQ(errors.size(), 6u) << o.err;
  EXPECT_EQ(errors[0],
            "opbench report: error: " + truncated + ": not valid JSON: it ends before the JSON does (truncated?)");
  EXPECT_EQ(errors[1], "opbench report: error: " + not_json + ": not valid JSON (byte 2)");
  EXPECT_EQ(errors[2],
            "opbench report: error: " + foreign + ": not an opbench result file (no \"schema\": \"opbench-result\")");
  EXPECT_EQ(errors[3], "opbench report: error: " + future + ": schema version 99 is not one this opbench reads (1..1)");
  EXPECT_EQ(errors[4], "opbench report: error: " + empty + ": empty file, not a result");
  EXPECT_TRUE(contains(errors[5], dir_.file("missing.json") + ": cannot read (No such file or directory)"));
  std::vector<RunRecord> records = {read_result_file(good), read_result_file(other)};
  EXPECT_EQ(o.out,
            merged_document(records, DocumentKind::average) + "\n" + merged_document(records, DocumentKind::detailed));
}

TEST_F(Cli, NothingReadableIsAFailure) {
  Outcome o = opbench("report " + save_text("x.json", "[1, 2"));
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(lines_of(o.err).size(), 1u);
}

TEST_F(Cli, OutWritesTheDocumentsThePageTheCsvAndTheCharts) {
  std::string a = save("a.json", cpu_machine()), b = save("b.json", cuda_machine());
  std::vector<RunRecord> records = {read_result_file(a), read_result_file(b)};
  Outcome o = opbench("report --out " + dir_.file("site") + " " + a + " " + b);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.out, "");  // written, not printed
  EXPECT_EQ(read_text(dir_.file("site/average.md")), merged_document(records, DocumentKind::average));
  EXPECT_EQ(read_text(dir_.file("site/detailed.md")), merged_document(records, DocumentKind::detailed));
  EXPECT_EQ(read_text(dir_.file("site/report.html")).rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(read_text(dir_.file("site/results.csv")).rfind("source,machine,", 0), 0u);
  for (const char* chart : {"plot_Argmax", "plot_MatMul", "plot_Sort", "plot_Softmax", "speedup_NVIDIA_H100_80GB_HBM3"})
    EXPECT_EQ(read_text(dir_.file(std::string("site/plots/") + chart + ".svg")).rfind("<svg", 0), 0u) << chart;
  EXPECT_TRUE(contains(o.err, "opbench report: wrote " + dir_.file("site/average.md")));
}

TEST_F(Cli, HtmlAndPlotsOnTheirOwn) {
  std::string a = save("a.json", apple_machine());
  Outcome o =
      opbench("report " + a + " --html " + dir_.file("page.html") + " --plots " + dir_.file("charts") + " --ops Sort");
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(contains(read_text(dir_.file("page.html")), "&quot;Sort&quot; benchmark"));
  EXPECT_FALSE(contains(read_text(dir_.file("page.html")), "&quot;Argmax&quot; benchmark"));
  EXPECT_NE(read_text(dir_.file("charts/plot_Sort.svg")), "");
  EXPECT_EQ(read_text(dir_.file("charts/plot_Argmax.svg")), "");
  EXPECT_NE(read_text(dir_.file("charts/speedup_Apple_M2_Max.svg")), "");
}

TEST_F(Cli, CsvAndGbenchFormats) {
  std::string a = save("a.json", cpu_machine()), b = save("b.json", cuda_machine());
  Outcome o = opbench("report --format csv " + a + " " + b);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(lines_of(o.out).size(), 1u + 8 + 8);
  o = opbench("report --format gbench-json " + b);
  EXPECT_EQ(o.status, 0);
  EXPECT_TRUE(contains(o.out, "\"run_type\": \"aggregate\""));
  o = opbench("report --format gbench-json " + a + " " + b);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(contains(o.err, "--format gbench-json takes one result file"));
}

TEST_F(Cli, BadOptionsAreUsageErrors) {
  std::string a = save("a.json", cpu_machine());
  EXPECT_EQ(opbench("report --format xml " + a).status, 2);
  EXPECT_EQ(opbench("report --document summary " + a).status, 2);
  EXPECT_EQ(opbench("report --document average --format csv " + a).status, 2);
  Outcome o = opbench("report --ops Conv9d --plots " + dir_.file("p") + " " + a);
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(contains(o.err, "--ops: no result has the op 'Conv9d'"));
  EXPECT_EQ(opbench("report").status, 2);
}

TEST_F(Cli, CompareFlagsAPlantedSlowdownAndNotARerun) {
  std::string base = save("base.json", noisy_run(1)), rerun = save("rerun.json", noisy_run(2)),
              slow = save("slow.json", noisy_run(3, 2.0));
  Outcome o = opbench("compare " + base + " " + rerun + " --fail-above 0.10");
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_TRUE(contains(o.out, "0 slower, 0 faster, 6 same"));
  o = opbench("compare " + base + " " + slow);
  EXPECT_EQ(o.status, 0);
  EXPECT_EQ(count_of(o.out, "| slower |"), 2u) << o.out;
  EXPECT_TRUE(contains(o.out, "base: " + base + ": " + cpu_machine().description()));
  o = opbench("compare " + base + " " + slow + " --fail-above 0.10");
  EXPECT_EQ(o.status, 3);
  EXPECT_TRUE(contains(o.err, "MatMul / dim=64x64 dim=64x64 on cpu: new/base 2.0"));
  EXPECT_EQ(opbench("compare " + base + " " + slow + " --fail-above 1.5").status, 0);  // 2x is within 2.5x
}

TEST_F(Cli, CompareNeedsTwoGoodFiles) {
  std::string base = save("base.json", noisy_run(1));
  EXPECT_EQ(opbench("compare " + base).status, 2);
  Outcome o = opbench("compare " + base + " " + save_text("bad.json", "{"));
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(contains(o.err, dir_.file("bad.json") + ": not valid JSON"));
  EXPECT_EQ(opbench("compare " + base + " " + base + " --alpha 2").status, 2);
}

TEST_F(Cli, CorruptTimesAreRefusedNotCompared) {
  std::string base = save("base.json", noisy_run(1));
  nlohmann::json corrupt = nlohmann::json::parse(to_json(noisy_run(2)));
  for (auto& sample : corrupt["experiments"][0]["cells"][0]["samples_ms"]) sample = -sample.get<double>();
  std::string bad = save_text("negative.json", corrupt.dump());
  Outcome o = opbench("compare " + base + " " + bad);
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(count_of(o.err, "\n"), 1u) << o.err;
  EXPECT_TRUE(contains(o.err, bad + ": experiment")) << o.err;
  EXPECT_TRUE(contains(o.err, "field 'samples_ms' is out of range")) << o.err;
  o = opbench("report " + bad);
  EXPECT_EQ(o.status, 2) << o.err;
  EXPECT_TRUE(contains(o.err, "field 'samples_ms' is out of range")) << o.err;
}

// One rule for a file that is not a whole result: report, compare and run
// --resume each name it in one line and exit 2 (bad input).
TEST_F(Cli, ATruncatedFileIsTheSameErrorEverywhere) {
  std::string good = save("good.json", noisy_run(1));
  std::string text = to_json(noisy_run(2));
  std::string cut = save_text("cut.json", text.substr(0, text.size() / 3));
  const std::string why = cut + ": not valid JSON: it ends before the JSON does (truncated?)";
  Outcome report = opbench("report " + cut), compare = opbench("compare " + good + " " + cut),
          resume = opbench("run --resume " + cut + " --quiet");
  EXPECT_EQ(report.status, 2);
  EXPECT_EQ(compare.status, 2);
  EXPECT_EQ(resume.status, 2);
  EXPECT_EQ(report.err, "opbench report: error: " + why + "\n");
  EXPECT_EQ(compare.err, "opbench compare: error: " + why + "\n");
  EXPECT_EQ(resume.err, "opbench run: error: " + why + "\n");
  EXPECT_EQ(compare.out, "");
}

// A mean that is not the mean of the cell's own samples (report printed
// 123.00 over samples near 0.01 ms): the file is refused, naming the cell.
TEST_F(Cli, AMeanThatDisagreesWithItsSamplesIsRefused) {
  std::string good = save("good.json", noisy_run(1));
  nlohmann::json edited = nlohmann::json::parse(to_json(noisy_run(2)));
  edited["experiments"][2]["cells"][1]["time_ms"]["mean"] = 123.0;  // MatMul on cpu, samples near 0.25
  std::string bad = save_text("edited.json", edited.dump(1));
  Outcome o = opbench("report " + bad);
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "");
  ASSERT_EQ(lines_of(o.err).size(), 1u) << o.err;
  EXPECT_TRUE(contains(o.err, bad + ": experiment 'MatMul / dim=64x64 dim=64x64': cell for 'cpu': its mean 123 ms "
                              "disagrees with the mean of its 200 samples_ms, 0.25"))
      << o.err;
  Outcome c = opbench("compare " + good + " " + bad);
  EXPECT_EQ(c.status, 2);
  EXPECT_EQ(lines_of(c.err).size(), 1u) << c.err;
  EXPECT_TRUE(contains(c.err, "cell for 'cpu': its mean 123 ms disagrees")) << c.err;
}

TEST_F(Cli, HelpDescribesEveryOption) {
  std::string help = opbench("report --help").out;
  for (const char* option : {"--document", "--format", "--out", "--html", "--plots", "--ops"})
    EXPECT_TRUE(contains(help, option));
  help = opbench("compare --help").out;
  for (const char* option : {"--alpha", "--min-effect", "--fail-above", "Mann-Whitney"})
    EXPECT_TRUE(contains(help, option));
  EXPECT_TRUE(contains(opbench("--help").out, "  compare "));
}

}  // namespace
}  // namespace opbench
