#include "backends/torch/torch_memory.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <unordered_map>

namespace opbench::torch_backend {

namespace {

// A counted allocation not yet freed: its size, and the deleter it came with.
struct Live {
  size_t bytes;
  c10::DeleterFnPtr deleter;
};

// What the wrapper and the deleter it attaches share. The deleter is a plain
// function pointer (c10's DataPtr takes no closure), so it finds them here.
struct Counts {
  c10::Allocator* inner = nullptr;  // LibTorch's own CPU allocator; null until installed
  std::atomic<bool> counting{false};
  std::mutex mutex;  // the rest: intra-op threads allocate too
  std::unordered_map<void*, Live> live;  // by context
  double live_bytes = 0, peak_bytes = 0;
};

// Never destroyed: tensors may be freed by other static destructors at exit.
Counts& counts() {
  static Counts* c = new Counts;
  return *c;
}

// Frees a counted allocation (or, through raw_deallocate, an uncounted one).
void counted_delete(void* context) {
  Counts& c = counts();
  c10::DeleterFnPtr deleter = nullptr;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    if (auto it = c.live.find(context); it != c.live.end()) {
      c.live_bytes -= static_cast<double>(it->second.bytes);
      deleter = it->second.deleter;
      c.live.erase(it);
    }
  }
  (deleter ? deleter : c.inner->raw_deleter())(context);
}

class CountingAllocator final : public c10::Allocator {
 public:
  c10::DataPtr allocate(size_t n) override {
    Counts& c = counts();
    c10::DataPtr block = c.inner->allocate(n);
    if (!c.counting.load(std::memory_order_relaxed) || !block.get_context()) return block;
    void* data = block.get();
    void* context = block.get_context();
    c10::DeleterFnPtr deleter = block.get_deleter();
    c10::Device device = block.device();
    block.release_context();  // ours to free now, through counted_delete
    std::lock_guard<std::mutex> lock(c.mutex);
    c.live[context] = Live{n, deleter};
    c.live_bytes += static_cast<double>(n);
    c.peak_bytes = std::max(c.peak_bytes, c.live_bytes);
    return {data, context, counted_delete, device};
  }
  // Raw allocations (oneDNN's buffers come this way) keep their context equal
  // to their data, so raw_deallocate can find them: counted_delete serves both.
  c10::DeleterFnPtr raw_deleter() const override { return counts().inner->raw_deleter() ? counted_delete : nullptr; }
  void copy_data(void* dest, const void* src, size_t count) const override { counts().inner->copy_data(dest, src, count); }
};

}  // namespace

void count_cpu_memory() {
  static const bool installed = [] {
    counts().inner = c10::GetCPUAllocator();
    // Above the default allocator's priority (0), so that it takes its place.
    c10::SetCPUAllocator(new CountingAllocator, /*priority=*/100);
    return true;
  }();
  (void)installed;
}

std::optional<double> cpu_peak_bytes(const std::function<void()>& call) {
  Counts& c = counts();
  if (!c.inner) return std::nullopt;
  double before = 0;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    before = c.live_bytes;  // counted allocations of earlier measurements still alive
    c.peak_bytes = before;
  }
  c.counting = true;
  try {
    call();
  } catch (...) {
    c.counting = false;
    throw;
  }
  c.counting = false;
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.peak_bytes - before;
}

}  // namespace opbench::torch_backend
