// Nothing lost, as a user sees it: the real opbench binary with its test
// backends (OPBENCH_TEST_BACKENDS=1), which crash, get killed or hang on
// purpose; interrupted and resumed runs; bad files for --resume; standard
// output and result files on a full disk.
#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "record_views.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <regex>
#include <thread>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "execution/isolation.h"
#include "format/json.h"
#include "model/check.h"
#include "model/error.h"
#include "model/suite.h"

extern char** environ;

namespace opbench {
namespace {

namespace fs = std::filesystem;

// ---- running opbench ------------------------------------------------------

struct Outcome {
  int code = -1;  // exit status; 128 + signal when killed by one
  std::string out, err;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "exit " << o.code << "\n--- stdout ---\n" << o.out.substr(0, 3000) << "\n--- stderr ---\n" << o.err.substr(0, 3000);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string make_temp_dir() {
  std::string pattern = (fs::path(testing::TempDir()) / "opbench_iso_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  return pattern;
}

struct Options {
  bool test_backends = true;           // OPBENCH_TEST_BACKENDS=1
  std::string stdout_path;             // default: captured
  rlim_t file_size_limit = RLIM_INFINITY;
  std::vector<std::string> env;        // "NAME=value", replacing any NAME inherited
};

// opbench started in the background; its output goes to files of `dir`.
class Opbench {
 public:
  Opbench(const std::string& dir, const std::vector<std::string>& args, const Options& options = {}) {
    static int serial = 0;
    out_path_ = options.stdout_path.empty() ? dir + "/stdout." + std::to_string(++serial) : options.stdout_path;
    capture_out_ = options.stdout_path.empty();
    err_path_ = dir + "/stderr." + std::to_string(++serial);
    std::vector<std::string> env;
    auto replaced = [&](const std::string& entry) {
      if (entry.rfind("OPBENCH_TEST_BACKENDS=", 0) == 0) return true;
      for (const std::string& own : options.env)
        if (entry.rfind(own.substr(0, own.find('=') + 1), 0) == 0) return true;
      return false;
    };
    for (char** e = environ; *e; ++e)
      if (!replaced(*e)) env.push_back(*e);
    if (options.test_backends) env.push_back("OPBENCH_TEST_BACKENDS=1");
    env.insert(env.end(), options.env.begin(), options.env.end());
    std::vector<std::string> argv_text = {OPBENCH_EXE};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv, envp;
    for (std::string& a : argv_text) argv.push_back(a.data());
    for (std::string& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int in = open("/dev/null", O_RDONLY);
      int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (in < 0 || out < 0 || err < 0) _exit(126);
      dup2(in, 0), dup2(out, 1), dup2(err, 2);
      if (options.file_size_limit != RLIM_INFINITY) {
        signal(SIGXFSZ, SIG_IGN);  // a write past the limit fails with EFBIG, as on a full disk
        rlimit limit{options.file_size_limit, options.file_size_limit};
        setrlimit(RLIMIT_FSIZE, &limit);
      }
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
  }

  void send(int sig) { kill(pid_, sig); }
  pid_t pid() const { return pid_; }

  Outcome wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    Outcome o;
    o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (capture_out_) o.out = read_file(out_path_);  // not /dev/full: it reads as endless zeros
    o.err = read_file(err_path_);
    return o;
  }

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  bool capture_out_ = true;
};

Outcome opbench(const std::string& dir, const std::vector<std::string>& args, const Options& options = {}) {
  return Opbench(dir, args, options).wait();
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Short cells; nothing below asserts on a time.
const std::vector<std::string> kFast = {"--quiet", "--max-time", "0.02", "--min-time", "0.005", "--warmup", "0",
                                        "--max-samples", "50"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string first_line_of(const std::string& text) { return text.substr(0, text.find('\n')); }

using opbench::test_views::backends_of;
using opbench::test_views::lines_of;

class TempDirTest : public testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  RunRecord result(const std::string& sub = "out") { return from_json(read_file(dir_ + "/" + sub + "/result.json"), sub); }
  std::string dir_;
};

// ---- crashes, kills and hangs ------------------------------------------------

using Isolation = TempDirTest;

TEST_F(Isolation, CrashesKillsAndHangsBecomeNanCellsAndTheRunGoesOn) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=64", "--case", "Sum dim1=8x8 axis=0", "--backends",
                                    "test_ok,test_abort,test_segv,test_kill,test_hang", "--time-limit", "1", "--out",
                                    dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  ASSERT_EQ(lines_of(r), (std::vector<std::string>{"ReLU dim1=64", "Sum dim1=8x8 axis=0"}));
  for (const ExperimentRecord& e : r.experiments) {
    SCOPED_TRACE(e.line);
    ASSERT_EQ(backends_of(e), (std::vector<std::string>{"test_abort", "test_segv", "test_kill", "test_hang", "test_ok"}));
    const std::string &abort = e.cells[0].error, &segv = e.cells[1].error, &killed = e.cells[2].error,
                      &hang = e.cells[3].error;
    EXPECT_TRUE(contains(abort, "SIGABRT")) << abort;
    EXPECT_TRUE(contains(abort, "last message: test_abort: aborting on purpose")) << abort;
#ifndef OPBENCH_SANITIZE  // AddressSanitizer turns the SIGSEGV into its report and exit code 1
    EXPECT_TRUE(contains(segv, "SIGSEGV")) << segv;
#endif
    EXPECT_TRUE(contains(segv, "the worker")) << segv;
    EXPECT_TRUE(contains(killed, "SIGKILL")) << killed;
    EXPECT_TRUE(contains(killed, "out-of-memory")) << killed;
    EXPECT_EQ(hang, "time limit of 1 s exceeded");
    // The backend after all of them, in a fresh worker, still measured.
    EXPECT_TRUE(e.cells[4].ok()) << e.cells[4].error;
    EXPECT_GE(e.cells[4].samples_ms.size(), 3u);
  }
  // The tables are printed with nan and the reasons; the framework's own
  // last words reach stderr.
  EXPECT_TRUE(contains(o.out, "- nan: ReLU / dim=64 on test_abort: the worker crashed with SIGABRT")) << o;
  EXPECT_TRUE(contains(o.out, "- nan: Sum / dim=8x8 axi=0 on test_hang: time limit of 1 s exceeded")) << o;
  EXPECT_TRUE(contains(o.err, "test_abort: aborting on purpose")) << o;
}

TEST_F(Isolation, TestBackendsAreHiddenWithoutTheVariable) {
  Options plain;
  plain.test_backends = false;
  Outcome list = opbench(dir_, {"list"}, plain);
  ASSERT_EQ(list.code, 0) << list;
  EXPECT_FALSE(contains(list.out, "test_")) << list;
  Outcome with = opbench(dir_, {"list"});
  EXPECT_TRUE(contains(with.out, "test_ok")) << with;
  Outcome run = opbench(dir_, {"run", "--case", "ReLU dim1=4", "--backends", "test_ok", "--out", dir_ + "/out"}, plain);
  EXPECT_EQ(run.code, 2) << run;
  EXPECT_TRUE(contains(run.err, "unknown backend 'test_ok'")) << run;
  // And the worker command is not advertised.
  Outcome help = opbench(dir_, {"--help"}, plain);
  EXPECT_FALSE(contains(help.out, "worker")) << help;
}

TEST_F(Isolation, NoIsolateRunsTheCellsInProcess) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=64", "--backends", "test_ok", "--no-isolate", "--out",
                                    dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  ASSERT_EQ(r.experiments.size(), 1u);
  EXPECT_TRUE(r.experiments[0].cells.at(0).ok());

  Outcome both = opbench(dir_, {"run", "--case", "ReLU dim1=4", "--backends", "test_ok", "--no-isolate", "--time-limit",
                                "5", "--out", dir_ + "/other"});
  EXPECT_EQ(both.code, 2) << both;
  EXPECT_TRUE(contains(both.err, "--time-limit")) << both;
  EXPECT_FALSE(fs::exists(dir_ + "/other/result.json"));
}

// Each experiment records where its time went, whether its cells ran in the
// worker or in process: the inputs and reference (made in the worker, and
// reported to opbench), each cell's phases, and the rest of its wall time.
TEST_F(Isolation, PhasesAreRecordedInTheWorkerAndInProcess) {
  for (bool isolated : {true, false}) {
    SCOPED_TRACE(isolated ? "worker" : "in process");
    std::vector<std::string> args = concat({"run", "--case", "MatMul dim1=96x96 dim2=96x96", "--case", "ReLU dim1=64",
                                            "--backends", "test_ok", "--out", dir_ + "/out"},
                                           kFast);
    if (!isolated) args.push_back("--no-isolate");
    fs::remove_all(dir_ + "/out");
    auto start = std::chrono::steady_clock::now();
    Outcome o = opbench(dir_, args);
    double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_EQ(o.code, 0) << o;
    RunRecord r = result();
    ASSERT_EQ(r.experiments.size(), 2u);
    double total = 0;
    for (const ExperimentRecord& e : r.experiments) {
      ASSERT_TRUE(e.phases) << e.name;
      EXPECT_GT(e.phases->inputs_s, 0) << e.name;
      EXPECT_GT(e.phases->reference_s, 0) << e.name;  // checked: the reference was made
      const Cell& c = e.cells.at(0);
      ASSERT_TRUE(c.phases) << e.name;
      EXPECT_GT(c.phases->prepare_s, 0);
      EXPECT_GT(c.phases->check_s, 0);
      double sampled_ms = 0;
      for (double ms : c.samples_ms) sampled_ms += ms;
      EXPECT_GE(c.phases->sampling_s * 1e3, sampled_ms);  // the loop holds every sample
      total += e.phases->inputs_s + e.phases->reference_s + e.phases->harness_s + c.phases->total_s();
    }
    // The worker's start lands in the first experiment's rest.
    if (isolated) EXPECT_GT(r.experiments[0].phases->harness_s, 0);
    EXPECT_LT(total, wall_s);
    EXPECT_TRUE(contains(o.out, "Where the time went: ")) << o;
  }
}

// --pass forward,backward: the backward experiment, run right after its
// forward twin, takes the inputs the worker (or this process) made for it and
// makes only dy, here one value beside 8 million made for the forward.
TEST_F(Isolation, TheBackwardExperimentTakesItsForwardTwinsInputs) {
  for (bool isolated : {true, false}) {
    SCOPED_TRACE(isolated ? "worker" : "in process");
    std::vector<std::string> args = concat({"run", "--case", "BCE dim1=4000000 dim2=4000000", "--pass", "forward,backward",
                                            "--backends", "test_ok", "--no-check", "--out", dir_ + "/out"},
                                           kFast);
    if (!isolated) args.push_back("--no-isolate");
    fs::remove_all(dir_ + "/out");
    Outcome o = opbench(dir_, args);
    ASSERT_EQ(o.code, 0) << o;
    RunRecord r = result();
    ASSERT_EQ(r.experiments.size(), 2u);
    ASSERT_TRUE(r.experiments[0].phases && r.experiments[1].phases);
    const double forward = r.experiments[0].phases->inputs_s, backward = r.experiments[1].phases->inputs_s;
    EXPECT_GT(forward, 0);
    EXPECT_LT(backward, forward / 20) << "the backward experiment made its inputs again";
    for (const ExperimentRecord& e : r.experiments) EXPECT_TRUE(e.cells.at(0).ok()) << e.line << ": " << e.cells.at(0).error;
  }
}

// A reference that takes a while is kept in the cache: the next run (the
// worker reads it) makes none, --no-cache makes it again, and a damaged entry
// is made again and replaced.
TEST_F(Isolation, ASecondRunReadsTheReferenceFromTheCache) {
  Options cached;
  cached.env = {"OPBENCH_CACHE=on", "OPBENCH_CACHE_DIR=" + dir_ + "/cache"};
  auto reference_s = [&](const std::vector<std::string>& extra) {
    fs::remove_all(dir_ + "/out");
    // A reference of 50 ms or more is cached (kWorthCachingS) on any machine:
    // BCE's mean is one sum in order, on one core, about 0.1 s for 1e7 logs.
    Outcome o = opbench(dir_,
                        concat(concat({"run", "--case", "BCE dim1=10000000 dim2=10000000", "--backends", "test_ok",
                                       "--out", dir_ + "/out"},
                                      kFast),
                               extra),
                        cached);
    EXPECT_EQ(o.code, 0) << o;
    RunRecord r = result();
    EXPECT_TRUE(r.experiments.at(0).cells.at(0).ok());  // checked against the reference, cached or not
    return r.experiments.at(0).phases->reference_s;
  };
  auto entries = [&] {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(dir_ + "/cache/references")) files.push_back(f.path());
    return files;
  };
  double made = reference_s({});
  ASSERT_EQ(entries().size(), 1u);
  double read = reference_s({});
  EXPECT_LT(read, made / 2) << "made in " << made << " s, read in " << read << " s";
  double again = reference_s({"--no-cache"});
  EXPECT_GT(again, 2 * read);

