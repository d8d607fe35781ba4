// The opbench program as a user runs it: the real binary, its exit code, what
// it prints on stdout and on stderr, and the files it writes.
#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "execution/world.h"
#include "format/json.h"
#include "model/ops.h"
#include "model/suite.h"
#include "record_views.h"

extern char** environ;

namespace opbench {
namespace {

namespace fs = std::filesystem;

// ---- running opbench -----------------------------------------------------

struct Outcome {
  int code = -1;  // exit status; 128 + signal when killed
  std::string out, err;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "exit " << o.code << "\n--- stdout ---\n" << o.out.substr(0, 4000) << "\n--- stderr ---\n" << o.err.substr(0, 4000);
}

// Runs opbench with `args`, stdout and stderr captured apart; `env` adds
// NAME=value variables to (or replaces them in) this process's environment.
Outcome opbench(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  // Made before fork: another thread may be running opbench too.
  std::vector<std::string> environment;
  for (char** e = environ; *e; ++e) {
    std::string entry = *e;
    auto same_name = [&](const std::string& own) { return entry.rfind(own.substr(0, own.find('=') + 1), 0) == 0; };
    if (std::none_of(env.begin(), env.end(), same_name)) environment.push_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  int out_pipe[2], err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    close(out_pipe[0]), close(out_pipe[1]), close(err_pipe[0]), close(err_pipe[1]);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    std::vector<char*> argv;
    std::string exe = OPBENCH_EXE;
    argv.push_back(exe.data());
    std::vector<std::string> copies = args;
    for (std::string& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    execve(exe.c_str(), argv.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  Outcome o;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&o.out, &o.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[65536];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  o.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

// A fresh folder of its own under gtest's temporary folder.
std::string make_temp_dir() {
  std::string pattern = (fs::path(testing::TempDir()) / "opbench_cli_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The settings that keep a run short; nothing below asserts on a time.
const std::vector<std::string> kFast = {"--quiet", "--max-time", "0.05", "--min-time", "0.01", "--warmup", "0.005"};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trim(const std::string& s) {
  size_t a = s.find_first_not_of(' '), b = s.find_last_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a, b - a + 1);
}

// The cells of a markdown table row: "| a | b |" -> {"a", "b"}.
std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::string inner = row.substr(1, row.size() - 2);
  size_t start = 0;
  while (true) {
    size_t bar = inner.find('|', start);
    cells.push_back(trim(inner.substr(start, bar == std::string::npos ? std::string::npos : bar - start)));
    if (bar == std::string::npos) return cells;
    start = bar + 1;
  }
}

// The header cells of the first table after `heading` in `text`.
std::vector<std::string> table_header(const std::string& text, const std::string& heading) {
  size_t at = text.find(heading);
  if (at == std::string::npos) return {};
  for (const std::string& line : lines_of(text.substr(at)))
    if (line.rfind("| Operation", 0) == 0) return cells_of(line);
  return {};
}

// The row of experiment `name` in the detailed table, or empty.
std::vector<std::string> row_of(const std::string& text, const std::string& name) {
  for (const std::string& line : lines_of(text))
    if (line.rfind("| " + name + " ", 0) == 0 || line.rfind("| " + name + "|", 0) == 0) return cells_of(line);
  return {};
}

// A table's time: a number, marked ~ where the cell's samples were mixed
// (a loaded machine preempts some calls).
bool is_number(std::string s) {
  if (!s.empty() && s.back() == '~') s.pop_back();
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size() && s != "nan";
}

// Backends `opbench list` reports as available here.
std::set<std::string> available_backends() {
  static const std::set<std::string> names = [] {
    std::set<std::string> out;
    Outcome o = opbench({"list"});
    bool in_backends = false;
    for (const std::string& line : lines_of(o.out)) {
      if (line == "backends:") {
        in_backends = true;
        continue;
      }
      if (line.empty()) in_backends = false;
      if (!in_backends) continue;
      std::istringstream words(line);
      std::string name, state;
      words >> name >> state;
      if (state == "available:") out.insert(name);
    }
    return out;
  }();
  return names;
}

// Experiments of the quick suite that `keep` accepts.
template <class Keep>
std::vector<std::string> quick_lines(Keep keep) {
  std::vector<std::string> out;
  for (const Experiment& e : load_suite("quick").experiments)
    if (keep(e)) out.push_back(e.line());
  return out;
}

std::vector<std::string> record_lines(const RunRecord& r) {
  std::vector<std::string> out;
  for (const ExperimentRecord& e : r.experiments) out.push_back(e.line);
  return out;
}

// ---- the quick suite on cpu, run once for the tests that read its output --

class QuickRun : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(make_temp_dir() + "/out");  // a folder run must create
    run_ = new Outcome(opbench(concat({"run", "--suite", "quick", "--backends", "cpu", "--out", *dir_}, kFast)));
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(fs::path(*dir_).parent_path(), ec);
    delete run_;
    delete dir_;
  }
  void SetUp() override { ASSERT_EQ(run_->code, 0) << *run_; }

  static std::string* dir_;
  static Outcome* run_;
};
std::string* QuickRun::dir_ = nullptr;
Outcome* QuickRun::run_ = nullptr;

TEST_F(QuickRun, PrintsBothTablesWithARowPerExperiment) {
  const std::string& out = run_->out;
  EXPECT_EQ(out.rfind("**", 0), 0u) << "stdout must start with the bold machine line:\n" << out.substr(0, 200);
  size_t detailed = out.find("## Detailed benchmark"), average = out.find("## Average benchmark");
  ASSERT_NE(detailed, std::string::npos);
  ASSERT_NE(average, std::string::npos);
  EXPECT_LT(detailed, average);
  EXPECT_EQ(table_header(out, "## Detailed benchmark"), (std::vector<std::string>{"Operation", "cpu"}));
  EXPECT_EQ(table_header(out, "## Average benchmark"), (std::vector<std::string>{"Operation", "cpu"}));

  const std::string detailed_part = out.substr(detailed, average - detailed);
  for (const Experiment& e : load_suite("quick").experiments) {
    std::vector<std::string> row = row_of(detailed_part, e.name());
    ASSERT_EQ(row.size(), 2u) << "no row for '" << e.name() << "'";
    EXPECT_TRUE(is_number(row[1])) << e.name() << ": '" << row[1] << "'";
  }
  const std::string average_part = out.substr(average);
  std::set<std::string> ops;
  for (const Experiment& e : load_suite("quick").experiments) ops.insert(e.op);
  for (const std::string& op : ops) {
    std::vector<std::string> row = row_of(average_part, op);
    ASSERT_EQ(row.size(), 2u) << "no average row for " << op;
    EXPECT_TRUE(is_number(row[1])) << op << ": '" << row[1] << "'";
  }
}

TEST_F(QuickRun, ResultFileHoldsEveryExperimentWithItsSamples) {
  const std::string path = *dir_ + "/result.json";
  ASSERT_TRUE(fs::exists(path));
  RunRecord r = from_json(read_file(path), path);
  EXPECT_EQ(r.suite, "quick");
  ASSERT_EQ(r.backends.size(), 1u);
  EXPECT_EQ(r.backends[0].info.name, "cpu");
  ASSERT_EQ(r.experiments.size(), load_suite("quick").experiments.size());
  EXPECT_EQ(record_lines(r), quick_lines([](const Experiment&) { return true; }));
  for (const ExperimentRecord& e : r.experiments) {
    ASSERT_EQ(e.cells.size(), 1u) << e.name;
    const Cell* cell = e.find("cpu");
    ASSERT_NE(cell, nullptr) << e.name;
    EXPECT_TRUE(cell->ok()) << e.name << ": " << cell->error << cell->check.detail;
    EXPECT_EQ(cell->check.verdict, Verdict::passed) << e.name;
    EXPECT_EQ(cell->samples_ms.size(), cell->stats.count) << e.name;
    EXPECT_GE(cell->samples_ms.size(), 3u) << e.name;
    EXPECT_NE(cell->stop, Stop::none) << e.name;
  }
}

TEST_F(QuickRun, WritesTheMarkdownTables) {
  std::string detailed = read_file(*dir_ + "/detailed.md"), average = read_file(*dir_ + "/average.md");
  ASSERT_TRUE(fs::exists(*dir_ + "/detailed.md"));
  ASSERT_TRUE(fs::exists(*dir_ + "/average.md"));
  EXPECT_EQ(detailed.rfind("# Detailed benchmark", 0), 0u) << detailed.substr(0, 200);
  EXPECT_EQ(average.rfind("# Average benchmark", 0), 0u) << average.substr(0, 200);
  EXPECT_NE(detailed.find("| Argmax / dim=16x64x32 axi=0"), std::string::npos);
  EXPECT_NE(average.find("| Argmax "), std::string::npos);
  EXPECT_EQ(test_views::temporaries_of(*dir_ + "/result.json"), 0u);
}

TEST_F(QuickRun, ReportPrintsExactlyWhatRunPrinted) {
  Outcome report = opbench({"report", *dir_ + "/result.json"});
  EXPECT_EQ(report.code, 0) << report;
  EXPECT_EQ(report.err, "");
  EXPECT_EQ(report.out, run_->out);
}

// Two files are merged into the reference's documents; when one of them
// cannot be read, the other is still rendered whole, with every experiment.
TEST_F(QuickRun, ReportRendersTheGoodFileNextToABadOne) {
  const std::string bad = *dir_ + "/not_a_result.json";
  write_file(bad, "{\"hello\": 1}\n");
  const std::string machine_line = run_->out.substr(0, run_->out.find('\n'));
  for (const auto& order : {std::vector<std::string>{"report", *dir_ + "/result.json", bad},
                            std::vector<std::string>{"report", bad, *dir_ + "/result.json"}}) {
    Outcome report = opbench(order);
    EXPECT_EQ(report.code, 2) << report;  // bad input, as compare calls it
    EXPECT_EQ(std::count(report.err.begin(), report.err.end(), '\n'), 1) << report;
    EXPECT_NE(report.err.find(bad), std::string::npos) << report;
    EXPECT_EQ(report.err.find(*dir_ + "/result.json"), std::string::npos) << report;
    EXPECT_NE(report.out.find(machine_line), std::string::npos) << report;
    for (const Experiment& e : load_suite("quick").experiments) {
      std::vector<std::string> row = row_of(report.out, e.name());
      ASSERT_EQ(row.size(), 2u) << "no row for '" << e.name() << "'\n" << report;
      EXPECT_EQ(row, row_of(run_->out, e.name()));  // the same time as the run printed
    }
  }
}

// ---- choosing what runs ----------------------------------------------------

class Choosing : public testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Runs `args` on cpu into a fresh folder of this test's (a folder that
  // holds a run is not written over) and reads its result file.
  RunRecord run_cpu(const std::vector<std::string>& args, Outcome* outcome = nullptr) {
    ++runs_;
    const std::string out = last_out();
    Outcome o = opbench(concat(concat({"run", "--backends", "cpu", "--out", out}, args), kFast));
    if (outcome) *outcome = o;
    EXPECT_EQ(o.code, 0) << o;
    if (o.code != 0) return {};
    return from_json(read_file(out + "/result.json"), out + "/result.json");
  }

  // The folder of the last run_cpu.
  std::string last_out() const { return dir_ + "/run" + std::to_string(runs_); }

  std::string dir_;
  int runs_ = 0;
};

TEST_F(Choosing, CaseWithoutSuiteRunsOnlyThatExperiment) {
  Outcome o;
  RunRecord r = run_cpu({"--case", "Softmax dim1=8x5 axis=0"}, &o);
  EXPECT_EQ(r.suite, "custom");
  EXPECT_EQ(record_lines(r), (std::vector<std::string>{"Softmax dim1=8x5 axis=0"}));
  ASSERT_EQ(r.experiments.size(), 1u);
  EXPECT_TRUE(r.experiments[0].cells.at(0).ok()) << r.experiments[0].cells.at(0).error;
  EXPECT_EQ(row_of(o.out, "Softmax / dim=8x5 axi=0").size(), 2u) << o.out;
  EXPECT_EQ(row_of(o.out, "Argmax / dim=16x64x32 axi=0").size(), 0u) << o.out;
}

// The settled stop is on unless --no-settle; the result file says which.
TEST_F(Choosing, NoSettleIsRecordedInTheSettings) {
  EXPECT_TRUE(run_cpu({"--case", "ReLU dim1=4x4"}).settings.sampler.stop_when_settled);
  EXPECT_FALSE(run_cpu({"--case", "ReLU dim1=4x4", "--no-settle"}).settings.sampler.stop_when_settled);
}

TEST_F(Choosing, RepeatedCasesRunInOrder) {
  RunRecord r = run_cpu({"--case", "ReLU dim1=4x4", "--case", "Sum dim1=3x4 axis=-1"});
  EXPECT_EQ(record_lines(r), (std::vector<std::string>{"ReLU dim1=4x4", "Sum dim1=3x4 axis=-1"}));
}

TEST_F(Choosing, OpsRestrictsTheSuite) {
  RunRecord r = run_cpu({"--suite", "quick", "--ops", "Sort,MatMul"});
  std::vector<std::string> expected = quick_lines([](const Experiment& e) { return e.op == "Sort" || e.op == "MatMul"; });
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(record_lines(r), expected);
}

TEST_F(Choosing, FilterRestrictsByName) {
  RunRecord r = run_cpu({"--suite", "quick", "--filter", "axi=2"});
  std::vector<std::string> expected =
      quick_lines([](const Experiment& e) { return std::regex_search(e.name(), std::regex("axi=2")); });
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(record_lines(r), expected);
  for (const ExperimentRecord& e : r.experiments) EXPECT_NE(e.name.find("axi=2"), std::string::npos) << e.name;
}

TEST_F(Choosing, BackendColumnsFollowTheSeedsOrder) {
  if (!available_backends().count("mlx_cpu") || !available_backends().count("cpu"))
    GTEST_SKIP() << "mlx_cpu and cpu are not both available here (opbench list)";
  for (const std::string& list : {"mlx_cpu,cpu", "cpu,mlx_cpu"}) {
    std::string out_dir = dir_ + "/" + list;
    Outcome o = opbench(concat({"run", "--suite", "quick", "--ops", "ReLU,Argmax", "--backends", list, "--out", out_dir}, kFast));
    ASSERT_EQ(o.code, 0) << o;
    // No mlx_gpu here: mlx_cpu, then cpu, then the two frameworks' speedup on this CPU.
    const std::vector<std::string> expected = {"Operation", "mlx_cpu", "cpu", "mlx_cpu/cpu speedup"};
    EXPECT_EQ(table_header(o.out, "## Detailed benchmark"), expected) << "--backends " << list;
    EXPECT_EQ(table_header(o.out, "## Average benchmark"), expected) << "--backends " << list;
    std::vector<std::string> row = row_of(o.out, "ReLU / dim=16x16x256");
    ASSERT_EQ(row.size(), 4u) << o.out;
    EXPECT_TRUE(is_number(row[1]) && is_number(row[2])) << o.out;
    EXPECT_TRUE(std::regex_match(row[3], std::regex("[+-]?[0-9]+%"))) << row[3];
    RunRecord r = from_json(read_file(out_dir + "/result.json"), out_dir);
    for (const ExperimentRecord& e : r.experiments) {
      ASSERT_EQ(e.cells.size(), 2u);
      EXPECT_EQ(e.cells[0].backend, "mlx_cpu");
      EXPECT_EQ(e.cells[1].backend, "cpu");
      EXPECT_TRUE(e.cells[0].ok() && e.cells[1].ok()) << e.name;
    }
  }
}

// Half-precision data: every cell checked against the double-precision
// reference with the dtype's tolerance, and named by its dtype.
void expect_checked_in(const RunRecord& r, const std::string& dtype) {
  ASSERT_EQ(r.experiments.size(), 3u);
  for (const ExperimentRecord& e : r.experiments) {
    EXPECT_NE(e.line.find("dtype=" + dtype), std::string::npos) << e.line;
    EXPECT_NE(e.name.find("dty=" + dtype), std::string::npos) << e.name;
    ASSERT_EQ(e.cells.size(), 1u);
    const Cell& c = e.cells[0];
    EXPECT_TRUE(c.ok()) << e.name << ": " << c.error << c.check.detail;
    EXPECT_TRUE(c.check.verdict == Verdict::passed || c.check.verdict == Verdict::imprecise) << e.name;
    EXPECT_GT(c.stats.mean, 0) << e.name;
  }
}

const std::vector<std::string> kHalfCases = {"--case", "ReLU dim1=64x64", "--case", "MatMul dim1=32x48 dim2=48x16",
                                             "--case", "Softmax dim1=16x40 axis=1"};

TEST_F(Choosing, Float16RunsAreCheckedAgainstTheReference) {
  expect_checked_in(run_cpu(concat(kHalfCases, {"--dtype", "float16"})), "float16");
}

TEST_F(Choosing, Bfloat16RunsAreCheckedAgainstTheReference) {
  expect_checked_in(run_cpu(concat(kHalfCases, {"--dtype", "bfloat16"})), "bfloat16");
}

// The experiments' names in the order their cells started, from the
// progress lines ("[2/6] 0.31 s elapsed, ...  cpu  Scatter / dim=64x16 dim=1000 [backward]").
std::vector<std::string> started_cells(const std::string& err) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(err))
    if (size_t at = line.find("  cpu  "); line.rfind("[", 0) == 0 && at != std::string::npos) out.push_back(line.substr(at + 7));
  return out;
}

// --pass forward,backward on the real cpu backend: each experiment's two
// passes run one after the other (the backward taking the forward's
// inputs), while result.json and the tables keep each pass's experiments in
// the order given, every check passing; a resume of a run stopped part-way
// finds its done cells and runs the rest in pairs too.
TEST_F(Choosing, BothPassesRunInPairsAndKeepEachPassInTheOrderGiven) {
  const std::vector<std::string> lines = {"Scatter dim1=64x16 dim2=1000", "Gather dim1=64x256 dim2=100",
                                          "ReLU dim1=64x64 dtype=float16"};
  std::vector<std::string> names, plan = lines, args = {"run", "--backends", "cpu", "--pass", "forward,backward",
                                                        "--max-time", "0.05", "--min-time", "0.01", "--warmup", "0.005"};
  for (const std::string& line : lines) {
    names.push_back(parse_experiment(line).name());
    plan.push_back(line + " pass=backward");
    args.insert(args.end(), {"--case", line});
  }
  const std::string out = dir_ + "/both";
  Outcome o = opbench(concat(args, {"--out", out}));
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(started_cells(o.err), (std::vector<std::string>{names[0], names[0] + " [backward]", names[1],
                                                            names[1] + " [backward]", names[2], names[2] + " [backward]"}))
      << o;
  const std::string path = out + "/result.json";
  const RunRecord r = from_json(read_file(path), path);
  EXPECT_EQ(r.plan, plan);
  ASSERT_EQ(record_lines(r), plan);
  for (const ExperimentRecord& e : r.experiments) {
    ASSERT_EQ(e.cells.size(), 1u);
    EXPECT_TRUE(e.cells[0].ok()) << e.line << ": " << e.cells[0].error;
    EXPECT_EQ(e.cells[0].check.verdict, Verdict::passed) << e.line << ": " << e.cells[0].check.detail;
  }
  // Each pass's tables, their rows in the order given.
  const size_t backward = o.out.find("## Backward pass (forward + gradients)");
  ASSERT_NE(backward, std::string::npos) << o;
  for (const std::string& part : {o.out.substr(0, backward), o.out.substr(backward)}) {
    size_t last = 0;
    for (const std::string& name : names) {
      size_t at = part.find("| " + name + " ");
      ASSERT_NE(at, std::string::npos) << name << "\n" << part;
      EXPECT_GT(at, last) << name << "\n" << part;
      last = at;
    }
  }

  // As if stopped after three cells: both passes of Scatter, Gather's forward.
  RunRecord stopped = r;
  stopped.experiments = {r.experiments[0], r.experiments[1], r.experiments[3]};
  fs::create_directories(dir_ + "/stopped");
  const std::string half = dir_ + "/stopped/result.json";
  write_file(half, to_json(stopped));
  Outcome resumed = opbench({"run", "--resume", half});
  ASSERT_EQ(resumed.code, 0) << resumed;
  EXPECT_NE(resumed.err.find("3 of 6 cells done, 3 to run"), std::string::npos) << resumed;
  EXPECT_EQ(started_cells(resumed.err), (std::vector<std::string>{names[1] + " [backward]", names[2], names[2] + " [backward]"}))
      << resumed;
  const RunRecord finished = from_json(read_file(half), half);
  ASSERT_EQ(record_lines(finished), plan);
  for (size_t i : {0, 1, 3}) EXPECT_EQ(finished.experiments[i].cells.at(0).samples_ms, r.experiments[i].cells.at(0).samples_ms);
  for (const ExperimentRecord& e : finished.experiments)
    EXPECT_EQ(e.cells.at(0).check.verdict, Verdict::passed) << e.line << ": " << e.cells.at(0).check.detail;
}

// Without --metrics: the two tables beside result.json, and no metrics.
TEST_F(Choosing, MetricsOnlyWhenAskedFor) {
  Outcome o;
  run_cpu({"--case", "ReLU dim1=64x64"}, &o);
  EXPECT_EQ(o.out.find("## Metrics"), std::string::npos) << o.out;
  EXPECT_FALSE(fs::exists(last_out() + "/metrics.md"));
  EXPECT_NE(o.err.find("results: " + last_out() + "/result.json, average.md, detailed.md\n"), std::string::npos) << o.err;
}

// calibrate measures the peaks into a file; run --calibration FILE copies them
// into the result, and --metrics prints and writes each cell's share of them.
TEST_F(Choosing, CalibrateThenMetricsShowTheShareOfThePeak) {
  std::string peaks_file = dir_ + "/peaks/calibration.json";
  Outcome cal = opbench({"calibrate", "--backends", "cpu", "--out", peaks_file});
  ASSERT_EQ(cal.code, 0) << cal;
  EXPECT_NE(cal.err.find("peaks: " + peaks_file), std::string::npos) << cal;
  nlohmann::json file = nlohmann::json::parse(read_file(peaks_file));
  EXPECT_EQ(file.at("schema"), "opbench-calibration");
  double bandwidth = file.at("peaks").at("cpu").at("bandwidth_gbs").get<double>();
  double gflops = file.at("peaks").at("cpu").at("gflops").at("float32").get<double>();
  EXPECT_GT(bandwidth, 0);
  EXPECT_GT(gflops, 0);
  EXPECT_NE(cal.out.find("cpu: "), std::string::npos) << cal;

  Outcome o;
  RunRecord r = run_cpu({"--case", "MatMul dim1=64x64 dim2=64x64", "--calibration", peaks_file, "--metrics"}, &o);
  ASSERT_EQ(r.peaks.count("cpu"), 1u);
  EXPECT_EQ(r.peaks.at("cpu").bandwidth_gbs, bandwidth);
  EXPECT_EQ(r.peaks.at("cpu").gflops.at(FloatType::float32), gflops);
  EXPECT_NE(o.out.find("## Metrics"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("cpu % of peak"), std::string::npos) << o.out;
  std::string metrics = read_file(last_out() + "/metrics.md");
  EXPECT_EQ(metrics.rfind("# Metrics\n\n**" + r.description() + "**\n\n| Experiment | cpu GB/s | cpu GFLOP/s | cpu % of peak |", 0), 0u)
      << metrics;
  EXPECT_NE(metrics.find("| MatMul / dim=64x64 dim=64x64 |"), std::string::npos) << metrics;
  EXPECT_NE(o.err.find("results: " + last_out() + "/result.json, average.md, detailed.md, metrics.md"), std::string::npos) << o.err;
}

// ---- bad input: exit 2, one line on stderr naming it, nothing run ---------

struct BadInput {
  std::string label;
  std::vector<std::string> args;  // "{OUT}" is this test's output folder
  std::string offending;          // must appear in the error line
};

// Valid options around each bad one, so that a check made late (after the
// first experiment ran) would leave a result file behind.
std::vector<std::string> run_with(std::vector<std::string> bad) {
  std::vector<std::string> args = {"run", "--suite", "quick", "--backends", "cpu", "--out", "{OUT}"};
  for (size_t i = 0; i < kFast.size(); ++i) {  // those of kFast that `bad` does not give itself
    bool takes_value = i + 1 < kFast.size() && kFast[i + 1].rfind("--", 0) != 0;
    if (std::find(bad.begin(), bad.end(), kFast[i]) == bad.end()) {
      args.push_back(kFast[i]);
      if (takes_value) args.push_back(kFast[i + 1]);
    }
    if (takes_value) ++i;
  }
  return concat(args, bad);
}
std::vector<std::string> case_with(std::string line) {
  return concat({"run", "--backends", "cpu", "--out", "{OUT}", "--case", "ReLU dim1=4", "--case", line}, kFast);
}

const std::vector<BadInput> kBadInputs = {
    {"EmptyDimension", case_with("MatMul dim1=64xx3 dim2=3x3"), "64xx3"},
    {"ZeroDimension", case_with("ReLU dim1=0x5"), "0x5"},
    {"NegativeDimension", case_with("ReLU dim1=-1"), "-1"},
    {"NotANumber", case_with("ReLU dim1=abc"), "abc"},
    {"Overflow", case_with("ReLU dim1=100000x100000x100000x100000"), "100000x100000x100000x100000"},
    {"AxisOutOfRange", case_with("Sum dim1=4x4 axis=5"), "axis=5"},
    {"MatMulInnerDimensions", case_with("MatMul dim1=2x3 dim2=4x5"), "MatMul dim1=2x3 dim2=4x5"},
    {"ConcatShapes", case_with("Concat dim1=2x3 dim2=4x5 axis=0"), "Concat dim1=2x3 dim2=4x5 axis=0"},
    {"UnknownOpInCase", case_with("Nope dim1=4"), "Nope"},
    {"CaseAlone", {"run", "--out", "{OUT}", "--case", "Sum dim1=4x4 axis=-3"}, "axis=-3"},
    {"UnknownOp", run_with({"--ops", "Nope"}), "Nope"},
    {"EmptyOpsItem", run_with({"--ops", "Sort,,MatMul"}), "Sort,,MatMul"},
    {"UnknownBackend", {"run", "--suite", "quick", "--backends", "foo", "--out", "{OUT}"}, "foo"},
    {"DuplicateBackend", {"run", "--suite", "quick", "--backends", "cpu,cpu", "--out", "{OUT}"}, "'cpu' twice"},
    {"UnknownSuite", {"run", "--suite", "nosuch", "--backends", "cpu", "--out", "{OUT}"}, "nosuch"},
    {"VersionNotARelease", run_with({"--versions", "torch=latest"}), "'latest' is not a release number"},
    {"VersionsOfAnUnknownFramework", run_with({"--versions", "jax=0.4.30"}), "unknown framework 'jax'"},
    {"VersionTwice", run_with({"--versions", "torch=2.11.0,2.11.0"}), "torch 2.11.0 twice"},
    {"VersionsWithoutVersions", run_with({"--versions", "torch"}), "'torch': expected FRAMEWORK=VERSION"},
    {"RoundsWithoutVersions", run_with({"--rounds", "2"}), "--rounds needs --versions"},
    {"ZeroRounds", run_with({"--versions", "torch=2.11.0", "--rounds", "0"}), "--rounds"},
    {"VersionsInProcess", run_with({"--versions", "torch=2.11.0", "--no-isolate"}), "--no-isolate"},
    {"EndlessSuite", {"run", "--suite", "/dev/zero", "--backends", "cpu", "--out", "{OUT}"}, "/dev/zero: more than"},
    {"SuiteIsADirectory", {"run", "--suite", "/", "--backends", "cpu", "--out", "{OUT}"}, "/: is a directory"},
    {"EndlessResume", {"run", "--resume", "/dev/zero"}, "/dev/zero: more than"},
    {"HugeLine", {"run", "--suite", "{OUT}.huge", "--backends", "cpu", "--out", "{OUT}"}, "'ReLU dim1=777"},
    {"BinarySuite", {"run", "--suite", "{OUT}.binary", "--backends", "cpu", "--out", "{OUT}"}, "unknown op 'Re\\x00LU\\x1B'"},
    {"SuiteFileBadLine", {"run", "--suite", "{OUT}.suite", "--backends", "cpu", "--out", "{OUT}"}, "{OUT}.suite:3"},
    {"BadRegex", run_with({"--filter", "[unclosed"}), "[unclosed"},
    {"NothingLeft", run_with({"--filter", "no experiment has this name"}), "--filter"},
    {"ZeroThreads", run_with({"--threads", "0"}), "--threads"},
    {"MaxTimeNotANumber", run_with({"--max-time", "abc"}), "abc"},
    {"NegativeWarmup", run_with({"--warmup", "-1"}), "--warmup"},
    {"MinAboveMaxSamples", run_with({"--min-samples", "10", "--max-samples", "5"}), "--min-samples"},
    {"UnknownTiming", run_with({"--timing", "sometimes"}), "--timing 'sometimes' is not one of wall, events, batched"},
    {"UnknownWait", run_with({"--wait", "nap"}), "--wait 'nap' is not one of poll, sleep, framework"},
    {"UnknownOption", run_with({"--frobnicate"}), "--frobnicate"},
    {"OptionGivenTwice", run_with({"--seed", "1", "--seed", "2"}), "--seed"},
    {"FlagWithValue", run_with({"--quiet=yes"}), "--quiet"},
    {"StrayArgument", run_with({"stray"}), "stray"},
    {"MissingValue", {"run", "--suite", "quick", "--backends", "cpu", "--out"}, "--out"},
    {"UnknownSubcommand", {"frobnicate", "--out", "{OUT}"}, "frobnicate"},
    {"ReportWithoutFile", {"report"}, "report"},
    {"UnknownListOption", {"list", "--verbose"}, "--verbose"},
};

void PrintTo(const BadInput& b, std::ostream* os) {
  *os << b.label << ":";
  for (const std::string& a : b.args) *os << " '" << a.substr(0, 80) << (a.size() > 80 ? "...'" : "'");
}

class BadInputTest : public testing::TestWithParam<BadInput> {
 protected:
  void SetUp() override { root_ = make_temp_dir(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  std::string substitute(std::string text) const {
    for (size_t at; (at = text.find("{OUT}")) != std::string::npos;) text.replace(at, 5, root_ + "/out");
    return text;
  }
  std::string root_;
};

TEST_P(BadInputTest, FailsBeforeRunningWithOneLineNamingIt) {
  // A suite file whose third line is bad, for SuiteFileBadLine.
  write_file(substitute("{OUT}.suite"), "ReLU dim1=4x4\n# a comment\nSum dim1=4x4 axis=9\nReLU dim1=8\n");
  // One with a NUL and an escape byte, for BinarySuite.
  const char binary[] = "Re\0LU\x1b dim1=4\n";
  write_file(substitute("{OUT}.binary"), std::string(binary, sizeof binary - 1));
  // A 1 MB line, for HugeLine: the error quotes 200 characters of it.
  write_file(substitute("{OUT}.huge"), "ReLU dim1=" + std::string(1'000'000, '7') + "\n");
  std::vector<std::string> args;
  for (const std::string& a : GetParam().args) args.push_back(substitute(a));
  const std::string offending = substitute(GetParam().offending);

  Outcome o = opbench(args);

  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(o.out, "") << o;
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
  EXPECT_EQ(o.err.back(), '\n') << o;
  EXPECT_LT(o.err.size(), 1500u) << "the offending text is quoted whole\n" << o;
  EXPECT_TRUE(std::all_of(o.err.begin(), o.err.end() - 1, [](char c) { return c >= 0x20 || c < 0; }))
      << "raw control bytes\n" << o;
  EXPECT_NE(o.err.find(offending), std::string::npos) << "stderr does not name '" << offending << "'\n" << o;
  EXPECT_FALSE(fs::exists(substitute("{OUT}/result.json"))) << "a benchmark ran before the error";
}

INSTANTIATE_TEST_SUITE_P(Cli, BadInputTest, testing::ValuesIn(kBadInputs),
                         [](const testing::TestParamInfo<BadInput>& info) { return info.param.label; });

TEST(BadInput, UnavailableBackendIsNamed) {
  if (available_backends().count("cuda")) GTEST_SKIP() << "cuda is available here";
  std::string dir = make_temp_dir();
  Outcome o = opbench({"run", "--suite", "quick", "--backends", "cuda", "--out", dir + "/out"});
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
  EXPECT_NE(o.err.find("cuda"), std::string::npos) << o;
  EXPECT_NE(o.err.find("not available"), std::string::npos) << o;
  EXPECT_FALSE(fs::exists(dir + "/out/result.json"));
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(BadInput, NoArgumentsIsAUsageError) {
  Outcome o = opbench({});
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_NE((o.out + o.err).find("usage:"), std::string::npos) << o;
}

// ---- report on files it cannot use ---------------------------------------

class ReportErrors : public testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir(); }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // Bad input, exit status 2, as compare and run --resume call such a file.
  void expect_fails_naming(const std::string& path) {
    Outcome o = opbench({"report", path});
    EXPECT_EQ(o.code, 2) << o;
    EXPECT_EQ(o.out, "") << o;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o;
    EXPECT_NE(o.err.find(path), std::string::npos) << o;
  }
  std::string dir_;
};

TEST_F(ReportErrors, MissingFile) { expect_fails_naming(dir_ + "/missing.json"); }

TEST_F(ReportErrors, TruncatedJson) {
  Outcome run = opbench(concat({"run", "--case", "ReLU dim1=8x8", "--backends", "cpu", "--out", dir_ + "/run"}, kFast));
  ASSERT_EQ(run.code, 0) << run;
  std::string text = read_file(dir_ + "/run/result.json");
  ASSERT_GT(text.size(), 100u);
  write_file(dir_ + "/truncated.json", text.substr(0, text.size() / 2));
  expect_fails_naming(dir_ + "/truncated.json");
}

TEST_F(ReportErrors, JsonThatIsNotAResult) {
  write_file(dir_ + "/other.json", "{\"name\": \"something else\", \"experiments\": []}\n");
  expect_fails_naming(dir_ + "/other.json");
  write_file(dir_ + "/array.json", "[1, 2, 3]\n");
  expect_fails_naming(dir_ + "/array.json");
}

TEST_F(ReportErrors, EndlessInput) { expect_fails_naming("/dev/zero"); }

TEST_F(ReportErrors, ADirectory) {
  expect_fails_naming(dir_);
  EXPECT_NE(opbench({"report", dir_}).err.find(dir_ + ": is a directory, not a result file"), std::string::npos);
}

TEST_F(ReportErrors, EmptyFile) {
  write_file(dir_ + "/empty.json", "");
  expect_fails_naming(dir_ + "/empty.json");
}

// ---- list and help ---------------------------------------------------------

// Across hosts each rank is an opbench run of its own, told its place as
// torchrun tells it (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): two runs
// here meet through LibTorch's TCPStore on loopback, time AllReduce with Gloo
// together, and record the same samples, each the slower rank's.
TEST(Collectives, TwoRunsStartedAsRanksMeetAndMeasureTogether) {
  if (!available_backends().count("cpu")) GTEST_SKIP() << "no LibTorch in this build";
  const std::string dir = make_temp_dir();
  Rendezvous unused = local_rendezvous(1, 1);
  remove_rendezvous(unused);
  Outcome outcomes[2];
  std::vector<std::thread> ranks;
  for (int r = 0; r < 2; ++r)
    ranks.emplace_back([&, r] {
      outcomes[r] = opbench(concat({"run", "--case", "AllReduce dim1=1000", "--backends", "cpu", "--out",
                                    dir + "/rank" + std::to_string(r)},
                                   kFast),
                            {"RANK=" + std::to_string(r), "WORLD_SIZE=2", "MASTER_ADDR=127.0.0.1",
                             "MASTER_PORT=" + std::to_string(unused.torch_port), "GLOO_SOCKET_IFNAME=lo"});
    });
  for (std::thread& t : ranks) t.join();
  std::vector<std::vector<double>> samples;
  for (int r = 0; r < 2; ++r) {
    ASSERT_EQ(outcomes[r].code, 0) << "rank " << r << ": " << outcomes[r];
    RunRecord rec = from_json(read_file(dir + "/rank" + std::to_string(r) + "/result.json"), "rank");
    ASSERT_EQ(rec.experiments.size(), 1u);
    EXPECT_EQ(rec.experiments[0].line, "AllReduce dim1=1000 ranks=2");
    const Cell& c = rec.experiments[0].cells.at(0);
    EXPECT_TRUE(c.ok()) << c.error;
    EXPECT_EQ(c.check.verdict, Verdict::passed) << c.check.detail;
    samples.push_back(c.samples_ms);
  }
  EXPECT_EQ(samples[0], samples[1]);
}

TEST(List, NamesEveryOpBackendAndSuite) {
  Outcome o = opbench({"list"});
  ASSERT_EQ(o.code, 0) << o;
  EXPECT_EQ(o.err, "");
  std::set<std::string> listed;
  for (const std::string& line : lines_of(o.out)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    listed.insert(first);
  }
  for (const OpSpec& op : all_ops()) EXPECT_TRUE(listed.count(op.name)) << op.name << " missing from:\n" << o.out;
  // Every backend opbench knows of, whether in this build or not.
  for (const char* name : {"mlx_gpu", "mlx_gpu_compile", "mlx_cpu", "mlx_cpu_compile", "mps", "cpu", "cuda"})
    EXPECT_NE(o.out.find(std::string("  ") + name), std::string::npos) << name << " missing from:\n" << o.out;
  // Every built-in suite, whatever the length of its name, with its size.
  for (const std::string& name : builtin_suite_names()) {
    std::regex row("\\n  " + name + " +" + std::to_string(load_suite(name).experiments.size()) + " experiments\\n");
    EXPECT_TRUE(std::regex_search(o.out, row)) << name << " missing from:\n" << o.out;
  }
  EXPECT_TRUE(available_backends().count("cpu") || o.out.find("cpu, cuda, mps: not in this build") != std::string::npos)
      << o.out;
}

TEST(Help, EveryCommandPrintsUsage) {
  const std::vector<std::vector<std::string>> calls = {
      {"--help"}, {"run", "--help"}, {"list", "--help"}, {"report", "--help"}, {"run", "--suite", "nosuch", "--help"}};
  for (const auto& args : calls) {
    Outcome o = opbench(args);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(o.code, 0) << shown << o;
    EXPECT_EQ(o.out.rfind("usage: opbench", 0), 0u) << shown << o;
    EXPECT_EQ(o.err, "") << shown << o;
  }
  Outcome run_help = opbench({"run", "--help"});
  for (const char* option : {"--backends", "--suite", "--ops", "--filter", "--case", "--out", "--threads", "--max-time"})
    EXPECT_NE(run_help.out.find(option), std::string::npos) << option;
}

// ---- --versions: framework versions side by side -------------------------
// These install real MLX releases (mlx[cpu], ~35 MB each) from PyPI into a
// folder of the test's own (OPBENCH_VERSIONS_DIR) and build their plug-ins
// from these sources: they need the package index and take minutes. MLX
// 0.31.2 and 0.32.4 both have Linux x86-64 wheels (checked with pip index
// versions mlx-cpu); 0.32.4 is the version `make build` installs, so it is
// this build's own (or its Python's) and never downloaded again.

// One folder for the tests of this process: the second run finds what the first made.
const std::string& versions_dir() {
  static const std::string dir = make_temp_dir();
  return dir;
}

std::vector<std::string> versions_run(const std::string& versions, const std::string& out) {
  return concat({"run", "--versions", versions, "--backends", "mlx_cpu", "--case", "ReLU dim1=64x64", "--case",
                 "Sum dim1=64x64 axis=0", "--rounds", "2", "--out", out},
                kFast);
}

// The stderr lines that say what making each version took.
std::vector<std::string> setup_lines(const std::string& err) {
  std::vector<std::string> out;
  for (const std::string& line : lines_of(err))
    if (line.rfind("opbench run: ", 0) == 0) out.push_back(line.substr(13));
  return out;
}

TEST(Versions, TwoMlxReleasesSideBySideThenEverythingReused) {
  const std::string out = make_temp_dir();
  const std::vector<std::string> env = {"OPBENCH_VERSIONS_DIR=" + versions_dir()};
  // What an earlier opbench build left: its plug-in of 0.31.2 goes when this build's is built.
  fs::create_directories(versions_dir() + "/plugins");
  const std::string stale = versions_dir() + "/plugins/mlx-0.31.2-0123456789abcdef.so";
  write_file(stale, "an older build's plug-in");
  Outcome first = opbench(versions_run("mlx=0.32.4,0.31.2", out + "/first"), env);
  ASSERT_EQ(first.code, 0) << first;
  EXPECT_FALSE(fs::exists(stale));
  size_t plugins = 0;
  for (const auto& entry : fs::directory_iterator(versions_dir() + "/plugins"))
    plugins += entry.path().filename().string().rfind("mlx-0.31.2-", 0) == 0;
  EXPECT_EQ(plugins, 1u);  // this build's alone
  std::vector<std::string> said = setup_lines(first.err);
  EXPECT_NE(std::find(said.begin(), said.end(), "installing mlx[cpu]==0.31.2 into " + versions_dir() + "/envs/mlx-0.31.2"),
            said.end()) << first;
  EXPECT_TRUE(std::any_of(said.begin(), said.end(), [](const std::string& l) {
    return l.rfind("mlx 0.31.2: installed in ", 0) == 0 && l.find(", plug-in built in ") != std::string::npos;
  })) << first;
  // Installed in its own folder, renamed into place: nothing partial is left.
  EXPECT_TRUE(fs::exists(versions_dir() + "/envs/mlx-0.31.2/mlx/include/mlx/version.h"));
  for (const auto& entry : fs::directory_iterator(versions_dir() + "/envs"))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();

  // A column per version, oldest first, each cell checked and timed in both rounds.
  nlohmann::json result = nlohmann::json::parse(read_file(out + "/first/result.json"));
  std::vector<std::string> names;
  for (const auto& b : result["backends"]) names.push_back(b["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"mlx_cpu@mlx-0.31.2", "mlx_cpu@mlx-0.32.4"}));
  for (const auto& e : result["experiments"])
    for (const auto& c : e["cells"]) {
      EXPECT_EQ(c.value("error", ""), "") << c.dump().substr(0, 400);
      EXPECT_EQ(c["check"]["status"], "passed") << c.dump().substr(0, 400);
      EXPECT_GE(c["samples_ms"].size(), 6u);  // at least 3 a round
    }
  EXPECT_EQ(result["versions"]["mlx@0.31.2"], "0.31.2");
  EXPECT_EQ(result["versions"]["mlx@0.32.4"], "0.32.4");
  EXPECT_NE(first.out.find("mlx 0.31.2, mlx 0.32.4"), std::string::npos) << first;  // the machine line
  EXPECT_NE(first.out.find("| mlx_cpu@mlx-0.31.2 | mlx_cpu@mlx-0.32.4 | mlx_cpu 0.32.4/0.31.2 speedup | p-value |"),
            std::string::npos) << first;
  // The rounds, recorded: the setting, and how many samples each round gave each cell.
  EXPECT_EQ(result["settings"]["rounds"], 2);
  for (const auto& e : result["experiments"])
    for (const auto& c : e["cells"]) {
      ASSERT_EQ(c["round_samples"].size(), 2u) << c.dump().substr(0, 400);
      EXPECT_EQ(c["round_samples"][0].get<size_t>() + c["round_samples"][1].get<size_t>(), c["samples_ms"].size());
    }

  // The same run again installs and builds nothing.
  Outcome second = opbench(versions_run("mlx=0.31.2,0.32.4", out + "/second"), env);
  ASSERT_EQ(second.code, 0) << second;
  for (const std::string& line : setup_lines(second.err)) {
    EXPECT_EQ(line.find("installing"), std::string::npos) << line;
    EXPECT_EQ(line.find("building"), std::string::npos) << line;
  }
  said = setup_lines(second.err);
  EXPECT_NE(std::find(said.begin(), said.end(), "mlx 0.31.2: environment reused, plug-in reused"), said.end()) << second;
}

// An interrupted run over versions (planted: the finished run's file less
// its last experiment, as a run stopped after the first leaves it) is
// finished by --resume with the file's versions and rounds, nothing
// installed or built again.
TEST(Versions, AnInterruptedRunOverVersionsIsFinishedByResume) {
  const std::string out = make_temp_dir();
  const std::vector<std::string> env = {"OPBENCH_VERSIONS_DIR=" + versions_dir()};
  Outcome whole = opbench(versions_run("mlx=0.31.2,0.32.4", out + "/whole"), env);
  ASSERT_EQ(whole.code, 0) << whole;
  nlohmann::json partial = nlohmann::json::parse(read_file(out + "/whole/result.json"));
  ASSERT_EQ(partial["experiments"].size(), 2u);
  partial["experiments"].erase(1);
  fs::create_directories(out + "/stopped");
  write_file(out + "/stopped/result.json", partial.dump());

  // --versions and --rounds are the file's: given again, they are refused in one line.
  Outcome again = opbench({"run", "--resume", out + "/stopped/result.json", "--rounds", "3"}, env);
  EXPECT_EQ(again.code, 2) << again;
  EXPECT_NE(again.err.find("--rounds cannot be combined with --resume: the file's rounds are taken"), std::string::npos) << again;

  Outcome resumed = opbench({"run", "--resume", out + "/stopped/result.json"}, env);
  ASSERT_EQ(resumed.code, 0) << resumed;
  EXPECT_NE(resumed.err.find("2 of 4 cells done, 2 to run"), std::string::npos) << resumed;
  std::vector<std::string> said = setup_lines(resumed.err);
  EXPECT_NE(std::find(said.begin(), said.end(), "mlx 0.31.2: environment reused, plug-in reused"), said.end()) << resumed;
  nlohmann::json result = nlohmann::json::parse(read_file(out + "/stopped/result.json"));
  ASSERT_EQ(result["experiments"].size(), 2u);
  EXPECT_EQ(result["experiments"][0], partial["experiments"][0]);  // the done experiment as it was
  EXPECT_EQ(result["settings"]["rounds"], 2);
  const auto& finished = result["experiments"][1];
  EXPECT_EQ(finished["line"], "Sum dim1=64x64 axis=0");
  std::vector<std::string> names;
  for (const auto& c : finished["cells"]) {
    names.push_back(c["backend"]);
    EXPECT_EQ(c.value("error", ""), "") << c.dump().substr(0, 400);
    EXPECT_EQ(c["round_samples"].size(), 2u) << c.dump().substr(0, 400);  // timed in the file's two rounds
  }
  EXPECT_EQ(names, (std::vector<std::string>{"mlx_cpu@mlx-0.31.2", "mlx_cpu@mlx-0.32.4"}));
  EXPECT_NE(resumed.out.find("| mlx_cpu@mlx-0.31.2 | mlx_cpu@mlx-0.32.4 | mlx_cpu 0.32.4/0.31.2 speedup | p-value |"),
            std::string::npos) << resumed;
}

TEST(Versions, AVersionThePackageIndexLacksIsRefusedBeforeAnythingRuns) {
  const std::string out = make_temp_dir() + "/run";
  Outcome o = opbench(versions_run("mlx=0.32.4,0.0.99", out), {"OPBENCH_VERSIONS_DIR=" + versions_dir()});
  EXPECT_EQ(o.code, 2) << o;
  EXPECT_EQ(lines_of(o.err).size(), 1u) << o;
  EXPECT_NE(o.err.find("--versions mlx=0.0.99: the package index has no mlx-cpu 0.0.99 for this platform (newest: 0.32.4"),
            std::string::npos) << o;
  EXPECT_FALSE(fs::exists(out + "/result.json"));
  EXPECT_FALSE(fs::exists(versions_dir() + "/envs/mlx-0.0.99"));
}

TEST(Versions, AFullDiskWhileInstallingLeavesNoHalfEnvironment) {
  const std::string dir = make_temp_dir();
  // A 4 MiB tmpfs: the logs fit, an MLX release (35 MB) does not.
  if (getuid() != 0 || mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=4m") != 0) {
    fs::remove_all(dir);
    GTEST_SKIP() << "cannot mount a small tmpfs here";
  }
  const std::string out = make_temp_dir();
  Outcome o = opbench(versions_run("mlx=0.31.2,0.32.4", out + "/run"), {"OPBENCH_VERSIONS_DIR=" + dir});
  EXPECT_EQ(o.code, 0) << o;  // a version that cannot be installed is its cells' failure, not the run's
  nlohmann::json result = nlohmann::json::parse(read_file(out + "/run/result.json"));
  size_t failed = 0;
  for (const auto& e : result["experiments"])
    for (const auto& c : e["cells"]) {
      if (c["backend"] != "mlx_cpu@mlx-0.31.2") continue;
      ++failed;
      EXPECT_EQ(c.value("error", "").rfind("cannot install mlx[cpu]==0.31.2: ", 0), 0u) << c.dump().substr(0, 400);
      EXPECT_NE(c.value("error", "").find("No space left on device"), std::string::npos) << c.dump().substr(0, 400);
    }
  EXPECT_EQ(failed, 2u) << o;
  // Nothing a later run would take for an installed version.
  EXPECT_FALSE(fs::exists(dir + "/envs/mlx-0.31.2"));
  for (const auto& entry : fs::directory_iterator(dir + "/envs"))
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
  umount(dir.c_str());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace opbench
