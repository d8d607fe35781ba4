#include "execution/sampler.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <optional>

#include <sys/resource.h>

#include "model/memory.h"

namespace opbench {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }
double ms_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); }

// Before each call: the state of the allocators that the settings ask for.
// The default (memory reused) holds for the whole loop (ReusedHostMemory).
void ready_for_call(PreparedOp& op, const SamplerSettings& settings) {
  op.release_output();
  if (!settings.fresh_memory) return;
  op.release_cached_memory();
  release_free_host_memory();
}

// The median of a window of calls and its standard error, from the median
// absolute deviation (1.4826 MAD estimates the standard deviation, and the
// median's error is 1.2533 of the mean's): robust to the odd slow call.
std::pair<double, double> median_and_error(std::vector<double> times) {
  auto median_of = [](std::vector<double>& v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  };
  const double median = median_of(times);
  for (double& t : times) t = std::abs(t - median);
  const double mad = median_of(times);
  return {median, 1.2533 * 1.4826 * mad / std::sqrt(static_cast<double>(times.size()))};
}

// Warm-up calls in windows of at least 8 calls, the first 1 ms long and
// each one twice as long as the one before, so that the last two windows
// always span the warm-up's latest half: a ramp as slow as the warm-up so far
// still shows. A window is steady when its median no longer falls below the
// previous window's by more than noise: twice its standard error, and at
// least 1%.
class WarmUpTrend {
 public:
  // Adds a call; whether it closed a steady window.
  bool closes_steady_window(double call_ms) {
    window_.push_back(call_ms);
    window_ms_ += call_ms;
    if (window_.size() < kCalls || window_ms_ < length_ms_) return false;
    const auto [median, error] = median_and_error(window_);
    window_.clear();
    window_ms_ = 0;
    length_ms_ *= 2;
    const bool steady = previous_ > 0 && median >= previous_ - std::max(2 * error, 0.01 * previous_);
    previous_ = median;
    return steady;
  }

 private:
  static constexpr size_t kCalls = 8;
  std::vector<double> window_;
  double window_ms_ = 0, length_ms_ = 1.0;
  double previous_ = 0;  // the last window's median, 0 before the first
};

struct WarmUp {
  double shortest_ms = INFINITY;  // the least disturbed estimate of one call, for sizing batches
  size_t calls = 0;
  bool capped = false;
};

// Calls until the times have settled (WarmUpTrend) and the floor has passed,
// or until the cap. Calls as long as the floor or longer (the shortest so
// far: a preempted call is no measure) end the warm-up once the floor has
// passed, as before the rule: windows of such calls would cost seconds a
// cell, and a ramp of a few milliseconds lies within one call.
WarmUp warm_up(PreparedOp& op, const SamplerSettings& settings) {
  op.release_output();  // the check run's result, if the caller kept it
  Clock::time_point start = Clock::now();
  WarmUp w;
  WarmUpTrend trend;
  while (true) {
    ready_for_call(op, settings);
    Clock::time_point before = Clock::now();
    op.run();
    op.release_output();
    double call_and_elapsed[2] = {ms_between(before, Clock::now()), seconds_since(start)};
    op.agree_on_slowest(call_and_elapsed);  // every rank of a collective decides alike
    ++w.calls;
    w.shortest_ms = std::min(w.shortest_ms, call_and_elapsed[0]);
    const bool steady = trend.closes_steady_window(call_and_elapsed[0]) || w.shortest_ms >= settings.warmup_s * 1e3;
    if (steady && call_and_elapsed[1] >= settings.warmup_s) return w;
    if (call_and_elapsed[1] >= std::max(settings.warmup_s, settings.warmup_max_s)) {
      w.capped = true;
      return w;
    }
  }
}

// Enough calls per batch for about a millisecond, so that one wait is small
// beside the work.
size_t batch_size(const SamplerSettings& settings, double call_ms) {
  if (settings.batch) return settings.batch;
  return static_cast<size_t>(std::clamp(std::ceil(1.0 / std::max(call_ms, 1e-6)), 1.0, 1000.0));
}

// One sample in the chosen way; nullopt when the backend lacks a device
// timer (the caller then falls back to the wall clock). `after` is when it
// ended, which the stopping rule reuses rather than read the clock again.
std::optional<double> take_sample(PreparedOp& op, Timing timing, size_t batch, Clock::time_point& after) {
  if (timing == Timing::events) {
    std::optional<double> ms = op.run_with_device_timer();
    after = Clock::now();
    return ms;
  }
  Clock::time_point before = Clock::now();
  if (timing == Timing::batched) {
    op.run_batch(batch);
  } else {
    op.run();
    // The reference's forward function drops its result before the clock
    // stops, as a caller's variable going out of scope does: freeing it
    // (munmap of a large CPU result) is part of the call's cost.
    op.release_output();
  }
  after = Clock::now();
  return ms_between(before, after) / static_cast<double>(batch);
}

size_t cache_bytes() {
  // The largest cache sysfs lists for CPU 0 (usually the last level).
  size_t largest = 0;
  for (int index = 0; index < 8; ++index) {
    std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size");
    std::string text;
    if (!(in >> text)) break;
    size_t value = std::stoul(text) * (text.back() == 'K' ? 1024 : text.back() == 'M' ? 1048576 : 1);
    largest = std::max(largest, value);
  }
  return largest ? largest : size_t{64} << 20;
}

