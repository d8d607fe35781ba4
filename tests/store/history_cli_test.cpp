// The history as a user meets it: `opbench run` appending (or not, or
// warning), `opbench history` and `history import`, the regression gate, a
// PostgreSQL store, bad input; the real program with its test backends.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <filesystem>

#include "format/json.h"
#include "postgres_server.h"
#include "report_fixtures.h"
#include "store/store.h"

namespace opbench {
namespace {

using namespace opbench::testing;

struct Outcome {
  int code = -1;
  std::string out, err;
};

std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

class HistoryCli : public ::testing::Test {
 protected:
  // opbench with `args`, its environment `env` ("NAME=value" each) beside
  // HOME (the temporary folder) and the test backends.
  Outcome opbench(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    std::string command = "cd " + shell_quoted(dir_.path().string()) + " && env HOME=" + shell_quoted(dir_.path().string()) +
                          " OPBENCH_TEST_BACKENDS=1 OPBENCH_CACHE=off";
    for (const std::string& e : env) command += " " + shell_quoted(e);
    command += " " + std::string(OPBENCH_EXE);
    for (const std::string& a : args) command += " " + shell_quoted(a);
    command += " > out.txt 2> err.txt";
    int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_text(dir_.file("out.txt")), read_text(dir_.file("err.txt"))};
  }
  // A short run of two cells on test_ok into `out`.
  Outcome run(const std::string& out, std::vector<std::string> more, const std::vector<std::string>& env = {}) {
    std::vector<std::string> args = {"run", "--case", "ReLU dim1=4096", "--case", "Sum dim1=64x64 axis=0", "--backends",
                                     "test_ok", "--quiet", "--max-time", "0.05", "--min-samples", "20", "--out", dir_.file(out)};
    args.insert(args.end(), more.begin(), more.end());
    return opbench(args, env);
  }
  std::string store() const { return dir_.file("history.sqlite"); }
  TempDir dir_;
};

TEST_F(HistoryCli, ARunIsAppendedWithItsLabelAndHistoryShowsIt) {
  Outcome first = run("a", {"--store", store(), "--label", "commit abc"});
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(read_result_file(dir_.file("a/result.json")).label, "commit abc");
  ASSERT_EQ(run("b", {"--store", store()}).code, 0);
  Outcome h = opbench({"history", "--store", store(), "--points"});
  ASSERT_EQ(h.code, 0) << h.err;
  EXPECT_TRUE(contains(h.out, "2 runs, 2 series"));
  EXPECT_TRUE(contains(h.out, "ReLU / dim=4096 on test_ok"));
  EXPECT_TRUE(contains(h.out, "'commit abc'"));
  EXPECT_TRUE(contains(h.out, "0 steps in 2 series"));
  Outcome one = opbench({"history", "--store", store(), "--ops", "Sum"});
  EXPECT_TRUE(contains(one.out, "2 runs, 1 series"));
}

TEST_F(HistoryCli, TheDefaultStoreIsInTheHomeFolderAndOffMeansNone) {
  ASSERT_EQ(run("a", {}, {"OPBENCH_STORE=off"}).code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.file(".opbench/history.sqlite")));
  ASSERT_EQ(run("b", {"--no-store"}, {"OPBENCH_STORE="}).code, 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.file(".opbench/history.sqlite")));
  ASSERT_EQ(run("c", {}, {"OPBENCH_STORE="}).code, 0);
  EXPECT_EQ(Store(dir_.file(".opbench/history.sqlite")).run_count(), 1u);
  ASSERT_EQ(run("d", {}, {"OPBENCH_STORE=" + store()}).code, 0);
  EXPECT_EQ(Store(store()).run_count(), 1u);
}

TEST_F(HistoryCli, ADamagedStoreCostsOnlyAWarningAndImportAddsTheRunLater) {
  write_text(store(), std::string(4096, 'x'));
  Outcome r = run("a", {"--store", store()});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.file("a/result.json")));
  EXPECT_TRUE(contains(r.out, "| ReLU"));  // the tables, as ever
  std::vector<std::string> warnings;
  for (const std::string& line : lines_of(r.err))
    if (line.rfind("opbench run: warning:", 0) == 0) warnings.push_back(line);
  ASSERT_EQ(warnings.size(), 1u) << r.err;
  EXPECT_TRUE(contains(warnings[0], "the run is not in the history (" + store() + ": file is not a database)"));
  EXPECT_TRUE(contains(warnings[0], "opbench history import " + dir_.file("a/result.json")));
  // The gate cannot judge without a history: a failure, the results kept.
  EXPECT_EQ(run("b", {"--store", store(), "--fail-on-regression", "10"}).code, 1);
  std::filesystem::remove(store());
  Outcome imported = opbench({"history", "import", dir_.file("a/result.json"), "--store", store()});
  EXPECT_EQ(imported.code, 0) << imported.err;
  EXPECT_TRUE(contains(imported.out, "imported " + dir_.file("a/result.json")));
  Outcome again = opbench({"history", "import", dir_.file("a/result.json"), "--store", store()});
  EXPECT_TRUE(contains(again.out, "already stored: "));
  EXPECT_EQ(Store(store()).run_count(), 1u);
}

TEST_F(HistoryCli, ImportsThePublishedResults) {
  std::vector<std::string> args = {"history", "import", "--store", store()};
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(OPBENCH_DOCS_RESULTS))
    if (entry.path().string().ends_with(".json.gz")) args.push_back(entry.path().string()), ++files;
  ASSERT_GT(files, 10u);
  Outcome o = opbench(args);
  EXPECT_EQ(o.code, 0) << o.err;
  // Some published files are the same run under two names: stored once.
  size_t imported = count_of(o.out, "\nimported ") + (o.out.rfind("imported ", 0) == 0);
  EXPECT_EQ(imported + count_of(o.out, "already stored: "), files);
  EXPECT_EQ(Store(store()).run_count(), imported);
  EXPECT_GT(imported, 10u);
  Outcome h = opbench({"history", "--store", store(), "--ops", "MatMul", "--backends", "cpu"});
  EXPECT_EQ(h.code, 0);
  EXPECT_TRUE(contains(h.out, "MatMul / dim="));
}

