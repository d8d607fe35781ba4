#pragma once
// The measurement loop: warm up, then take timed samples until the mean is
// known well enough or the time cap is reached.
#include <cstddef>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "model/sampling.h"
#include "model/stats.h"

namespace opbench {

struct Measurement {
  std::vector<double> samples_ms;
  Stats stats;
  Stop stop = Stop::none;
  Timing timing = Timing::wall;  // how the samples were taken: events fall back to wall where no device timer is
  size_t batch = 1;              // calls per sample
  Cache cache = Cache::warm;
  HostCost host;
  double warmup_s = 0, sampling_s = 0;  // wall time of the warm-up and of the sampling loop
  size_t warmup_calls = 0;
  bool warmup_capped = false;  // the warm-up reached its cap with the times still falling
};

// Samples that must be taken even when the time cap is reached, so every
// cell has a spread.
inline constexpr size_t kMinimumSamples = 3;

Measurement measure(PreparedOp& op, const SamplerSettings& settings);

// Writes a buffer larger than the CPU's last-level cache, so the next call
// finds none of its data there.
void flush_cpu_caches();

}  // namespace opbench
