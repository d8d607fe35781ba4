// The measurement loop against an op whose cost is known: it spins on the
// clock for a fixed time. Time bounds here are coarse on purpose: the
// machine may be busy with other work.
#include "execution/sampler.h"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace opbench {
namespace {

using Clock = std::chrono::steady_clock;

// Busy-waits `duration` per run, and records how the sampler drives it.
class SpinOp : public PreparedOp {
 public:
  explicit SpinOp(std::chrono::microseconds duration) : duration_(duration) { starts.reserve(100000); }

  void run() override {
    starts.push_back(Clock::now());
    ++runs;
    if (!released_) ++runs_without_release;
    released_ = false;
    Clock::time_point end = Clock::now() + duration_;
    while (Clock::now() < end) {
    }
  }
  HostTensor output() override { return {}; }
  void release_output() override {
    ++releases;
    released_ = true;
  }

  size_t runs = 0, releases = 0;
  size_t runs_without_release = 0;  // runs not preceded by release_output()
  std::vector<Clock::time_point> starts;  // when each run began

 private:
  std::chrono::microseconds duration_;
  bool released_ = false;  // a fresh op has a result to drop too: none yet
};

constexpr auto kSpin = std::chrono::microseconds(500);
constexpr double kSpinMs = 0.5;

// Short settings for tests: tiny warm-up and time floor, a generous cap.
SamplerSettings quick_settings() {
  SamplerSettings s;
  s.warmup_s = 0.002;
  s.min_samples = 5;
  s.max_samples = 10000;
  s.min_time_s = 0.005;
  s.max_time_s = 5.0;
  s.target_noise = 0.5;
  s.stop_when_settled = false;  // the tests of the settled stop turn it on
  return s;
}

double seconds_to_measure(SpinOp& op, const SamplerSettings& s, Measurement& m) {
  Clock::time_point start = Clock::now();
  m = measure(op, s);
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(Measure, StableOpWithLooseTargetStopsOnNoise) {
  SpinOp op(kSpin);
  Measurement m = measure(op, quick_settings());
  EXPECT_EQ(m.stop, Stop::noise);
  EXPECT_GE(m.samples_ms.size(), quick_settings().min_samples);
  EXPECT_GE(m.samples_ms.size(), kMinimumSamples);
  EXPECT_LE(m.stats.noise, 0.5);
}

TEST(Measure, TakesAtLeastMinSamples) {
  SamplerSettings s = quick_settings();
  s.min_samples = 40;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.stop, Stop::noise);
  EXPECT_GE(m.samples_ms.size(), 40u);
}

TEST(Measure, SamplesForAtLeastMinTime) {
  SamplerSettings s = quick_settings();
  s.min_time_s = 0.05;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  double sampled_ms = 0;
  for (double ms : m.samples_ms) sampled_ms += ms;
  EXPECT_GE(sampled_ms, 0.05 * 1000 - kSpinMs);  // the last sample may end just past the floor
}

TEST(Measure, MaxSamplesCaps) {
  SamplerSettings s = quick_settings();
  s.target_noise = 0;  // never reached
  s.max_samples = 7;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.stop, Stop::count);
  EXPECT_EQ(m.samples_ms.size(), 7u);
}

TEST(Measure, NeverFewerThanTheMinimumEvenWhenMaxSamplesIsLower) {
  SamplerSettings s = quick_settings();
  s.max_samples = 1;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.samples_ms.size(), kMinimumSamples);
}

TEST(Measure, TimeCapStopsAnUnreachableTarget) {
  SamplerSettings s = quick_settings();
  s.target_noise = 0;
  s.max_time_s = 0.05;
  SpinOp op(kSpin);
  Measurement m;
  double seconds = seconds_to_measure(op, s, m);
  EXPECT_EQ(m.stop, Stop::time);
  EXPECT_GE(m.samples_ms.size(), kMinimumSamples);
  EXPECT_GE(seconds, 0.05);
  EXPECT_LT(seconds, 2.0);  // coarse: 0.05 s of sampling, a warm-up of 0.002 s
}

// Calls that alternate between two lengths: a spread of about a half that
// settles within a few dozen samples and stays.
class AlternatingOp : public PreparedOp {
 public:
  void run() override {
    Clock::time_point end = Clock::now() + std::chrono::microseconds(++runs % 2 ? 100 : 300);
    while (Clock::now() < end) {
    }
  }
  HostTensor output() override { return {}; }
  size_t runs = 0;
};

