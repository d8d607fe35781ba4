#include "core/ops.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/random.h"
#include "core/reference.h"

namespace opbench {

namespace {

[[noreturn]] void bad(const std::string& why) { throw UsageError(why); }

std::string dim_text(const Experiment& e, size_t i) {
  return "dim" + std::to_string(i + 1) + "=" + format_shape(e.dims[i]);
}

void need_rank(const Experiment& e, size_t i, size_t rank, const char* layout) {
  if (e.dims[i].size() != rank)
    bad(e.op + " needs " + dim_text(e, i).substr(0, 4) + " of rank " + std::to_string(rank) + " (" + layout + "), got " +
        dim_text(e, i));
}

void need_equal(const Experiment& e, size_t i, size_t ai, size_t j, size_t aj, const char* what) {
  if (e.dims[i][ai] != e.dims[j][aj])
    bad(e.op + ": " + what + " differ between " + dim_text(e, i) + " and " + dim_text(e, j));
}

// Indices are drawn from [0, N-1), which is empty unless N >= 2.
void need_indexable_rows(const Experiment& e) {
  need_rank(e, 0, 2, "N x F");
  need_rank(e, 1, 1, "E indices");
  if (e.dims[0][0] < 2) bad(e.op + " needs at least 2 rows in " + dim_text(e, 0) + " (indices are drawn from [0, N-1))");
}

// ---- shape checks --------------------------------------------------------

void any_shape(const Experiment&) {}

void same_shapes(const Experiment& e) {
  if (e.dims[0] != e.dims[1]) bad(e.op + ": " + dim_text(e, 0) + " and " + dim_text(e, 1) + " must have the same shape");
}

void concat_shapes(const Experiment& e) {
  const Shape &a = e.dims[0], &b = e.dims[1];
  if (a.size() != b.size()) bad("Concat: " + dim_text(e, 0) + " and " + dim_text(e, 1) + " differ in rank");
  int64_t axis = normalized_axis(e, a.size());
  for (size_t i = 0; i < a.size(); ++i)
    if (static_cast<int64_t>(i) != axis && a[i] != b[i])
      bad("Concat: " + dim_text(e, 0) + " and " + dim_text(e, 1) + " differ outside axis " + std::to_string(*e.axis));
}

void conv_shapes(const Experiment& e, size_t spatial) {
  const char* layouts[] = {"", "N x L x Cin", "N x H x W x Cin"};
  const char* weights[] = {"", "Cout x K x Cin", "Cout x KH x KW x Cin"};
  need_rank(e, 0, spatial + 2, layouts[spatial]);
  need_rank(e, 1, spatial + 2, weights[spatial]);
  need_equal(e, 0, spatial + 1, 1, spatial + 1, "input channels (last axis)");
  for (size_t s = 1; s <= spatial; ++s)
    if (e.dims[1][s] > e.dims[0][s]) bad(e.op + ": kernel " + dim_text(e, 1) + " is larger than input " + dim_text(e, 0));
}
void conv1d_shapes(const Experiment& e) { conv_shapes(e, 1); }
void conv2d_shapes(const Experiment& e) { conv_shapes(e, 2); }

void linear_shapes(const Experiment& e) {
  need_rank(e, 1, 2, "K x Nout");
  need_rank(e, 2, 1, "Nout");
  if (e.dims[0].back() != e.dims[1][0])
    bad("Linear: last axis of " + dim_text(e, 0) + " does not match the first of " + dim_text(e, 1));
  need_equal(e, 1, 1, 2, 0, "output features");
}

Shape broadcast_batch(const Experiment& e) {
  const Shape &a = e.dims[0], &b = e.dims[1];
  size_t na = a.size() - 2, nb = b.size() - 2, n = std::max(na, nb);
  Shape out(n);
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i + na >= n ? a[i + na - n] : 1, db = i + nb >= n ? b[i + nb - n] : 1;
    if (da != db && da != 1 && db != 1)
      bad("MatMul: batch dimensions of " + dim_text(e, 0) + " and " + dim_text(e, 1) + " do not broadcast");
    out[i] = std::max(da, db);
  }
  return out;
}

void matmul_shapes(const Experiment& e) {
  if (e.dims[0].size() < 2 || e.dims[1].size() < 2) bad("MatMul needs operands of rank 2 or more");
  if (e.dims[0].back() != e.dims[1][e.dims[1].size() - 2])
    bad("MatMul: " + dim_text(e, 0) + " and " + dim_text(e, 1) + " cannot be multiplied (inner dimensions differ)");
  broadcast_batch(e);
}

void prelu_shapes(const Experiment& e) {
  if (element_count(e.dims[1]) != 1) bad("PReLU: alpha " + dim_text(e, 1) + " must hold exactly one value");
}

void attention_shapes(const Experiment& e) {
  for (size_t i = 0; i < 3; ++i) need_rank(e, i, 4, "B x H x L x D");
  if (e.dims[1] != e.dims[2]) bad("ScaledDotProductAttention: keys " + dim_text(e, 1) + " and values " + dim_text(e, 2) + " differ");
  need_equal(e, 0, 0, 1, 0, "batch sizes");
  need_equal(e, 0, 1, 1, 1, "head counts");
  need_equal(e, 0, 3, 1, 3, "head dimensions");
  // PyTorch aligns its causal flag to the top-left corner, MLX to the
  // bottom-right: the two are the same work only for square score matrices.
  if (e.causal_mask && e.dims[0][2] != e.dims[1][2])
    bad("ScaledDotProductAttention: mask=causal needs as many queries as keys (the frameworks' causal flags align "
        "differently otherwise), got " + dim_text(e, 0) + " and " + dim_text(e, 1));
}

// ---- output shapes -------------------------------------------------------

Shape same_as_input(const Experiment& e) { return e.dims[0]; }
Shape scalar(const Experiment&) { return {}; }
Shape without_axis(const Experiment& e) {
  Shape s = e.dims[0];
  s.erase(s.begin() + normalized_axis(e, s.size()));
  return s;
}
Shape concat_out(const Experiment& e) {
  Shape s = e.dims[0];
  int64_t axis = normalized_axis(e, s.size());
  s[axis] += e.dims[1][axis];
  return s;
}
Shape conv_out(const Experiment& e) {
  const Shape &x = e.dims[0], &w = e.dims[1];
  Shape s = x;
  for (size_t i = 1; i + 1 < x.size(); ++i) s[i] = x[i] - w[i] + 1;
  s.back() = w[0];
  return s;
}
Shape rows_out(const Experiment& e) { return {e.dims[1][0], e.dims[0][1]}; }
Shape linear_out(const Experiment& e) {
  Shape s = e.dims[0];
  s.back() = e.dims[1][1];
  return s;
}
Shape matmul_out(const Experiment& e) {
  Shape s = broadcast_batch(e);
  s.push_back(e.dims[0][e.dims[0].size() - 2]);
  s.push_back(e.dims[1].back());
  return s;
}
Shape attention_out(const Experiment& e) { return e.dims[0]; }

// ---- work ----------------------------------------------------------------

// K operations per element of dim1.
template <int K>
double per_element(const Experiment& e) {
  return K * static_cast<double>(element_count(e.dims[0]));
}
double no_flops(const Experiment&) { return 0; }
double per_source_element(const Experiment& e) { return static_cast<double>(e.dims[1][0]) * e.dims[0][1]; }
double sort_flops(const Experiment& e) {  // comparisons: n log2 n per lane
  double n = static_cast<double>(e.dims[0][normalized_axis(e, e.dims[0].size())]);
  return element_count(e.dims[0]) * std::max(1.0, std::log2(n));
}
double matmul_flops(const Experiment& e) {
  const Shape &a = e.dims[0], &b = e.dims[1];
  return 2.0 * element_count(broadcast_batch(e)) * a[a.size() - 2] * a.back() * b.back();
}
double linear_flops(const Experiment& e) {
  double rows = static_cast<double>(element_count(e.dims[0]) / e.dims[0].back());
  return rows * e.dims[1][1] * (2.0 * e.dims[1][0] + 1);
}
double conv_flops(const Experiment& e) {
  return 2.0 * element_count(conv_out(e)) * (element_count(e.dims[1]) / e.dims[1][0]);
}
// Query i sees keys j <= i: two products over the visible pairs, plus the
// softmax's exp, sum and division on each visible score.
double attention_flops(const Experiment& e) {
  const Shape &q = e.dims[0], &k = e.dims[1];
  // Sum over i < L of min(i + 1, K), in closed form (L can be 2^40).
  double L = static_cast<double>(q[2]), K = static_cast<double>(k[2]);
  double visible = L <= K ? L * (L + 1) / 2 : K * (K + 1) / 2 + (L - K) * K;
  return static_cast<double>(q[0]) * q[1] * visible * (4.0 * q[3] + 3);
}

// ---- inputs --------------------------------------------------------------

HostTensor float_input(std::string name, const Shape& shape) {
  HostTensor t{std::move(name), shape, DType::Float32, {}, {}};
  t.f32.resize(element_count(shape));
  return t;
}

HostTensor normal(std::string name, const Shape& shape, uint64_t seed, uint64_t stream) {
  HostTensor t = float_input(std::move(name), shape);
  fill_normal(t.f32, seed, stream);
  return t;
}

HostTensor indices(const Shape& shape, int64_t rows, uint64_t seed, uint64_t stream) {
  HostTensor t{"idx", shape, DType::Int64, {}, {}};
  t.i64.resize(element_count(shape));
  fill_index(t.i64, rows - 1, seed, stream);
  return t;
}

std::vector<HostTensor> normal_inputs(const Experiment& e, uint64_t seed) {
  static const char* names[] = {"x", "y", "z"};
  std::vector<HostTensor> out;
  for (size_t i = 0; i < e.dims.size(); ++i) out.push_back(normal(names[i], e.dims[i], seed, i));
  return out;
}

std::vector<HostTensor> named_normal_inputs(const Experiment& e, uint64_t seed, std::vector<std::string> names) {
  std::vector<HostTensor> out;
  for (size_t i = 0; i < e.dims.size(); ++i) out.push_back(normal(names[i], e.dims[i], seed, i));
  return out;
}

std::vector<HostTensor> bce_inputs(const Experiment& e, uint64_t seed) {
  HostTensor p = float_input("p", e.dims[0]), t = float_input("t", e.dims[1]);
  fill_uniform(p.f32, 0.0f, 1.0f, seed, 0);
  fill_bernoulli(t.f32, seed, 1);
  return {std::move(p), std::move(t)};
}

std::vector<HostTensor> concat_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"a", "b"}); }
std::vector<HostTensor> conv_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "w"}); }
std::vector<HostTensor> linear_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "w", "b"}); }
std::vector<HostTensor> matmul_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"a", "b"}); }
std::vector<HostTensor> prelu_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "alpha"}); }
std::vector<HostTensor> attention_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"q", "k", "v"}); }

