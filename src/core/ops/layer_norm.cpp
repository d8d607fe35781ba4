// LayerNorm: normalisation over the last axis, no weight or bias.
#include <cmath>

#include "core/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor layer_norm_reference(const Experiment&, const Inputs& in) {
  const int64_t last = static_cast<int64_t>(in[0].shape.size()) - 1;
  return map_lanes(in[0], last, [](std::vector<double> lane) {
    const double n = static_cast<double>(lane.size()), mean = total(lane) / n;
    double variance = 0.0;  // biased: divided by n, as LayerNorm does
    for (double v : lane) variance += (v - mean) * (v - mean) / n;
    for (double& v : lane) v = (v - mean) / std::sqrt(variance + 1e-5);
    return lane;
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(layer_norm) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "LayerNorm",
      .summary = "normalise over the last axis, eps 1e-5, no affine",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = layer_norm_reference,
      .flops = per_element<5>,
      .quick = {"LayerNorm dim1=16x32x256"},
  }};
}