// At a spread of 0.5 the 0.1% target needs (0.5 / 0.001)^2 = 250 000
// samples, some 50 s: out of reach within 3 s. Once the spread has settled
// the cell stops, far before the cap, its noise stated.
TEST(Measure, ASettledSpreadStopsATargetOutOfReach) {
  SamplerSettings s = quick_settings();
  s.target_noise = 0.001;
  s.max_time_s = 3;
  s.stop_when_settled = true;
  AlternatingOp op;
  Clock::time_point start = Clock::now();
  Measurement m = measure(op, s);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_EQ(m.stop, Stop::settled);
  EXPECT_LT(seconds, 2.5);  // before the cap
  EXPECT_GE(m.samples_ms.size(), 64u);  // the spread is judged over 64 samples at least
  EXPECT_GT(m.stats.noise, s.target_noise);
  EXPECT_EQ(std::string(word(m.stop)), "settled");
  EXPECT_EQ(stop_from_word("settled"), Stop::settled);
}

// Without the settled stop, the same op samples on to the cap.
TEST(Measure, WithoutTheSettledStopTheCapStops) {
  SamplerSettings s = quick_settings();
  s.target_noise = 0.001;
  s.max_time_s = 0.3;
  AlternatingOp op;
  Measurement m = measure(op, s);
  EXPECT_EQ(m.stop, Stop::time);
}

// A target within reach is sampled to, settled spread or not.
TEST(Measure, ASettledSpreadStillSamplesToAReachableTarget) {
  SamplerSettings s = quick_settings();
  s.target_noise = 0.05;  // (0.5 / 0.05)^2 = 100 samples, about 0.02 s
  // A cap far beyond it: on a loaded machine preempted calls widen the
  // spread many times over, and the target must still be within reach.
  s.max_time_s = 60;
  s.stop_when_settled = true;
  AlternatingOp op;
  Measurement m = measure(op, s);
  EXPECT_EQ(m.stop, Stop::noise);
  EXPECT_LE(m.stats.noise, 0.05);
}

TEST(Measure, TimeCapStillTakesTheMinimumSamples) {
  SamplerSettings s = quick_settings();
  s.min_samples = 5;
  s.max_time_s = 0;  // reached at once
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.stop, Stop::time);
  EXPECT_EQ(m.samples_ms.size(), kMinimumSamples);
}

TEST(Measure, WarmsUpBeforeSampling) {
  SamplerSettings s = quick_settings();
  s.warmup_s = 0;  // still one call
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_GT(op.runs, m.samples_ms.size());
}

TEST(Measure, WarmsUpForWarmupSeconds) {
  SamplerSettings s = quick_settings();
  s.warmup_s = 0.02;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  ASSERT_GT(op.runs, m.samples_ms.size());
  size_t warmups = op.runs - m.samples_ms.size();
  // The first sample starts once the warm-up calls have filled warmup_s.
  double warm_s = std::chrono::duration<double>(op.starts[warmups] - op.starts[0]).count();
  EXPECT_GE(warm_s, 0.9 * s.warmup_s);
}

// Each call `shrink` times as long as the one before, from `first` down to
// `steady` (a device's clocks ramping up, caches filling).
class RampOp : public SpinOp {
 public:
  RampOp(std::chrono::microseconds first, std::chrono::microseconds steady, double shrink)
      : SpinOp(steady), first_(first), steady_(steady), shrink_(shrink) {}
  void run() override {
    const auto now = std::max(steady_, std::chrono::microseconds(static_cast<int64_t>(first_.count() * std::pow(shrink_, runs))));
    starts.push_back(Clock::now());
    ++runs;
    Clock::time_point end = Clock::now() + now;
    while (Clock::now() < end) {
    }
  }

 private:
  std::chrono::microseconds first_, steady_;
  double shrink_;
};

TEST(WarmUp, EndsOnceTheTimesStopFalling) {
  // From 1 ms, each call 1% shorter than the one before, down to 0.1 ms after some
  // 90 ms (a device's clocks ramping up): warm-up goes on well past its 5 ms
  // floor until the calls are steady, so the samples see the steady time.
  SamplerSettings s = quick_settings();
  s.warmup_s = 0.005;
  RampOp op(std::chrono::microseconds(1000), std::chrono::microseconds(100), 0.99);
  Measurement m = measure(op, s);
  EXPECT_FALSE(m.warmup_capped);
  EXPECT_GT(m.warmup_calls, 200u);
  EXPECT_GE(m.warmup_s, 0.08);
  EXPECT_LT(m.stats.median, 0.15);
}