std::vector<HostTensor> gather_inputs(const Experiment& e, uint64_t seed) {
  return {normal("x", e.dims[0], seed, 0), indices(e.dims[1], e.dims[0][0], seed, 1)};
}

// src = x[idx2]: rows of a normal N x F matrix picked by a second index draw.
std::vector<HostTensor> scatter_inputs(const Experiment& e, uint64_t seed) {
  int64_t n = e.dims[0][0], f = e.dims[0][1], count = e.dims[1][0];
  HostTensor x = normal("x", e.dims[0], seed, 0);
  HostTensor idx = indices(e.dims[1], n, seed, 1);
  HostTensor rows = indices(e.dims[1], n, seed, 2);
  HostTensor src = float_input("src", {count, f});
  for (int64_t r = 0; r < count; ++r)
    std::copy_n(x.f32.begin() + rows.i64[r] * f, f, src.f32.begin() + r * f);
  return {std::move(idx), std::move(src)};
}

using namespace reference;

// One line per op: name, what it computes, arity, axis, shape checks, inputs,
// reference, output shape, work, and the element-wise reference for costly ops.
const std::vector<OpSpec> kOps = {
    {"Argmax", "index of the largest element along axis", 1, true, any_shape, normal_inputs, argmax, without_axis, per_element<1>},
    {"BCE", "binary cross-entropy on probabilities, mean", 2, false, same_shapes, bce_inputs, bce, scalar, per_element<7>},
    {"Concat", "dim1 and dim2 joined along axis", 2, true, concat_shapes, concat_inputs, concat, concat_out, no_flops},
    {"Conv1d", "1-D convolution, NLC x (Cout K Cin), stride 1, no padding", 2, false, conv1d_shapes, conv_inputs, conv1d, conv_out, conv_flops, convolution_at},
    {"Conv2d", "2-D convolution, NHWC x (Cout KH KW Cin), stride 1, no padding", 2, false, conv2d_shapes, conv_inputs, conv2d, conv_out, conv_flops, convolution_at},
    {"Gather", "rows x[idx] of an N x F matrix", 2, false, need_indexable_rows, gather_inputs, gather, rows_out, no_flops},
    {"LayerNorm", "normalise over the last axis, eps 1e-5, no affine", 1, false, any_shape, normal_inputs, layer_norm, same_as_input, per_element<5>},
    {"LeakyReLU", "x if x > 0 else 0.01 x", 1, false, any_shape, normal_inputs, leaky_relu, same_as_input, per_element<1>},
    {"Linear", "x @ w + b", 3, false, linear_shapes, linear_inputs, linear, linear_out, linear_flops, linear_at},
    {"MatMul", "a @ b with batch broadcasting", 2, false, matmul_shapes, matmul_inputs, matmul, matmul_out, matmul_flops, matmul_at},
    {"PReLU", "x if x > 0 else alpha x", 2, false, prelu_shapes, prelu_inputs, prelu, same_as_input, per_element<1>},
    {"ReLU", "max(x, 0)", 1, false, any_shape, normal_inputs, relu, same_as_input, per_element<1>},
    {"ScaledDotProductAttention", "softmax(q k^T / sqrt(D) + causal mask) v", 3, false, attention_shapes, attention_inputs,
     scaled_dot_product_attention, attention_out, attention_flops, attention_at, /*takes_mask=*/true},
    {"Scatter", "out = zeros; out[idx[e], :] = src[e, :]", 2, false, need_indexable_rows, scatter_inputs, scatter, same_as_input, no_flops},
    {"ScatterSum", "out = zeros; out[idx[e], :] += src[e, :]", 2, false, need_indexable_rows, scatter_inputs, scatter_sum, same_as_input, per_source_element},
    {"ScatterMax", "out = zeros; out[idx[e], :] = max(out[idx[e], :], src[e, :])", 2, false, need_indexable_rows, scatter_inputs,
     scatter_max, same_as_input, per_source_element},
    {"SeLU", "scaled exponential linear unit", 1, false, any_shape, normal_inputs, selu, same_as_input, per_element<3>},
    {"Sigmoid", "1 / (1 + exp(-x))", 1, false, any_shape, normal_inputs, sigmoid, same_as_input, per_element<3>},
    {"Softmax", "softmax along axis", 1, true, any_shape, normal_inputs, softmax, same_as_input, per_element<4>},
    {"Softplus", "log(1 + exp(x)), stable", 1, false, any_shape, normal_inputs, softplus, same_as_input, per_element<3>},
    {"Sort", "ascending sort along axis", 1, true, any_shape, normal_inputs, sort, same_as_input, sort_flops},
    {"Sum", "sum along axis", 1, true, any_shape, normal_inputs, sum, without_axis, per_element<1>},
    {"SumAll", "sum of every element", 1, false, any_shape, normal_inputs, sum_all, scalar, per_element<1>},
    // Not in the reference's suites: `opbench calibrate` times it for the memory bandwidth roof.
    {"Copy", "a copy of x (calibration: memory bandwidth)", 1, false, any_shape, normal_inputs, copy, same_as_input, no_flops},
};

}  // namespace

