#pragma once
// The backward pass on LibTorch: one training step of any registered op,
// built generically around its TorchOp. Autograd's API is included by
// torch_backward.cpp alone.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "backends/torch/torch_ops.h"
#include "model/tensor.h"

namespace opbench::torch_backend {

// What one timed call computes, and how its outputs come back for the check.
struct Step {
  std::function<Tensors()> call;                       // timed
  std::function<HostTensor(const Tensors&)> to_host;  // untimed: in the reference's layout
  // Untimed: the result at sampled positions, gathered on the device
  // (PreparedOp::output_at); for gradients, at positions of their joined
  // host layout. Empty where the check never samples.
  std::function<SampledOutput(const Tensors&, const std::vector<int64_t>&)> to_host_at;
  // Untimed: whether the result is an input's memory (an op updating it in
  // place, for --memory's least); empty where it never is (gradients).
  std::function<bool(const Tensors&)> in_place;
  // Untimed: the result's digest where it lies (PreparedOp::output_digest);
  // empty where the check never asks for one (gradients).
  std::function<std::optional<uint64_t>(const Tensors&)> digest;
};

// The training step of `op`: `prepared` are its inputs as op.prepare left
// them (on the device, in the experiment's dtype), `host` the experiment's
// inputs with the upstream gradient last. Untimed, here: each float input
// becomes a leaf that requires gradients, and the upstream gradient is laid
// out as the op's result is. Timed, by call(): the forward call and
// torch::autograd::grad of its result for that upstream gradient. to_host
// gives the gradients, in the layout of the host inputs, flattened and
// joined in input order. Relies on op.prepare keeping input i at position i
// as a view or reshape of it (helpers it adds go after the inputs).
// to_host_at gives the same joined gradients' elements at sampled positions,
// each picked on the gradient's device.
Step backward_step(const Experiment& e, const TorchOp& op, Tensors prepared, const std::vector<HostTensor>& host);

}  // namespace opbench::torch_backend
