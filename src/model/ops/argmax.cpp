// Argmax: the index of the largest element along an axis.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// First occurrence on ties, as max_element gives.
RefTensor argmax_reference(const Experiment& e, const Inputs& in) {
  return reduce_lanes(in[0], axis_of(e, in[0]), [](const std::vector<double>& lane) {
    return static_cast<double>(std::max_element(lane.begin(), lane.end()) - lane.begin());
  });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(argmax) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Argmax",
      .summary = "index of the largest element along axis",
      .arity = 1,
      .takes_axis = true,
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = without_axis,
      .reference = argmax_reference,
      .no_gradient = "Argmax gives indices: no gradient with respect to its float input",
      .gives_indices = true,
      .check = CheckKind::exact_index,
      .computes_values = false,
      .flops = per_element<1>,
      .quick = {"Argmax dim1=16x64x32 axis=0", "Argmax dim1=16x64x32 axis=2"},
  }};
}