const std::vector<OpSpec>& all_ops() { return kOps; }

const OpSpec& find_op(std::string_view name) {
  for (const OpSpec& op : kOps)
    if (op.name == name) return op;
  std::string known;
  for (const OpSpec& op : kOps) known += (known.empty() ? "" : ", ") + op.name;
  throw UsageError("unknown op " + quote(name) + " (known: " + known + ")");
}

int64_t normalized_axis(const Experiment& e, size_t rank) {
  int64_t axis = *e.axis, r = static_cast<int64_t>(rank);
  return axis < 0 ? axis + r : axis;
}

void OpSpec::validate(const Experiment& e) const {
  if (static_cast<int>(e.dims.size()) != arity)
    bad(name + " takes " + std::to_string(arity) + " shape" + (arity > 1 ? "s" : "") + " (dim1" +
        (arity > 1 ? "..dim" + std::to_string(arity) : "") + "), got " + std::to_string(e.dims.size()));
  if (takes_axis && !e.axis) bad(name + " needs axis=");
  if (!takes_axis && e.axis) bad(name + " takes no axis");
  if (e.causal_mask && !takes_mask) bad(name + " takes no mask");
  if (takes_axis) {
    int64_t rank = static_cast<int64_t>(e.dims[0].size());
    if (*e.axis < -rank || *e.axis >= rank)
      bad("axis " + std::to_string(*e.axis) + " is out of range for " + dim_text(e, 0) + " (rank " + std::to_string(rank) + ")");
  }
  check_shapes(e);
  // The result must be a tensor opbench accepts, as each input is: batch
  // broadcasting and concatenation multiply or add up element counts.
  Shape out = output_shape(e);
  int64_t count = 1;
  for (int64_t d : out) {
    if (d < 1 || d > kMaxElements / count)
      bad(name + ": the result " + format_shape(out) + " would have more than 2^40 elements");
    count *= d;
  }
}

double minimum_bytes(const Experiment& e) {
  const double f = dtype_bytes(e.dtype);
  const double out = element_count(find_op(e.op).output_shape(e)) * (e.op == "Argmax" ? 8.0 : f);
  if (e.op == "Gather") return element_count(e.dims[0]) * f + e.dims[1][0] * 8.0 + out;  // x, idx, out
  if (e.op.rfind("Scatter", 0) == 0) return e.dims[1][0] * (8.0 + e.dims[0][1] * f) + out;  // idx, src rows, out
  double in = 0;
  for (const Shape& d : e.dims) in += element_count(d) * f;
  return in + out;
}

std::vector<HostTensor> make_inputs(const Experiment& e, uint64_t seed) {
  Experiment same_data = e;  // every dtype and mask of an experiment starts from the same numbers
  same_data.dtype = "float32";
  same_data.causal_mask = false;  // the fused causal path sees the masked experiment's numbers
  return find_op(e.op).make_inputs(e, hash_text(same_data.line(), seed));
}

}  // namespace opbench
