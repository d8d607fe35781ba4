// The backward pass on LibTorch, generic over the registered ops: the op's
// own forward call on leaves that require gradients, then autograd's
// gradients of its result. The only translation unit that includes
// autograd's API.
#include "backends/torch/torch_backward.h"

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <stdexcept>

#include "backends/torch/torch_device.h"
#include "model/ops.h"
#include "model/parallel.h"

namespace opbench::torch_backend {

namespace {

// The host input's memory seen as a tensor, not copied: it is only read (a
// copy of MatMul 1000000x64 @ 64x1024's 4 GB upstream gradient was half a
// second of its preparation), and it outlives the copies made from it.
at::Tensor host_view(const HostTensor& t) {
  std::vector<int64_t> sizes(t.shape.begin(), t.shape.end());
  return at::from_blob(const_cast<float*>(t.f32.data()), sizes, at::kFloat);
}

// The upstream gradient as autograd receives it from a following layer: the
// result's shape and strides (Conv2d's result is channels-last NCHW), with
// values placed so that the op's own to_reference_layout gives back `dy`.
// That conversion is applied to the result's element positions to learn
// where each element of dy goes.
at::Tensor upstream_like(const Experiment& e, const TorchOp& op, const at::Tensor& result, const HostTensor& dy) {
  at::Tensor values = host_view(dy).reshape({-1});
  at::Tensor laid_out = values.reshape(result.sizes());
  if (op.to_reference_layout) {
    at::Tensor positions = at::arange(result.numel(), at::kLong).view(result.sizes());
    at::Tensor where = op.to_reference_layout(e, positions).reshape({-1});
    laid_out = at::empty({result.numel()}, at::kFloat).index_put_({where}, values).view(result.sizes());
  }
  at::Tensor upstream = at::empty_strided(result.sizes(), result.strides(), result.options());
  transfer(upstream, laid_out);
  return upstream;
}

// A gradient of `leaf` (a view such as Conv's channels-first permutation of
// a host-layout input) written into `buffer`, a contiguous tensor of the
// host input's shape: through the leaf's strides, converted to the buffer's
// dtype, in one copy (ATen's, on all cores on the host; one transfer from a
// GPU) with no staging tensor between.
void write_through_leaf(at::Tensor& buffer, const at::Tensor& gradient, const at::Tensor& leaf) {
  // A device's gradient is laid out on the device, then crosses whole: the
  // staged copy (transfer) needs a contiguous host side.
  if (gradient.defined() && gradient.device() != buffer.device()) {
    at::Tensor there = at::empty(buffer.sizes(), gradient.options().dtype(buffer.scalar_type()));
    write_through_leaf(there, gradient, leaf);
    transfer(buffer, there);
    return;
  }
  // The copy covers every element only where the leaf's view does.
  const bool covers = leaf.is_non_overlapping_and_dense() && leaf.storage_offset() == 0;
  if (!gradient.defined() || !covers) buffer.zero_();  // undefined: autograd found no path, a zero gradient
  if (gradient.defined()) buffer.as_strided(leaf.sizes(), leaf.strides(), leaf.storage_offset()).copy_(gradient);
}

// The gradient written into `to`, the host input's layout, in float32. A
// Sum's 128 M-element gradient staged through a zeroed buffer, a cat and a
// copy on one core took most of its 0.76 s check on the H200 host.
void to_host_layout(const at::Tensor& gradient, const at::Tensor& leaf, const Shape& shape, float* to) {
  std::vector<int64_t> sizes(shape.begin(), shape.end());
  at::Tensor buffer = at::from_blob(to, sizes, at::TensorOptions().dtype(at::kFloat));
  write_through_leaf(buffer, gradient, leaf);
}

// The gradients' elements at `positions` of their joined host layout, picked
// where they lie: each defined gradient is put in its host input's layout on
// its own device, as to_host_layout does on the host, and only the elements
// picked in it cross to the host (MatMul 1000000x64 @ 64x1024's gradient of
// a is 256 MB, its sample 16 KB). Finiteness is judged over every element,
// on the device.
SampledOutput gradients_at(const Tensors& gradients, const Tensors& leaves, const std::vector<Shape>& shapes,
                           const std::vector<int64_t>& positions) {
  SampledOutput out;
  int64_t total = 0;
  for (const Shape& shape : shapes) total += element_count(shape);
  out.shape = {total};
  for (const at::Tensor& g : gradients)
    if (g.defined() && !at::isfinite(g).all().item<bool>()) out.all_finite = false;
  for (int64_t p : positions)
    if (p < 0 || p >= total) return out;  // not this shape's: nothing to pick
  out.values = HostTensor{"gradients", {static_cast<int64_t>(positions.size())}, DType::Float32, {}, {}};
  out.values.f32.assign(positions.size(), 0.0f);  // an undefined gradient's elements stay zero
  int64_t start = 0;
  for (size_t k = 0; k < leaves.size(); ++k) {
    const int64_t count = element_count(shapes[k]);
    std::vector<int64_t> picked, local;  // indices into positions, and the positions in this gradient
    for (size_t q = 0; q < positions.size(); ++q)
      if (positions[q] >= start && positions[q] < start + count) {
        picked.push_back(static_cast<int64_t>(q));
        local.push_back(positions[q] - start);
      }
    const at::Tensor& gradient = gradients.at(k);
    if (!picked.empty() && gradient.defined()) {
      std::vector<int64_t> sizes(shapes[k].begin(), shapes[k].end());
      at::Tensor laid_out = at::empty(sizes, gradient.options());
      write_through_leaf(laid_out, gradient, leaves[k]);
      const at::Tensor index = at::tensor(local, at::kLong).to(gradient.device());
      const at::Tensor values = laid_out.reshape({-1}).index_select(0, index).to(at::kCPU, at::kFloat).contiguous();
      const float* v = values.data_ptr<float>();
      for (size_t q = 0; q < picked.size(); ++q) out.values.f32[static_cast<size_t>(picked[q])] = v[q];
    }
    start += count;
  }
  return out;
}

}  // namespace

Step backward_step(const Experiment& e, const TorchOp& op, Tensors prepared, const std::vector<HostTensor>& host) {
  std::vector<size_t> differentiable = differentiable_inputs(host);
  Tensors leaves;
  std::vector<Shape> shapes;
  for (size_t i : differentiable) {
    if (prepared.at(i).numel() != host[i].numel())
      throw std::logic_error("op.prepare changed the size of input " + host[i].name + "; the backward pass needs views");
    prepared[i] = prepared[i].detach().requires_grad_(true);
    leaves.push_back(prepared[i]);
    shapes.push_back(host[i].shape);
  }
  // One call, untimed, for the result's shape and strides.
  at::Tensor result;
  {
    c10::NoGradGuard no_grad;
    result = op.call(e, prepared);
  }
  at::Tensor upstream = upstream_like(e, op, result, host.back());

  // An op that writes into a helper in place (Scatter's buffer, x[idx] =
  // src) gives it this call's history; dropped after each step, so that the
  // next step's graph is one call's, not every call's so far.
  auto call = [e, &op, prepared, leaves, upstream]() mutable {
    at::Tensor out = op.call(e, prepared);
    Tensors gradients = torch::autograd::grad({out}, leaves, {upstream}, /*retain_graph=*/false,
                                              /*create_graph=*/false, /*allow_unused=*/true);
    for (at::Tensor& t : prepared)
      if (t.requires_grad() && !t.is_leaf()) t.detach_();
    return gradients;
  };
  auto to_host = [leaves, shapes](const Tensors& gradients) {
    HostTensor out;
    out.name = "gradients";
    int64_t total = 0;
    for (const Shape& shape : shapes) total += element_count(shape);
    out.shape = {total};
    out.f32.resize(static_cast<size_t>(total));
    // A device's copy into pageable memory takes the new pages' faults on
    // one thread: take them on every core first (CUDA's staged copy already
    // writes them on every core).
    if (!leaves.empty() && !leaves[0].is_cpu() && !leaves[0].is_cuda())
      fill_on_all_cores(out.f32.data(), out.f32.size());
    int64_t start = 0;
    for (size_t k = 0; k < leaves.size(); ++k) {
      if (element_count(shapes[k]) > 0) to_host_layout(gradients.at(k), leaves[k], shapes[k], out.f32.data() + start);
      start += element_count(shapes[k]);
    }
    return out;
  };
  // A sampled backward reference (check.h's expected_result) asks only for its positions.
  auto to_host_at = [leaves, shapes](const Tensors& gradients, const std::vector<int64_t>& positions) {
    return gradients_at(gradients, leaves, shapes, positions);
  };
  // Gradients are always memory of their own.
  return {.call = call, .to_host = to_host, .to_host_at = to_host_at, .in_place = {}, .digest = {}};
}

}  // namespace opbench::torch_backend
