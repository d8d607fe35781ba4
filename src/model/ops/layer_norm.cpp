// LayerNorm: normalisation over the last axis, no weight or bias.
#include <cmath>

#include "model/ops/unit.h"

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

// y = (x - mean) / s, s = sqrt(var + eps): dx = (dy - mean(dy) - y mean(dy y)) / s.
std::vector<RefTensor> layer_norm_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const int64_t last = static_cast<int64_t>(in[0].shape.size()) - 1;
  return lane_vjp(in[0], last, dy, [](std::vector<double> x, const std::vector<double>& g) {
    const double n = static_cast<double>(x.size()), mean = total(x) / n;
    double variance = 0.0;
    for (double v : x) variance += (v - mean) * (v - mean) / n;
    const double s = std::sqrt(variance + 1e-5);
    double mean_g = 0, mean_gy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      x[i] = (x[i] - mean) / s;  // now y
      mean_g += g[i] / n;
      mean_gy += g[i] * x[i] / n;
    }
    for (size_t i = 0; i < x.size(); ++i) x[i] = (g[i] - mean_g - x[i] * mean_gy) / s;
    return x;
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
      .vjp = layer_norm_vjp,
      .flops = per_element<5>,
      .quick = {"LayerNorm dim1=16x32x256"},
  }};
}
