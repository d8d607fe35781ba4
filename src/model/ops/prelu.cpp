// PReLU: x, or alpha x where x is not positive, alpha one learned value.
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

void prelu_shapes(const Experiment& e) {
  if (element_count(e.dims[1]) != 1) bad("PReLU: alpha " + dim_text(e, 1) + " must hold exactly one value");
}

std::vector<HostTensor> prelu_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "alpha"}); }

RefTensor prelu_reference(const Experiment&, const Inputs& in) {
  const double alpha = in[1].at(0);
  return map_elements(in[0], [alpha](double x) { return x > 0 ? x : alpha * x; });
}

// x's gradient is dy, or alpha dy where x is not positive; alpha's is the sum
// over every element of x dy where x is not positive (one alpha shared by all
// elements, as PyTorch's single-parameter PReLU and MLX's broadcast alpha).
std::vector<RefTensor> prelu_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const double alpha = in[1].at(0);
  std::vector<RefTensor> g = elementwise_vjp(in[0], dy, [alpha](double x) { return x > 0 ? 1.0 : alpha; });
  RefTensor d_alpha = zeros(in[1].shape);
  const HostTensor& x = in[0];
  d_alpha.values[0] = chunked_sum(static_cast<size_t>(x.numel()), [&](size_t i) {
    const double xi = x.at(static_cast<int64_t>(i));
    return xi <= 0 ? xi * dy.at(static_cast<int64_t>(i)) : 0.0;
  });
  g.push_back(std::move(d_alpha));
  return g;
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(prelu) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "PReLU",
      .summary = "x if x > 0 else alpha x",
      .arity = 2,
      .check_shapes = prelu_shapes,
      .make_inputs = prelu_inputs,
      .output_shape = same_as_input,
      .reference = prelu_reference,
      .vjp = prelu_vjp,
      .flops = per_element<1>,
      .quick = {"PReLU dim1=16x16x256 dim2=1"},
  }};
}
