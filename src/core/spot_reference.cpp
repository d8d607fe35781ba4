// Single elements of the reference result, for the ops whose full reference
// costs too much on the default suite's shapes (a 1000000x64 by 64x1024
// product is 65 G multiply-adds in double). The runner checks a sample of
// output positions with these; tests compare them with the full reference.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/ops.h"
#include "core/reference.h"

namespace opbench::reference {

namespace {

// Splits a flat row-major index of `shape` into per-dimension indices.
std::vector<int64_t> unravel(const Shape& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

// Flat offset in `shape` of `index`, where a size-1 dimension of `shape`
// broadcasts (any index reads element 0). Aligns from the right.
int64_t broadcast_offset(const Shape& shape, const std::vector<int64_t>& index) {
  int64_t at = 0;
  size_t skip = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) at = at * shape[d] + (shape[d] == 1 ? 0 : index[d + skip]);
  return at;
}

}  // namespace

double matmul_at(const Experiment& e, const Inputs& in, int64_t flat) {
  const HostTensor &a = in[0], &b = in[1];
  std::vector<int64_t> at = unravel(find_op(e.op).output_shape(e), flat);
  const int64_t i = at[at.size() - 2], j = at.back(), k = a.shape.back();
  std::vector<int64_t> a_index = at, b_index = at;  // a[..., i, p] and b[..., p, j]
  a_index[a_index.size() - 2] = i;
  b_index.back() = j;
  double sum = 0;
  for (int64_t p = 0; p < k; ++p) {
    a_index.back() = p;
    b_index[b_index.size() - 2] = p;
    sum += a.at(broadcast_offset(a.shape, a_index)) * b.at(broadcast_offset(b.shape, b_index));
  }
  return sum;
}

double linear_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &x = in[0], &w = in[1], &b = in[2];
  const int64_t k = w.shape[0], n = w.shape[1], row = flat / n, col = flat % n;
  double sum = b.at(col);
  for (int64_t p = 0; p < k; ++p) sum += x.at(row * k + p) * w.at(p * n + col);
  return sum;
}

// Conv1d is Conv2d with H = KH = 1: both go through the 2-D index.
double convolution_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &x = in[0], &w = in[1];
  bool one_d = x.shape.size() == 3;
  Shape xs = one_d ? Shape{x.shape[0], 1, x.shape[1], x.shape[2]} : x.shape;
  Shape ws = one_d ? Shape{w.shape[0], 1, w.shape[1], w.shape[2]} : w.shape;
  Shape os = {xs[0], xs[1] - ws[1] + 1, xs[2] - ws[2] + 1, ws[0]};
  std::vector<int64_t> o = unravel(os, flat);
  double sum = 0;
  for (int64_t di = 0; di < ws[1]; ++di)
    for (int64_t dj = 0; dj < ws[2]; ++dj)
      for (int64_t ci = 0; ci < ws[3]; ++ci)
        sum += x.at(((o[0] * xs[1] + o[1] + di) * xs[2] + o[2] + dj) * xs[3] + ci) *
               w.at(((o[3] * ws[1] + di) * ws[2] + dj) * ws[3] + ci);
  return sum;
}

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

}  // namespace opbench::reference
