// SeLU: the scaled exponential linear unit.
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor selu_reference(const Experiment&, const Inputs& in) {
  constexpr double lambda = 1.0507009873554805, alpha = 1.6732632423543772;
  return map_elements(in[0], [](double x) { return x > 0 ? lambda * x : lambda * alpha * (std::exp(x) - 1.0); });
}

std::vector<RefTensor> selu_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  constexpr double lambda = 1.0507009873554805, alpha = 1.6732632423543772;
  return elementwise_vjp(in[0], dy, [](double x) { return x > 0 ? lambda : lambda * alpha * std::exp(x); });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(selu) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "SeLU",
      .summary = "scaled exponential linear unit",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = selu_reference,
      .vjp = selu_vjp,
      .flops = per_element<3>,
      .quick = {"SeLU dim1=16x16x256"},
  }};
}
