#include "core/sampler.h"

#include <chrono>

namespace opbench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

void warm_up(PreparedOp& op, const SamplerSettings& settings) {
  Clock::time_point start = Clock::now();
  do {
    op.release_output();
    op.run();
  } while (seconds_since(start) < settings.warmup_s);
}

}  // namespace

Measurement measure(PreparedOp& op, const SamplerSettings& settings) {
  warm_up(op, settings);
  Measurement m;
  size_t capacity = std::max(settings.max_samples, kMinimumSamples);
  m.samples_ms.reserve(capacity);  // no allocation between the clock reads
  double sum = 0, sum_squares = 0;
  Clock::time_point start = Clock::now();
  while (true) {
    op.release_output();
    Clock::time_point before = Clock::now();
    op.run();
    Clock::time_point after = Clock::now();
    double ms = std::chrono::duration<double, std::milli>(after - before).count();
    m.samples_ms.push_back(ms);
    sum += ms;
    sum_squares += ms * ms;

    size_t n = m.samples_ms.size();
    double elapsed = std::chrono::duration<double>(after - start).count();
    if (n >= capacity) {
      m.stop = "count";
      break;
    }
    if (n < kMinimumSamples) continue;
    if (elapsed >= settings.max_time_s) {
      m.stop = "time";
      break;
    }
    if (n >= settings.min_samples && elapsed >= settings.min_time_s &&
        relative_standard_error(n, sum, sum_squares) <= settings.target_noise) {
      m.stop = "noise";
      break;
    }
  }
  op.release_output();
  m.stats = summarize(m.samples_ms);
  return m;
}

}  // namespace opbench
