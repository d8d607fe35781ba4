// The HTML page: what it holds, then what a real browser (headless Chromium)
// shows of it: the tables, a row per experiment, and sorting that works.
#include "report/html.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <regex>

#include "report/markdown.h"
#include "report/svg.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

std::vector<RunRecord> three_machines() { return {cpu_machine(), cuda_machine(), apple_machine()}; }
const std::vector<std::string> kSources = {"epyc/result.json", "h100/result.json", "mac/result.json"};

// The text of the element <table ... id="ID"> ... </table>.
std::string table_with_id(const std::string& html, const std::string& id) {
  size_t start = html.find("id=\"" + id + "\"");
  if (start == std::string::npos) return "";
  start = html.rfind("<table", start);
  return html.substr(start, html.find("</table>", start) - start);
}

// The data-v of each row's cell in `column`, in row order.
std::vector<std::string> column_values(const std::string& table, const std::string& column) {
  std::vector<std::string> values;
  std::regex cell("data-col=\"" + column + "\" data-v=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(table.begin(), table.end(), cell); it != std::sregex_iterator(); ++it)
    values.push_back((*it)[1].str());
  return values;
}

std::vector<std::string> row_keys(const std::string& table) {
  std::vector<std::string> keys;
  std::regex row("<tr data-key=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(table.begin(), table.end(), row); it != std::sregex_iterator(); ++it)
    keys.push_back((*it)[1].str());
  return keys;
}

TEST(Html, OnePageWithEveryMachineAndItsTables) {
  std::string html = html_report(three_machines(), kSources, {});
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "</html>\n"));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(contains(html, "id=\"machine-" + std::to_string(i) + "\""));
    EXPECT_EQ(row_keys(table_with_id(html, "average-" + std::to_string(i))).size(),
              4u);  // Argmax, MatMul, Sort, Softmax
    EXPECT_EQ(row_keys(table_with_id(html, "detailed-" + std::to_string(i))).size(), 5u);
  }
  EXPECT_TRUE(contains(html, xml_escape(cpu_machine().description())));
  EXPECT_TRUE(contains(html, "h100/result.json"));
  EXPECT_TRUE(contains(html, "<h2>Apple Silicon</h2>"));
  EXPECT_TRUE(contains(html, "<h2>CUDA GPUs</h2>"));
  EXPECT_TRUE(contains(html, "<h2>CPUs</h2>"));
  EXPECT_TRUE(contains(html, "<code>cuda/cpu speedup</code>: runtime speedup of cuda compared to cpu"));
}

TEST(Html, NeedsNoNetwork) {
  std::string html = html_report(three_machines(), kSources, {});
  EXPECT_EQ(count_of(html, "http"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));  // only SVG's namespace
  EXPECT_FALSE(contains(html, "src="));
  EXPECT_FALSE(contains(html, "<link"));
  EXPECT_TRUE(contains(html, "<style>"));
  EXPECT_TRUE(contains(html, "<script>"));
}

TEST(Html, EachCellSaysHowGoodItsNumberIs) {
  std::string html = html_report({cuda_machine()}, {"h100.json"}, {});
  std::string detailed = table_with_id(html, "detailed-0");
  EXPECT_TRUE(contains(detailed, "data-col=\"cpu\" data-v=\"34.34\" title=\"mean 34.34 ms, median"));
  EXPECT_TRUE(contains(detailed, "8 samples (stopped: noise)"));
  EXPECT_TRUE(contains(detailed, "noise 0."));
  EXPECT_TRUE(contains(detailed, "check passed: error 1e-07 against the reference"));
  EXPECT_TRUE(contains(detailed, "timing wall, warm caches"));
  EXPECT_TRUE(contains(detailed, "class=\"num nan\" data-col=\"cuda\" data-v=\"\" title=\"nan: out of memory\">nan<"));
  std::string average = table_with_id(html, "average-0");
  EXPECT_TRUE(contains(average, "title=\"mean of 2 experiments\ntheir noise: median"));
  EXPECT_TRUE(contains(detailed, " GFLOP/s"));
  EXPECT_FALSE(contains(html, "peak"));  // no peak figures in these records: nothing said
}

