// How long the independent double-precision reference takes, forward and
// backward, for the experiments whose references cost the most: the
// backward pass's gradients against the forward pass's result (sampled
// where every element would cost too much), on this machine's cores.
//
//   build/reference_speed                                       the default lines below
//   OPBENCH_REFERENCE_LINES="Linear dim1=100x1024x64 dim2=64x1024 dim3=1024;ReLU dim1=4096" build/reference_speed
//   OPBENCH_REFERENCE_PASSES=backward build/reference_speed      one pass only
//
// Each benchmark is one reference (its inputs made beforehand, not timed),
// named "<pass>/<line>"; the counter `cores` is the threads it could use.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "model/check.h"
#include "model/ops.h"
#include "model/parallel.h"

namespace {

using namespace opbench;

// The default suite's lines whose backward references took longest on 0.6.x
// (H200 host, 16 cores: 20 to 61 s each), and a batched product.
const char* kLines =
    "Linear dim1=100x1024x32 dim2=32x1024 dim3=1024;"
    "Linear dim1=100x1024x64 dim2=64x1024 dim3=1024;"
    "Conv2d dim1=100x256x256x3 dim2=8x3x3x3;"
    "Conv1d dim1=16x1000x80 dim2=128x11x80;"
    "MatMul dim1=1000x64x256 dim2=256x32;"
    "ScaledDotProductAttention dim1=64x16x16x1024 dim2=64x16x64x1024 dim3=64x16x64x1024";

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

std::string setting(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

void reference_of(benchmark::State& state, const std::string& line) {
  const Experiment e = parse_experiment(line);
  const std::vector<HostTensor> inputs = make_inputs(e, 0);
  for (auto _ : state) benchmark::DoNotOptimize(expected_result(e, inputs).values.data());
  state.counters["cores"] = static_cast<double>(host_threads());
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  for (const std::string& line : split(setting("OPBENCH_REFERENCE_LINES", kLines), ';'))
    for (const std::string& pass : split(setting("OPBENCH_REFERENCE_PASSES", "forward,backward"), ',')) {
      const std::string full = pass == "forward" ? line : line + " pass=" + pass;
      benchmark::RegisterBenchmark((pass + "/" + line).c_str(), reference_of, full)
          ->Unit(benchmark::kSecond)
          ->Iterations(1)
          ->UseRealTime();
    }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}
