// Softplus: log(1 + exp(x)), computed stably.
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// PyTorch returns x itself above its threshold of 20; below, log1p keeps
// precision where exp(x) is tiny.
RefTensor softplus_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x > 20 ? x : std::log1p(std::exp(x)); });
}

// The derivative of log(1 + exp(x)) is the sigmoid; 1 above the threshold,
// where the forward is x itself.
std::vector<RefTensor> softplus_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double x) { return x > 20 ? 1.0 : 1.0 / (1.0 + std::exp(-x)); });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(softplus) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Softplus",
      .summary = "log(1 + exp(x)), stable",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = softplus_reference,
      .vjp = softplus_vjp,
      .flops = per_element<3>,
      .quick = {"Softplus dim1=16x16x256"},
  }};
}