// Copies of a real run of this machine with every time scaled by `factor`,
// a day apart, imported as its history.
void plant_history(const RunRecord& real, double factor, const std::string& store, const TempDir& dir) {
  Store s(store);
  for (int day = 1; day <= 6; ++day) {
    RunRecord copy = real;
    copy.created = "2026-11-0" + std::to_string(day) + "T00:00:00Z";
    for (ExperimentRecord& e : copy.experiments)
      for (Cell& c : e.cells) {
        for (double& v : c.samples_ms) v *= factor * (1 + 0.001 * day);
        c.stats = summarize(c.samples_ms);
      }
    s.append(copy, dir.file("planted"));
  }
}

TEST_F(HistoryCli, TheGateFailsARunSlowerThanItsHistoryNamingTheCells) {
  ASSERT_EQ(run("first", {"--no-store"}).code, 0);
  RunRecord real = read_result_file(dir_.file("first/result.json"));
  plant_history(real, 0.05, store(), dir_);  // the history was 20 times faster (the test backends are noisy)
  Outcome slow = run("slow", {"--store", store(), "--fail-on-regression", "20"});
  EXPECT_EQ(slow.code, 3) << slow.err;
  EXPECT_TRUE(contains(slow.out, "Regressions against the history (--fail-on-regression 20):"));
  EXPECT_TRUE(contains(slow.out, "- ReLU / dim=4096 on test_ok: "));
  EXPECT_TRUE(contains(slow.out, "- Sum / dim=64x64 axi=0 on test_ok: "));
  EXPECT_EQ(Store(store()).run_count(), 7u);  // judged, and stored

  std::filesystem::remove(store());
  plant_history(real, 20.0, store(), dir_);  // the history was 20 times slower
  Outcome fast = run("fast", {"--store", store(), "--fail-on-regression", "20"});
  EXPECT_EQ(fast.code, 0) << fast.err;
  EXPECT_FALSE(contains(fast.out, "Regressions"));
}

TEST_F(HistoryCli, BadInputIsOneLineNamingIt) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
    int code;
  } cases[] = {
      {{"history", "--store", store(), "--since", "last tuesday"}, "--since 'last tuesday' is not a UTC date", 2},
      {{"history", "--store", store(), "sideways"}, "unexpected argument 'sideways'", 2},
      {{"history", "import", "--store", store()}, "history import: no result file given", 2},
      {{"history", "import", dir_.file("nothing.json"), "--store", store()}, "nothing.json", 2},
      {{"run", "--case", "ReLU dim1=4", "--no-store", "--fail-on-regression", "5"}, "--fail-on-regression compares with the history: it needs a store", 2},
      {{"run", "--case", "ReLU dim1=4", "--store", store(), "--fail-on-regression", "-5"}, "--fail-on-regression", 2},
      {{"history"}, "no history: OPBENCH_STORE is off", 2},
      {{"history", "--store", dir_.file("typo.sqlite")}, "no history at '" + dir_.file("typo.sqlite") + "': no run has been stored there", 2},
  };
  for (const Case& c : cases) {
    Outcome o = opbench(c.args, {"OPBENCH_STORE=off"});
    EXPECT_EQ(o.code, c.code) << c.says;
    EXPECT_EQ(lines_of(o.err).size(), 1u) << o.err;
    EXPECT_TRUE(contains(o.err, c.says));
  }
}

TEST_F(HistoryCli, AStoreOfANewerSchemaIsRefused) {
  { Store create(store()); }
  open_sqlite(store())->run("UPDATE schema_version SET version = 2");
  Outcome o = opbench({"history", "--store", store()});
  EXPECT_EQ(o.code, 2);
  EXPECT_TRUE(contains(o.err, "the store's schema is version 2, newer than this opbench's version 1"));
}

TEST_F(HistoryCli, APostgresStoreTakesTheRunAndAServerDownCostsAWarning) {
  std::string url = PostgresServer::new_database();
  if (url.empty()) GTEST_SKIP() << PostgresServer::why();
  ASSERT_EQ(run("a", {"--store", url, "--label", "team"}).code, 0);
  Outcome h = opbench({"history"}, {"OPBENCH_STORE=" + url});
  EXPECT_EQ(h.code, 0) << h.err;
  EXPECT_TRUE(contains(h.out, "1 run, 2 series"));
  Outcome down = run("b", {"--store", "postgresql://opbench@127.0.0.1:1/none"});
  EXPECT_EQ(down.code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir_.file("b/result.json")));
  EXPECT_TRUE(contains(down.err, "opbench run: warning: the run is not in the history (postgresql://opbench@127.0.0.1:1/none: "));
}

TEST_F(HistoryCli, AChartPageOfTheHistory) {
  for (const char* out : {"a", "b", "c"}) ASSERT_EQ(run(out, {"--store", store(), "--label", out}).code, 0);
  Outcome o = opbench({"history", "--store", store(), "--html", dir_.file("history.html")});
  EXPECT_EQ(o.code, 0) << o.err;
  std::string page = read_text(dir_.file("history.html"));
  EXPECT_EQ(count_of(page, "<svg"), 2u);  // ReLU's and Sum's experiment
  EXPECT_TRUE(contains(page, "label: b"));
}

}  // namespace
}  // namespace opbench
