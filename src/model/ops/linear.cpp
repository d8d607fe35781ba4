// Linear: x @ w + b over every row of x.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

void linear_shapes(const Experiment& e) {
  need_rank(e, 1, 2, "K x Nout");
  need_rank(e, 2, 1, "Nout");
  if (e.dims[0].back() != e.dims[1][0])
    bad("Linear: last axis of " + dim_text(e, 0) + " does not match the first of " + dim_text(e, 1));
  need_equal(e, 1, 1, 2, 0, "output features");
}

Shape linear_out(const Experiment& e) {
  Shape s = e.dims[0];
  s.back() = e.dims[1][1];
  return s;
}

double linear_flops(const Experiment& e) {
  double rows = static_cast<double>(element_count(e.dims[0]) / e.dims[0].back());
  return rows * e.dims[1][1] * (2.0 * e.dims[1][0] + 1);
}

std::vector<HostTensor> linear_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "w", "b"}); }

// Every row of x (all leading axes together) times w, plus b.
RefTensor linear_reference(const Experiment& e, const Inputs& in) {
  const HostTensor &x = in[0], &w = in[1], &b = in[2];
  const int64_t k = w.shape[0], n = w.shape[1];
  RefTensor out = output_of(e);
  multiply(x, 0, w, 0, x.numel() / k, k, n, out, 0);
  for (int64_t i = 0; i < element_count(out.shape); ++i) out.values[i] += b.at(i % n);
  return out;
}

// One element of the result, for shapes whose full reference costs too much.
double linear_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &x = in[0], &w = in[1], &b = in[2];
  const int64_t k = w.shape[0], n = w.shape[1], row = flat / n, col = flat % n;
  double sum = b.at(col);
  for (int64_t p = 0; p < k; ++p) sum += x.at(row * k + p) * w.at(p * n + col);
  return sum;
}

// With every row of x (all leading axes together) a row of the product:
// dx = dy w^T, dw = x^T dy, db = dy summed over the rows.
std::vector<RefTensor> linear_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &x = in[0], &w = in[1];
  const int64_t k = w.shape[0], n = w.shape[1], rows = x.numel() / k;
  RefTensor dx = zeros(x.shape), dw = zeros(w.shape), db = zeros(in[2].shape);
  const MatrixView dy_rows = matrix(dy, 0, rows, n);
  multiply_add(dy_rows, matrix(w, 0, k, n).transposed(), dx.values.data());
  multiply_add(matrix(x, 0, rows, k).transposed(), dy_rows, dw.values.data());
  // db in bands of 64 columns, each read row after row (a column read down
  // the rows alone touched a cache line per element: 40% of the time of
  // Linear 100x1024x64's gradients); each element still sums in row order.
  constexpr int64_t kBand = 64;
  for_each_index((n + kBand - 1) / kBand, static_cast<double>(rows) * kBand, [&](int64_t band) {
    const int64_t first = band * kBand, last = std::min(n, first + kBand);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = first; j < last; ++j) db.values[j] += dy_rows(r, j);
  });
  return {std::move(dx), std::move(dw), std::move(db)};
}

// One element of linear_vjp's gradients joined (dx's, dw's, then db's), for
// shapes whose complete gradients cost too much: the same sums in the same
// order (dx along the output features, dw and db down the rows).
double linear_sampled_vjp_at(const Experiment&, const Inputs& in, const HostTensor& dy, int64_t flat) {
  const HostTensor &x = in[0], &w = in[1];
  const int64_t k = w.shape[0], n = w.shape[1], rows = x.numel() / k;
  double sum = 0;
  if (flat < x.numel()) {  // dx[r, p] = dy[r, :] . w[p, :]
    const int64_t r = flat / k, p = flat % k;
    for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(dy.f32[r * n + j]) * w.f32[p * n + j];
    return sum;
  }
  flat -= x.numel();
  if (flat < w.numel()) {  // dw[p, j] = x[:, p] . dy[:, j]
    const int64_t p = flat / n, j = flat % n;
    for (int64_t r = 0; r < rows; ++r) sum += static_cast<double>(x.f32[r * k + p]) * dy.f32[r * n + j];
    return sum;
  }
  const int64_t j = flat - w.numel();  // db[j] = dy[:, j] summed
  for (int64_t r = 0; r < rows; ++r) sum += dy.f32[r * n + j];
  return sum;
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(linear) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Linear",
      .summary = "x @ w + b",
      .arity = 3,
      .check_shapes = linear_shapes,
      .make_inputs = linear_inputs,
      .output_shape = linear_out,
      .reference = linear_reference,
      .reference_at = linear_at,
      .vjp = linear_vjp,
      .sampled_vjp_at = linear_sampled_vjp_at,
      .tolerance = Tolerance::tf32,
      .flops = linear_flops,
      .quick = {"Linear dim1=10x64x32 dim2=32x128 dim3=128", "Linear dim1=10x1x512 dim2=512x1 dim3=1"},
  }};
}