  const uintmax_t whole = fs::file_size(entries()[0]);
  fs::resize_file(entries()[0], whole / 2);  // truncated, as by a full disk or a crash
  double remade = reference_s({});
  EXPECT_GT(remade, 2 * read);
  ASSERT_EQ(entries().size(), 1u);
  EXPECT_EQ(fs::file_size(entries()[0]), whole);  // the whole entry again
}

TEST_F(Isolation, TheTimeLimitAlsoBoundsMakingTheInputsAndReference) {
  // The dense double-precision reference of a 640^3 product (2.6e8
  // multiply-adds, just under the budget above which it would be sampled)
  // takes far longer than the shortest limit, 10 ms: 50 ms on two cores.
  // (A 512^3 one against 20 ms took 21-28 ms here once the reference's
  // kernels were vectorized: too close.)
  Outcome o = opbench(dir_, concat({"run", "--case", "MatMul dim1=640x640 dim2=640x640", "--backends", "test_abort,test_ok",
                                    "--time-limit", "0.01", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  ASSERT_EQ(r.experiments.size(), 1u);
  ASSERT_EQ(r.experiments[0].cells.size(), 2u);
  for (const Cell& c : r.experiments[0].cells)
    EXPECT_EQ(c.error, "time limit of 0.01 s exceeded while making the inputs and the reference") << c.backend;
}

TEST_F(Isolation, AnExperimentThatCannotFitInMemoryIsSkipped) {
  for (const std::string mode : {"--seed=0", "--no-isolate"}) {
    SCOPED_TRACE(mode);
    std::string out = dir_ + "/out" + mode;
    Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=1000000x100000", "--case", "ReLU dim1=8", "--backends",
                                      "test_ok", mode, "--out", out},
                                     kFast));
    ASSERT_EQ(o.code, 0) << o;
    RunRecord r = from_json(read_file(out + "/result.json"), out);
    ASSERT_EQ(r.experiments.size(), 2u);
    EXPECT_TRUE(contains(r.experiments[0].cells.at(0).error, "skipped: needs about")) << r.experiments[0].cells.at(0).error;
    EXPECT_TRUE(r.experiments[1].cells.at(0).ok());
  }
}

// ---- planted answers: imprecise is timed and marked, wrong is not timed ------

class Planted : public TempDirTest {
 protected:
  // A planted device backend that fails its timed calls unless `option` is
  // given, run with test_ok beside it twice: without the option (its cell's
  // error must contain `error`), then with it (its cell timed). The second
  // run's record and output.
  std::pair<RunRecord, Outcome> timed_only_with(const std::string& backend, const std::vector<std::string>& option,
                                                const std::string& error) {
    const std::vector<std::string> run = {"run", "--case", "ReLU dim1=64", "--backends", backend + ",test_ok"};
    Outcome o = opbench(dir_, concat(concat(run, {"--out", dir_ + "/out"}), kFast));
    EXPECT_EQ(o.code, 0) << o;
    const RunRecord without = result();
    const Cell* failed = without.experiments.at(0).find(backend);
    EXPECT_TRUE(failed && contains(failed->error, error)) << (failed ? failed->error : "no cell");
    o = opbench(dir_, concat(concat(concat(run, option), {"--out", dir_ + "/with"}), kFast));
    EXPECT_EQ(o.code, 0) << o;
    RunRecord with = result("with");
    const Cell* timed = with.experiments.at(0).find(backend);
    EXPECT_TRUE(timed && timed->ok() && !timed->samples_ms.empty()) << (timed ? timed->error : "no cell");
    return {std::move(with), o};
  }
};

// The row of `label` in the first table of `tables` that has it.
std::string row_of(const std::string& tables, const std::string& label) {
  std::istringstream in(tables);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("| " + label + " ", 0) == 0) return line;
  return "";
}

// A sum that keeps bfloat16's precision in its running total (test_lossy_sum)
// is off by more than SumAll's tolerance over 1000 terms, by far less than
// 10% of the sum: imprecise, and timed.
TEST_F(Planted, ALossyReductionIsImpreciseTimedAndMarked) {
  Outcome o = opbench(dir_, concat({"run", "--case", "SumAll dim1=1000", "--backends", "test_ok,test_lossy_sum",
                                    "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  const Cell* lossy = r.experiments.at(0).find("test_lossy_sum");
  ASSERT_TRUE(lossy);
  EXPECT_EQ(lossy->check.verdict, Verdict::imprecise) << lossy->check.detail;
  EXPECT_EQ(lossy->check.tolerance, tolerance(find_op("SumAll")));
  EXPECT_GT(lossy->check.error, lossy->check.tolerance);
  EXPECT_TRUE(lossy->imprecise());
  EXPECT_GE(lossy->samples_ms.size(), 3u);
  EXPECT_EQ(r.experiments[0].find("test_ok")->check.verdict, Verdict::passed);

  // Marked in the detailed and the average table, listed under them (a
  // loaded machine's preempted samples may add the mixed mark ~ after it).
  std::string detailed = row_of(o.out, "SumAll / dim=1000"), average = row_of(o.out, "SumAll");
  const std::regex marked(R"(\*~? \|)");
  EXPECT_TRUE(std::regex_search(detailed, marked)) << o;
  EXPECT_EQ(std::count(detailed.begin(), detailed.end(), '*'), 1) << detailed;  // test_ok's time is not marked
  EXPECT_TRUE(std::regex_search(average, marked)) << o;
  EXPECT_TRUE(contains(o.out, "1 cell's output was imprecise")) << o;
  EXPECT_TRUE(contains(o.out, "- imprecise: SumAll / dim=1000 on test_lossy_sum: error ")) << o;
  EXPECT_TRUE(contains(o.out, "above the tolerance 0.0001 against the reference; timed, marked *")) << o;

  // `report` prints the same from the file; the CSV says so in its status.
  std::string file = dir_ + "/out/result.json";
  Outcome report = opbench(dir_, {"report", file});
  ASSERT_EQ(report.code, 0) << report;
  EXPECT_EQ(report.out, o.out);
  Outcome csv = opbench(dir_, {"report", file, "--format", "csv"});
  EXPECT_TRUE(contains(csv.out, ",test_lossy_sum,imprecise,")) << csv;
}

// Rows from no source, NaNs and doubled outputs are wrong: never timed.
TEST_F(Planted, AStrayRowANanAndADoubledOutputAreWrongAndNotTimed) {
  Outcome o = opbench(dir_, concat({"run", "--case", "Scatter dim1=8x4 dim2=20", "--case", "SumAll dim1=1000",
                                    "--backends", "test_stray_row,test_nan,test_double", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  auto expect_wrong = [&](const ExperimentRecord& e, const std::string& backend) {
    const Cell* c = e.find(backend);
    ASSERT_TRUE(c) << e.name << " " << backend;
    EXPECT_EQ(c->check.verdict, Verdict::wrong) << e.name << " on " << backend;
    EXPECT_TRUE(c->samples_ms.empty()) << e.name << " on " << backend;
    EXPECT_TRUE(contains(o.out, "- wrong: " + e.name + " on " + backend + ": ")) << o;
  };
  for (const ExperimentRecord& e : r.experiments) {
    expect_wrong(e, "test_nan");
    expect_wrong(e, "test_double");
  }
  expect_wrong(r.experiments.at(0), "test_stray_row");
  // It plants a row in Scatter alone: its SumAll is right.
  EXPECT_EQ(r.experiments.at(1).find("test_stray_row")->check.verdict, Verdict::passed);
  EXPECT_FALSE(contains(o.out, "imprecise")) << o;
}

// A backend that declares it cannot run an op (as a framework may, with
// OPBENCH_TORCH_CANNOT or OPBENCH_MLX_CANNOT) gets a nan cell giving its reason.
TEST_F(Planted, AnOpDeclaredImpossibleIsANanCellWithTheReason) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=64", "--backends", "test_ok,test_cannot", "--out",
                                    dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  const Cell* cell = r.experiments.at(0).find("test_cannot");
  ASSERT_TRUE(cell);
  EXPECT_EQ(cell->error, "test_cannot declares that it cannot run ReLU, on purpose");
  EXPECT_TRUE(cell->samples_ms.empty());
  EXPECT_TRUE(contains(row_of(o.out, "ReLU / dim=64"), "nan")) << o;
  EXPECT_TRUE(contains(o.out, "- nan: ReLU / dim=64 on test_cannot: test_cannot declares that it cannot run ReLU")) << o;
}


// --wait tells a GPU cell's calls how to wait for their results: test_sleep
// (it names a device) fails a timed call told to wait any other way than by
// sleeping; the default polls, and the sampling line says how each cell waited.
TEST_F(Planted, WaitTellsAGpuCellHowItsCallsWait) {
  auto [slept, o] = timed_only_with("test_sleep", {"--wait", "sleep"},
                                    "test_sleep: a timed call was told to wait by 'poll', not by sleeping");
  EXPECT_EQ(result().settings.sampler.wait, GpuWait::poll);
  EXPECT_EQ(slept.settings.sampler.wait, GpuWait::sleep);
  EXPECT_TRUE(contains(o.out, "memory the allocators reuse (1 cells); wall timing, warm caches, memory the allocators "
                              "reuse, results awaited asleep (woken by the driver) (1 cells)"))
      << o;
}

// --one-core holds a GPU cell's threads on one core while it is timed:
// test_one_core (it names a device) fails a timed call whose thread may run
// on more cores, and is timed only when held; the sampling line says so.
TEST_F(Planted, OneCoreHoldsAGpuCellsThreadsWhileItIsTimed) {
  if (std::thread::hardware_concurrency() < 2) GTEST_SKIP() << "one core: nothing to hold";
  auto [held, o] = timed_only_with("test_one_core", {"--one-core"}, "test_one_core: a timed call's thread may run on");
  EXPECT_FALSE(result().settings.sampler.one_core);
  EXPECT_TRUE(held.settings.sampler.one_core);
  // test_ok names no device: its cell is not held, and the line says which were.
  EXPECT_TRUE(contains(o.out, "memory the allocators reuse (1 cells); wall timing, warm caches, memory the allocators "
                              "reuse, results awaited by polling, threads on one core (1 cells)"))
      << o;
}

// A failure that poisons its process (test_sticky's Sort, as MLX-CUDA 0.31's
// failed Sort left a sticky CUDA error that failed every later cell of its
// worker): the cells after it, of the same experiment and of the next ones,
// run in new workers and are timed. In one process (--no-isolate) they would
// fail, which shows the poison is real.
TEST_F(Planted, CellsAfterAFrameworkFailureRunInNewWorkers) {
  const std::vector<std::string> run = {"run", "--case", "Sort dim1=64 axis=0", "--case", "ReLU dim1=64",
                                        "--backends", "test_sticky,test_ok"};
  Outcome o = opbench(dir_, concat(concat(run, {"--out", dir_ + "/out"}), kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  EXPECT_EQ(r.experiments.at(0).find("test_sticky")->error, "test_sticky fails Sort, on purpose");
  EXPECT_TRUE(r.experiments.at(0).find("test_ok")->ok()) << o;
  EXPECT_TRUE(r.experiments.at(1).find("test_sticky")->ok()) << o;
  EXPECT_TRUE(r.experiments.at(1).find("test_ok")->ok()) << o;

  Outcome in_process = opbench(dir_, concat(concat(run, {"--no-isolate", "--out", dir_ + "/one"}), kFast));
  ASSERT_EQ(in_process.code, 0) << in_process;
  EXPECT_TRUE(contains(result("one").experiments.at(1).find("test_ok")->error, "left this process failing")) << in_process;
}
// The backward pass, through worker processes as a user runs it: a planted
// wrong gradient (test_bad_gradient: PReLU's alpha 1.5 times too large) is
// wrong and not timed, the forward pass of the same backend is right, and
// Argmax, which has no gradient, is n/a with the reason in every backward
// cell. Each pass has its own tables; `report` prints the same from the file.
TEST_F(Planted, TheBackwardPassCatchesAWrongGradientAndArgmaxIsNotApplicable) {
  Outcome o = opbench(dir_, concat({"run", "--case", "PReLU dim1=8x8 dim2=1", "--case", "Argmax dim1=4x5 axis=1",
                                    "--pass", "forward,backward", "--backends", "test_ok,test_bad_gradient", "--out",
                                    dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  ASSERT_EQ(r.experiments.size(), 4u);
  EXPECT_EQ(lines_of(r), (std::vector<std::string>{"PReLU dim1=8x8 dim2=1", "Argmax dim1=4x5 axis=1",
                                                   "PReLU dim1=8x8 dim2=1 pass=backward",
                                                   "Argmax dim1=4x5 axis=1 pass=backward"}));
  EXPECT_EQ(r.experiments[0].pass, Pass::forward);
  EXPECT_EQ(r.experiments[2].pass, Pass::backward);
  EXPECT_EQ(r.experiments[2].name, r.experiments[0].name);
  EXPECT_EQ(r.experiments[0].find("test_bad_gradient")->check.verdict, Verdict::passed);
  EXPECT_EQ(r.experiments[2].find("test_ok")->check.verdict, Verdict::passed);
  const Cell* bad = r.experiments[2].find("test_bad_gradient");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->check.verdict, Verdict::wrong);
  EXPECT_TRUE(contains(bad->check.detail, "gradient of alpha")) << bad->check.detail;
  EXPECT_TRUE(bad->samples_ms.empty());
  for (const Cell& c : r.experiments[3].cells) {
    EXPECT_TRUE(c.not_applicable) << c.backend;
    EXPECT_EQ(c.error, "Argmax gives indices: no gradient with respect to its float input");
  }

  const std::string backward = o.out.substr(o.out.find("## Backward pass (forward + gradients)"));
  ASSERT_NE(o.out.find("## Backward pass (forward + gradients)"), std::string::npos) << o;
  EXPECT_TRUE(contains(backward, "### Detailed benchmark")) << o;
  EXPECT_TRUE(contains(row_of(backward, "Argmax / dim=4x5 axi=1"), "n/a")) << o;
  EXPECT_FALSE(contains(row_of(backward, "Argmax / dim=4x5 axi=1"), "nan")) << o;
  EXPECT_TRUE(contains(row_of(backward, "PReLU / dim=8x8 dim=1"), "wrong")) << o;
  EXPECT_FALSE(contains(row_of(o.out, "PReLU / dim=8x8 dim=1"), "wrong")) << "the forward table comes first: " << o;
  EXPECT_TRUE(contains(backward, "- n/a: Argmax / dim=4x5 axi=1 on test_ok: Argmax gives indices")) << o;
  EXPECT_TRUE(contains(backward, "- wrong: PReLU / dim=8x8 dim=1 on test_bad_gradient: output disagrees with the "
                                 "reference (gradient of alpha: relative error")) << o;

  Outcome report = opbench(dir_, {"report", dir_ + "/out/result.json"});
  ASSERT_EQ(report.code, 0) << report;
  EXPECT_EQ(report.out, o.out);
  Outcome csv = opbench(dir_, {"report", dir_ + "/out/result.json", "--format", "csv"});
  EXPECT_TRUE(contains(csv.out, "Argmax dim1=4x5 axis=1 pass=backward,test_ok,n/a,")) << csv;
  EXPECT_TRUE(contains(csv.out, "PReLU dim1=8x8 dim2=1 pass=backward,test_bad_gradient,wrong,")) << csv;
}

// --pass takes forward and backward, nothing else: one line naming the word.
TEST_F(Planted, AnUnknownPassIsOneErrorLineNamingIt) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--pass", "forward,sideways", "--backends",
                                    "test_ok", "--out", dir_ + "/out"},
                                   kFast));
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(o.err, "opbench run: error: --pass 'sideways' is neither 'forward' nor 'backward'\n");
  EXPECT_FALSE(fs::exists(dir_ + "/out/result.json"));
}

// --memory: the figures come back from the worker (and in process alike); a
// figure below what the result alone takes (test_low_memory's) is flagged as
// wrong, and the cell's time stands. test_ok counts 12 bytes an element: the
// reference's doubles and the float output.
TEST_F(Planted, MemoryFiguresComeBackAndAnImpossibleOneIsFlagged) {
  for (bool isolated : {true, false}) {
    SCOPED_TRACE(isolated ? "in a worker" : "in process");
    std::string out = dir_ + (isolated ? "/worker" : "/process");
    std::vector<std::string> args = {"run", "--case", "ReLU dim1=64", "--backends", "test_ok,test_low_memory",
                                     "--memory", "--out", out};
    if (!isolated) args.push_back("--no-isolate");
    Outcome o = opbench(dir_, concat(args, kFast));
    ASSERT_EQ(o.code, 0) << o;
    RunRecord r = read_result_file(out + "/result.json");
    EXPECT_TRUE(r.settings.memory);
    const Cell *ok = r.experiments.at(0).find("test_ok"), *low = r.experiments.at(0).find("test_low_memory");
    ASSERT_TRUE(ok && ok->memory && low && low->memory);
    EXPECT_EQ(ok->memory->peak_bytes, 64 * 12);
    EXPECT_EQ(ok->memory->least_bytes, 64 * 4);
    EXPECT_EQ(low->memory->peak_bytes, 64 * 2);
    EXPECT_TRUE(low->ok());  // its time stands
    EXPECT_TRUE(contains(o.out, "## Memory")) << o;
    EXPECT_TRUE(contains(o.out, "| ReLU / dim=64 | 256 bytes | 768 bytes | 3.00 | 128 bytes | wrong |")) << o;
    EXPECT_TRUE(contains(o.out, "- wrong memory figure: ReLU / dim=64 on test_low_memory: 128 bytes, below the 256 bytes "
                                "its result alone takes"))
        << o;
    EXPECT_TRUE(fs::exists(out + "/memory.md"));
    // `report` prints it again from the file, as the run printed it.
    Outcome report = opbench(dir_, {"report", out + "/result.json"});
    EXPECT_EQ(report.out, o.out);
  }
}

// Without --memory nothing of it is measured, printed or written.
TEST_F(Planted, WithoutMemoryNothingOfItAppears) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=64", "--backends", "test_ok", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_FALSE(contains(read_file(dir_ + "/out/result.json"), "\"memory\"")) << o;  // "fresh_memory" is another setting
  EXPECT_FALSE(contains(o.out, "## Memory")) << o;
  EXPECT_FALSE(fs::exists(dir_ + "/out/memory.md"));
}

// ---- the ranks of a collective: one worker process a rank ---------------------

using Ranks = TempDirTest;

// Every collective of the collectives' quick suite on 4 ranks: four workers,
// and every cell complete once each rank sent it.
TEST_F(Ranks, EveryRankIsAWorkerAndEachCellComesFromAllOfThem) {
  Outcome o = opbench(dir_, concat({"run", "--suite", "collectives-quick", "--ranks", "4", "--backends", "test_ok",
                                    "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  ASSERT_EQ(r.experiments.size(), load_suite("collectives-quick").experiments.size());
  for (const ExperimentRecord& e : r.experiments) {
    EXPECT_TRUE(contains(e.line, " ranks=4")) << e.line;
    EXPECT_TRUE(e.cells.at(0).ok()) << e.line << ": " << e.cells.at(0).error;
    EXPECT_EQ(e.cells.at(0).check.verdict, Verdict::passed) << e.line;
  }
  EXPECT_TRUE(contains(o.out, "## Bandwidth")) << o;
  EXPECT_TRUE(contains(o.err, "bandwidth.md")) << o;
}

// A rank that crashes ends its cell on every rank, with its reason; a new
// world runs the next cell, and a plain backend after it still measures.
TEST_F(Ranks, ACrashingRankEndsTheCellOnEveryRankAndTheRunGoesOn) {
  Outcome o = opbench(dir_, concat({"run", "--case", "AllReduce dim1=64 ranks=2", "--case", "AllGather dim1=64 ranks=2",
                                    "--backends", "test_ok,test_segv_rank1", "--time-limit", "20", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  for (const ExperimentRecord& e : result().experiments) {
    const Cell* crashed = e.find("test_segv_rank1");
    const Cell* fine = e.find("test_ok");
    ASSERT_TRUE(crashed && fine) << e.line;
    EXPECT_TRUE(contains(crashed->error, "rank 1: the worker")) << crashed->error;
#ifndef OPBENCH_SANITIZE
    EXPECT_TRUE(contains(crashed->error, "SIGSEGV")) << crashed->error;
#endif
    EXPECT_TRUE(fine->ok()) << fine->error;
  }
}

// A rank that hangs is stopped at the time limit with its peers.
TEST_F(Ranks, AHangingRankEndsTheCellAtTheTimeLimit) {
  auto start = std::chrono::steady_clock::now();
  Outcome o = opbench(dir_, concat({"run", "--case", "AllReduce dim1=64 ranks=2", "--backends", "test_hang_rank1,test_ok",
                                    "--time-limit", "1", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 30);
  RunRecord r = result();
  const ExperimentRecord& e = r.experiments.at(0);
  EXPECT_EQ(e.find("test_hang_rank1")->error, "time limit of 1 s exceeded");
  EXPECT_TRUE(e.find("test_ok")->ok()) << e.find("test_ok")->error;
}

// A wrong result on one rank is the cell's verdict, naming the rank.
TEST_F(Ranks, AWrongResultOnOneRankIsWrongAndNamesIt) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReduceScatter dim1=64 ranks=2", "--backends", "test_double_rank1",
                                    "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  RunRecord r = result();
  const Cell& c = r.experiments.at(0).cells.at(0);
  EXPECT_EQ(c.check.verdict, Verdict::wrong);
  EXPECT_TRUE(c.samples_ms.empty());
  EXPECT_EQ(c.check.detail.rfind("rank 1: ", 0), 0u) << c.check.detail;
}

// A world whose rank 1 cannot start (its backend is unavailable there) gives
// every cell of the experiment the reason, and the run goes on.
TEST_F(Ranks, ARankThatCannotStartGivesTheCellsItsReason) {
  Outcome o = opbench(dir_, concat({"run", "--case", "AllReduce dim1=64 ranks=2", "--case", "Broadcast dim1=64 ranks=2",
                                    "--backends", "test_absent_rank1", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  for (const ExperimentRecord& e : result().experiments)
    EXPECT_EQ(e.cells.at(0).error, "the 2 ranks cannot start: rank 1: backend 'test_absent_rank1' is not available: "
                                   "test_absent_rank1 is absent on rank 1, on purpose");
}

// Ranks that make no sense are refused before anything runs.
TEST_F(Ranks, BadRanksAreOneErrorLineNamingThem) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--suite", "collectives-quick", "--ranks", "0"}, "--ranks"},
      {{"--suite", "collectives-quick", "--ranks", "two"}, "--ranks"},
      {{"--suite", "collectives-quick", "--ranks", "3"}, "does not split into 3 equal parts"},
      {{"--case", "ReLU dim1=4 ranks=2"}, "ReLU takes no ranks"},
      {{"--case", "AllReduce dim1=4 ranks=0"}, "ranks '0'"},
  };
  for (const auto& [args, expected] : cases) {
    Outcome o = opbench(dir_, concat(concat({"run", "--backends", "test_ok", "--out", dir_ + "/bad"}, args), kFast));
    EXPECT_EQ(o.code, 2) << o;
    EXPECT_TRUE(contains(o.err, expected)) << o;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
  }
  Options bad_timeout;
  bad_timeout.env = {"OPBENCH_RENDEZVOUS_TIMEOUT_S=soon"};
  Outcome o = opbench(dir_, concat({"run", "--suite", "collectives-quick", "--backends", "test_ok", "--out", dir_ + "/bad"}, kFast),
                      bad_timeout);
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_TRUE(contains(o.err, "OPBENCH_RENDEZVOUS_TIMEOUT_S='soon' is not a positive number of seconds")) << o;
}

// Across hosts each rank is an opbench run of its own, told its place by
// RANK and WORLD_SIZE as torchrun tells it: one worker each, with --ranks
// taken from WORLD_SIZE, and a WORLD_SIZE that the lines contradict refused.
TEST_F(Ranks, ARunStartedAsOneRankOfAWorldRunsThatRank) {
  Options rank1;
  rank1.env = {"RANK=1", "WORLD_SIZE=3"};
  Outcome o = opbench(dir_, concat({"run", "--suite", "collectives-quick", "--ops", "AllReduce", "--backends", "test_ok",
                                    "--out", dir_ + "/out"},
                                   kFast),
                      rank1);
  ASSERT_EQ(o.code, 0) << o;
  for (const ExperimentRecord& e : result().experiments) {
    EXPECT_TRUE(contains(e.line, " ranks=3")) << e.line;
    EXPECT_TRUE(e.cells.at(0).ok()) << e.cells.at(0).error;
  }
  Outcome clash = opbench(dir_, concat({"run", "--suite", "collectives-quick", "--ranks", "2", "--backends", "test_ok",
                                        "--out", dir_ + "/clash"},
                                       kFast),
                          rank1);
  EXPECT_EQ(clash.code, 2) << clash;
  EXPECT_TRUE(contains(clash.err, "--ranks 2 differs from WORLD_SIZE=3")) << clash;
}

// ---- interruption and resume -------------------------------------------------

// Waits until `path` is a result file with at least `count` experiments.
bool wait_for_experiments(const std::string& path, size_t count, double timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (fs::exists(path) && from_json(read_file(path), path).experiments.size() >= count) return true;
    } catch (const UsageError&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

using Interrupt = TempDirTest;

// Cells of at least 20 ms, so the quick suite takes a few seconds.
const std::vector<std::string> kSlowish = {"--quiet", "--min-time", "0.02", "--max-time", "0.04", "--warmup", "0"};

TEST_F(Interrupt, SigintHalfwayThenResumeGivesTheCellsOfAFullRun) {
  const std::string path = dir_ + "/out/result.json";
  const std::vector<std::string> run = concat({"run", "--suite", "quick", "--backends", "test_ok"}, kSlowish);
  Opbench interrupted(dir_, concat(run, {"--out", dir_ + "/out"}));
  ASSERT_TRUE(wait_for_experiments(path, 6, 120)) << interrupted.wait();
  interrupted.send(SIGINT);
  Outcome stopped = interrupted.wait();

  const size_t planned = load_suite("quick").experiments.size();
  ASSERT_EQ(stopped.code, 130) << stopped;
  EXPECT_TRUE(contains(stopped.err, "stopped by SIGINT")) << stopped;
  EXPECT_TRUE(contains(stopped.err, "opbench run --resume " + path)) << stopped;
  EXPECT_EQ(stopped.out, "") << "no tables for an unfinished run";
  RunRecord partial = from_json(read_file(path), path);
  EXPECT_GE(partial.experiments.size(), 6u);
  EXPECT_LT(partial.experiments.size(), planned) << "the run ended before the signal: make its cells slower";
  EXPECT_EQ(partial.plan.size(), planned);
  EXPECT_EQ(test_views::temporaries_of(path), 0u);

  Outcome resumed = opbench(dir_, {"run", "--resume", path, "--quiet"});
  ASSERT_EQ(resumed.code, 0) << resumed;
  EXPECT_TRUE(contains(resumed.out, "## Detailed benchmark")) << resumed;
  RunRecord finished = from_json(read_file(path), path);

  Outcome full_run = opbench(dir_, concat(run, {"--out", dir_ + "/full"}));
  ASSERT_EQ(full_run.code, 0) << full_run;
  RunRecord full = result("full");

  // The same file as an uninterrupted run: experiments in suite order, the
  // same cells, settings, backends and plan; only the times differ.
  EXPECT_EQ(lines_of(finished), lines_of(full));
  EXPECT_EQ(finished.plan, full.plan);
  EXPECT_EQ(finished.suite, full.suite);
  EXPECT_TRUE(finished.settings == full.settings);
  ASSERT_EQ(finished.experiments.size(), planned);
  for (size_t i = 0; i < planned; ++i) {
    const ExperimentRecord &a = finished.experiments[i], &b = full.experiments[i];
    SCOPED_TRACE(a.line);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(backends_of(a), (std::vector<std::string>{"test_ok"}));
    EXPECT_EQ(backends_of(a), backends_of(b));
    EXPECT_TRUE(a.cells[0].ok()) << a.cells[0].error;
  }
  // What was measured before the interruption was kept, not measured again.
  for (size_t i = 0; i < partial.experiments.size(); ++i)
    EXPECT_EQ(finished.experiments[i].cells[0].samples_ms, partial.experiments[i].cells[0].samples_ms);
}

TEST_F(Interrupt, SigtermStopsWith143AndNothingStartsAfter) {
  std::vector<std::string> args = {"run", "--backends", "test_ok", "--out", dir_ + "/out"};
  for (int i = 1; i <= 30; ++i) args.insert(args.end(), {"--case", "ReLU dim1=" + std::to_string(1000 + i)});
  Opbench running(dir_, concat(args, kSlowish));
  ASSERT_TRUE(wait_for_experiments(dir_ + "/out/result.json", 2, 120)) << running.wait();
  running.send(SIGTERM);
  Outcome o = running.wait();
  ASSERT_EQ(o.code, 143) << o;
  EXPECT_TRUE(contains(o.err, "stopped by SIGTERM")) << o;
  RunRecord r = result();
  EXPECT_LT(r.experiments.size(), 30u);
  EXPECT_EQ(r.plan.size(), 30u);
}

TEST_F(Interrupt, ResumingACompleteFileRunsNothing) {
  Outcome first = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast));
  ASSERT_EQ(first.code, 0) << first;
  const std::string path = dir_ + "/out/result.json", before = read_file(path);
  Outcome again = opbench(dir_, {"run", "--resume", path, "--seed", "0"});  // repeating a setting is fine
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_TRUE(contains(again.err, "1 of 1 cells done, 0 to run")) << again;
  EXPECT_EQ(read_file(path), before);
  EXPECT_EQ(again.out, first.out);
}

// ---- two runs, one output folder ------------------------------------------------

using OneFolder = TempDirTest;

// A run is writing dir_/out: another into the same folder, or resuming its
// file, is refused naming the first; the first ends with all its results.
TEST_F(OneFolder, ASecondRunIsRefusedNamingTheProcessThatWrites) {
  const std::string path = dir_ + "/out/result.json";
  Opbench first(dir_, concat({"run", "--suite", "quick", "--backends", "test_ok", "--out", dir_ + "/out"}, kSlowish));
  ASSERT_TRUE(wait_for_experiments(path, 1, 120)) << first.wait();
  const std::string holder = "another opbench run (process " + std::to_string(first.pid()) + ")";

  Outcome second = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast));
  Outcome resume = opbench(dir_, {"run", "--resume", path});
  Outcome done = first.wait();

  for (const Outcome& refused : {second, resume}) {
    EXPECT_EQ(refused.code, 2) << refused;
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused;
    EXPECT_TRUE(contains(refused.err, path + " is being written by " + holder)) << refused;
  }
  ASSERT_EQ(done.code, 0) << done;
  EXPECT_EQ(result().experiments.size(), load_suite("quick").experiments.size());
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  EXPECT_FALSE(fs::exists(path + ".lock")) << "the lock goes with the run";
  // The lock is gone; the finished run in the folder is not replaced without a word.
  Outcome after = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast));
  EXPECT_EQ(after.code, 2) << after;
  EXPECT_TRUE(contains(after.err, path + " holds a finished run")) << after;
  EXPECT_EQ(result().experiments.size(), load_suite("quick").experiments.size());
}

// A folder that holds a run, finished or not, or any result.json, is not
// written over: one line says what is there, names a fresh folder and
// --resume, and the file stays as it was.
TEST_F(OneFolder, AFolderThatHoldsARunIsRefusedAndKept) {
  const std::string path = dir_ + "/out/result.json";
  const std::vector<std::string> two = {"run", "--case", "ReLU dim1=8", "--case", "Sum dim1=8x8 axis=0", "--backends", "test_ok"};
  Outcome first = opbench(dir_, concat(concat(two, {"--out", dir_ + "/out"}), kFast));
  ASSERT_EQ(first.code, 0) << first;
  const std::string finished = read_file(path);
  auto refused = [&](const std::string& what) {
    Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=4", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast));
    EXPECT_EQ(o.code, 2) << o;
    EXPECT_EQ(o.out, "");
    EXPECT_EQ(o.err, "opbench run: error: " + path + " holds " + what + ", which this run would replace: give --out a "
                     "fresh folder, or finish an unfinished run with opbench run --resume " + path + "\n");
  };
  refused("a finished run (2 experiments)");
  EXPECT_EQ(read_file(path), finished);
  // Interrupted after its first experiment: 1 of 2 cells.
  nlohmann::json unfinished = nlohmann::json::parse(finished);
  unfinished["experiments"].erase(1);
  write_file(path, unfinished.dump(1));
  refused("an unfinished run (1 of 2 cells)");
  EXPECT_EQ(read_file(path), unfinished.dump(1));
  write_file(path, "my notes\n");
  refused("a result.json that does not read as a result");
  EXPECT_EQ(read_file(path), "my notes\n");
  // --resume of another file, written into the folder: refused too.
  Outcome elsewhere = opbench(dir_, concat(concat(two, {"--out", dir_ + "/other"}), kFast));
  ASSERT_EQ(elsewhere.code, 0) << elsewhere;
  write_file(path, finished);
  Outcome resume = opbench(dir_, {"run", "--resume", dir_ + "/other/result.json", "--out", dir_ + "/out", "--quiet"});
  EXPECT_EQ(resume.code, 2) << resume;
  EXPECT_TRUE(contains(resume.err, path + " holds a finished run (2 experiments)")) << resume;
  EXPECT_EQ(read_file(path), finished);
  // A fresh folder, or one with other files but no result.json, takes the run.
  fs::create_directories(dir_ + "/notes");
  write_file(dir_ + "/notes/readme.txt", "mine\n");
  Outcome fresh = opbench(dir_, concat(concat(two, {"--out", dir_ + "/notes"}), kFast));
  EXPECT_EQ(fresh.code, 0) << fresh;
  EXPECT_EQ(read_file(dir_ + "/notes/readme.txt"), "mine\n");
}

// A lock file left by a run that was killed does not stop the next one.
TEST_F(OneFolder, AKilledRunsLockIsNoObstacle) {
  const std::string path = dir_ + "/out/result.json";
  Opbench killed(dir_, concat({"run", "--suite", "quick", "--backends", "test_ok", "--out", dir_ + "/out"}, kSlowish));
  ASSERT_TRUE(wait_for_experiments(path, 1, 120)) << killed.wait();
  killed.send(SIGKILL);
  killed.wait();
  ASSERT_TRUE(fs::exists(path + ".lock"));
  Outcome resumed = opbench(dir_, {"run", "--resume", path, "--quiet"});
  EXPECT_EQ(resumed.code, 0) << resumed;
  EXPECT_FALSE(fs::exists(path + ".lock"));
}

// --resume FILE of any name: the run ends naming FILE, its tables beside it.
TEST_F(Interrupt, AResumedFileOfAnyNameIsTheOneNamedAtTheEnd) {
  Outcome good = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--case", "ReLU dim1=9", "--backends", "test_ok",
                                       "--out", dir_ + "/good"}, kFast));
  ASSERT_EQ(good.code, 0) << good;
  nlohmann::json half = nlohmann::json::parse(read_file(dir_ + "/good/result.json"));
  half["experiments"].erase(1);
  fs::create_directories(dir_ + "/runs");
  const std::string path = dir_ + "/runs/half.json";
  write_file(path, half.dump());
  Outcome resumed = opbench(dir_, {"run", "--resume", path, "--quiet"});
  ASSERT_EQ(resumed.code, 0) << resumed;
  EXPECT_TRUE(contains(resumed.err, "results: " + path + ", average.md, detailed.md")) << resumed;
  EXPECT_FALSE(fs::exists(dir_ + "/runs/result.json"));
  EXPECT_TRUE(fs::exists(dir_ + "/runs/detailed.md"));
  EXPECT_EQ(from_json(read_file(path), path).experiments.size(), 2u);
}

// The same experiment given several times runs once, and stderr says so.
// A --case that --ops or --filter leaves out is named, with why; the rest runs.
TEST_F(Isolation, ACaseLeftOutByOpsOrFilterIsNamed) {
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--case", "Softmax dim1=8x8 axis=0", "--ops", "ReLU",
                                    "--backends", "test_ok", "--out", dir_ + "/out"},
                                   kFast));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(o.err, "opbench run: note: --case 'Softmax dim1=8x8 axis=0' does not run: its op Softmax is not in --ops "
                   "ReLU\nresults: " + dir_ + "/out/result.json, average.md, detailed.md\n");
  ASSERT_EQ(result().experiments.size(), 1u);
  EXPECT_EQ(result().experiments[0].line, "ReLU dim1=8");

