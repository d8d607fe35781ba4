#include "core/tensor.h"

#include <cmath>

#include "core/parallel.h"

namespace opbench {

bool all_finite(const HostTensor& t) {
  if (t.dtype != DType::Float32) return true;
  return !any_index(t.f32.size(), [&t](size_t i) { return !std::isfinite(t.f32[i]); });
}

HostTensor elements_at(const HostTensor& t, const std::vector<int64_t>& positions) {
  HostTensor out{t.name, {static_cast<int64_t>(positions.size())}, t.dtype, {}, {}};
  for (int64_t p : positions) {
    if (t.dtype == DType::Float32) out.f32.push_back(t.f32.at(p));
    else out.i64.push_back(t.i64.at(p));
  }
  return out;
}

}  // namespace opbench
