// The history's store, one suite run against SQLite and a real PostgreSQL
// server with the same answers: appending, series read back, filters,
// bound parameters, a newer schema refused, two writers at once, the gate;
// then what only a file has: a killed append, a damaged file.
#include "store/store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "model/error.h"
#include "postgres_server.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

// noisy_run's record at `created`, with `label`.
RunRecord run_at(int day, const std::string& label, unsigned seed, double matmul_factor = 1) {
  RunRecord r = noisy_run(seed, matmul_factor);
  char created[32];
  std::snprintf(created, sizeof created, "2026-11-%02dT03:00:00Z", day);
  r.created = created;
  r.label = label;
  return r;
}

const HistorySeries* find_series(const History& h, const std::string& name, const std::string& backend) {
  for (const HistorySeries& s : h.series)
    if (s.name == name && s.backend == backend) return &s;
  return nullptr;
}

// `write(w)` in `n` processes at once, w = 0..n-1; each must succeed.
void in_processes(int n, const std::function<void(int)>& write) {
  std::vector<pid_t> writers;
  for (int w = 0; w < n; ++w) {
    pid_t pid = fork();
    if (pid == 0) {
      try {
        write(w);
        _exit(0);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %d: %s\n", w, e.what());
        _exit(1);
      }
    }
    writers.push_back(pid);
  }
  for (pid_t pid : writers) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
}

const std::string kMatMul = "MatMul / dim=64x64 dim=64x64";

class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") {
      location_ = PostgresServer::new_database();
      if (location_.empty()) GTEST_SKIP() << PostgresServer::why();
    } else {
      location_ = dir_.file("history.sqlite");
    }
  }
  TempDir dir_;
  std::string location_;
};

TEST_P(StoreTest, AppendsARunAndReadsItsSeriesBack) {
  Store store(location_);
  RunRecord r = run_at(1, "nightly 1", 1);
  EXPECT_TRUE(store.append(r, "a/result.json"));
  EXPECT_FALSE(store.append(r, "again"));  // the same run is stored once
  EXPECT_EQ(store.run_count(), 1u);
  History h = store.read({});
  ASSERT_EQ(h.runs.size(), 1u);
  EXPECT_EQ(h.runs[0].label, "nightly 1");
  EXPECT_EQ(h.runs[0].created, "2026-11-01T03:00:00Z");
  EXPECT_EQ(h.runs[0].hostname, "laptop");
  EXPECT_EQ(h.runs[0].machine, machine_fingerprint(r));
  EXPECT_EQ(h.runs[0].versions, "mlx 0.32.4, torch 2.11.0");
  ASSERT_EQ(h.series.size(), 6u);  // three experiments, two backends
  const HistorySeries* s = find_series(h, kMatMul, "cpu");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->op, "MatMul");
  EXPECT_EQ(s->line, "MatMul dim1=64x64 dim2=64x64");
  EXPECT_EQ(s->pass, "forward");
  ASSERT_EQ(s->points.size(), 1u);
  const Cell& cell = *r.experiments[2].find("cpu");
  EXPECT_DOUBLE_EQ(s->points[0].value, cell_level(cell.stats).value);  // stored to the last bit
  EXPECT_DOUBLE_EQ(s->points[0].noise, cell.stats.noise);
}

TEST_P(StoreTest, ACellWithoutATimeIsStoredButMakesNoPoint) {
  Store store(location_);
  RunRecord r = cuda_machine();  // Softmax ran out of memory on cuda
  store.append(r, "h100");
  History h = store.read({});
  EXPECT_FALSE(find_series(h, "Softmax / dim=64x1000000 axi=-1", "cuda"));
  EXPECT_TRUE(find_series(h, "Softmax / dim=64x1000000 axi=-1", "cpu"));
}

TEST_P(StoreTest, ASeriesAcrossRunsShowsItsStepAtTheRightRun) {
  Store store(location_);
  for (int day = 1; day <= 24; ++day)  // MatMul 30 % slower from the 13th on
    store.append(run_at(day, "build " + std::to_string(day), day, day >= 13 ? 1.3 : 1.0), "gen");
  History h = store.read({});
  ASSERT_EQ(h.runs.size(), 24u);
  for (const char* backend : {"cpu", "mlx_cpu"}) {
    const HistorySeries* s = find_series(h, kMatMul, backend);
    ASSERT_TRUE(s);
    Segmentation cut = find_steps(s->points);
    ASSERT_EQ(cut.steps.size(), 1u) << backend;
    EXPECT_EQ(h.runs[s->runs[cut.steps[0].at]].label, "build 13");
    EXPECT_NEAR(cut.steps[0].change(), 0.3, 0.02);
  }
  EXPECT_TRUE(find_steps(find_series(h, "Argmax / dim=64x1024x128 axi=0", "cpu")->points).steps.empty());
}

