// Each op as a PyTorch user writes it, through ATen. Inputs arrive in the
// order and layout of core/ops.cpp; see docs/ops.md for what each computes.
#include "backends/torch/torch_ops.h"

#include <cmath>
#include <map>
#include <string>

#include "core/ops.h"

namespace opbench::torch_backend {

namespace {

int64_t axis(const Experiment& e) { return *e.axis; }

at::Tensor argmax(const Experiment& e, const Tensors& in) { return at::argmax(in[0], axis(e)); }
at::Tensor bce(const Experiment&, const Tensors& in) {
  return at::binary_cross_entropy(in[0], in[1], {}, at::Reduction::Mean);
}
at::Tensor concat(const Experiment& e, const Tensors& in) { return at::cat({in[0], in[1]}, axis(e)); }

// Convolutions: the reference's channels-last inputs become PyTorch's
// channels-first once, outside timing; the result goes back for checking.
Tensors conv_prepare(const Experiment&, Tensors in) {
  int64_t rank = in[0].dim();
  std::vector<int64_t> to_first{0, rank - 1};
  for (int64_t d = 1; d < rank - 1; ++d) to_first.push_back(d);
  return {in[0].permute(to_first).contiguous(), in[1].permute(to_first).contiguous()};
}
at::Tensor conv_to_reference(const Experiment&, const at::Tensor& out) {
  int64_t rank = out.dim();
  std::vector<int64_t> to_last{0};
  for (int64_t d = 2; d < rank; ++d) to_last.push_back(d);
  to_last.push_back(1);
  return out.permute(to_last).contiguous();
}
at::Tensor conv1d(const Experiment&, const Tensors& in) { return at::conv1d(in[0], in[1]); }
at::Tensor conv2d(const Experiment&, const Tensors& in) { return at::conv2d(in[0], in[1]); }

at::Tensor gather(const Experiment&, const Tensors& in) { return at::index_select(in[0], 0, in[1]); }
at::Tensor layer_norm(const Experiment&, const Tensors& in) {
  return at::layer_norm(in[0], {in[0].size(-1)}, {}, {}, 1e-5);
}
at::Tensor leaky_relu(const Experiment&, const Tensors& in) { return at::leaky_relu(in[0], 0.01); }

// at::linear takes the weight as Nout x K: transposed once, outside timing.
Tensors linear_prepare(const Experiment&, Tensors in) { return {in[0], in[1].t().contiguous(), in[2]}; }
at::Tensor linear(const Experiment&, const Tensors& in) { return at::linear(in[0], in[1], in[2]); }

at::Tensor matmul(const Experiment&, const Tensors& in) { return at::matmul(in[0], in[1]); }
at::Tensor prelu(const Experiment&, const Tensors& in) { return at::prelu(in[0], in[1]); }
Tensors prelu_prepare(const Experiment&, Tensors in) { return {in[0], in[1].reshape({1})}; }
at::Tensor relu(const Experiment&, const Tensors& in) { return at::relu(in[0]); }

// PyTorch's is_causal mask is top-left aligned (j <= i), as docs/ops.md asks.
at::Tensor attention(const Experiment&, const Tensors& in) {
  return at::scaled_dot_product_attention(in[0], in[1], in[2], {}, 0.0, /*is_causal=*/true);
}

// Scatter's index covers every column of src: idx[e] repeated across F, so
// each row of src lands whole (the reference's E x 1 index moved one column).
Tensors scatter_prepare(const Experiment&, Tensors in) {
  at::Tensor idx = in[0].unsqueeze(1).expand_as(in[1]).contiguous();
  return {idx, in[1]};
}
at::Tensor zeros_out(const Experiment& e, const Tensors& in) { return at::zeros(e.dims[0], in[1].options()); }
at::Tensor scatter(const Experiment& e, const Tensors& in) { return zeros_out(e, in).scatter_(0, in[0], in[1]); }
at::Tensor scatter_sum(const Experiment& e, const Tensors& in) {
  return zeros_out(e, in).scatter_reduce_(0, in[0], in[1], "sum", /*include_self=*/true);
}
at::Tensor scatter_max(const Experiment& e, const Tensors& in) {
  return zeros_out(e, in).scatter_reduce_(0, in[0], in[1], "amax", /*include_self=*/true);
}

at::Tensor selu(const Experiment&, const Tensors& in) { return at::selu(in[0]); }
at::Tensor sigmoid(const Experiment&, const Tensors& in) { return at::sigmoid(in[0]); }
at::Tensor softmax(const Experiment& e, const Tensors& in) { return at::softmax(in[0], axis(e)); }
at::Tensor softplus(const Experiment&, const Tensors& in) { return at::softplus(in[0], 1.0, 20.0); }
// at::sort returns values and indices; computing both is its cost, and the
// values are what gets checked.
at::Tensor sort(const Experiment& e, const Tensors& in) { return std::get<0>(at::sort(in[0], axis(e))); }
at::Tensor sum(const Experiment& e, const Tensors& in) { return at::sum(in[0], {axis(e)}); }
at::Tensor sum_all(const Experiment&, const Tensors& in) { return at::sum(in[0]); }
at::Tensor copy(const Experiment&, const Tensors& in) { return in[0].clone(); }

const std::map<std::string, TorchOp, std::less<>> kTorchOps = {
    {"Argmax", {nullptr, argmax}},
    {"BCE", {nullptr, bce}},
    {"Concat", {nullptr, concat}},
    {"Conv1d", {conv_prepare, conv1d, conv_to_reference}},
    {"Conv2d", {conv_prepare, conv2d, conv_to_reference}},
    {"Gather", {nullptr, gather}},
    {"LayerNorm", {nullptr, layer_norm}},
    {"LeakyReLU", {nullptr, leaky_relu}},
    {"Linear", {linear_prepare, linear}},
    {"MatMul", {nullptr, matmul}},
    {"PReLU", {prelu_prepare, prelu}},
    {"ReLU", {nullptr, relu}},
    {"ScaledDotProductAttention", {nullptr, attention}},
    {"Scatter", {scatter_prepare, scatter}},
    {"ScatterSum", {scatter_prepare, scatter_sum}},
    {"ScatterMax", {scatter_prepare, scatter_max}},
    {"SeLU", {nullptr, selu}},
    {"Sigmoid", {nullptr, sigmoid}},
    {"Softmax", {nullptr, softmax}},
    {"Softplus", {nullptr, softplus}},
    {"Sort", {nullptr, sort}},
    {"Sum", {nullptr, sum}},
    {"SumAll", {nullptr, sum_all}},
    {"Copy", {nullptr, copy}},
};

}  // namespace

const TorchOp* find_torch_op(std::string_view op) {
  auto it = kTorchOps.find(op);
  return it == kTorchOps.end() ? nullptr : &it->second;
}

}  // namespace opbench::torch_backend
