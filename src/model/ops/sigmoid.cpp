// Sigmoid: 1 / (1 + exp(-x)).
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor sigmoid_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

// s'(x) = s(x) (1 - s(x)).
std::vector<RefTensor> sigmoid_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double x) {
    double s = 1.0 / (1.0 + std::exp(-x));
    return s * (1.0 - s);
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(sigmoid) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Sigmoid",
      .summary = "1 / (1 + exp(-x))",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = sigmoid_reference,
      .vjp = sigmoid_vjp,
      .flops = per_element<3>,
      .quick = {"Sigmoid dim1=16x16x256"},
  }};
}