  o = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--case", "ReLU dim1=16", "--filter", "dim=16",
                            "--backends", "test_ok", "--out", dir_ + "/filtered"},
                           kFast));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_TRUE(contains(o.err, "opbench run: note: --case 'ReLU dim1=8' does not run: its name 'ReLU / dim=8' does not "
                              "match --filter 'dim=16'\n"))
      << o;
  // Everything left out: each case named, then the error.
  o = opbench(dir_, concat({"run", "--case", "Softmax dim1=8x8 axis=0", "--ops", "ReLU", "--backends", "test_ok", "--out",
                            dir_ + "/none"},
                           kFast));
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(o.err, "opbench run: note: --case 'Softmax dim1=8x8 axis=0' does not run: its op Softmax is not in --ops "
                   "ReLU\nopbench run: error: no experiment left to run after --ops/--filter\n");
}

// A run that may take more than a minute says so first. With no earlier run
// of this machine beside its folder, the sampling settings bound it; with
// one, each cell counts what it took there.
TEST_F(Isolation, ARunOfMoreThanAMinuteSaysSoWithItsEstimate) {
  const std::vector<std::string> cells = {"run", "--case", "ReLU dim1=8", "--case", "Sum dim1=8x8 axis=0",
                                          "--backends", "test_ok", "--warmup", "0", "--min-samples", "3",
                                          "--max-samples", "3"};
  // --max-time 40: at most 40 s a cell, 80 s in all; 3 samples end each cell at once.
  Outcome o = opbench(dir_, concat(cells, {"--max-time", "40", "--min-time", "0", "--out", dir_ + "/runs/first"}));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(first_line_of(o.err),
            "opbench run: 2 cells: sampling alone takes 0m00s to 1m20s (each cell 0 to 40 s: --warmup, --min-time, "
            "--max-time), inputs and references on top; no earlier run of this machine in " + dir_ + "/runs to "
            "estimate from") << o;
  // A minute or less: nothing said.
  o = opbench(dir_, concat(cells, {"--max-time", "30", "--min-time", "0", "--out", dir_ + "/short/a"}));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_FALSE(contains(o.err, "opbench run: 2 cells")) << o;
  // The earlier run, as if each cell had taken 25 s and Sum's inputs and reference 20 more: 70 s.
  nlohmann::json earlier = nlohmann::json::parse(read_file(dir_ + "/runs/first/result.json"));
  for (auto& e : earlier["experiments"]) {
    for (auto& c : e["cells"]) c["phases_s"] = {{"prepare", 5}, {"check", 5}, {"warmup", 5}, {"sampling", 10}};
    e["phases_s"] = {{"inputs", 0}, {"reference", 0}, {"harness", 0}};
  }
  earlier["experiments"][1]["phases_s"]["reference"] = 20;
  write_file(dir_ + "/runs/first/result.json", earlier.dump(1));
  o = opbench(dir_, concat(cells, {"--max-time", "40", "--min-time", "0", "--out", dir_ + "/runs/second"}));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(first_line_of(o.err), "opbench run: 2 cells, about 1m10s: the time each took in " + dir_ +
                                         "/runs/first/result.json (this machine, 2 of these cells; the rest at its "
                                         "mean a cell)") << o;
  // --quiet says nothing of it.
  o = opbench(dir_, concat(cells, {"--max-time", "40", "--min-time", "0", "--quiet", "--out", dir_ + "/runs/third"}));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_FALSE(contains(o.err, "about")) << o;
}