TEST(Html, ShareOfPeakWhereTheMachineWasCalibrated) {
  RunRecord r = cuda_machine();
  r.peaks["cuda"] = Peaks{2000, {{FloatType::float32, 50000}}};
  std::string detailed = table_with_id(html_report({r}, {"h100.json"}, {}), "detailed-0");
  std::regex cuda_cell("data-col=\"cuda\" data-v=\"[^\"]+\" title=\"[^\"]*% of the calibrated peak");
  std::regex cpu_cell("data-col=\"cpu\" data-v=\"[^\"]+\" title=\"[^\"]*% of the calibrated peak");
  auto count = [&](const std::regex& re) {
    return std::distance(std::sregex_iterator(detailed.begin(), detailed.end(), re), std::sregex_iterator());
  };
  EXPECT_EQ(count(cuda_cell), 3);  // every timed cuda cell; Softmax's ran out of memory
  EXPECT_EQ(count(cpu_cell), 0);   // the CPU was not calibrated
}

TEST(Html, WrongCellsAndSpeedups) {
  std::string html = html_report({apple_machine()}, {"mac.json"}, {});
  std::string detailed = table_with_id(html, "detailed-0");
  EXPECT_TRUE(contains(detailed,
                       "class=\"num wrong\" data-col=\"mps\" data-v=\"\" title=\"wrong: output disagrees with "
                       "the reference (50% of elements differ); not timed\">wrong<"));
  EXPECT_TRUE(contains(detailed, "class=\"num faster\" data-col=\"mlx_gpu/mps speedup\" data-v=\"66.6667\""));
  EXPECT_TRUE(contains(html, "<title>Apple M2 Max: speedups</title>"));  // the machine's speedup chart
}

TEST(Html, AnImpreciseCellIsTimedAndMarkedAndItsTooltipSaysWhy) {
  RunRecord r = cuda_machine();
  r.experiments[2].cells[1] = imprecise(r.experiments[2].cells[1]);  // MatMul on cuda
  std::string html = html_report({r}, {"h100.json"}, {});
  std::string detailed = table_with_id(html, "detailed-0"), average = table_with_id(html, "average-0");
  EXPECT_TRUE(contains(detailed, "class=\"num imprecise\" data-col=\"cuda\" data-v=\"0.02\" title=\"mean 0.02 ms"));
  EXPECT_TRUE(contains(detailed, "check imprecise (marked *): error 0.018 above the tolerance 0.0001 against the "
                                 "reference\">0.02*<"));
  EXPECT_TRUE(contains(average, "1 with an imprecise output (marked *)\">0.02*<"));
  EXPECT_TRUE(contains(html, "- imprecise: MatMul / dim=64x64 dim=64x64 on cuda"));  // the notes
  EXPECT_TRUE(contains(html, "0.02*</text>"));  // the op chart's bar
}

TEST(Html, ChartsOfTheChosenOps) {
  std::string all = html_report(three_machines(), kSources, {});
  EXPECT_TRUE(contains(all, "<title>&quot;Sort&quot; benchmark</title>"));
  EXPECT_TRUE(contains(all, "<title>&quot;Argmax&quot; benchmark</title>"));
  std::string chosen = html_report(three_machines(), kSources, {"Sort"});
  EXPECT_TRUE(contains(chosen, "<title>&quot;Sort&quot; benchmark</title>"));
  EXPECT_FALSE(contains(chosen, "<title>&quot;Argmax&quot; benchmark</title>"));
}

// Three runs of one H200 host: cuda, mlx_gpu, and cuda's backward pass.
std::vector<RunRecord> one_h200() {
  std::vector<RunRecord> runs;
  for (const char* name : {"cuda", "mlx_gpu", "backward"}) {
    RunRecord r = cuda_machine();
    r.machine.hostname = "h200-a";
    bool mlx = std::string(name) == "mlx_gpu";
    r.backends = {mlx ? backend("mlx_gpu", 10, "mlx framework with gpu backend", {{"cuda", 25}}, "NVIDIA H200 (140 GiB)")
                      : backend("cuda", 60, "torch framework with cuda backend", {{"cpu", 40}}, "NVIDIA H200 (139 GiB)")};
    r.versions = mlx ? std::map<std::string, std::string>{{"mlx", "0.32.4"}} : r.versions;
    r.experiments = {experiment("Argmax dim1=64x1024x128 axis=0", {timed(r.backends[0].info.name, mlx ? 0.2 : 0.1)}),
                     experiment("MatMul dim1=64x64 dim2=64x64", {timed(r.backends[0].info.name, 0.02)})};
    if (std::string(name) == "backward")
      for (ExperimentRecord& e : r.experiments) e.pass = Pass::backward;
    runs.push_back(r);
  }
  return runs;
}
const std::vector<std::string> kH200Sources = {"cuda/result.json", "mlx_gpu/result.json", "backward/result.json"};

