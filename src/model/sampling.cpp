#include "model/sampling.h"

#include <array>
#include <cstdlib>

#include "model/error.h"

namespace opbench {

namespace {

constexpr std::array<const char*, 3> kTimingWords = {"wall", "events", "batched"};
constexpr std::array<const char*, 2> kCacheWords = {"warm", "cold"};
constexpr std::array<const char*, 5> kStopWords = {"", "noise", "time", "count", "settled"};
constexpr std::array<const char*, 3> kWaitWords = {"poll", "sleep", "framework"};

// The enum value whose word `text` is; the words are in the enum's order.
template <typename E, size_t N>
E from_word(const std::array<const char*, N>& words, const std::string& text) {
  std::string known;
  for (size_t i = 0; i < N; ++i) {
    if (text == words[i]) return static_cast<E>(i);
    if (*words[i]) known += std::string(known.empty() ? "" : ", ") + words[i];
  }
  throw UsageError(quote(text) + " is not one of " + known);
}

}  // namespace

const char* word(Timing timing) { return kTimingWords[static_cast<size_t>(timing)]; }
const char* word(Cache cache) { return kCacheWords[static_cast<size_t>(cache)]; }
const char* word(Stop stop) { return kStopWords[static_cast<size_t>(stop)]; }
const char* word(GpuWait wait) { return kWaitWords[static_cast<size_t>(wait)]; }

Timing timing_from_word(const std::string& text) { return from_word<Timing>(kTimingWords, text); }
Cache cache_from_word(const std::string& text) { return from_word<Cache>(kCacheWords, text); }
Stop stop_from_word(const std::string& text) { return from_word<Stop>(kStopWords, text); }
GpuWait wait_from_word(const std::string& text) { return from_word<GpuWait>(kWaitWords, text); }

std::string timing_words(Timing timing, size_t batch) {
  if (timing == Timing::batched) return std::string(word(timing)) + " x" + std::to_string(batch);
  return word(timing);
}

std::pair<Timing, size_t> timing_from_words(const std::string& text) {
  const std::string prefix = std::string(word(Timing::batched)) + " x";
  if (text.rfind(prefix, 0) == 0) {
    const std::string count = text.substr(prefix.size());
    char* end = nullptr;
    unsigned long long n = std::strtoull(count.c_str(), &end, 10);
    if (count.empty() || count[0] < '0' || count[0] > '9' || *end || n == 0 || n > 1'000'000'000)
      throw UsageError(quote(text) + " is not one of wall, events, batched xN (N from 1)");
    return {Timing::batched, static_cast<size_t>(n)};
  }
  Timing timing = timing_from_word(text);
  if (timing == Timing::batched) throw UsageError(quote(text) + " does not say how many calls a sample batched (batched xN)");
  return {timing, 1};
}

}  // namespace opbench
