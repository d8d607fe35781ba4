#pragma once
// Host-side tensors: the inputs every backend receives, and outputs copied
// back for checking. Row-major, in the reference's layout (channels last).
#include <cstdint>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "model/shape.h"

namespace opbench {

enum class DType { Float32, Int64 };

// Host memory for large buffers (from 32 MiB): aligned to 2 MiB and marked
// for transparent huge pages where the kernel has them, so that a buffer of
// gigabytes is faulted in 2 MiB at a time, not 4 KiB: the threads that fill
// the inputs, references and checks' buffers on all cores otherwise queue in
// the kernel for one process's page faults (the backward pass over the
// default suite on the H200 host: 37.9 s with 4 KiB pages, 33.5 s with
// these). Smaller ones: operator new.
void* allocate_host(size_t bytes);
void free_host(void* p, size_t bytes);

// An allocator whose resize() leaves new elements unset: every input value is
// written by the seeded generator on all cores, and zeroing gigabytes first
// would be a pass on one core (its page faults included) longer than the
// generator's own. Its memory: allocate_host's.
template <class T>
struct UnsetAllocator : std::allocator<T> {
  T* allocate(size_t n) { return static_cast<T*>(allocate_host(n * sizeof(T))); }
  void deallocate(T* p, size_t n) noexcept { free_host(p, n * sizeof(T)); }
  template <class U>
  struct rebind {
    using other = UnsetAllocator<U>;
  };
  UnsetAllocator() = default;
  template <class U>
  UnsetAllocator(const UnsetAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using HostBuffer = std::vector<T, UnsetAllocator<T>>;

struct HostTensor {
  std::string name;  // "x", "idx", "w": what the op calls this input
  Shape shape;
  DType dtype = DType::Float32;
  HostBuffer<float> f32;    // filled when dtype == Float32
  HostBuffer<int64_t> i64;  // filled when dtype == Int64

  int64_t numel() const { return element_count(shape); }
  size_t bytes() const { return static_cast<size_t>(numel()) * (dtype == DType::Float32 ? 4 : 8); }
  // Element i as a double, whatever the dtype.
  double at(int64_t i) const { return dtype == DType::Float32 ? f32[i] : static_cast<double>(i64[i]); }
};

// Part of a result, for the check against a sampled reference: the result's
// shape, whether all of it is finite, and its elements at the sampled
// positions only (in their order), so that the rest of a large result never
// has to cross to the host.
struct SampledOutput {
  Shape shape;
  bool all_finite = true;
  HostTensor values;  // one-dimensional, element k at positions[k]
};

// Whether every element is finite (indices always are); on all cores.
bool all_finite(const HostTensor& t);
bool all_finite(const float* values, size_t n);

// The elements of `t` at flat `positions`, as a one-dimensional tensor.
HostTensor elements_at(const HostTensor& t, const std::vector<int64_t>& positions);

// A result in double precision, as the independent reference computes it:
// every element, or (where that costs too much) the elements at `positions`.
struct RefTensor {
  Shape shape;
  HostBuffer<double> values;       // values[k] is element positions[k], or element k when dense
  std::vector<int64_t> positions;  // flat indices; empty when every element is present
  // Every element is checked, but none is stored: element k is the op's
  // reference_at(k), computed from the inputs as the check reads it (an op
  // that copies its inputs' values, whose full reference would only be a
  // second copy of gigabytes to make, cache and read).
  bool on_demand = false;
  // What the check divides the error by (check.cpp's error_scale), found once
  // with the reference rather than again for every backend's cell (for a sum
  // it is the sum of |x|: a copy of the inputs and a second reference); NaN
  // where not known yet.
  double scale = std::numeric_limits<double>::quiet_NaN();
  // On-demand references only: a digest of every element's value and
  // position (check.h's result_digest), found once with the reference; 0
  // elsewhere. A copying op's right result is the inputs' values bit for bit, so
  // a result of the same digest needs no element-wise pass.
  uint64_t digest = 0;

  bool dense() const { return positions.empty(); }
  int64_t position(size_t k) const { return dense() ? static_cast<int64_t>(k) : positions[k]; }
};

}  // namespace opbench