TEST_P(StoreTest, FiltersByOpBackendMachineAndTime) {
  Store store(location_);
  for (int day = 1; day <= 4; ++day) store.append(run_at(day, "", day), "gen");
  store.append(cuda_machine(), "h100");  // 2026-11-26
  EXPECT_EQ(store.read({{"MatMul"}, {}, {}, "", ""}).series.size(), 4u);  // two machines, two backends each
  EXPECT_EQ(store.read({{"MatMul"}, {"cpu"}, {}, "", ""}).series.size(), 2u);
  History h100 = store.read({{}, {}, {"h100"}, "", ""});
  EXPECT_EQ(h100.runs.size(), 1u);
  EXPECT_EQ(h100.series.size(), 7u);  // Softmax has no time on cuda
  EXPECT_EQ(store.read({{}, {}, {machine_fingerprint(cuda_machine())}, "", ""}).runs.size(), 1u);
  History days = store.read({{}, {}, {}, "2026-11-02", "2026-11-03"});  // "until" takes in the whole day
  ASSERT_EQ(days.runs.size(), 2u);
  EXPECT_EQ(days.runs[1].created, "2026-11-03T03:00:00Z");
  EXPECT_EQ(find_series(days, kMatMul, "cpu")->points.size(), 2u);
  EXPECT_TRUE(store.read({{"NoSuchOp"}, {}, {}, "", ""}).series.empty());
  EXPECT_TRUE(store.read({{}, {}, {"nowhere"}, "", ""}).runs.empty());
}

TEST_P(StoreTest, LabelsAndLinesReachTheDatabaseOnlyAsValues) {
  Store store(location_);
  RunRecord r = run_at(1, "x'); DROP TABLE runs; -- \"quoted\" $1 ?", 1);
  r.experiments[0].line = "Argmax dim1=64x1024x128 axis=0 '; DELETE FROM cells; --";
  store.append(r, "it's/result.json");
  History h = store.read({{"Argmax"}, {}, {r.machine.hostname}, "", ""});
  ASSERT_EQ(h.runs.size(), 1u);
  EXPECT_EQ(h.runs[0].label, r.label);
  bool found = false;
  for (const HistorySeries& s : h.series) found = found || s.line == r.experiments[0].line;
  EXPECT_TRUE(found);
  EXPECT_EQ(store.read({}).series.size(), 6u);
}

TEST_P(StoreTest, AStoreOfANewerSchemaIsRefusedNamingBothVersions) {
  { Store store(location_); }
  std::unique_ptr<Database> db = GetParam() == "postgres" ? open_postgres(location_) : open_sqlite(location_);
  db->run("UPDATE schema_version SET version = 7");
  try {
    Store again(location_);
    FAIL() << "a newer schema was opened";
  } catch (const UsageError& e) {
    EXPECT_TRUE(contains(e.what(), "schema is version 7, newer than this opbench's version 1"));
  }
}

TEST_P(StoreTest, TwoWritersAtOnceBothLand) {
  { Store create(location_); }  // (two first runs at once are the next test's business)
  in_processes(2, [&](int w) {
    Store store(location_);
    for (int day = 1; day <= 8; ++day) store.append(run_at(day, "writer " + std::to_string(w), 100 * w + day), "w");
  });
  Store store(location_);
  EXPECT_EQ(store.run_count(), 16u);
  EXPECT_EQ(find_series(store.read({}), kMatMul, "cpu")->points.size(), 16u);
}

TEST_P(StoreTest, TwoFirstRunsCreateTheSchemaOnce) {
  in_processes(3, [&](int w) { Store(location_).append(run_at(1 + w, "", w), "w"); });
  std::unique_ptr<Database> db = GetParam() == "postgres" ? open_postgres(location_) : open_sqlite(location_);
  int64_t versions = 0;
  db->run("SELECT COUNT(*) FROM schema_version", {}, [&](const SqlRow& r) { versions = r.integer(0); });
  EXPECT_EQ(versions, 1);
  EXPECT_EQ(Store(location_).run_count(), 3u);
}

