// Softmax along an axis.
#include "core/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor softmax_reference(const Experiment& e, const Inputs& in) { return map_lanes(in[0], axis_of(e, in[0]), softmax_of); }

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
      .flops = per_element<4>,
      .quick = {"Softmax dim1=64x10000 axis=-1", "Softmax dim1=16x8x32x64 axis=1"},
  }};
}
