// Each op as an MLX user writes it, through MLX's C++ API. Inputs arrive in
// the order and layout of the op units (src/model/ops/); see docs/ops.md for what each
// computes and the exact call timed. Where the C++ API lacks what Python's
// mlx.nn offers (relu, leaky_relu, prelu, selu, softplus, gelu,
// binary_cross_entropy), the op is composed as mlx/nn/layers/activations.py
// and mlx/nn/losses.py compose it, and the activations are compiled as
// mlx.nn compiles them.
#include "backends/mlx/mlx_ops.h"

#include <mlx/compile.h>
#include <mlx/fast.h>
#include <mlx/ops.h>
#include <mlx/version.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace opbench::mlx_backend {

mx::Shape mlx_shape(const Shape& shape) {
  mx::Shape out;
  for (int64_t d : shape) {
    if (d > std::numeric_limits<mx::ShapeElem>::max())
      throw std::runtime_error("dimension " + std::to_string(d) + " of " + format_shape(shape) +
                               " is larger than MLX's 32-bit dimensions allow");
    out.push_back(static_cast<mx::ShapeElem>(d));
  }
  return out;
}

FrameworkOps<MlxOp>& mlx_op_table() {
  static FrameworkOps<MlxOp> ops(std::string("MLX ") + mx::version());
  return ops;
}

