// Sort: ascending along an axis.
#include <algorithm>
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// Comparisons: n log2 n per lane.
double sort_flops(const Experiment& e) {
  double n = static_cast<double>(e.dims[0][normalized_axis(e, e.dims[0].size())]);
  return element_count(e.dims[0]) * std::max(1.0, std::log2(n));
}

RefTensor sort_reference(const Experiment& e, const Inputs& in) {
  return map_lanes(in[0], axis_of(e, in[0]), [](std::vector<double> lane) {
    std::sort(lane.begin(), lane.end());
    return lane;
  });
}

// Sorting permutes each lane: element k of dy goes back to the position its
// value came from. Equal values keep their order (a stable sort): which of
// two tied inputs gets which gradient is the frameworks' choice, and float
// ties in normal draws are rare enough that a different choice stays a
// small error (docs/ops.md).
std::vector<RefTensor> sort_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  return lane_vjp(in[0], axis_of(e, in[0]), dy, [](const std::vector<double>& x, const std::vector<double>& g) {
    std::vector<size_t> order(x.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return x[a] < x[b]; });
    std::vector<double> dx(x.size());
    for (size_t k = 0; k < order.size(); ++k) dx[order[k]] = g[k];
    return dx;
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(sort) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Sort",
      .summary = "ascending sort along axis",
      .takes_axis = true,
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = sort_reference,
      .vjp = sort_vjp,
      .computes_values = false,
      .flops = sort_flops,
      .quick = {"Sort dim1=16x32x256 axis=0", "Sort dim1=16x32x256 axis=2"},
  }};
}
