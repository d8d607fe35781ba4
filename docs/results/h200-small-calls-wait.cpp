// Diagnosis only (not part of opbench): where does a small MLX-CUDA call's
// slow mode come from? Times `op(x)` + wait, per call, and records the CPU the
// thread is on when the wait returns.
#include <mlx/mlx.h>
#include <sched.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>
namespace mx = mlx::core;
using clk = std::chrono::steady_clock;

static double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char** argv) {
  const std::string wait = argc > 1 ? argv[1] : "eval";   // eval | poll
  const int pin = argc > 2 ? std::atoi(argv[2]) : -1;      // main thread's CPU, -1: none
  const std::string op = argc > 3 ? argv[3] : "relu";
  const int calls = 3000, warm = 300;
  mx::set_default_device(mx::Device::gpu);
  mx::array x = mx::random::normal({128, 16, 1024});
  mx::array idx = mx::random::randint(0, 64, {16 * 10});
  mx::array upd = mx::random::normal({16 * 10});
  mx::array base = mx::zeros({64 * 16});
  mx::eval({x, idx, upd, base});
  mx::synchronize();
  if (pin >= 0) {
    cpu_set_t s; CPU_ZERO(&s); CPU_SET(pin, &s);
    sched_setaffinity(0, sizeof s, &s);
  }
  auto call = [&]() -> mx::array {
    if (op == "relu") return mx::maximum(x, mx::array(0.0f));
    if (op == "sigmoid") return mx::sigmoid(x);
    return mx::scatter(base, {idx}, mx::reshape(upd, {-1, 1}), 0);
  };
  std::vector<double> us; std::vector<int> cpu;
  for (int i = 0; i < warm + calls; ++i) {
    auto t0 = clk::now();
    mx::array y = call();
    if (wait == "eval") {
      mx::eval(y);
    } else {
      mx::async_eval(y);
      while (!y.is_available()) {}
      mx::eval(y);
    }
    auto t1 = clk::now();
    if (i >= warm) {
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      cpu.push_back(sched_getcpu());
    }
  }
  std::printf("%s pin=%d op=%s median %.1f us; per 500:", wait.c_str(), pin, op.c_str(), median(us));
  for (int b = 0; b < calls; b += 500)
    std::printf(" %.1f", median(std::vector<double>(us.begin() + b, us.begin() + b + 500)));
  std::map<int, std::vector<double>> by;
  for (size_t i = 0; i < us.size(); ++i) by[cpu[i]].push_back(us[i]);
  std::printf("; by cpu after the wait:");
  for (auto& [c, v] : by) std::printf(" cpu%d n=%zu med=%.1f", c, v.size(), median(v));
  std::printf("\n");
}
