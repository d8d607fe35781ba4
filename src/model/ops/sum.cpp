// Sum along an axis, and SumAll, the sum of every element.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor sum_reference(const Experiment& e, const Inputs& in) { return reduce_lanes(in[0], axis_of(e, in[0]), total); }

RefTensor sum_all_reference(const Experiment&, const Inputs& in) {
  double acc = 0.0;
  for (int64_t i = 0; i < in[0].numel(); ++i) acc += in[0].at(i);
  return {{}, {acc}, {}};
}

// Every element of a lane gets that lane's upstream gradient.
std::vector<RefTensor> sum_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  const Lanes lanes(in[0].shape, axis_of(e, in[0]));
  RefTensor dx = zeros(in[0].shape);
  for_each_index(lanes.count(), 2.0 * lanes.length, [&](int64_t lane) {
    write_lane(dx, lanes, lane, std::vector<double>(lanes.length, dy.at(lane)));
  });
  return {std::move(dx)};
}

// dy is a scalar: every element of x gets it.
std::vector<RefTensor> sum_all_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  RefTensor dx = zeros(in[0].shape);
  std::fill(dx.values.begin(), dx.values.end(), dy.at(0));
  return {std::move(dx)};
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
          .check = CheckKind::relative_to_magnitudes,
          .flops = per_element<1>,
          .quick = {"SumAll dim1=16x32x32x32", "SumAll dim1=10000"},
      },
  };
}
