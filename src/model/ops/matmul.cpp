// MatMul: a @ b with numpy's batch broadcasting.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// The batch dimensions of the result; throws where they do not broadcast.
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

Shape matmul_out(const Experiment& e) {
  Shape s = broadcast_batch(e);
  s.push_back(e.dims[0][e.dims[0].size() - 2]);
  s.push_back(e.dims[1].back());
  return s;
}

double matmul_flops(const Experiment& e) {
  const Shape &a = e.dims[0], &b = e.dims[1];
  return 2.0 * element_count(broadcast_batch(e)) * a[a.size() - 2] * a.back() * b.back();
}

std::vector<HostTensor> matmul_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"a", "b"}); }

// Which matrix of an operand of shape `operand` (batch dims then two matrix
// dims) feeds matrix `flat` of a result with batch dims `batch`, as numpy
// broadcasts: batch dims align on the right, missing or size-1 dims repeat.
int64_t broadcast_source(const Shape& operand, const Shape& batch, int64_t flat) {
  const size_t operand_batch = operand.size() - 2;
  int64_t source = 0, stride = 1;
  for (size_t from_end = 0; from_end < batch.size(); ++from_end) {
    const int64_t i = flat % batch[batch.size() - 1 - from_end];
    flat /= batch[batch.size() - 1 - from_end];
    if (from_end >= operand_batch) continue;
    const int64_t size = operand[operand_batch - 1 - from_end];
    if (size != 1) source += i * stride;
    stride *= size;
  }
  return source;
}

RefTensor matmul_reference(const Experiment& e, const Inputs& in) {
  const HostTensor &a = in[0], &b = in[1];
  RefTensor out = output_of(e);
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const Shape batch(out.shape.begin(), out.shape.end() - 2);
  for (int64_t t = 0; t < element_count(batch); ++t)
    multiply(a, broadcast_source(a.shape, batch, t) * m * k, b, broadcast_source(b.shape, batch, t) * k * n, m, k, n, out,
             t * m * n);
  return out;
}

// One element of the result, for shapes whose full reference costs too much
// (a 1000000x64 by 64x1024 product is 65 G multiply-adds in double).
double matmul_at(const Experiment& e, const Inputs& in, int64_t flat) {
  const HostTensor &a = in[0], &b = in[1];
  std::vector<int64_t> at = unravel(matmul_out(e), flat);
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

// For each matrix of the result: da = dy b^T and db = a^T dy, added into
// the operand matrix that fed it (a broadcast operand collects the gradient
// of every result matrix it was used for, in the order of the result's). An
// operand that is not broadcast has a matrix of its own for each result
// matrix: where there are several for each core, those are made on all
// cores, each one's product on one.
std::vector<RefTensor> matmul_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  const HostTensor &a = in[0], &b = in[1];
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const Shape out = matmul_out(e), batch(out.begin(), out.end() - 2);
  const int64_t matrices = element_count(batch);
  RefTensor da = zeros(a.shape), db = zeros(b.shape);
  auto for_each_matrix = [&](const HostTensor& operand, int64_t operand_matrix, auto f) {
    if (operand.numel() / operand_matrix == matrices && matrices >= 4 * static_cast<int64_t>(host_threads()))
      for_each_index(matrices, static_cast<double>(m) * k * n, f);
    else
      for (int64_t t = 0; t < matrices; ++t) f(t);
  };
  for_each_matrix(a, m * k, [&](int64_t t) {
    const int64_t b0 = broadcast_source(b.shape, batch, t) * k * n;
    multiply_add(matrix(dy, t * m * n, m, n), matrix(b, b0, k, n).transposed(),
                 da.values.data() + broadcast_source(a.shape, batch, t) * m * k);
  });
  for_each_matrix(b, k * n, [&](int64_t t) {
    const int64_t a0 = broadcast_source(a.shape, batch, t) * m * k;
    multiply_add(matrix(a, a0, m, k).transposed(), matrix(dy, t * m * n, m, n),
                 db.values.data() + broadcast_source(b.shape, batch, t) * k * n);
  });
  return {std::move(da), std::move(db)};
}

// One element of matmul_vjp's gradients joined (da's, then db's), for shapes
// whose complete gradients cost too much: the same sums in the same order
// (the result matrices in order, the products of each in the order of its
// inner index), over the result matrices that the element's operand matrix fed.
double matmul_sampled_vjp_at(const Experiment& e, const Inputs& in, const HostTensor& dy, int64_t flat) {
  const HostTensor &a = in[0], &b = in[1];
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const Shape out = matmul_out(e), batch(out.begin(), out.end() - 2);
  const int64_t matrices = element_count(batch);
  double sum = 0;
  if (flat < a.numel()) {  // da[s, i, p]: dy[t, i, :] . b[t's, p, :]
    const int64_t s = flat / (m * k), i = flat / k % m, p = flat % k;
    for (int64_t t = 0; t < matrices; ++t) {
      if (broadcast_source(a.shape, batch, t) != s) continue;
      const float* g = dy.f32.data() + t * m * n + i * n;
      const float* row = b.f32.data() + broadcast_source(b.shape, batch, t) * k * n + p * n;
      for (int64_t j = 0; j < n; ++j) sum += static_cast<double>(g[j]) * row[j];
    }
    return sum;
  }
  flat -= a.numel();  // db[s, p, j]: a[t's, :, p] . dy[t, :, j]
  const int64_t s = flat / (k * n), p = flat / n % k, j = flat % n;
  for (int64_t t = 0; t < matrices; ++t) {
    if (broadcast_source(b.shape, batch, t) != s) continue;
    const float* column = a.f32.data() + broadcast_source(a.shape, batch, t) * m * k + p;
    const float* g = dy.f32.data() + t * m * n + j;
    for (int64_t i = 0; i < m; ++i) sum += static_cast<double>(column[i * k]) * g[i * n];
  }
  return sum;
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(matmul) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "MatMul",
      .summary = "a @ b with batch broadcasting",
      .arity = 2,
      .check_shapes = matmul_shapes,
      .make_inputs = matmul_inputs,
      .output_shape = matmul_out,
      .reference = matmul_reference,
      .reference_at = matmul_at,
      .vjp = matmul_vjp,
      .sampled_vjp_at = matmul_sampled_vjp_at,
      .tolerance = Tolerance::tf32,
      .flops = matmul_flops,
      .quick = {"MatMul dim1=32x1x100 dim2=32x100x64", "MatMul dim1=100x16x64 dim2=64x32",
                "MatMul dim1=64x10000 dim2=10000x32"},
  }};
}