// The process's page faults and CPU time so far, as totals.
HostCost usage_now() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](const timeval& t) { return t.tv_sec * 1e3 + t.tv_usec * 1e-3; };
  return {static_cast<double>(u.ru_minflt), ms(u.ru_utime), ms(u.ru_stime)};
}
HostCost per_call(const HostCost& before, const HostCost& after, double calls) {
  return {(after.minor_faults - before.minor_faults) / calls, (after.user_ms - before.user_ms) / calls,
          (after.system_ms - before.system_ms) / calls};
}

// Whether the samples' relative standard deviation has settled, as
// nvbench's stdrel criterion judges a noisy benchmark's noise converged:
// after at least 64 samples, it is within 5% of what it was at half and at
// three quarters of the samples taken, so neither a jump nor a slow drift
// (a few outliers being diluted) passes for settled.
class SpreadTrend {
 public:
  explicit SpreadTrend(size_t capacity) { history_.reserve(capacity); }  // no allocation while sampling
  void add(size_t n, double relative_spread) {
    if (history_.size() < history_.capacity()) history_.push_back({n, relative_spread});
  }
  bool settled() const {
    if (history_.empty() || history_.back().n < kFewest || !std::isfinite(history_.back().spread)) return false;
    const Point now = history_.back();
    for (size_t fraction : {2, 4}) {  // n/2 and 3n/4
      const Point& then = at(now.n - now.n / fraction);
      if (!(std::abs(then.spread - now.spread) < 0.05 * now.spread)) return false;
    }
    return true;
  }

 private:
  struct Point {
    size_t n;
    double spread;
  };
  static constexpr size_t kFewest = 64;
  // The point recorded at n samples or the first after it.
  const Point& at(size_t n) const {
    return *std::lower_bound(history_.begin(), history_.end(), n, [](const Point& p, size_t k) { return p.n < k; });
  }
  std::vector<Point> history_;
};

// Whether, at the spread the samples show, the target lies beyond the time
// cap: the mean's noise falls as spread / sqrt(n), so it needs
// (spread / target)^2 samples at `elapsed / n` seconds each.
bool target_out_of_reach(const SamplerSettings& settings, double spread, size_t n, double elapsed) {
  if (settings.target_noise <= 0) return true;
  double needed = spread * spread / (settings.target_noise * settings.target_noise);
  return needed * elapsed / static_cast<double>(n) > settings.max_time_s;
}

}  // namespace

void flush_cpu_caches() {
  static std::vector<char> buffer(std::max<size_t>(2 * cache_bytes(), size_t{32} << 20));
  static char round = 0;
  std::fill(buffer.begin(), buffer.end(), ++round);
}

Measurement measure(PreparedOp& op, const SamplerSettings& settings) {
  Measurement m;
  const size_t capacity = std::max(settings.max_samples, kMinimumSamples);
  m.samples_ms.reserve(capacity);  // no allocation between the clock reads
  SpreadTrend spread(capacity);
  // After the reservations: they take nothing from the memory the calls reuse.
  std::optional<ReusedHostMemory> reused;
  if (!settings.fresh_memory) reused.emplace();
  Clock::time_point warm_up_start = Clock::now();
  const WarmUp w = warm_up(op, settings);
  m.warmup_s = seconds_since(warm_up_start);
  m.warmup_calls = w.calls;
  m.warmup_capped = w.capped;
  m.timing = settings.timing;
  m.batch = settings.timing == Timing::batched ? batch_size(settings, w.shortest_ms) : 1;
  m.cache = settings.cold ? Cache::cold : Cache::warm;

  double sum = 0, sum_squares = 0;
  HostCost usage_before = usage_now();
  Clock::time_point start = Clock::now();
  while (true) {
    ready_for_call(op, settings);
    if (settings.cold && !op.flush_device_cache()) flush_cpu_caches();
    Clock::time_point after;
    std::optional<double> sample = take_sample(op, m.timing, m.batch, after);
    if (!sample) {  // no device timer on this backend: the wall clock it is
      m.timing = Timing::wall;
      continue;
    }
    // A collective's sample is its slowest rank's, and so is the time that
    // decides when to stop: every rank stops after the same sample.
    double ms_and_elapsed[2] = {*sample, std::chrono::duration<double>(after - start).count()};
    op.agree_on_slowest(ms_and_elapsed);
    const double ms = ms_and_elapsed[0], elapsed = ms_and_elapsed[1];
    m.samples_ms.push_back(ms);
    sum += ms;
    sum_squares += ms * ms;

    size_t n = m.samples_ms.size();
    if (n >= capacity) {
      m.stop = Stop::count;
      break;
    }
    if (n < kMinimumSamples) continue;
    if (elapsed >= settings.max_time_s) {
      m.stop = Stop::time;
      break;
    }
    double noise = relative_standard_error(n, sum, sum_squares);
    double relative_spread = noise * std::sqrt(static_cast<double>(n));
    spread.add(n, relative_spread);
    if (n < settings.min_samples || elapsed < settings.min_time_s) continue;
    if (noise <= settings.target_noise) {
      m.stop = Stop::noise;
      break;
    }
    if (settings.stop_when_settled && spread.settled() &&
        target_out_of_reach(settings, relative_spread, n, elapsed)) {
      m.stop = Stop::settled;
      break;
    }
  }
  // Counted before the last release: the same calls as the samples (the
  // cache flushes of --cold included, which touch no new pages).
  m.host = per_call(usage_before, usage_now(), static_cast<double>(m.samples_ms.size() * m.batch));
  op.release_output();
  m.sampling_s = seconds_since(start);
  m.stats = summarize(m.samples_ms);
  return m;
}

}  // namespace opbench
