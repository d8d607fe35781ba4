// Softmax along an axis.
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor softmax_reference(const Experiment& e, const Inputs& in) { return map_lanes(in[0], axis_of(e, in[0]), softmax_of); }

// y = softmax(x): dx = y (dy - sum(dy y)) along the axis.
std::vector<RefTensor> softmax_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return lane_vjp(in[0], axis_of(e, in[0]), dy, [](const std::vector<double>& x, const std::vector<double>& g) {
    std::vector<double> y = softmax_of(x);
    double dot = 0;
    for (size_t i = 0; i < y.size(); ++i) dot += g[i] * y[i];
    for (size_t i = 0; i < y.size(); ++i) y[i] *= g[i] - dot;
    return y;
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(softmax) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Softmax",
      .summary = "softmax along axis",
      .takes_axis = true,
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = softmax_reference,
      .vjp = softmax_vjp,
      .flops = per_element<4>,
      .quick = {"Softmax dim1=64x10000 axis=-1", "Softmax dim1=16x8x32x64 axis=1"},
  }};
}