TEST_F(Isolation, ARepeatedExperimentRunsOnceWithANote) {
  write_file(dir_ + "/suite.txt", "ReLU dim1=8\nSumAll dim1=4\nReLU  dim1=8   # again\nReLU dim1=8\n");
  Outcome o = opbench(dir_, concat({"run", "--suite", dir_ + "/suite.txt", "--case", "SumAll dim1=4", "--backends",
                                    "test_ok", "--out", dir_ + "/out"}, kFast));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(lines_of(result()), (std::vector<std::string>{"ReLU dim1=8", "SumAll dim1=4"}));
  EXPECT_TRUE(contains(o.err, "opbench run: note: 'ReLU dim1=8' is given 3 times; it runs once")) << o;
  EXPECT_TRUE(contains(o.err, "opbench run: note: 'SumAll dim1=4' is given 2 times; it runs once")) << o;
}

// ---- bad files for --resume: exit 2, one line naming the file, file untouched ----

struct BadResume {
  std::string label;
  std::function<std::string(std::string)> edit;  // the good file's text -> the bad one ("" : no file)
  std::vector<std::string> extra_args;
  std::string expected;  // in the error line
};

// The result file's JSON changed by `change`.
std::function<std::string(std::string)> edited(std::function<void(nlohmann::json&)> change) {
  return [change](std::string text) {
    nlohmann::json j = nlohmann::json::parse(text);
    change(j);
    return j.dump(1);
  };
}

