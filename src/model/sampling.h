#pragma once
// What a sample is, whether caches were flushed before it, and why sampling
// stopped: typed values, turned into words only where a file or a table is
// written (words_of) or read (the parsers, which throw UsageError naming the
// text they do not know).
#include <cstddef>
#include <string>
#include <utility>

namespace opbench {

// What one sample is.
enum class Timing {
  wall,     // the host clock around one call that returns with its work done (device synchronised)
  events,   // device events around one call (GPU backends; others fall back to wall and say so)
  batched,  // the host clock around `batch` calls queued back to back and one wait, divided by `batch`
};

// Whether the caches were flushed before each sample (--cold).
enum class Cache { warm, cold };

// Why sampling stopped.
enum class Stop {
  none,   // not sampled (a file of an older version that did not say)
  noise,  // the mean's relative standard error reached the target
  time,   // the time cap
  count,  // max_samples
  // The samples' spread has settled above what the target allows within the
  // time cap (nvbench's stdrel idea): sampling on to the cap would only
  // shrink the noise by the square root of the extra time.
  settled,
};

// How a timed call waits for a GPU result (--wait). The wait is the
// harness's, not the op's: a user's program seldom waits after every op, and
// MLX's wait sleeps where CUDA's spins, which on the H200 machine put 20-50
// us of waking up on many small MLX calls, in some runs and not in others,
// and none on PyTorch's
// (docs/sampling.md).
enum class GpuWait {
  poll,       // the caller's thread checks for completion in a loop, yielding between checks
  sleep,      // the thread blocks until the driver wakes it (a blocking-sync CUDA event)
  framework,  // each framework's own: MLX's eval sleeps, PyTorch's synchronize spins
};

// The words of files, tables and the command line.
const char* word(Timing timing);  // "wall", "events", "batched"
const char* word(Cache cache);    // "warm", "cold"
const char* word(Stop stop);      // "", "noise", "time", "count", "settled"
const char* word(GpuWait wait);      // "poll", "sleep", "framework"

// The inverses. Each throws UsageError("'x' is not one of wall, events, batched").
Timing timing_from_word(const std::string& text);
Cache cache_from_word(const std::string& text);
Stop stop_from_word(const std::string& text);
GpuWait wait_from_word(const std::string& text);

// How a cell's samples were taken, as result files write it: "wall",
// "events", "batched x32" (`batch` calls a sample), and back.
std::string timing_words(Timing timing, size_t batch);
// Throws UsageError naming `text` when it is none of those.
std::pair<Timing, size_t> timing_from_words(const std::string& text);

struct SamplerSettings {
  // The warm-up and the sampling floor are short: the check run has already
  // made the first call, and the noise target, not a time, says when a mean
  // is known (a GPU cell of 30 us reaches 1% in a few hundred samples, a few
  // ms). Longer floors made up 14.5 s of a 60 s GPU run of the default suite.
  // Warm-up ends at steady state (docs/sampling.md): once warmup_s has
  // passed, at the first window of calls whose median no longer fell below
  // the previous window's by more than its noise; at warmup_max_s whatever.
  double warmup_s = 0.01;       // the warm-up's floor
  double warmup_max_s = 1.0;    // its cap
  size_t min_samples = 5;       // never fewer, unless the time cap is hit
  size_t max_samples = 10000;   // storage is reserved up front for these
  double min_time_s = 0.01;     // sample for at least this long
  double max_time_s = 2.0;      // stop sampling after this long, whatever the noise
  double target_noise = 0.01;   // stop once the mean's relative standard error is below this
  Timing timing = Timing::wall;  // what a sample is
  size_t batch = 0;   // calls per batched sample; 0: enough for about 1 ms
  bool cold = false;  // flush the caches (CPU's, and the device's L2) before each sample
  // The allocators' state the calls see. false (default): the steady state
  // of a loop whose buffers the allocators reuse (ReusedHostMemory, the
  // frameworks' caches kept). true (--fresh-memory): every call gets fresh
  // memory, the C library's free memory and the framework's cache handed back
  // before it, as a process that calls once, or a loop whose allocator keeps
  // nothing, sees.
  bool fresh_memory = false;
  // GPU cells (not collectives): true (--one-core): every thread of the
  // worker held on one core while the cell warms up and is sampled
  // (execution/one_core.h says why); false (default): wherever the OS puts
  // them, as in a user's process.
  bool one_core = false;
  // How a GPU cell's calls wait for their results (--wait).
  GpuWait wait = GpuWait::poll;
  // Stop once the samples' relative spread has settled and the target is out
  // of reach within max_time_s (Stop::settled); false samples on to the cap.
  bool stop_when_settled = true;

  bool operator==(const SamplerSettings&) const = default;
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

}  // namespace opbench
