// ScaledDotProductAttention: softmax(q k^T / sqrt(D) + causal mask) v.
#include <algorithm>
#include <cmath>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

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

// Query i sees keys j <= i: two products over the visible pairs, plus the
// softmax's exp, sum and division on each visible score.
double attention_flops(const Experiment& e) {
  const Shape &q = e.dims[0], &k = e.dims[1];
  // Sum over i < L of min(i + 1, K), in closed form (L can be 2^40).
  double L = static_cast<double>(q[2]), K = static_cast<double>(k[2]);
  double visible = L <= K ? L * (L + 1) / 2 : K * (K + 1) / 2 + (L - K) * K;
  return static_cast<double>(q[0]) * q[1] * visible * (4.0 * q[3] + 3);
}

std::vector<HostTensor> attention_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"q", "k", "v"}); }

// Query i attends to keys j <= i only (the causal mask aligned top-left, also
// when Lq != Lk): masked keys get weight exp(-inf) = 0, so they are left out
// of the softmax. Key 0 is always visible, so no row is empty.
RefTensor attention_reference(const Experiment&, const Inputs& in) {
  const HostTensor &q = in[0], &k = in[1], &v = in[2];
  const int64_t batches = q.shape[0], heads = q.shape[1], lq = q.shape[2], lk = k.shape[2], d = q.shape[3];
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  RefTensor out = zeros(q.shape);
  // One query row of one head per index: rows write disjoint outputs.
  for_each_index(batches * heads * lq, 2.0 * lk * d, [&](int64_t row) {
    const int64_t b = row / (heads * lq), h = row / lq % heads, i = row % lq;
    const int64_t visible = std::min(i + 1, lk);
    std::vector<double> scores(visible, 0.0);
    for (int64_t j = 0; j < visible; ++j)
      for (int64_t c = 0; c < d; ++c)
        scores[j] += q.at(offset(q.shape, {b, h, i, c})) * k.at(offset(k.shape, {b, h, j, c})) * scale;
    const std::vector<double> weights = softmax_of(std::move(scores));
    for (int64_t j = 0; j < visible; ++j)
      for (int64_t c = 0; c < d; ++c)
        out.values[offset(q.shape, {b, h, i, c})] += weights[j] * v.at(offset(v.shape, {b, h, j, c}));
  });
  return out;
}

// One element of the result, for shapes whose full reference costs too much.
double attention_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &q = in[0], &k = in[1], &v = in[2];
  std::vector<int64_t> o = unravel(q.shape, flat);  // b, h, i, c
  const int64_t lq = q.shape[2], lk = k.shape[2], d = q.shape[3], visible = std::min(o[2] + 1, lk);
  const int64_t q_row = ((o[0] * q.shape[1] + o[1]) * lq + o[2]) * d, kv_head = (o[0] * k.shape[1] + o[1]) * lk * d;
  std::vector<double> scores(visible);
  for (int64_t j = 0; j < visible; ++j) {
    double dot = 0;
    for (int64_t c = 0; c < d; ++c) dot += q.at(q_row + c) * k.at(kv_head + j * d + c);
    scores[j] = dot / std::sqrt(static_cast<double>(d));
  }
  double top = *std::max_element(scores.begin(), scores.end()), total = 0, out = 0;
  for (double& s : scores) total += (s = std::exp(s - top));
  for (int64_t j = 0; j < visible; ++j) out += scores[j] / total * v.at(kv_head + j * d + o[3]);
  return out;
}

// Row i of one head: the softmax weights p over its visible keys,
// dp_j = dy_i . v_j, and sum_j p_j dp_j (the complete gradients and the
// sampled ones both start from them).
struct RowWeights {
  std::vector<double> p, dp;
  double weighted = 0;
};

RowWeights row_weights(const float* q_row, const float* k_head, const float* v_head, const float* g_row, int64_t visible,
                       int64_t d, double scale) {
  RowWeights w{std::vector<double>(visible), std::vector<double>(visible), 0};
  for (int64_t j = 0; j < visible; ++j) w.p[j] = dot(q_row, k_head + j * d, d) * scale;
  w.p = softmax_of(std::move(w.p));
  for (int64_t j = 0; j < visible; ++j) {
    w.dp[j] = dot(g_row, v_head + j * d, d);
    w.weighted += w.p[j] * w.dp[j];
  }
  return w;
}

