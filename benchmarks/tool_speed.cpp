// How fast opbench itself gets through a suite: `opbench run` on a suite and
// backends of your choice, once per iteration, reporting the run's wall time
// and where it went (the phases every result.json records) as counters, so
// that a regression in the tool's own speed shows as a figure.
//
//   build/tool_speed                                   the quick suite on every available backend
//   OPBENCH_SPEED_SUITE=default OPBENCH_SPEED_BACKENDS=cuda build/tool_speed
//   OPBENCH_SPEED_ARGS="--no-cache" build/tool_speed   more `opbench run` options, space-separated
//
// Each iteration is one whole run in a fresh output folder (the reference
// cache stays: a second iteration shows what a repeated run costs; pass
// --no-cache to time the first run's work every time).
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "execution/isolation.h"
#include "execution/worker_process.h"
#include "format/json.h"

namespace {

using namespace opbench;
namespace fs = std::filesystem;

std::string setting(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::vector<std::string> run_arguments(const std::string& out) {
  std::string exe = (fs::canonical(this_executable()).parent_path() / "opbench").string();
  // --no-store: a measurement of the tool is no run of the user's history (benchmarks/store_speed times the append).
  std::vector<std::string> args = {exe, "run", "--quiet", "--no-store", "--out", out, "--suite", setting("OPBENCH_SPEED_SUITE", "quick")};
  if (std::string backends = setting("OPBENCH_SPEED_BACKENDS", ""); !backends.empty())
    args.insert(args.end(), {"--backends", backends});
  std::istringstream extra(setting("OPBENCH_SPEED_ARGS", ""));
  for (std::string word; extra >> word;) args.push_back(word);
  return args;
}

// Runs `args` with its output thrown away; its exit status.
int run_quietly(std::vector<std::string> args) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (!freopen("/dev/null", "w", stdout)) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void opbench_run(benchmark::State& state) {
  std::string out = (fs::temp_directory_path() / ("opbench-speed-" + std::to_string(getpid()))).string();
  std::map<std::string, double> phases;
  for (auto _ : state) {
    fs::remove_all(out);
    auto start = std::chrono::steady_clock::now();
    int code = run_quietly(run_arguments(out));
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (code != 0) {
      state.SkipWithError(("opbench run exited with " + std::to_string(code)).c_str());
      break;
    }
    RunRecord r = read_result_file(out + "/result.json");
    for (const ExperimentRecord& e : r.experiments) {
      if (e.phases) {
        phases["inputs_s"] += e.phases->inputs_s;
        phases["reference_s"] += e.phases->reference_s;
        phases["harness_s"] += e.phases->harness_s;
      }
      for (const Cell& c : e.cells)
        if (c.phases) {
          phases["prepare_s"] += c.phases->prepare_s;
          phases["check_s"] += c.phases->check_s;
          phases["warmup_s"] += c.phases->warmup_s;
          phases["sampling_s"] += c.phases->sampling_s;
        }
    }
  }
  fs::remove_all(out);
  for (auto& [name, seconds] : phases) state.counters[name] = benchmark::Counter(seconds, benchmark::Counter::kAvgIterations);
}

BENCHMARK(opbench_run)->UseManualTime()->Unit(benchmark::kSecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();