TEST(WarmUp, EndsAtTheCapWhileTheTimesStillFall) {
  // From 1 ms, each call 1% shorter: some 90 calls in, at 0.06 s, still falling 8% a window.
  SamplerSettings s = quick_settings();
  s.warmup_s = 0.005;
  s.warmup_max_s = 0.06;
  RampOp op(std::chrono::microseconds(1000), std::chrono::microseconds(1), 0.99);
  Measurement m = measure(op, s);
  EXPECT_TRUE(m.warmup_capped);
  EXPECT_GE(m.warmup_s, 0.06);
  EXPECT_LT(m.warmup_s, 1.0);
}

// A call as long as the floor: the floor alone, one call past it.
TEST(WarmUp, CallsAsLongAsTheFloorWarmUpForTheFloorAlone) {
  SamplerSettings s = quick_settings();
  s.warmup_s = 0.004;
  SpinOp op(std::chrono::microseconds(5000));
  Measurement m = measure(op, s);
  EXPECT_FALSE(m.warmup_capped);
  EXPECT_LE(m.warmup_calls, 2u);
}

TEST(WarmUp, AtSteadyStateTheFloorIsAboutAll) {
  SamplerSettings s = quick_settings();
  s.warmup_s = 0.02;
  s.warmup_max_s = 5;
  SpinOp op(kSpin);
  Measurement m = measure(op, s);
  EXPECT_FALSE(m.warmup_capped);
  EXPECT_GE(m.warmup_s, 0.02);
  EXPECT_LT(m.warmup_s, 1.0);  // a few windows past the floor at most, not the cap
}

TEST(Measure, ReleasesTheOutputBeforeEveryRun) {
  SpinOp op(kSpin);
  measure(op, quick_settings());
  EXPECT_EQ(op.runs_without_release, 0u);
  EXPECT_GE(op.releases, op.runs);
}

// Drops its result as slowly as it computes it: a wall-clock sample covers
// both, as the reference's forward function frees its result before its
// clock stops.
class SlowReleaseOp : public SpinOp {
 public:
  SlowReleaseOp() : SpinOp(kSpin) {}
  void release_output() override {
    SpinOp::release_output();
    Clock::time_point end = Clock::now() + kSpin;
    while (Clock::now() < end) {
    }
  }
};

TEST(Measure, WallSamplesIncludeDroppingTheResult) {
  SlowReleaseOp op;
  Measurement m = measure(op, quick_settings());
  EXPECT_GE(m.stats.min, 2 * kSpinMs * 0.99);
  EXPECT_EQ(op.runs_without_release, 0u);
}

TEST(Measure, SamplesAreTheRunsDuration) {
  SpinOp op(kSpin);
  Measurement m = measure(op, quick_settings());
  for (double ms : m.samples_ms) {
    EXPECT_GT(ms, 0);
    EXPECT_GE(ms, kSpinMs * 0.99);
  }
  EXPECT_GE(m.stats.min, kSpinMs * 0.99);
}

// The statistics against a computation of their own, not summarize().
TEST(Measure, StatsSummarizeTheSamples) {
  SpinOp op(kSpin);
  Measurement m = measure(op, quick_settings());
  std::vector<double> x = m.samples_ms;
  size_t n = x.size();
  ASSERT_GE(n, kMinimumSamples);
  long double sum = 0;
  for (double v : x) sum += v;
  long double mean = sum / n, squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  long double stddev = std::sqrt(squares / (n - 1));
  std::nth_element(x.begin(), x.begin() + n / 2, x.end());
  double upper = x[n / 2];
  double median = n % 2 ? upper : (upper + *std::max_element(x.begin(), x.begin() + n / 2)) / 2;
  EXPECT_EQ(m.stats.count, n);
  EXPECT_NEAR(m.stats.mean_all, static_cast<double>(mean), 1e-12 * m.stats.mean);
  // The table's mean, stddev and noise: over the samples inside the fences
  // (stats_test checks the fences by hand); on a busy machine a spin can be preempted.
  const Fences fences = outlier_fences(m.samples_ms);
  x.erase(std::remove_if(x.begin(), x.end(), [&](double v) { return !fences.inside(v); }), x.end());
  EXPECT_EQ(m.stats.outliers, n - x.size());
  n = x.size();
  sum = 0;
  for (double v : x) sum += v;
  mean = sum / n;
  squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  stddev = std::sqrt(squares / (n - 1));
  EXPECT_NEAR(m.stats.mean, static_cast<double>(mean), 1e-12 * m.stats.mean);
  EXPECT_EQ(m.stats.median, median);
  EXPECT_EQ(m.stats.min, *std::min_element(m.samples_ms.begin(), m.samples_ms.end()));
  EXPECT_EQ(m.stats.max, *std::max_element(m.samples_ms.begin(), m.samples_ms.end()));
  EXPECT_NEAR(m.stats.stddev, static_cast<double>(stddev), 1e-9 * m.stats.mean);
  EXPECT_NEAR(m.stats.noise, static_cast<double>(stddev / std::sqrt(static_cast<long double>(n)) / mean), 1e-9);
}