TEST(Html, ThreeRunsOfOneMachineAreOneSection) {
  std::string html = html_report(one_h200(), kH200Sources, {});
  // One section of the forward pass; the backward run's tables beneath, under their own heading.
  EXPECT_EQ(count_of(html, "<section class=\"machine\""), 2u);
  EXPECT_EQ(count_of(html, "<h2>CUDA GPUs</h2>"), 1u);
  EXPECT_EQ(count_of(html, "<h2>CUDA GPUs, backward pass (forward + gradients)</h2>"), 1u);
  EXPECT_LT(html.find("<h2>CUDA GPUs</h2>"), html.find("<h2>CUDA GPUs, backward pass"));
  EXPECT_TRUE(contains(html, "on 1 machine (3 runs)"));
  EXPECT_TRUE(contains(html, "backward/result.json &middot;"));
  EXPECT_EQ(column_values(table_with_id(html, "average-1"), "cuda"), (std::vector<std::string>{"0.1", "0.02"}));
  EXPECT_EQ(column_values(table_with_id(html, "average-1"), "mlx_gpu"), (std::vector<std::string>{}));
  EXPECT_TRUE(contains(html, "cuda/result.json, mlx_gpu/result.json &middot;"));  // its sources
  std::string detailed = table_with_id(html, "detailed-0");
  EXPECT_TRUE(contains(detailed, "<th data-col=\"mlx_gpu\">mlx_gpu</th><th data-col=\"cuda\">cuda</th>"
                                 "<th data-col=\"mlx_gpu/cuda speedup\">"));
  EXPECT_EQ(column_values(detailed, "mlx_gpu/cuda speedup"), (std::vector<std::string>{"-50", "0"}));
  EXPECT_FALSE(contains(html, "H200 #2"));
}

TEST(Html, RunsThatDifferInSettingsSayHowAndAreOneMachine) {
  RunRecord one = cpu_machine(), four = cpu_machine();
  one.settings.threads = 1;
  four.settings.threads = 4;
  std::string html = html_report({one, four}, {"t1.json", "t4.json"}, {});
  EXPECT_TRUE(contains(html, "on 1 machine (2 runs)"));
  EXPECT_FALSE(contains(html, "2 machines"));
  EXPECT_TRUE(contains(html, "<h3>" + xml_escape(one.description()) + " - threads 1</h3>"));
  EXPECT_TRUE(contains(html, "<h3>" + xml_escape(four.description()) + " - threads 4</h3>"));
  EXPECT_TRUE(contains(html, ">AMD EPYC 7B13 (threads 1)</a>"));  // the menu
  EXPECT_TRUE(contains(html, "data-group=\"AMD EPYC 7B13 (threads 4)\""));  // the op charts' groups
}

// ---- in a browser ----------------------------------------------------------

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    std::string command = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(command.c_str()) == 0) return name;
  }
  return "";
}

// Runs headless Chromium on `url` with `what` ("--dump-dom", "--screenshot=..."); its stdout.
// Each run has a profile of its own, so no run hands its page to another still closing.
std::string chromium(const std::string& program, const TempDir& dir, const std::string& what, const std::string& url) {
  static int runs = 0;
  std::string command = "timeout 120 " + program + " --headless --no-sandbox --disable-gpu --no-first-run " +
                        "--user-data-dir=" + dir.file("profile-" + std::to_string(++runs)) + " " + what + " '" + url +
                        "' 2>/dev/null";
  std::string out;
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
  pclose(p);
  return out;
}

class InBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    program_ = find_chromium();
    if (program_.empty()) GTEST_SKIP() << "no chromium installed (apt-get install chromium): the page is not opened";
    write_text(page_, html_report(three_machines(), kSources, {}));
  }
  std::string dom(const std::string& fragment = "") {
    return chromium(program_, dir_, "--dump-dom", "file://" + page_ + fragment);
  }

  TempDir dir_;
  std::string page_ = dir_.file("report.html"), program_;
};

TEST_F(InBrowser, ShowsEveryTableWithARowPerExperiment) {
  std::string shown = dom();
  ASSERT_TRUE(contains(shown, "</html>")) << "chromium showed nothing";
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> keys = row_keys(table_with_id(shown, "detailed-" + std::to_string(i)));
    EXPECT_EQ(keys, (std::vector<std::string>{"Argmax / dim=64x1024x128 axi=0", "Argmax / dim=64x1024x128 axi=1",
                                              "MatMul / dim=64x64 dim=64x64", "Sort / dim=64x128x1024 axi=0",
                                              "Softmax / dim=64x1000000 axi=-1"}));
    EXPECT_EQ(row_keys(table_with_id(shown, "average-" + std::to_string(i))).size(), 4u);
  }
  EXPECT_EQ(count_of(shown, "<svg"), 4u + 2u);    // an op chart each; the Mac's and the H100's speedups
  EXPECT_FALSE(contains(shown, "aria-sort=\""));  // nothing sorted until asked
}