const std::vector<BadResume> kBadResumes = {
    {"Truncated", [](std::string t) { return t.substr(0, t.size() / 2); }, {}, "not valid JSON"},
    {"Empty", [](std::string) { return std::string(" "); }, {}, "not a result"},
    {"NotAResult", [](std::string) { return std::string("{\"hello\": 1}"); }, {}, "not an opbench result file"},
    {"Missing", [](std::string) { return std::string(); }, {}, "cannot read"},
    {"OtherSuite", [](std::string t) { return t; }, {"--suite", "default"}, "differs from the file's suite 'quick'"},
    {"OtherSeed", [](std::string t) { return t; }, {"--seed", "7"}, "--seed 7 differs from the file's setting seed = 0"},
    {"OtherMaxTime", [](std::string t) { return t; }, {"--max-time", "9"}, "--max-time 9 differs"},
    {"OtherBackends", [](std::string t) { return t; }, {"--backends", "test_ok,test_abort"}, "--backends test_ok,test_abort differs"},
    {"NoCheckOnACheckedRun", [](std::string t) { return t; }, {"--no-check"}, "--no-check differs"},
    {"OtherWait", [](std::string t) { return t; }, {"--wait", "sleep"}, "--wait sleep differs from the file's setting wait = \"poll\""},
    {"OpsWithResume", [](std::string t) { return t; }, {"--ops", "ReLU"}, "--ops cannot be combined with --resume"},
    {"CaseWithResume", [](std::string t) { return t; }, {"--case", "ReLU dim1=4"}, "--case cannot be combined with --resume"},
    {"UnknownBackend", edited([](nlohmann::json& j) { j["backends"][0]["name"] = "nosuch"; }), {}, "unknown backend 'nosuch'"},
    {"ExperimentNotInPlan", edited([](nlohmann::json& j) { j["plan"][1] = "SumAll dim1=10001"; }), {},
     "experiment 'SumAll dim1=10000' is not in the file's plan"},
    {"PlanWithABadLine", edited([](nlohmann::json& j) { j["plan"][1] = "SumAll dim1=0"; }), {},
     "its plan has an experiment this opbench cannot run"},
    {"CellOfAnotherBackend", edited([](nlohmann::json& j) { j["experiments"][0]["cells"][0]["backend"] = "cpu"; }), {},
     "backend 'cpu', which the file does not list"},
    {"NegativeMaxTime", edited([](nlohmann::json& j) { j["settings"]["max_time_s"] = -1; }), {},
     "its settings are ones the command line refuses: --max-time '-1.0' must be a number from 0"},
    {"NoSamples", edited([](nlohmann::json& j) { j["settings"]["min_samples"] = 0; }), {},
     "its settings are ones the command line refuses: --min-samples '0' must be an integer from 1"},
    {"BatchWithoutBatchedTiming", edited([](nlohmann::json& j) { j["settings"]["batch"] = 8; }), {},
     "--batch needs --timing batched"},
    {"NegativeSamples", edited([](nlohmann::json& j) { j["experiments"][0]["cells"][0]["samples_ms"][0] = -1; }), {},
     "field 'samples_ms' is out of range"},
    {"NoPlanInACustomRun", edited([](nlohmann::json& j) { j.erase("plan"), j["suite"] = "custom"; }), {},
     "the file lists no plan of experiments"},
};

