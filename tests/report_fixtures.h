#pragma once
// Result records for the report tests: machines of each kind, with cells whose
// samples are known, built in code (no run, no framework).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "model/experiment.h"
#include "model/result.h"
#include "model/stats.h"

namespace opbench::testing {

inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' is not in:\n" << text.substr(0, 4000);
}

inline size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

inline BackendRecord backend(const std::string& name, int column, const std::string& description,
                             std::vector<SpeedupColumn> speedups = {}, const std::string& device = "") {
  BackendRecord b;
  b.info = {name, column, description, std::move(speedups)};
  b.device = device;
  return b;
}

// A cell whose samples are `mean_ms` spread by +-1%, so its mean is mean_ms.
inline Cell timed(const std::string& backend, double mean_ms, size_t count = 8) {
  Cell c;
  c.backend = backend;
  for (size_t i = 0; i < count; ++i)
    c.samples_ms.push_back(mean_ms * (1 + 0.01 * ((i % 2 ? 1.0 : -1.0) * (i / 2 + 1)) / count));
  c.stats = summarize(c.samples_ms);
  c.stats.mean = mean_ms;
  c.stop = Stop::noise;
  c.timing = Timing::wall;
  c.cache = Cache::warm;
  c.check = {Verdict::passed, 1e-7, 1e-4, "", {CheckScope::Kind::reference}};
  return c;
}

// A cell of `n` samples around `mean_ms`, with 3% of noise drawn from `seed`.
inline Cell noisy(const std::string& backend, double mean_ms, unsigned seed, size_t n = 200) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> spread(1.0, 0.03);
  Cell c;
  c.backend = backend;
  for (size_t i = 0; i < n; ++i) c.samples_ms.push_back(mean_ms * spread(rng));
  c.stats = summarize(c.samples_ms);
  c.stop = Stop::noise;
  return c;
}

inline Cell failed(const std::string& backend, const std::string& error) {
  Cell c;
  c.backend = backend;
  c.error = error;
  return c;
}

inline Cell wrong(const std::string& backend) {
  Cell c;
  c.backend = backend;
  c.check = {Verdict::wrong, 0.5, 1e-4, "50% of elements differ", {CheckScope::Kind::reference}};
  return c;
}

// A timed cell whose output was 1.78% off the reference: imprecise.
inline Cell imprecise(Cell c) {
  c.check = {Verdict::imprecise, 0.0178, 1e-4, "relative error 0.017800 above 0.000100", {CheckScope::Kind::reference}};
  return c;
}

inline ExperimentRecord experiment(const std::string& line, std::vector<Cell> cells) {
  Experiment e = parse_experiment(line);
  return {e.op, e.name(), e.line(), std::move(cells)};
}

inline BackendRecord torch_cpu() { return backend("cpu", 50, "torch framework with cpu backend"); }

// A machine with no GPU: LibTorch and MLX on the CPU.
inline RunRecord cpu_machine() {
  RunRecord r;
  r.opbench_version = "0.1.0";
  r.created = "2026-11-25T19:40:00Z";
  r.suite = "quick";
  r.machine = {"AMD EPYC 7B13", 2, 25769803776ULL, "Linux 6.1.0 x86_64", "laptop"};
  r.versions = {{"torch", "2.11.0"}, {"mlx", "0.32.4"}};
  r.backends = {backend("mlx_cpu", 30, "mlx framework with cpu backend"), torch_cpu()};
  auto cells = [](double mlx, double cpu) { return std::vector<Cell>{timed("mlx_cpu", mlx), timed("cpu", cpu)}; };
  r.experiments = {experiment("Argmax dim1=64x1024x128 axis=0", cells(10.0, 8.0)),
                   experiment("Argmax dim1=64x1024x128 axis=1", cells(12.0, 6.0)),
                   experiment("MatMul dim1=64x64 dim2=64x64", cells(0.5, 0.25)),
                   experiment("Sort dim1=64x128x1024 axis=0", cells(700.0, 70.0))};
  return r;
}

