// ReLU: max(x, 0).
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor relu_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return std::max(x, 0.0); });
}

// ReLU's derivative at 0 is taken as 0, as both frameworks take it.
std::vector<RefTensor> relu_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double x) { return x > 0 ? 1.0 : 0.0; });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(relu) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "ReLU",
      .summary = "max(x, 0)",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = relu_reference,
      .vjp = relu_vjp,
      .computes_values = false,
      .flops = per_element<1>,
      .quick = {"ReLU dim1=16x16x256"},
  }};
}
