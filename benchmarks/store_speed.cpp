// How fast the history is (docs/history.md): appending a run of 273 cells
// (the default suite on three backends, 100 samples a cell) to a SQLite
// store, and what `opbench history` does over 1000 such runs: reading every
// series back and cutting each into levels. Goals: 0.2 s and 1 s.
//
//   build/store_speed                         SQLite in a temporary folder
//   OPBENCH_SPEED_STORE=postgresql://... build/store_speed   another store (its tables must be empty)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "model/changepoint.h"
#include "store/store.h"

namespace {

using namespace opbench;

constexpr int kExperiments = 91, kRuns = 1000;
const char* const kBackends[] = {"cpu", "mlx_cpu", "mlx_gpu"};

// Run `index` of a machine's history: 91 experiments on three backends.
RunRecord run_record(int index, std::mt19937& rng) {
  std::normal_distribution<double> spread(1.0, 0.02);
  RunRecord r;
  r.opbench_version = OPBENCH_VERSION;
  char created[40];
  std::snprintf(created, sizeof created, "2026-%02d-%02dT%02d:%02d:00Z", 1 + index / 600 % 12, 1 + index / 24 % 25,
                index % 24, index % 60);
  r.created = created;
  r.suite = "default";
  r.label = "nightly " + std::to_string(index);
  r.machine = {"AMD EPYC 7B13", 2, 25769803776ULL, "Linux 6.1.0 x86_64", "bench"};
  r.versions = {{"torch", "2.11.0"}, {"mlx", "0.32.4"}};
  for (const char* b : kBackends) r.backends.push_back({{b, 0, b, {}}, ""});
  for (int e = 0; e < kExperiments; ++e) {
    ExperimentRecord x{"ReLU", "ReLU / dim=" + std::to_string(e), "ReLU dim1=" + std::to_string(e + 1), {}, {}};
    for (const char* b : kBackends) {
      Cell c;
      c.backend = b;
      for (int s = 0; s < 100; ++s) c.samples_ms.push_back((1 + e) * spread(rng));
      c.stats = summarize(c.samples_ms);
      x.cells.push_back(std::move(c));
    }
    r.experiments.push_back(std::move(x));
  }
  return r;
}

std::string temporary_store() {
  std::string dir = (std::filesystem::temp_directory_path() / ("opbench_store_speed_" + std::to_string(getpid()))).string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir + "/history.sqlite";
}

std::string store_location() {
  const char* chosen = std::getenv("OPBENCH_SPEED_STORE");
  return chosen && *chosen ? chosen : temporary_store();
}

void AppendOneRun(benchmark::State& state) {
  Store store(store_location());
  std::mt19937 rng(1);
  int index = 0;
  for (auto _ : state) {
    state.PauseTiming();
    RunRecord r = run_record(index++, rng);
    state.ResumeTiming();
    store.append(r, "bench");
  }
  state.counters["cells"] = kExperiments * 3;
}
BENCHMARK(AppendOneRun)->Unit(benchmark::kMillisecond)->Iterations(20);

// The history of 1000 runs, made once (appending them takes a while).
Store& full_store() {
  static Store store = [] {
    Store s(store_location());
    std::mt19937 rng(2);
    for (int i = 0; i < kRuns; ++i) s.append(run_record(i, rng), "bench");
    return s;
  }();
  return store;
}

void HistoryOf1000Runs(benchmark::State& state) {
  Store& store = full_store();
  size_t points = 0, steps = 0;
  for (auto _ : state) {
    History h = store.read({});
    points = steps = 0;
    for (const HistorySeries& s : h.series) points += s.points.size(), steps += find_steps(s.points).steps.size();
    benchmark::DoNotOptimize(steps);
  }
  state.counters["series"] = kExperiments * 3;
  state.counters["points"] = static_cast<double>(points);
  state.counters["steps"] = static_cast<double>(steps);
}
BENCHMARK(HistoryOf1000Runs)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