// Per query row i, with P the softmax weights over its visible keys:
// dv_j += P_j dy_i; dS_j = P_j (dy_i.v_j - sum_l P_l dy_i.v_l); dq_i += scale
// sum_j dS_j k_j; dk_j += scale dS_j q_i. Masked keys have P = 0 and get
// nothing. Heads write disjoint parts of dq, dk and dv, so each head goes to
// any core and its rows keep their order.
// One head's rows: q, k, v and dy of the head in, its dq, dk and dv out.
// Compiled for each vector unit (OPBENCH_VECTOR_CLONES): the loops along the
// head dimension are most of the backward reference's time.
OPBENCH_VECTOR_CLONES
void attention_head_vjp(const float* qv, const float* kv, const float* vv, const float* g, int64_t lq, int64_t lk,
                        int64_t d, double scale, double* dqv, double* dkv, double* dvv) {
  for (int64_t i = 0; i < lq; ++i) {
    const int64_t visible = std::min(i + 1, lk), row = i * d;
    const RowWeights w = row_weights(qv + row, kv, vv, g + row, visible, d, scale);
    for (int64_t j = 0; j < visible; ++j) {
      for (int64_t c = 0; c < d; ++c) dvv[j * d + c] += w.p[j] * g[row + c];
      const double ds = w.p[j] * (w.dp[j] - w.weighted) * scale;
      for (int64_t c = 0; c < d; ++c) {
        dqv[row + c] += ds * kv[j * d + c];
        dkv[j * d + c] += ds * qv[row + c];
      }
    }
  }
}

std::vector<RefTensor> attention_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &q = in[0], &k = in[1], &v = in[2];
  const int64_t batches = q.shape[0], heads = q.shape[1], lq = q.shape[2], lk = k.shape[2], d = q.shape[3];
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  RefTensor dq = zeros(q.shape), dk = zeros(k.shape), dv = zeros(v.shape);
  for_each_index(batches * heads, 4.0 * lq * lk * d, [&](int64_t head) {
    const int64_t b = head / heads, h = head % heads;
    const int64_t q_head = (b * heads + h) * lq * d, kv_head = (b * k.shape[1] + h) * lk * d;
    attention_head_vjp(&q.f32[q_head], &k.f32[kv_head], &v.f32[kv_head], &dy.f32[q_head], lq, lk, d, scale,
                       &dq.values[q_head], &dk.values[kv_head], &dv.values[kv_head]);
  });
  return {std::move(dq), std::move(dk), std::move(dv)};
}

// One element of attention_vjp's gradients joined (dq's, dk's, dv's), for
// shapes whose complete gradients cost too much: the same sums in the same
// order. dq[i, c] needs row i's weights; dk[j, c] and dv[j, c] those of
// every row that sees key j.
double attention_sampled_vjp_at(const Experiment&, const Inputs& in, const HostTensor& dy, int64_t flat) {
  const HostTensor &q = in[0], &k = in[1], &v = in[2];
  const int64_t lq = q.shape[2], lk = k.shape[2], d = q.shape[3];
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  const int64_t input = flat < q.numel() ? 0 : flat < q.numel() + k.numel() ? 1 : 2;
  const int64_t local = flat - (input == 0 ? 0 : input == 1 ? q.numel() : q.numel() + k.numel());
  const int64_t head = local / ((input == 0 ? lq : lk) * d), at = local / d % (input == 0 ? lq : lk), c = local % d;
  const float *qh = &q.f32[head * lq * d], *kh = &k.f32[head * lk * d], *vh = &v.f32[head * lk * d];
  const float* g = &dy.f32[head * lq * d];
  auto weights_of = [&](int64_t i) { return row_weights(qh + i * d, kh, vh, g + i * d, std::min(i + 1, lk), d, scale); };
  double sum = 0;
  if (input == 0) {
    const RowWeights w = weights_of(at);
    for (size_t j = 0; j < w.p.size(); ++j) sum += w.p[j] * (w.dp[j] - w.weighted) * scale * kh[j * d + c];
    return sum;
  }
  for (int64_t i = at; i < lq; ++i) {  // the rows that see key `at`: i + 1 > at
    const RowWeights w = weights_of(i);
    sum += input == 1 ? w.p[at] * (w.dp[at] - w.weighted) * scale * qh[i * d + c] : w.p[at] * g[i * d + c];
  }
  return sum;
}

// Multiply-adds of one element of input `input`'s gradient in
// attention_sampled_vjp_at: a row's weights each (two dots a visible key),
// for one row (dq) or for every row that sees the key (dk, dv: half the
// rows, on average).
double attention_sampled_vjp_cost(const Experiment& e, size_t input) {
  const double lq = static_cast<double>(e.dims[0][2]), lk = static_cast<double>(e.dims[1][2]);
  const double row = 2.0 * std::min(lq, lk) * static_cast<double>(e.dims[0][3]);
  return input == 0 ? row : row * std::max(1.0, lq / 2);
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(attention) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "ScaledDotProductAttention",
      .summary = "softmax(q k^T / sqrt(D) + causal mask) v",
      .arity = 3,
      .takes_mask = true,
      .check_shapes = attention_shapes,
      .make_inputs = attention_inputs,
      .output_shape = same_as_input,
      .reference = attention_reference,
      .reference_at = attention_at,
      .vjp = attention_vjp,
      .sampled_vjp_at = attention_sampled_vjp_at,
      .sampled_vjp_cost = attention_sampled_vjp_cost,
      .tolerance = Tolerance::tf32,
      .flops = attention_flops,
      .quick = {"ScaledDotProductAttention dim1=2x4x16x64 dim2=2x4x16x64 dim3=2x4x16x64",
                "ScaledDotProductAttention dim1=2x4x16x64 dim2=2x4x32x64 dim3=2x4x32x64"},
  }};
}