TEST_F(InBrowser, SortsAColumnAscendingWithNanLast) {
  std::string shown = dom("#sort=cpu");
  // The EPYC's detailed cpu column: 8, 6, 0.25, 70, nan in the file.
  std::string table = table_with_id(shown, "detailed-0");
  EXPECT_EQ(column_values(table, "cpu"), (std::vector<std::string>{"0.25", "6", "8", "70", ""})) << table;
  EXPECT_EQ(row_keys(table)[0], "MatMul / dim=64x64 dim=64x64");
  EXPECT_TRUE(contains(table, "data-col=\"cpu\" aria-sort=\"ascending\""));
  // Every table with a cpu column is sorted; the H100's average: Argmax 32.17, MatMul 0.2, Sort nan, Softmax 221.43.
  EXPECT_EQ(column_values(table_with_id(shown, "average-1"), "cpu"),
            (std::vector<std::string>{"0.2", "32.17", "221.43", ""}));
}

TEST_F(InBrowser, SortsDescendingAndByText) {
  std::string shown = dom("#sort=mlx_cpu:desc");
  EXPECT_EQ(column_values(table_with_id(shown, "detailed-0"), "mlx_cpu"),
            (std::vector<std::string>{"700", "12", "10", "0.5", ""}));
  shown = dom("#sort=operation:desc");
  EXPECT_EQ(row_keys(table_with_id(shown, "average-2")),
            (std::vector<std::string>{"Sort", "Softmax", "MatMul", "Argmax"}));
}

// The page of three runs of one H200 host, as Chromium shows it: one machine
// section whose tables have both runs' columns.
TEST_F(InBrowser, ShowsThreeRunsOfOneMachineAsOneSection) {
  write_text(page_, html_report(one_h200(), kH200Sources, {}));
  std::string shown = dom();
  ASSERT_TRUE(contains(shown, "</html>")) << "chromium showed nothing";
  // One H200 section with both runs' columns, the backward tables beneath under their heading.
  EXPECT_EQ(count_of(shown, "<h2>CUDA GPUs</h2>"), 1u);
  EXPECT_EQ(count_of(shown, "<section class=\"machine\""), 2u);
  size_t forward = shown.find("id=\"machine-0\""), backward = shown.find("id=\"machine-1\"");
  ASSERT_NE(forward, std::string::npos);
  ASSERT_NE(backward, std::string::npos);
  EXPECT_LT(shown.find("<h2>CUDA GPUs</h2>"), forward);
  EXPECT_LT(forward, shown.find("<h2>CUDA GPUs, backward pass (forward + gradients)</h2>"));
  EXPECT_LT(shown.find("<h2>CUDA GPUs, backward pass (forward + gradients)</h2>"), backward);
  std::string table = table_with_id(shown, "average-0");
  EXPECT_EQ(column_values(table, "mlx_gpu"), (std::vector<std::string>{"0.2", "0.02"}));
  EXPECT_EQ(column_values(table, "cuda"), (std::vector<std::string>{"0.1", "0.02"}));
  EXPECT_EQ(column_values(table, "mlx_gpu/cuda speedup"), (std::vector<std::string>{"-50", "0"}));
  EXPECT_TRUE(contains(shown, "on 1 machine (3 runs)"));
  EXPECT_FALSE(contains(shown, "H200 #2"));
  if (const char* keep = std::getenv("OPBENCH_KEEP_MERGED_PAGE")) write_text(keep, shown);  // to look at it
}

TEST_F(InBrowser, TakesAScreenshot) {
  std::string shot = dir_.file("report.png");
  chromium(program_, dir_, "--screenshot=" + shot + " --window-size=1400,2000 --hide-scrollbars", "file://" + page_);
  std::string png = read_text(shot);
  ASSERT_GT(png.size(), 20000u) << "no screenshot, or a blank one";
  EXPECT_EQ(png.substr(1, 3), "PNG");
  if (const char* keep = std::getenv("OPBENCH_KEEP_SCREENSHOT")) write_text(keep, png);  // to look at it
}

}  // namespace
}  // namespace opbench