TEST_P(StoreTest, TheGateNamesTheCellsSlowerThanTheirLevel) {
  Store store(location_);
  for (int day = 1; day <= 10; ++day) store.append(run_at(day, "", day), "gen");
  RunRecord slower = run_at(11, "", 11, 1.25);  // MatMul 25 % slower
  std::vector<Regression> found = regressions(store.read({}), slower, 0.10);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].cell, kMatMul + " on mlx_cpu");
  EXPECT_EQ(found[1].cell, kMatMul + " on cpu");
  EXPECT_NEAR(found[0].change.change, 0.25, 0.03);
  EXPECT_TRUE(regressions(store.read({}), slower, 0.30).empty());  // past 25 %: not past the threshold
  EXPECT_TRUE(regressions(store.read({}), run_at(11, "", 11), 0.01).empty());  // the same level
  RunRecord elsewhere = slower;
  elsewhere.machine.hostname = "another";
  EXPECT_TRUE(regressions(store.read({}), elsewhere, 0.10).empty());  // no series on that machine yet
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreTest, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

// ---- what only a file has ------------------------------------------------

// A run of 273 cells (the default suite on three backends), with samples.
RunRecord big_run(unsigned seed) {
  RunRecord r = cpu_machine();
  r.experiments.clear();
  for (int e = 0; e < 91; ++e)
    r.experiments.push_back(experiment("ReLU dim1=" + std::to_string(64 + e),
                                       {noisy("cpu", 1, seed + e), noisy("mlx_cpu", 2, seed + e), noisy("mps", 3, seed + e)}));
  r.created = "2026-11-01T00:00:" + std::to_string(10 + seed % 50) + "Z";
  return r;
}

std::string integrity(const std::string& path) {
  std::string result;
  open_sqlite(path)->run("PRAGMA integrity_check", {}, [&](const SqlRow& r) { result += r.text(0); });
  return result;
}

TEST(SqliteStore, ARunKilledWhileAppendingIsAbsentOrWhole) {
  TempDir dir;
  const std::string path = dir.file("history.sqlite");
  { Store create(path); }
  for (int attempt = 0; attempt < 6; ++attempt) {
    int appended[2];
    ASSERT_EQ(pipe(appended), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(appended[0]);
      Store store(path);
      for (unsigned i = 0;; ++i) {
        store.append(big_run(1000 * attempt + i), "loop");
        if (write(appended[1], "a", 1) != 1) _exit(1);  // one more run is whole
      }
    }
    close(appended[1]);
    char byte;
    ASSERT_EQ(read(appended[0], &byte, 1), 1);  // the first append of this child is in, however slow the build
    usleep(3000 + 7000 * attempt);                // then at different points of a later one
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    close(appended[0]);
  }
  EXPECT_EQ(integrity(path), "ok");
  std::unique_ptr<Database> db = open_sqlite(path);
  int64_t runs = 0, partial = 0;
  db->run("SELECT COUNT(*) FROM runs", {}, [&](const SqlRow& r) { runs = r.integer(0); });
  db->run("SELECT COUNT(*) FROM runs WHERE (SELECT COUNT(*) FROM cells WHERE run_id = runs.id) <> 273", {},
          [&](const SqlRow& r) { partial = r.integer(0); });
  EXPECT_GT(runs, 0);
  EXPECT_EQ(partial, 0);
}

TEST(SqliteStore, ADamagedFileIsAnErrorWithItsReason) {
  TempDir dir;
  write_text(dir.file("history.sqlite"), std::string(8192, 'x'));
  try {
    Store store(dir.file("history.sqlite"));
    FAIL() << "a damaged file was opened";
  } catch (const StoreError& e) {
    EXPECT_TRUE(contains(e.what(), "file is not a database"));
    EXPECT_TRUE(contains(e.what(), dir.file("history.sqlite")));
  }
}

TEST(PostgresStore, AServerThatIsDownIsAnErrorWithItsReason) {
  try {
    Store store("postgresql://opbench:secret@127.0.0.1:1/history");
    FAIL() << "connected to nothing";
  } catch (const StoreError& e) {
    EXPECT_TRUE(contains(e.what(), "postgresql://opbench:***@127.0.0.1:1/history: "));
    EXPECT_TRUE(contains(e.what(), "onnection refused"));
    EXPECT_FALSE(contains(e.what(), "secret"));
  }
}

}  // namespace
}  // namespace opbench

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new opbench::testing::PostgresServer);
  return RUN_ALL_TESTS();
}
