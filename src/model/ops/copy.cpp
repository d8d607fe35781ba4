// Copy: not in the reference's suites; `opbench calibrate` times it for the
// memory bandwidth roof.
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

RefTensor copy_reference(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x; });
}

std::vector<RefTensor> copy_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  return elementwise_vjp(in[0], dy, [](double) { return 1.0; });
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(copy) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Copy",
      .summary = "a copy of x (calibration: memory bandwidth)",
      .check_shapes = any_shape,
      .make_inputs = normal_inputs,
      .output_shape = same_as_input,
      .reference = copy_reference,
      .vjp = copy_vjp,
      .computes_values = false,
      .flops = no_flops,
      .quick = {"Copy dim1=100000"},
  }};
}
