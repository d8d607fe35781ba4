#include "model/tensor.h"

#include <cmath>

#include "model/parallel.h"

namespace opbench {

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
