#include "model/tensor.h"

#include <sys/mman.h>

#include <cmath>
#include <cstdlib>
#include <new>

#include "model/parallel.h"

namespace opbench {

namespace {
constexpr size_t kHugePage = size_t{2} << 20, kHugeFrom = size_t{32} << 20;
size_t huge_rounded(size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
}  // namespace

void* allocate_host(size_t bytes) {
  if (bytes < kHugeFrom) return ::operator new(bytes);
  void* p = std::aligned_alloc(kHugePage, huge_rounded(bytes));
  if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  madvise(p, huge_rounded(bytes), MADV_HUGEPAGE);  // advice: where refused, 4 KiB pages
#endif
  return p;
}

void free_host(void* p, size_t bytes) {
  if (bytes < kHugeFrom) ::operator delete(p);
  else std::free(p);
}

bool all_finite(const float* values, size_t n) {
  return !any_index(n, [values](size_t i) { return !std::isfinite(values[i]); });
}

bool all_finite(const HostTensor& t) { return t.dtype != DType::Float32 || all_finite(t.f32.data(), t.f32.size()); }

HostTensor elements_at(const HostTensor& t, const std::vector<int64_t>& positions) {
  HostTensor out{t.name, {static_cast<int64_t>(positions.size())}, t.dtype, {}, {}};
  for (int64_t p : positions) {
    if (t.dtype == DType::Float32) out.f32.push_back(t.f32.at(p));
    else out.i64.push_back(t.i64.at(p));
  }
  return out;
}

}  // namespace opbench
