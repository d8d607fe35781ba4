// GELU: x times the standard normal CDF at x, the exact erf form (not the
// tanh approximation), as PyTorch's gelu (approximate="none") and
// mlx.nn.gelu compute it.
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor gelu_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x * 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))); });
}

// d/dx x Phi(x) = Phi(x) + x phi(x), phi the standard normal density.
std::vector<RefTensor> gelu_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double x) {
    const double pi = 3.14159265358979323846;
    return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * pi);
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(gelu) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "GELU",
      .summary = "x * 0.5 * (1 + erf(x / sqrt(2))), exact (erf) form",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = gelu_reference,
      .vjp = gelu_vjp,
      .flops = per_element<5>,  // a division, erf, an addition, two multiplications
      .quick = {"GELU dim1=16x16x256"},
  }};
}