void PrintTo(const BadResume& b, std::ostream* os) { *os << b.label; }

class BadResumeTest : public testing::TestWithParam<BadResume> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir());
    Outcome o = opbench(*dir_, concat({"run", "--suite", "quick", "--ops", "SumAll", "--backends", "test_ok", "--out",
                                       *dir_ + "/good"},
                                      kFast));
    if (o.code != 0) throw std::runtime_error("the good run failed: exit " + std::to_string(o.code) + " " + o.err);
    good_ = new std::string(read_file(*dir_ + "/good/result.json"));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(*dir_, ec);
    delete dir_;
    delete good_;
  }
  static std::string* dir_;
  static std::string* good_;
};
std::string* BadResumeTest::dir_ = nullptr;
std::string* BadResumeTest::good_ = nullptr;

TEST_P(BadResumeTest, FailsWithOneLineNamingTheFileAndLeavesItAlone) {
  const BadResume& bad = GetParam();
  const std::string path = *dir_ + "/" + bad.label + ".json";
  std::string text = bad.edit(*good_);
  if (!text.empty()) write_file(path, text);
  Outcome o = opbench(*dir_, concat({"run", "--resume", path}, bad.extra_args));
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(o.out, "") << o;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
  EXPECT_TRUE(contains(o.err, path)) << o;
  EXPECT_TRUE(contains(o.err, bad.expected)) << "stderr lacks '" << bad.expected << "'\n" << o;
  if (!text.empty()) EXPECT_EQ(read_file(path), text) << "the file was changed";
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
}