// ---- what a sample is ------------------------------------------------------

// A SpinOp whose device timer reports a fixed time, counts batches and cache flushes.
class DeviceOp : public SpinOp {
 public:
  DeviceOp(bool has_timer, bool flushes) : SpinOp(kSpin), has_timer_(has_timer), flushes_(flushes) {}
  std::optional<double> run_with_device_timer() override {
    run();
    ++timed_runs;
    if (!has_timer_) return std::nullopt;
    return kDeviceMs;
  }
  void run_batch(size_t n) override {
    batch_sizes.push_back(n);
    for (size_t i = 0; i < n; ++i) run();
  }
  bool flush_device_cache() override {
    ++flushes;
    return flushes_;
  }

  static constexpr double kDeviceMs = 0.125;
  size_t timed_runs = 0, flushes = 0;
  std::vector<size_t> batch_sizes;

 private:
  bool has_timer_, flushes_;
};

TEST(Timing, EventsAreTheDevicesOwnTimes) {
  SamplerSettings s = quick_settings();
  s.timing = Timing::events;
  DeviceOp op(/*has_timer=*/true, false);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.timing, Timing::events);
  EXPECT_EQ(m.batch, 1u);
  ASSERT_FALSE(m.samples_ms.empty());
  for (double ms : m.samples_ms) EXPECT_EQ(ms, DeviceOp::kDeviceMs);  // not the 0.5 ms the host waited
  EXPECT_EQ(op.timed_runs, m.samples_ms.size() + 0);
  EXPECT_EQ(m.stats.noise, 0.0);
  EXPECT_EQ(m.stop, Stop::noise);
}

// A backend without a device timer: the wall clock, and the cell says so.
TEST(Timing, EventsFallBackToTheWallClockWithoutADeviceTimer) {
  SamplerSettings s = quick_settings();
  s.timing = Timing::events;
  DeviceOp op(/*has_timer=*/false, false);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.timing, Timing::wall);
  EXPECT_EQ(op.timed_runs, 1u);  // asked once, then never again
  ASSERT_FALSE(m.samples_ms.empty());
  for (double ms : m.samples_ms) EXPECT_GE(ms, kSpinMs * 0.99);
  EXPECT_EQ(timing_words(m.timing, m.batch), "wall");
}

// `batch` calls between two clock reads, the time divided among them.
TEST(Timing, BatchedSamplesAreTheBatchsTimePerCall) {
  SamplerSettings s = quick_settings();
  s.timing = Timing::batched;
  s.batch = 4;
  DeviceOp op(false, false);
  Measurement m = measure(op, s);
  EXPECT_EQ(m.timing, Timing::batched);
  EXPECT_EQ(m.batch, 4u);
  EXPECT_EQ(op.batch_sizes, std::vector<size_t>(m.samples_ms.size(), 4));
  for (double ms : m.samples_ms) EXPECT_GE(ms, kSpinMs * 0.99);  // a call spins its 0.5 ms at least
  // Per call, not per batch, which could never be under four calls' 2 ms
  // (the fastest sample: a busy machine stretches some of them).
  EXPECT_LT(m.stats.min, 4 * kSpinMs * 0.99);
  EXPECT_EQ(timing_words(m.timing, m.batch), "batched x4");
}

