// Sum along an axis, and SumAll, the sum of every element.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// Each lane's elements added in their order along the axis, as a loop over
// the lane would, but walked a block of neighbouring lanes at a time so that
// the reads run along memory: a lane of a sum over axis 0 of 64x128x128x128
// has its elements 8 MiB apart, and lane by lane that sum took 0.5 s on 16
// cores.
RefTensor sum_reference(const Experiment& e, const Inputs& in) {
  const HostTensor& x = in[0];
  const int64_t axis = axis_of(e, x);
  const Lanes lanes(x.shape, axis);
  Shape shape = x.shape;
  shape.erase(shape.begin() + axis);
  RefTensor out = zeros(std::move(shape));
  constexpr int64_t kBlock = 1024;
  const int64_t block = std::min(kBlock, lanes.inner), blocks = (lanes.inner + block - 1) / block;
  for_each_index(lanes.outer * blocks, static_cast<double>(lanes.length * block), [&](int64_t t) {
    const int64_t o = t / blocks, first = (t % blocks) * block, last = std::min(lanes.inner, first + block);
    double* sums = out.values.data() + o * lanes.inner;
    for (int64_t k = 0; k < lanes.length; ++k) {
      const float* row = x.f32.data() + (o * lanes.length + k) * lanes.inner;
      for (int64_t j = first; j < last; ++j) sums[j] += row[j];
    }
  });
  return out;
}

// On all cores in fixed chunks (chunked_sum): the same sum on any of them.
RefTensor sum_all_reference(const Experiment&, const Inputs& in) {
  const float* x = in[0].f32.data();
  return {{}, {chunked_sum(static_cast<size_t>(in[0].numel()), [x](size_t i) { return static_cast<double>(x[i]); })}, {}};
}

// Every element of a lane gets that lane's upstream gradient: x's gradient
// from element `start` on, walked along memory with its lane's position
// (outer, k along the axis, j inner) carried from one element to the next.
void sum_vjp_range(const Experiment& e, const Inputs& in, const HostTensor& dy, int64_t start, int64_t count,
                   double* out) {
  const Lanes lanes(in[0].shape, axis_of(e, in[0]));
  int64_t outer = start / (lanes.length * lanes.inner), k = start / lanes.inner % lanes.length, j = start % lanes.inner;
  for (int64_t n = 0; n < count; ++n) {
    out[n] = dy.f32[outer * lanes.inner + j];
    if (++j < lanes.inner) continue;
    j = 0;
    if (++k < lanes.length) continue;
    k = 0;
    ++outer;
  }
}

std::vector<RefTensor> sum_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return {elements_in_range(in[0].shape, 0, [&](int64_t s, int64_t n, double* out) { sum_vjp_range(e, in, dy, s, n, out); })};
}

// dy is a scalar: every element of x gets it.
void sum_all_vjp_range(const Experiment&, const Inputs&, const HostTensor& dy, int64_t, int64_t count, double* out) {
  std::fill_n(out, count, static_cast<double>(dy.f32[0]));
}

std::vector<RefTensor> sum_all_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return {elements_in_range(in[0].shape, 0,
                            [&](int64_t s, int64_t n, double* out) { sum_all_vjp_range(e, in, dy, s, n, out); })};
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(sum) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {
      {
          .name = "Sum",
          .summary = "sum along axis",
          .takes_axis = true,
          .check_shapes = any_shape,
          .make_inputs = normal_inputs,
          .output_shape = without_axis,
          .reference = sum_reference,
          .vjp = sum_vjp,
          .vjp_range = sum_vjp_range,
          .check = CheckKind::relative_to_magnitudes,
          .flops = per_element<1>,
          .quick = {"Sum dim1=16x32x32x32 axis=0", "Sum dim1=16x32x32x32 axis=3"},
      },
      {
          .name = "SumAll",
          .summary = "sum of every element",
          .check_shapes = any_shape,
          .make_inputs = normal_inputs,
          .output_shape = scalar,
          .reference = sum_all_reference,
          .vjp = sum_all_vjp,
          .vjp_range = sum_all_vjp_range,
          .check = CheckKind::relative_to_magnitudes,
          .flops = per_element<1>,
          .quick = {"SumAll dim1=16x32x32x32", "SumAll dim1=10000"},
      },
  };
}
