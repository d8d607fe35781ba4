#pragma once
// The measurement loop: warm up, then take timed samples until the mean is
// known well enough or the time cap is reached.
#include <cstddef>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/stats.h"

namespace opbench {

struct SamplerSettings {
  double warmup_s = 0.05;       // warm-up time (at least one call)
  size_t min_samples = 5;       // never fewer, unless the time cap is hit
  size_t max_samples = 10000;   // storage is reserved up front for these
  double min_time_s = 0.1;      // sample for at least this long
  double max_time_s = 2.0;      // stop sampling after this long, whatever the noise
  double target_noise = 0.01;   // stop once the mean's relative standard error is below this
  // What a sample is:
  //   "wall"    the host clock around one call that returns with its work done (device synchronised)
  //   "events"  device events around one call (GPU backends; others fall back to "wall" and say so)
  //   "batched" the host clock around `batch` calls queued back to back and one wait, divided by `batch`
  std::string timing = "wall";
  size_t batch = 0;   // calls per batched sample; 0: enough for about 1 ms
  bool cold = false;  // flush the caches (CPU's, and the device's L2) before each sample
};

// What the calls cost the host, per call, over the whole sampling loop: the
// process's minor page faults and CPU time (every thread's). A large output
// that the allocator maps afresh on every call shows as page faults and
// system time, a cost that depends on the machine's memory set-up.
struct HostCost {
  double minor_faults = 0;  // per call
  double user_ms = 0;       // CPU time in user mode, per call
  double system_ms = 0;     // CPU time in the kernel, per call
};

struct Measurement {
  std::vector<double> samples_ms;
  Stats stats;
  // Why sampling stopped: "noise" (target reached), "time" (cap), "count" (max_samples).
  std::string stop;
  std::string timing;  // how the samples were taken: "wall", "events", "batched x32"
  std::string cache;   // "warm" or "cold"
  HostCost host;
};

// Samples that must be taken even when the time cap is reached, so every
// cell has a spread.
inline constexpr size_t kMinimumSamples = 3;

Measurement measure(PreparedOp& op, const SamplerSettings& settings);

// Writes a buffer larger than the CPU's last-level cache, so the next call
// finds none of its data there.
void flush_cpu_caches();

}  // namespace opbench