INSTANTIATE_TEST_SUITE_P(Resume, BadResumeTest, testing::ValuesIn(kBadResumes),
                         [](const testing::TestParamInfo<BadResume>& info) { return info.param.label; });

// ---- full disks -------------------------------------------------------------------

using FullDisk = TempDirTest;

TEST_F(FullDisk, StandardOutputOnDevFullIsAClearError) {
  Options to_full;
  to_full.stdout_path = "/dev/full";
  Outcome o = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast),
                      to_full);
  EXPECT_EQ(o.code, 1) << o;
  EXPECT_TRUE(contains(o.err, "cannot write the tables to standard output (No space left on device)")) << o;
  EXPECT_TRUE(contains(o.err, dir_ + "/out/result.json")) << o;
  RunRecord r = result();  // the measurement itself is safe
  ASSERT_EQ(r.experiments.size(), 1u);
  EXPECT_TRUE(r.experiments[0].cells.at(0).ok());
}

TEST_F(FullDisk, EveryCommandsStandardOutputOnDevFullIsAnError) {
  Outcome run = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", dir_ + "/out"}, kFast));
  ASSERT_EQ(run.code, 0) << run;
  const std::string path = dir_ + "/out/result.json";
  Options to_full;
  to_full.stdout_path = "/dev/full";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"report", path}, {"report", "--format", "csv", path}, {"compare", path, path}, {"list"}, {"report", "--help"}}) {
    SCOPED_TRACE(args[0] + " " + args.back());
    Outcome o = opbench(dir_, args, to_full);
    EXPECT_EQ(o.code, 1) << o;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
    EXPECT_TRUE(contains(o.err, "cannot write its output to standard output (No space left on device)")) << o;
  }
}