// An H100 host: cpu and cuda, the seed's cuda/cpu speedup column. It runs a
// newer suite: a Softmax experiment the CPU machine lacks, no Sort.
inline RunRecord cuda_machine() {
  RunRecord r;
  r.opbench_version = "0.2.0";
  r.created = "2026-11-26T08:00:00Z";
  r.suite = "default";
  r.machine = {"Intel(R) Xeon(R) Platinum 8481C", 26, 240518168576ULL, "Linux 6.1.0 x86_64", "h100"};
  r.versions = {{"torch", "2.11.0"}};
  r.backends = {torch_cpu(), backend("cuda", 60, "torch framework with cuda backend", {{"cpu", 40}},
                                     "NVIDIA H100 80GB HBM3 (79 GiB)")};
  auto cells = [](double cpu, double cuda) { return std::vector<Cell>{timed("cpu", cpu), timed("cuda", cuda)}; };
  r.experiments = {
      experiment("Argmax dim1=64x1024x128 axis=0", cells(34.34, 0.11)),
      experiment("Argmax dim1=64x1024x128 axis=1", cells(30.0, 0.09)),
      experiment("MatMul dim1=64x64 dim2=64x64", cells(0.2, 0.02)),
      experiment("Softmax dim1=64x1000000 axis=-1", {timed("cpu", 221.43), failed("cuda", "out of memory")})};
  return r;
}

// A Mac: the MLX GPU and MPS columns, with the seed's speedups.
inline RunRecord apple_machine() {
  RunRecord r;
  r.opbench_version = "0.1.0";
  r.suite = "quick";
  r.machine = {"Apple M2 Max", 12, 68719476736ULL, "Darwin 23.0 arm64", "mac"};
  r.versions = {{"mlx", "0.32.4"}, {"torch", "2.11.0"}};
  r.backends = {backend("mlx_gpu", 10, "mlx framework with gpu backend", {{"mps", 20}, {"mlx_cpu", 30}}),
                backend("mlx_cpu", 30, "mlx framework with cpu backend"),
                backend("mps", 40, "torch framework with mps (gpu) backend"), torch_cpu()};
  auto cells = [](double gpu, double mlx_cpu, double mps, double cpu) {
    return std::vector<Cell>{timed("mlx_gpu", gpu), timed("mlx_cpu", mlx_cpu), timed("mps", mps), timed("cpu", cpu)};
  };
  r.experiments = {experiment("Argmax dim1=64x1024x128 axis=0", cells(1.5, 10.0, 2.5, 8.0)),
                   experiment("Argmax dim1=64x1024x128 axis=1", cells(1.0, 11.0, 1.5, 7.0)),
                   experiment("MatMul dim1=64x64 dim2=64x64",
                              {timed("mlx_gpu", 0.1), timed("mlx_cpu", 0.3), wrong("mps"), timed("cpu", 0.2)}),
                   experiment("Sort dim1=64x128x1024 axis=0", cells(3.75, 699.2, 10.99, 41.23))};
  return r;
}

// The CPU machine's run with noisy cells: two backends over three experiments,
// every sample drawn from `seed`; MatMul's times multiplied by `matmul_factor`.
inline RunRecord noisy_run(unsigned seed, double matmul_factor = 1) {
  RunRecord r = cpu_machine();
  r.experiments.pop_back();  // no Sort
  double base[3][2] = {{10.0, 8.0}, {12.0, 6.0}, {0.5, 0.25}};
  for (size_t e = 0; e < 3; ++e) {
    double factor = e == 2 ? matmul_factor : 1;
    r.experiments[e].cells = {noisy("mlx_cpu", base[e][0] * factor, seed * 10 + e),
                              noisy("cpu", base[e][1] * factor, seed * 10 + e + 5)};
  }
  return r;
}

// A folder of its own for each test, removed after it.
class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("opbench_report_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

}  // namespace opbench::testing
