// Each op as a PyTorch user writes it, through ATen. Inputs arrive in the
// order and layout of the op units (src/model/ops/); see docs/ops.md for what each computes.
#include "backends/torch/torch_ops.h"

#include <torch/version.h>

#include <cmath>
#include <string>

#include "model/ops.h"

namespace opbench::torch_backend {

FrameworkOps<TorchOp>& torch_op_table() {
  static FrameworkOps<TorchOp> ops("LibTorch " TORCH_VERSION);
  return ops;
}

namespace {

int64_t axis(const Experiment& e) { return *e.axis; }

at::Tensor argmax(const Experiment& e, const Tensors& in) { return at::argmax(in[0], axis(e)); }
OPBENCH_TORCH_OP("Argmax", {.call = argmax});
at::Tensor bce(const Experiment&, const Tensors& in) {
  return at::binary_cross_entropy(in[0], in[1], {}, at::Reduction::Mean);
}
OPBENCH_TORCH_OP("BCE", {.call = bce});
at::Tensor concat(const Experiment& e, const Tensors& in) { return at::cat({in[0], in[1]}, axis(e)); }
OPBENCH_TORCH_OP("Concat", {.call = concat});

// Convolutions: the reference hands PyTorch views of its channels-last data
// (Conv1d: transpose(-1, -2); Conv2d: permute(0, 3, 1, 2)), not copies. On
// such strides PyTorch picks its channels-last kernels for Conv2d (oneDNN,
// cuDNN NHWC) and makes Conv1d's input contiguous inside the call: both are
// what a user with channels-last data pays, so both are timed.
at::Tensor channels_first_view(const at::Tensor& t) {
  int64_t rank = t.dim();
  std::vector<int64_t> to_first{0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d) to_first.push_back(d);
  return t.permute(to_first);
}
Tensors conv_prepare(const Experiment&, Tensors in) { return {channels_first_view(in[0]), channels_first_view(in[1])}; }
at::Tensor conv_to_reference(const Experiment&, const at::Tensor& out) {
  int64_t rank = out.dim();
  std::vector<int64_t> to_last{0};
  for (int64_t d = 2; d < rank; ++d) to_last.push_back(d);
  to_last.push_back(1);
  return out.permute(to_last).contiguous();
}
at::Tensor conv1d(const Experiment&, const Tensors& in) { return at::conv1d(in[0], in[1]); }
OPBENCH_TORCH_OP("Conv1d", {.prepare = conv_prepare, .call = conv1d, .to_reference_layout = conv_to_reference});
at::Tensor conv2d(const Experiment&, const Tensors& in) { return at::conv2d(in[0], in[1]); }
OPBENCH_TORCH_OP("Conv2d", {.prepare = conv_prepare, .call = conv2d, .to_reference_layout = conv_to_reference});

// x[idx]: Python's advanced indexing, aten::index.
at::Tensor gather(const Experiment&, const Tensors& in) { return in[0].index({in[1]}); }
OPBENCH_TORCH_OP("Gather", {.call = gather});
// F.gelu(x): the exact erf form (approximate="none", the default).
at::Tensor gelu(const Experiment&, const Tensors& in) { return at::gelu(in[0]); }
OPBENCH_TORCH_OP("GELU", {.call = gelu});
at::Tensor layer_norm(const Experiment&, const Tensors& in) {
  return at::layer_norm(in[0], {in[0].size(-1)}, {}, {}, 1e-5);
}
OPBENCH_TORCH_OP("LayerNorm", {.call = layer_norm});
at::Tensor leaky_relu(const Experiment&, const Tensors& in) { return at::leaky_relu(in[0], 0.01); }
OPBENCH_TORCH_OP("LeakyReLU", {.call = leaky_relu});

// at::linear takes the weight as Nout x K: the reference hands it w.T, a
// transposed view of the K x Nout data (made outside timing, nothing copied).
Tensors linear_prepare(const Experiment&, Tensors in) { return {in[0], in[1].t(), in[2]}; }
at::Tensor linear(const Experiment&, const Tensors& in) { return at::linear(in[0], in[1], in[2]); }
OPBENCH_TORCH_OP("Linear", {.prepare = linear_prepare, .call = linear});

at::Tensor matmul(const Experiment&, const Tensors& in) { return at::matmul(in[0], in[1]); }
OPBENCH_TORCH_OP("MatMul", {.call = matmul});
Tensors prelu_prepare(const Experiment&, Tensors in) { return {in[0], in[1].reshape({1})}; }
at::Tensor prelu(const Experiment&, const Tensors& in) { return at::prelu(in[0], in[1]); }
OPBENCH_TORCH_OP("PReLU", {.prepare = prelu_prepare, .call = prelu});
at::Tensor relu(const Experiment&, const Tensors& in) { return at::relu(in[0]); }
OPBENCH_TORCH_OP("ReLU", {.call = relu});
// F.rms_norm(x, (D,), eps=1e-5): no weight.
at::Tensor rms_norm(const Experiment&, const Tensors& in) { return at::rms_norm(in[0], {in[0].size(-1)}, {}, 1e-5); }
OPBENCH_TORCH_OP("RMSNorm", {.call = rms_norm});

// The reference's additive float mask (0 where j <= i, -inf elsewhere), made
// once here in float32 and converted with the other inputs, as the reference
// converts it to q's dtype. "mask=causal" experiments take PyTorch's fused
// causal path instead (top-left aligned; such lines have Lq = Lk).
Tensors attention_prepare(const Experiment& e, Tensors in) {
  if (e.causal_mask) return in;
  int64_t lq = e.dims[0][2], lk = e.dims[1][2];
  at::Tensor visible = at::ones({lq, lk}, in[0].options().dtype(at::kBool)).tril();
  in.push_back(at::zeros({lq, lk}, in[0].options()).masked_fill(visible.logical_not(), -INFINITY));
  return in;
}
at::Tensor attention(const Experiment& e, const Tensors& in) {
  double scale = 1.0 / std::sqrt(static_cast<double>(e.dims[0][3]));
  if (e.causal_mask) return at::scaled_dot_product_attention(in[0], in[1], in[2], {}, 0.0, /*is_causal=*/true, scale);
  return at::scaled_dot_product_attention(in[0], in[1], in[2], in[3], 0.0, /*is_causal=*/false, scale);
}
OPBENCH_TORCH_OP("ScaledDotProductAttention", {.prepare = attention_prepare, .call = attention});

// The output buffer of the scatters, zeros made once outside timing and
// appended to the inputs: x in the reference's x[idx] = src and
// scatter_reduce(x, ...).
Tensors with_zeros_buffer(const Experiment& e, Tensors in) {
  in.push_back(at::zeros(e.dims[0], in[1].options()));
  return in;
}
// x[idx] = src: index_put_ in place into the buffer, as Python's setitem
// does; repeated calls write the same rows again.
at::Tensor scatter(const Experiment&, const Tensors& in) { return in[2].index_put_({in[0]}, in[1]); }
OPBENCH_TORCH_OP("Scatter", {.prepare = with_zeros_buffer, .call = scatter});
// scatter_reduce(x, 0, index, src) with the index broadcast over src's
// columns as a stride-0 view (idx.unsqueeze(1).expand_as(src)), so every
// column is scattered (the reference's E x 1 index moved one) and no E x F
// index is materialised. Out of place, as the reference calls it: the
// buffer's copy into the result is part of the call.
Tensors scatter_reduce_prepare(const Experiment& e, Tensors in) {
  in[0] = in[0].unsqueeze(1).expand_as(in[1]);
  return with_zeros_buffer(e, std::move(in));
}
at::Tensor scatter_sum(const Experiment&, const Tensors& in) {
  return at::scatter_reduce(in[2], 0, in[0], in[1], "sum", /*include_self=*/true);
}
OPBENCH_TORCH_OP("ScatterSum", {.prepare = scatter_reduce_prepare, .call = scatter_sum});
at::Tensor scatter_max(const Experiment&, const Tensors& in) {
  return at::scatter_reduce(in[2], 0, in[0], in[1], "amax", /*include_self=*/true);
}
OPBENCH_TORCH_OP("ScatterMax", {.prepare = scatter_reduce_prepare, .call = scatter_max});

at::Tensor selu(const Experiment&, const Tensors& in) { return at::selu(in[0]); }
OPBENCH_TORCH_OP("SeLU", {.call = selu});
at::Tensor sigmoid(const Experiment&, const Tensors& in) { return at::sigmoid(in[0]); }
OPBENCH_TORCH_OP("Sigmoid", {.call = sigmoid});
at::Tensor softmax(const Experiment& e, const Tensors& in) { return at::softmax(in[0], axis(e)); }
OPBENCH_TORCH_OP("Softmax", {.call = softmax});
at::Tensor softplus(const Experiment&, const Tensors& in) { return at::softplus(in[0], 1.0, 20.0); }
OPBENCH_TORCH_OP("Softplus", {.call = softplus});
// at::sort returns values and indices; computing both is its cost, and the
// values are what gets checked.
at::Tensor sort(const Experiment& e, const Tensors& in) { return std::get<0>(at::sort(in[0], axis(e))); }
OPBENCH_TORCH_OP("Sort", {.call = sort});
at::Tensor sum(const Experiment& e, const Tensors& in) { return at::sum(in[0], {axis(e)}); }
OPBENCH_TORCH_OP("Sum", {.call = sum});
at::Tensor sum_all(const Experiment&, const Tensors& in) { return at::sum(in[0]); }
OPBENCH_TORCH_OP("SumAll", {.call = sum_all});
at::Tensor copy(const Experiment&, const Tensors& in) { return in[0].clone(); }
OPBENCH_TORCH_OP("Copy", {.call = copy});

}  // namespace

const FrameworkOps<TorchOp>& torch_ops() { return torch_op_table(); }

}  // namespace opbench::torch_backend
