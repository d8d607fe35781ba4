// LeakyReLU: x, or 0.01 x where x is not positive.
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor leaky_relu_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x > 0 ? x : 0.01 * x; });
}

std::vector<RefTensor> leaky_relu_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double x) { return x > 0 ? 1.0 : 0.01; });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(leaky_relu) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "LeakyReLU",
      .summary = "x if x > 0 else 0.01 x",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = leaky_relu_reference,
      .vjp = leaky_relu_vjp,
      .flops = per_element<1>,
      .quick = {"LeakyReLU dim1=16x16x256"},
  }};
}
