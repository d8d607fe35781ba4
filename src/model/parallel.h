#pragma once
// Host work spread over the machine's cores: the inputs, the reference, the
// check. Each index's work reads shared data and writes only its own
// elements, in the same order whatever the thread count, so results are
// bit-identical on one core and on many.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

// Before a function of hot loops: compiled for AVX-512, AVX2 and the
// baseline, the one this machine runs picked when opbench loads (the build
// stays portable, without -march=native). The files that use it compile with
// -ffp-contract=off (CMakeLists.txt): no product fused into a sum, so each
// version rounds as the baseline does and the result is the same on any
// machine. GCC only: clang 14 (the sanitized build's) leaves the library
// templates that a cloned function uses (std::vector's destructor) undefined
// at link time; there the baseline alone is built.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define OPBENCH_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define OPBENCH_VECTOR_CLONES
#endif

namespace opbench {

// Threads parallel_for may use: the machine's cores, unless set (tests run
// the same work on one thread and on many and compare the results).
inline unsigned& host_threads_override() {
  static unsigned threads = 0;
  return threads;
}
inline size_t host_threads() {
  unsigned set = host_threads_override();
  return set ? set : std::max(1u, std::thread::hardware_concurrency());
}

// Whether this thread is one of a parallel_for's own: a parallel_for inside
// one runs on its thread, the cores being busy already (a batched product's
// thousand small matrices, each given a thread per core, spent more on
// starting threads than on their work).
inline bool& inside_parallel_for() {
  static thread_local bool inside = false;
  return inside;
}

// Runs fn(begin, end) over contiguous ranges covering [0, n), on up to one
// thread per core; `grain` is the fewest indices worth a thread of their own
// (below it everything runs on the calling thread, as it does inside another
// parallel_for). An exception thrown by fn (out of memory) reaches the caller
// once every range has stopped.
template <typename Fn>
void parallel_for(size_t n, Fn fn, size_t grain = size_t{1} << 20) {
  grain = std::max<size_t>(grain, 1);
  const size_t workers = std::min(host_threads(), (n + grain - 1) / grain);
  if (workers <= 1 || inside_parallel_for()) return fn(size_t{0}, n);
  const size_t per = (n + workers - 1) / workers;
  std::vector<std::exception_ptr> errors(workers);
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (size_t w = 0; w < workers; ++w) {
    const size_t b = w * per, e = std::min(n, b + per);
    if (b >= e) break;
    threads.emplace_back([&fn, &errors, w, b, e] {
      inside_parallel_for() = true;
      try {
        fn(b, e);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& error : errors)
    if (error) std::rethrow_exception(error);
}

// to[i] = from[i] (converted to D) for i in [0, n), on all cores: a result
// of gigabytes copied into fresh memory also takes its page faults on every
// core rather than one.
template <typename D, typename S>
void copy_on_all_cores(const S* from, size_t n, D* to) {
  parallel_for(n, [from, to](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) to[i] = static_cast<D>(from[i]);
  });
}

// Sets to[0, n) to T's zero on all cores: fresh memory's page faults taken
// on every core, before a copy that would take them on one.
template <typename T>
void fill_on_all_cores(T* to, size_t n) {
  parallel_for(n, [to](size_t b, size_t e) { std::fill(to + b, to + e, T{}); });
}

// The sum over [0, n) of block(b, e), the sum of the terms of [b, e) in
// their order, on all cores: fixed blocks of 65536 terms, and the blocks'
// sums added in order, so the result is the same on any number of cores. A
// block at a time lets the terms come from a buffer filled for the block. T:
// the sum's type (an integer sum wraps).
template <typename T = double, typename Block>
T chunked_block_sum(size_t n, Block block) {
  constexpr size_t kChunk = size_t{1} << 16;
  std::vector<T> partial((n + kChunk - 1) / kChunk, T{});
  parallel_for(partial.size(), [&](size_t b, size_t e) {
    for (size_t c = b; c < e; ++c) partial[c] = block(c * kChunk, std::min(n, (c + 1) * kChunk));
  }, 1);
  T sum{};
  for (T p : partial) sum += p;
  return sum;
}

// The sum of term(i) over [0, n), on all cores, in chunked_block_sum's blocks.
template <typename T = double, typename Term>
T chunked_sum(size_t n, Term term) {
  return chunked_block_sum<T>(n, [&term](size_t b, size_t e) {
    T sum{};
    for (size_t i = b; i < e; ++i) sum += term(i);
    return sum;
  });
}

// Whether pred(i) holds for any i in [0, n), on all cores.
template <typename Pred>
bool any_index(size_t n, Pred pred) {
  return chunked_sum(n, [&pred](size_t i) { return pred(i) ? 1.0 : 0.0; }) > 0;
}

// The grain for items that each cost about `work` elementary steps: enough
// items that a thread does some 64 thousand steps.
inline size_t grain_for(double work) {
  return static_cast<size_t>(std::max(1.0, 65536.0 / std::max(work, 1.0)));
}

}  // namespace opbench