namespace {

int axis(const Experiment& e) { return static_cast<int>(*e.axis); }

mx::array argmax(const Experiment& e, const Arrays& in) { return mx::argmax(in[0], axis(e)); }
OPBENCH_MLX_OP("Argmax", {.call = argmax});

// nn.losses.binary_cross_entropy(p, t, with_logits=False): each log clipped
// at -100 as PyTorch clamps it, then the mean ("mean" reduction).
mx::array bce(const Experiment&, const Arrays& in) {
  const mx::array &p = in[0], &t = in[1];
  mx::array log_p = mx::clip(mx::log(p), mx::array(-100.0f), std::nullopt);
  mx::array log_not_p = mx::clip(mx::log(1.0f - p), mx::array(-100.0f), std::nullopt);
  return mx::mean(-(t * log_p + (1.0f - t) * log_not_p));
}
OPBENCH_MLX_OP("BCE", {.call = bce});

mx::array concat(const Experiment& e, const Arrays& in) { return mx::concatenate({in[0], in[1]}, axis(e)); }
OPBENCH_MLX_OP("Concat", {.call = concat});

// MLX's convolutions take channels-last input and a Cout x K... x Cin weight:
// the reference's layout, so nothing moves.
mx::array conv1d(const Experiment&, const Arrays& in) { return mx::conv1d(in[0], in[1]); }
OPBENCH_MLX_OP("Conv1d", {.call = conv1d});
mx::array conv2d(const Experiment&, const Arrays& in) { return mx::conv2d(in[0], in[1]); }
OPBENCH_MLX_OP("Conv2d", {.call = conv2d});

mx::array gather(const Experiment&, const Arrays& in) { return mx::take(in[0], in[1], 0); }
OPBENCH_MLX_OP("Gather", {.call = gather});

// nn.LayerNorm(dims, affine=False): the fused kernel with no weight or bias.
mx::array layer_norm(const Experiment&, const Arrays& in) {
  return mx::fast::layer_norm(in[0], std::nullopt, std::nullopt, 1e-5f);
}
OPBENCH_MLX_OP("LayerNorm", {.call = layer_norm});

// nn.RMSNorm's fused kernel without a weight (nn.RMSNorm's is ones: the same
// result, one multiplication less).
mx::array rms_norm(const Experiment&, const Arrays& in) { return mx::fast::rms_norm(in[0], std::nullopt, 1e-5f); }
OPBENCH_MLX_OP("RMSNorm", {.call = rms_norm});

// nn.Linear computes addmm(bias, x, weight.T) with its weight stored
// Nout x K; ours is already K x Nout, so it goes in as is.
mx::array linear(const Experiment&, const Arrays& in) { return mx::addmm(in[2], in[0], in[1]); }
OPBENCH_MLX_OP("Linear", {.call = linear});

mx::array matmul(const Experiment&, const Arrays& in) { return mx::matmul(in[0], in[1]); }
OPBENCH_MLX_OP("MatMul", {.call = matmul});

// alpha is one value in any shape ("dim2=1" or "1x1"): made a 1-vector, as
// nn.PReLU's weight is, so it cannot raise the result's rank.
Arrays prelu_prepare(const Experiment&, Arrays in) { return {in[0], mx::reshape(in[1], {1})}; }

// ---- mlx.nn's activations -------------------------------------------------
// mlx.nn wraps relu, leaky_relu, prelu, selu, softplus and gelu (and elu,
// which selu calls) in mx.compile(shapeless=True): a user of mlx.nn.relu runs one fused
// kernel, built once for every shape. Each is written here as its Python
// composition and compiled the same way, once per process (a plain function,
// so MLX keys its compile cache on the function's address).

// One call of a compiled activation: `Graph` is its composition, below.
template <Arrays (*Graph)(const Arrays&)>
mx::array compiled_activation(const Experiment&, const Arrays& in) {
  static const auto fused = mx::compile(Graph, /*shapeless=*/true);
  return fused(in)[0];
}

Arrays relu_graph(const Arrays& in) { return {mx::maximum(in[0], mx::array(0.0f))}; }
OPBENCH_MLX_OP("ReLU", {.call = compiled_activation<relu_graph>});
Arrays leaky_relu_graph(const Arrays& in) { return {mx::maximum(0.01f * in[0], in[0])}; }
OPBENCH_MLX_OP("LeakyReLU", {.call = compiled_activation<leaky_relu_graph>});
Arrays prelu_graph(const Arrays& in) {
  const mx::array &x = in[0], &alpha = in[1];
  return {mx::maximum(mx::array(0.0f), x) + alpha * mx::minimum(mx::array(0.0f), x)};
}
OPBENCH_MLX_OP("PReLU", {.prepare = prelu_prepare, .call = compiled_activation<prelu_graph>});
// nn.elu(x, alpha) with the exact alpha of docs/ops.md: nn.selu rounds its
// constants to 1.67326 and 1.0507, which moves the result, not the cost.
Arrays elu_graph(const Arrays& in) {
  const float alpha = 1.6732632423543772f;
  const mx::array& x = in[0];
  return {mx::where(x > 0.0f, x, alpha * (mx::exp(x) - 1.0f))};
}
Arrays selu_graph(const Arrays& in) {
  static const auto elu = mx::compile(elu_graph, /*shapeless=*/true);
  return {elu(in)[0] * 1.0507009873554805f};
}
OPBENCH_MLX_OP("SeLU", {.call = compiled_activation<selu_graph>});
// logaddexp is stable for large x (it returns x + log1p(exp(-x))).
Arrays softplus_graph(const Arrays& in) { return {mx::logaddexp(in[0], mx::array(0.0f))}; }
OPBENCH_MLX_OP("Softplus", {.call = compiled_activation<softplus_graph>});
// nn.gelu, the exact form: x * (1 + erf(x / sqrt(2))) / 2.
Arrays gelu_graph(const Arrays& in) {
  const mx::array& x = in[0];
  return {x * (1.0f + mx::erf(x / std::sqrt(2.0f))) / 2.0f};
}
OPBENCH_MLX_OP("GELU", {.call = compiled_activation<gelu_graph>});

// The reference's additive float mask (0 where j <= i, -inf elsewhere),
// built once here. "mask=causal" experiments use MLX's fused causal mode
// instead (aligned to the bottom-right corner, the same as PyTorch's top-left
// one on the square score matrices such lines must have).
Arrays attention_prepare(const Experiment& e, Arrays in) {
  if (e.causal_mask) return in;
  int64_t lq = e.dims[0][2], lk = e.dims[1][2];
  std::vector<float> mask(static_cast<size_t>(lq * lk));
  for (int64_t i = 0; i < lq; ++i)
    for (int64_t j = 0; j < lk; ++j) mask[i * lk + j] = j <= i ? 0.0f : -std::numeric_limits<float>::infinity();
  in.push_back(mx::array(mask.begin(), mlx_shape({lq, lk}), mx::float32));
  return in;
}
mx::array attention(const Experiment& e, const Arrays& in) {
  float scale = 1.0f / std::sqrt(static_cast<float>(e.dims[0][3]));
  if (e.causal_mask) return mx::fast::scaled_dot_product_attention(in[0], in[1], in[2], scale, "causal");
  return mx::fast::scaled_dot_product_attention(in[0], in[1], in[2], scale, "", in[3]);
}
OPBENCH_MLX_OP("ScaledDotProductAttention", {.prepare = attention_prepare, .call = attention});

// MLX's scatter takes updates shaped indices.shape + (1, F): one whole row of
// src per index (the reference's E x F reshaped once, here). The output
// buffer x, zeros made once, is appended: x[idx] = src and x.at[idx] work on
// it as the reference's do.
Arrays scatter_prepare(const Experiment& e, Arrays in) {
  const mx::array& src = in[1];
  return {in[0], mx::reshape(src, {src.shape(0), 1, src.shape(1)}), mx::zeros(mlx_shape(e.dims[0]), mx::float32)};
}
// x[idx] = src: a functional update whose result becomes x (MlxOp::rebinds),
// so MLX may reuse x's memory, as it does for Python's setitem.
mx::array scatter(const Experiment&, const Arrays& in) { return mx::scatter(in[2], in[0], in[1], 0); }
OPBENCH_MLX_OP("Scatter", {.prepare = scatter_prepare, .call = scatter, .rebinds = 2});
// x.at[idx].add(src) / .maximum(src), the result kept and x left as it was;
// the zeros take part in the maximum, as PyTorch's include_self does.
mx::array scatter_sum(const Experiment&, const Arrays& in) { return mx::scatter_add(in[2], in[0], in[1], 0); }
OPBENCH_MLX_OP("ScatterSum", {.prepare = scatter_prepare, .call = scatter_sum});
mx::array scatter_max(const Experiment&, const Arrays& in) { return mx::scatter_max(in[2], in[0], in[1], 0); }
OPBENCH_MLX_OP("ScatterMax", {.prepare = scatter_prepare, .call = scatter_max});

mx::array sigmoid(const Experiment&, const Arrays& in) { return mx::sigmoid(in[0]); }
OPBENCH_MLX_OP("Sigmoid", {.call = sigmoid});
mx::array softmax(const Experiment& e, const Arrays& in) { return mx::softmax(in[0], axis(e)); }
OPBENCH_MLX_OP("Softmax", {.call = softmax});
mx::array sort(const Experiment& e, const Arrays& in) { return mx::sort(in[0], axis(e)); }
OPBENCH_MLX_OP("Sort", {.call = sort});
mx::array sum(const Experiment& e, const Arrays& in) { return mx::sum(in[0], axis(e)); }
OPBENCH_MLX_OP("Sum", {.call = sum});
mx::array sum_all(const Experiment&, const Arrays& in) { return mx::sum(in[0]); }
OPBENCH_MLX_OP("SumAll", {.call = sum_all});
// mx::copy may hand back the input's buffer instead of copying it, which
// times nothing; multiplying by one makes MLX read and write every element.
mx::array copy(const Experiment&, const Arrays& in) { return mx::multiply(in[0], mx::array(1.0f, in[0].dtype())); }
OPBENCH_MLX_OP("Copy", {.call = copy});

}  // namespace

const FrameworkOps<MlxOp>& mlx_ops() { return mlx_op_table(); }

}  // namespace opbench::mlx_backend
