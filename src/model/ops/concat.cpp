// Concat: two tensors joined along an axis.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

void concat_shapes(const Experiment& e) {
  const Shape &a = e.dims[0], &b = e.dims[1];
  if (a.size() != b.size()) bad("Concat: " + dim_text(e, 0) + " and " + dim_text(e, 1) + " differ in rank");
  int64_t axis = normalized_axis(e, a.size());
  for (size_t i = 0; i < a.size(); ++i)
    if (static_cast<int64_t>(i) != axis && a[i] != b[i])
      bad("Concat: " + dim_text(e, 0) + " and " + dim_text(e, 1) + " differ outside axis " + std::to_string(*e.axis));
}

Shape concat_out(const Experiment& e) {
  Shape s = e.dims[0];
  int64_t axis = normalized_axis(e, s.size());
  s[axis] += e.dims[1][axis];
  return s;
}

std::vector<HostTensor> concat_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"a", "b"}); }

// Each lane of the result is a's lane followed by b's.
RefTensor concat_reference(const Experiment& e, const Inputs& in) {
  const HostTensor &a = in[0], &b = in[1];
  const int64_t axis = axis_of(e, a);
  RefTensor out = output_of(e);
  const Lanes a_lanes(a.shape, axis), b_lanes(b.shape, axis), out_lanes(out.shape, axis);
  for_each_index(out_lanes.count(), 8.0 * out_lanes.length, [&](int64_t lane) {
    std::vector<double> joined = read_lane(a, a_lanes, lane), tail = read_lane(b, b_lanes, lane);
    joined.insert(joined.end(), tail.begin(), tail.end());
    write_lane(out, out_lanes, lane, joined);
  });
  return out;
}

// Element `flat` of the result: from a where its index along the axis is
// below a's length there, else from b.
double concat_at(const Experiment& e, const Inputs& in, int64_t flat) {
  const HostTensor &a = in[0], &b = in[1];
  const int64_t axis = axis_of(e, a), a_length = a.shape[axis], b_length = b.shape[axis];
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < a.shape.size(); ++d) inner *= a.shape[d];
  const int64_t lane_elements = (a_length + b_length) * inner, outer = flat / lane_elements;
  const int64_t along = flat % lane_elements / inner, i = flat % inner;
  return along < a_length ? a.at((outer * a_length + along) * inner + i)
                          : b.at((outer * b_length + along - a_length) * inner + i);
}

// Each input's gradient is its part of dy along the axis: for each outer
// index, a's gradient is the run of a's length x inner elements of dy's
// block there, and b's the run after it. The joined gradients (a's, then
// b's) from element `start` on are copied run by run. The check reads them
// so (OpSpec::vjp_range): stored, Concat 1000000x64 and 1000000x128's would
// be 1.5 GB of doubles copied from dy.
void concat_vjp_range(const Experiment& e, const Inputs& in, const HostTensor& dy, int64_t start, int64_t count,
                      double* out) {
  const HostTensor &a = in[0], &b = in[1];
  const Lanes a_lanes(a.shape, axis_of(e, a)), b_lanes(b.shape, axis_of(e, b));
  const int64_t a_run = a_lanes.length * a_lanes.inner, b_run = b_lanes.length * b_lanes.inner;
  while (count > 0) {
    const bool of_b = start >= a.numel();
    const int64_t at = of_b ? start - a.numel() : start, run = of_b ? b_run : a_run;
    const int64_t outer = at / run, offset = at % run, n = std::min(count, run - offset);
    const float* from = dy.f32.data() + outer * (a_run + b_run) + (of_b ? a_run : 0) + offset;
    std::copy(from, from + n, out);
    start += n, count -= n, out += n;
  }
}

std::vector<RefTensor> concat_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  auto range = [&](int64_t s, int64_t n, double* out) { concat_vjp_range(e, in, dy, s, n, out); };
  return {elements_in_range(in[0].shape, 0, range), elements_in_range(in[1].shape, in[0].numel(), range)};
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(concat) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Concat",
      .summary = "dim1 and dim2 joined along axis",
      .arity = 2,
      .takes_axis = true,
      .check_shapes = concat_shapes,
      .make_inputs = concat_inputs,
      .output_shape = concat_out,
      .reference = concat_reference,
      .reference_at = concat_at,
      .vjp = concat_vjp,
      .vjp_range = concat_vjp_range,
      .computes_values = false,
      .flops = no_flops,
      .quick = {"Concat dim1=1000x64 dim2=1000x32 axis=1", "Concat dim1=64x1000 dim2=64x1000 axis=0"},
  }};
}