// Without --batch: enough calls for about a millisecond (two of 0.5 ms).
TEST(Timing, BatchedWithoutABatchSizeFillsAMillisecond) {
  SamplerSettings s = quick_settings();
  s.timing = Timing::batched;
  DeviceOp op(false, false);
  Measurement m = measure(op, s);
  EXPECT_GE(m.batch, 1u);
  EXPECT_LE(m.batch, 2u);
  ASSERT_FALSE(op.batch_sizes.empty());
  EXPECT_EQ(op.batch_sizes.front(), m.batch);
}

// --cold: the device's flush where the backend has one, before every sample;
// otherwise the CPU's caches are flushed by the core (nothing to count here
// but that the backend was asked).
TEST(Timing, ColdFlushesBeforeEverySample) {
  SamplerSettings s = quick_settings();
  s.cold = true;
  for (bool device_flush : {true, false}) {
    DeviceOp op(false, device_flush);
    Measurement m = measure(op, s);
    EXPECT_EQ(m.cache, Cache::cold);
    EXPECT_EQ(op.flushes, m.samples_ms.size()) << device_flush;
  }
  DeviceOp warm(false, true);
  EXPECT_EQ(measure(warm, quick_settings()).cache, Cache::warm);
  EXPECT_EQ(warm.flushes, 0u);
}

// Maps fresh memory and writes every page of it on each call, as a large
// result made anew does: the host cost per call counts each page's fault.
class FreshPagesOp : public PreparedOp {
 public:
  static constexpr size_t kPages = 2048;
  void run() override {
    size_t bytes = kPages * 4096;
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(p, MAP_FAILED);
    madvise(p, bytes, MADV_NOHUGEPAGE);  // one fault a 4 KiB page, whatever the machine's THP setting
    std::memset(p, 1, bytes);
    munmap(p, bytes);
  }
  HostTensor output() override { return {}; }
};

// Allocates a 32 MiB result with malloc on every call and writes it, as a
// framework's CPU op does; counts release_cached_memory calls.
class MallocOp : public PreparedOp {
 public:
  static constexpr size_t kBytes = size_t{32} << 20;
  void run() override {
    release_output();
    result_ = static_cast<char*>(std::malloc(kBytes));
    ASSERT_NE(result_, nullptr);
    std::memset(result_, 1, kBytes);
  }
  void release_output() override {
    std::free(result_);
    result_ = nullptr;
  }
  void release_cached_memory() override { ++cache_releases; }
  HostTensor output() override { return {}; }
  ~MallocOp() override { release_output(); }
  size_t cache_releases = 0, runs = 0;

 private:
  char* result_ = nullptr;
};

// By default the allocator reuses the last call's pages: no page faults a
// call. With fresh memory every call's result faults in (at least one fault
// per 2 MiB huge page, one per 4 KiB page without them), and the framework's
// cache was handed back before every call.
TEST(Measure, TheAllocatorsStateIsReusedUnlessFreshMemoryIsAsked) {
  SamplerSettings s = quick_settings();
  MallocOp reused;
  Measurement r = measure(reused, s);
#ifndef OPBENCH_SANITIZE  // AddressSanitizer's allocator holds freed blocks in quarantine: no reuse to see
  EXPECT_LT(r.host.minor_faults, 1.0);
#endif
  EXPECT_EQ(reused.cache_releases, 0u);

  s.fresh_memory = true;
  MallocOp fresh;
  Measurement f = measure(fresh, s);
  EXPECT_GE(f.host.minor_faults, MallocOp::kBytes / (2 << 20));
  EXPECT_GE(fresh.cache_releases, f.samples_ms.size());
}

TEST(Measure, CountsPageFaultsAndCpuTimePerCall) {
  FreshPagesOp fresh;
  HostCost cost = measure(fresh, quick_settings()).host;
  EXPECT_GE(cost.minor_faults, FreshPagesOp::kPages);      // one a page at least
  EXPECT_LE(cost.minor_faults, 2 * FreshPagesOp::kPages);  // and per call, not per run of the loop
  EXPECT_GT(cost.user_ms + cost.system_ms, 0);

  SpinOp spin(kSpin);  // faults nothing, burns its 0.5 ms in user mode
  HostCost spun = measure(spin, quick_settings()).host;
  EXPECT_LT(spun.minor_faults, 1);
  EXPECT_GT(spun.user_ms + spun.system_ms, kSpinMs * 0.5);
}

}  // namespace
}  // namespace opbench
