// RMSNorm: each lane of the last axis divided by its root mean square, eps
// 1e-5, no weight (PyTorch's rms_norm, MLX's fast::rms_norm).
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor rms_norm_reference(const Experiment&, const Inputs& in) {
  const int64_t last = static_cast<int64_t>(in[0].shape.size()) - 1;
  return map_lanes(in[0], last, [](std::vector<double> lane) {
    double mean_square = 0.0;
    for (double v : lane) mean_square += v * v / static_cast<double>(lane.size());
    for (double& v : lane) v /= std::sqrt(mean_square + 1e-5);
    return lane;
  });
}

// y = x / r, r = sqrt(mean(x^2) + eps): dx = (dy - y mean(dy y)) / r.
std::vector<RefTensor> rms_norm_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const int64_t last = static_cast<int64_t>(in[0].shape.size()) - 1;
  return lane_vjp(in[0], last, dy, [](std::vector<double> x, const std::vector<double>& g) {
    const double n = static_cast<double>(x.size());
    double mean_square = 0.0;
    for (double v : x) mean_square += v * v / n;
    const double r = std::sqrt(mean_square + 1e-5);
    double mean_gy = 0;
    for (size_t i = 0; i < x.size(); ++i) mean_gy += g[i] * (x[i] /= r) / n;  // x now y
    for (size_t i = 0; i < x.size(); ++i) x[i] = (g[i] - x[i] * mean_gy) / r;
    return x;
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(rms_norm) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "RMSNorm",
      .summary = "x / sqrt(mean(x^2) + 1e-5) over the last axis, no weight",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = rms_norm_reference,
      .vjp = rms_norm_vjp,
      .flops = per_element<3>,  // a square, a sum and a division per element
      .quick = {"RMSNorm dim1=16x32x256"},
  }};
}
