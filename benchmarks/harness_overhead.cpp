// What opbench's own measurement costs per sample: a tiny op called through
// the full sampling loop (release, clock reads, running sums, stopping rule)
// against a bare loop around the same call. The difference is the harness's
// share of every sample; it must stay a small fraction of a microsecond.
//
//   build/harness_overhead [--benchmark_filter=cpu]
#include <benchmark/benchmark.h>

#include <cmath>
#include <limits>

#include "execution/backend.h"
#include "execution/sampler.h"
#include "model/ops.h"

namespace {

using namespace opbench;

constexpr size_t kSamplesPerIteration = 1000;

// An op that does nothing: the pure cost of the loop around it.
class EmptyOp : public PreparedOp {
 public:
  void run() override { benchmark::ClobberMemory(); }
  HostTensor output() override { return {}; }
};

SamplerSettings exactly(size_t samples) {
  SamplerSettings s;
  s.warmup_s = 0;
  s.min_samples = s.max_samples = samples;
  s.min_time_s = 0;
  s.max_time_s = std::numeric_limits<double>::infinity();
  s.target_noise = 0;
  return s;
}

void bare_loop(benchmark::State& state, PreparedOp* op) {
  benchmark::DoNotOptimize(op);  // a call through the vtable, as in the sampler
  for (auto _ : state) op->run();
}

void sampling_loop(benchmark::State& state, PreparedOp* op) {
  SamplerSettings settings = exactly(kSamplesPerIteration);
  for (auto _ : state) benchmark::DoNotOptimize(measure(*op, settings));
  // Seconds per sample, next to the bare loop's seconds per call.
  state.counters["per_sample"] =
      benchmark::Counter(kSamplesPerIteration, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

int main(int argc, char** argv) {
  static EmptyOp empty;
  static std::vector<std::unique_ptr<Backend>> backends = create_backends();
  static std::vector<std::unique_ptr<PreparedOp>> ops;
  // Wall time throughout: MLX computes on its own thread, which CPU time misses.
  benchmark::RegisterBenchmark("bare/empty", bare_loop, &empty)->UseRealTime();
  benchmark::RegisterBenchmark("sampler/empty", sampling_loop, &empty)->UseRealTime();
  // On each available backend, the smallest op there is: a one-element copy.
  Experiment tiny = parse_experiment("Copy dim1=1");
  std::vector<HostTensor> inputs = make_inputs(tiny, 0);
  for (auto& backend : backends) {
    if (!backend->unavailable_reason().empty()) continue;
    ops.push_back(backend->prepare(tiny, inputs));
    std::string name = backend->info().name;
    benchmark::RegisterBenchmark(("bare/" + name).c_str(), bare_loop, ops.back().get())->UseRealTime();
    benchmark::RegisterBenchmark(("sampler/" + name).c_str(), sampling_loop, ops.back().get())->UseRealTime();
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
