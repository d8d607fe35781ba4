// BCE: binary cross-entropy on probabilities, the mean over every element.
#include <algorithm>
#include <cmath>

#include "model/ops/unit.h"
#include "model/random.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// p uniform in [0, 1), t 0 or 1.
std::vector<HostTensor> bce_inputs(const Experiment& e, uint64_t seed) {
  HostTensor p = float_input("p", e.dims[0]), t = float_input("t", e.dims[1]);
  fill_uniform(p.f32, 0.0f, 1.0f, seed, 0);
  fill_bernoulli(t.f32, seed, 1);
  return {std::move(p), std::move(t)};
}

// PyTorch's BCE clamps each log at -100 so that p = 0 or 1 stays finite.
double clamped_log(double v) { return std::max(std::log(v), -100.0); }

RefTensor bce_reference(const Experiment&, const Inputs& in) {
  const HostTensor &p = in[0], &t = in[1];
  double loss = 0.0;
  for (int64_t i = 0; i < p.numel(); ++i)
    loss -= t.at(i) * clamped_log(p.at(i)) + (1.0 - t.at(i)) * clamped_log(1.0 - p.at(i));
  return {{}, {loss / static_cast<double>(p.numel())}, {}};
}

// loss = -mean(t log p + (1-t) log(1-p)), dy a scalar: p's gradient is
// -dy (t/p - (1-t)/(1-p)) / n (the clamp at -100 acts only where p is within
// e^-100 of 0 or 1, which uniform draws never are); t's is -dy (log p -
// log(1-p)) / n, the clamped logs as in the forward.
std::vector<RefTensor> bce_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &p = in[0], &t = in[1];
  const double scale = dy.at(0) / static_cast<double>(p.numel());
  RefTensor dp = zeros(p.shape), dt = zeros(t.shape);
  for_each_index(p.numel(), 40.0, [&](int64_t i) {
    const double pi = p.at(i), ti = t.at(i);
    dp.values[i] = -scale * (ti / pi - (1.0 - ti) / (1.0 - pi));
    dt.values[i] = -scale * (clamped_log(pi) - clamped_log(1.0 - pi));
  });
  return {std::move(dp), std::move(dt)};
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(bce) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "BCE",
      .summary = "binary cross-entropy on probabilities, mean",
      .arity = 2,
      .check_shapes = same_shapes,
      .make_inputs = bce_inputs,
      .output_shape = scalar,
      .reference = bce_reference,
      .vjp = bce_vjp,
      .flops = per_element<7>,
      .quick = {"BCE dim1=10000 dim2=10000", "BCE dim1=1000x32 dim2=1000x32"},
  }};
}
