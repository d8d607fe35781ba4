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

// Every element of a lane gets that lane's upstream gradient; element `flat`
// of x's gradient is read so (OpSpec::vjp_at) by the check.
double sum_vjp_at(const Experiment& e, const Inputs& in, const HostTensor& dy, int64_t flat) {
  return dy.at(Lanes(in[0].shape, axis_of(e, in[0])).lane_of(flat));
}

std::vector<RefTensor> sum_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return {elements_of(in[0].shape, [&](int64_t i) { return sum_vjp_at(e, in, dy, i); })};
}

// dy is a scalar: every element of x gets it.
double sum_all_vjp_at(const Experiment&, const Inputs&, const HostTensor& dy, int64_t) { return dy.at(0); }

std::vector<RefTensor> sum_all_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return {elements_of(in[0].shape, [&](int64_t i) { return sum_all_vjp_at(e, in, dy, i); })};
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
          .vjp_at = sum_vjp_at,
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
          .vjp_at = sum_all_vjp_at,
          .check = CheckKind::relative_to_magnitudes,
          .flops = per_element<1>,
          .quick = {"SumAll dim1=16x32x32x32", "SumAll dim1=10000"},
      },
  };
}