// A folder the run cannot write into is found before anything runs, for a
// new run and for a resumed one written elsewhere (which has no file to write
// before its first experiment).
TEST_F(FullDisk, AnUnwritableOutFolderIsRefusedBeforeAnythingRuns) {
  const std::string locked = dir_ + "/readonly";
  fs::create_directories(locked);
  if (getuid() == 0 ? mount("tmpfs", locked.c_str(), "tmpfs", MS_RDONLY, "size=32k") != 0
                    : chmod(locked.c_str(), 0555) != 0)
    GTEST_SKIP() << "cannot make a read-only folder here";
  Outcome fresh = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--backends", "test_ok", "--out", locked}, kFast));
  Outcome good = opbench(dir_, concat({"run", "--case", "ReLU dim1=8", "--case", "ReLU dim1=9", "--backends", "test_ok",
                                       "--out", dir_ + "/good"}, kFast));
  ASSERT_EQ(good.code, 0) << good;
  nlohmann::json half = nlohmann::json::parse(read_file(dir_ + "/good/result.json"));
  half["experiments"].erase(1);
  write_file(dir_ + "/half.json", half.dump());
  Outcome resumed = opbench(dir_, {"run", "--resume", dir_ + "/half.json", "--out", locked, "--quiet"});
  if (getuid() == 0) umount(locked.c_str());

  for (const Outcome& o : {fresh, resumed}) {
    EXPECT_EQ(o.code, 2) << o;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
    EXPECT_TRUE(contains(o.err, locked + ": cannot write there (")) << o;
    EXPECT_EQ(o.out, "") << o;
  }
}

// Checks a run that ran out of room for its result file part-way.
void expect_stopped_with_last_complete_file(const Outcome& o, const std::string& path, const std::string& reason) {
  EXPECT_EQ(o.code, 1) << o;
  EXPECT_TRUE(contains(o.err, "cannot write " + path + ": " + reason)) << o;
  EXPECT_TRUE(contains(o.err, "opbench run --resume " + path)) << o;
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  RunRecord r = from_json(read_file(path), path);  // whole, if short
  EXPECT_EQ(r.plan.size(), 40u);
  EXPECT_LT(r.experiments.size(), 40u);
  for (const ExperimentRecord& e : r.experiments) EXPECT_EQ(e.cells.size(), 1u) << e.line;
}

std::vector<std::string> forty_cases(const std::string& out) {
  std::vector<std::string> args = {"run", "--backends", "test_ok", "--out", out};
  for (int i = 1; i <= 40; ++i) args.insert(args.end(), {"--case", "ReLU dim1=" + std::to_string(i)});
  return concat(concat(args, kFast), {"--min-samples", "50"});  // about 1.3 KB of JSON an experiment
}

TEST_F(FullDisk, AResultFileThatCannotGrowKeepsItsLastCompleteVersion) {
  Options limited;
  limited.file_size_limit = 16 * 1024;  // bytes any one file may hold (RLIMIT_FSIZE)
  Outcome o = opbench(dir_, forty_cases(dir_ + "/out"), limited);
  expect_stopped_with_last_complete_file(o, dir_ + "/out/result.json", "File too large");
}

TEST_F(FullDisk, AFullFilesystemKeepsTheLastCompleteResultFile) {
  const std::string disk = dir_ + "/disk";
  fs::create_directories(disk);
  if (getuid() != 0 || mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=32k") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here";
  Outcome o = opbench(dir_, forty_cases(disk));
  expect_stopped_with_last_complete_file(o, disk + "/result.json", "No space left on device");
  umount(disk.c_str());
}

// ---- the worker's own failures ------------------------------------------------

// The parent's view of a backend: a name. The parent runs no op.
class NamedBackend : public Backend {
 public:
  const BackendInfo& info() const override { return info_; }
  std::string unavailable_reason() const override { return ""; }
  std::map<std::string, std::string> versions() const override { return {}; }
  OpSupport support(const std::string&) const override { return {true, ""}; }
  std::unique_ptr<PreparedOp> prepare(const Experiment&, const std::vector<HostTensor>&) override {
    throw std::logic_error("the parent prepared an op");
  }

 private:
  BackendInfo info_ = backend_info("test_ok", "");
};

// A stand-in for `opbench worker`: a shell script that answers on fd 3 as `answers` says.
class FakeWorker : public TempDirTest {
 protected:
  std::string worker(const std::string& answers) {
    std::string path = dir_ + "/worker.sh";
    write_file(path, "#!/bin/sh\n" + answers);
    chmod(path.c_str(), 0755);
    return path;
  }
  // The cells one experiment gets from a worker started as `exe`.
  std::vector<Cell> run(const std::string& exe) {
    IsolatedExecutor executor(exe, {"test_ok"}, 10);
    NamedBackend backend;
    std::vector<Cell> cells;
    CellEvents events;
    events.finished = [&](size_t, Cell c) { cells.push_back(std::move(c)); };
    executor.run(parse_experiment("ReLU dim1=8"), {&backend}, RunSettings{}, events, /*keep_inputs=*/false);
    return cells;
  }
  // What starting the worker throws, or "" when it starts.
  std::string start_error(const std::string& exe) {
    try {
      run(exe);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(FakeWorker, AWorkerThatCannotBeStartedIsNamedWithWhy) {
  std::string missing = dir_ + "/no-such-opbench";
  std::string message = start_error(missing);
  EXPECT_TRUE(contains(message, "the worker process (" + missing + " worker) cannot start: ")) << message;
  EXPECT_TRUE(contains(message, "127")) << message;  // exec failed: the shell's "not found" status
}

TEST_F(FakeWorker, AWorkerThatExitsBeforeItIsReadyIsNamedWithItsLastWords) {
  std::string message = start_error(worker("echo 'cannot open the GPU driver' >&2\nexit 3\n"));
  EXPECT_TRUE(contains(message, "cannot start: ")) << message;
  EXPECT_TRUE(contains(message, "exit")) << message;
  EXPECT_TRUE(contains(message, "cannot open the GPU driver")) << message;
}

TEST_F(FakeWorker, AFatalAnswerIsTheReason) {
  std::string message = start_error(worker("echo '{\"fatal\": \"no device here\"}' >&3\n"));
  EXPECT_TRUE(contains(message, "cannot start: no device here")) << message;
}

// Text that is not a message: the cell is nan with what the worker sent, and
// the worker is stopped.
TEST_F(FakeWorker, ABrokenMessageMakesTheCellNan) {
  std::vector<Cell> cells = run(worker(
      "echo '{\"ready\": true}' >&3\nread line\necho '{\"started\": \"test_ok\"}' >&3\n"
      "echo 'this is not json' >&3\nsleep 30\n"));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_EQ(cells[0].backend, "test_ok");
  EXPECT_FALSE(cells[0].ok());
  EXPECT_TRUE(contains(cells[0].error, "the worker broke the protocol: unexpected message")) << cells[0].error;
  EXPECT_TRUE(contains(cells[0].error, "this is not json")) << cells[0].error;
}

// A cell whose fields the result file's reader refuses is not taken as a time.
TEST_F(FakeWorker, AnUnreadableCellIsNan) {
  std::vector<Cell> cells = run(worker(
      "echo '{\"ready\": true}' >&3\nread line\necho '{\"started\": \"test_ok\"}' >&3\n"
      "echo '{\"cell\": {\"backend\": \"test_ok\", \"time_ms\": {\"mean\": -1}}}' >&3\n"
      "echo '{\"done\": true}' >&3\nread line\n"));
  ASSERT_EQ(cells.size(), 1u);
  EXPECT_FALSE(cells[0].ok());
  EXPECT_EQ(cells[0].error, "the worker sent an unreadable cell");
}

}  // namespace
}  // namespace opbench
