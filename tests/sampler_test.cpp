// The measurement loop against an op whose cost is known: it spins on the
// clock for a fixed time. Time bounds here are coarse on purpose: the
// machine may be busy with other work.
#include "core/sampler.h"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <chrono>
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

TEST(Measure, StatsSummarizeTheSamples) {
  SpinOp op(kSpin);
  Measurement m = measure(op, quick_settings());
  Stats expected = summarize(m.samples_ms);
  EXPECT_EQ(m.stats.count, m.samples_ms.size());
  EXPECT_DOUBLE_EQ(m.stats.mean, expected.mean);
  EXPECT_DOUBLE_EQ(m.stats.median, expected.median);
  EXPECT_DOUBLE_EQ(m.stats.noise, expected.noise);
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
