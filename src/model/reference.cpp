#include "model/reference.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model/ops.h"

namespace opbench::reference {

RefTensor zeros(Shape shape) {
  const int64_t count = element_count(shape);
  return {std::move(shape), HostBuffer<double>(count, 0.0), {}};
}

RefTensor output_of(const Experiment& e) { return zeros(e.spec().output_shape(e)); }

int64_t offset(const Shape& shape, std::initializer_list<int64_t> index) {
  int64_t at = 0;
  size_t d = 0;
  for (int64_t i : index) at = at * shape[d++] + i;
  return at;
}

std::vector<int64_t> unravel(const Shape& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

int64_t broadcast_offset(const Shape& shape, const std::vector<int64_t>& index) {
  int64_t at = 0;
  size_t skip = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) at = at * shape[d] + (shape[d] == 1 ? 0 : index[d + skip]);
  return at;
}

std::vector<double> read_lane(const HostTensor& x, const Lanes& lanes, int64_t lane) {
  std::vector<double> values(lanes.length);
  for (int64_t k = 0; k < lanes.length; ++k) values[k] = x.at(lanes.at(lane, k));
  return values;
}

void write_lane(RefTensor& out, const Lanes& lanes, int64_t lane, const std::vector<double>& values) {
  for (int64_t k = 0; k < lanes.length; ++k) out.values[lanes.at(lane, k)] = values[k];
}

int64_t axis_of(const Experiment& e, const HostTensor& x) { return normalized_axis(e, x.shape.size()); }

double total(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

std::vector<double> softmax_of(std::vector<double> values) {
  const double top = *std::max_element(values.begin(), values.end());
  for (double& v : values) v = std::exp(v - top);
  const double sum = total(values);
  for (double& v : values) v /= sum;
  return values;
}

double dot(const float* a, const float* b, int64_t n) {
  constexpr int64_t kLanes = 8;
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int64_t l = 0; l < kLanes; ++l) lanes[l] += static_cast<double>(a[i + l]) * b[i + l];
  for (; i < n; ++i) lanes[i % kLanes] += static_cast<double>(a[i]) * b[i];
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

MatrixView matrix(const HostTensor& t, int64_t start, int64_t rows, int64_t columns) {
  return {t.f32.data() + start, rows, columns, columns, 1};
}

namespace {

// A tile of the product: kTileRows x kTileColumns elements of `out`, summed
// over the inner index in slices of kDepth. The slices of a and b are copied
// into double first (contiguous, zero-padded at the edges), so that the
// innermost loop runs over contiguous doubles the compiler vectorizes, and a
// transposed view costs one strided read per copied element, not per product.
constexpr int64_t kTileRows = 16, kTileColumns = 64, kDepth = 256;

// acc[4 x 8] (rows kTileColumns apart) += pa[4 x depth] (rows kDepth apart)
// @ pb[depth x 8] (rows kTileColumns apart): a block small enough for the
// compiler to hold in registers across the whole inner loop, each element's
// products still added in the order of p.
constexpr int64_t kBlockRows = 4, kBlockColumns = 8;
void multiply_block(const double* pa, const double* pb, int64_t depth, double* acc) {
  double block[kBlockRows][kBlockColumns];
  for (int64_t r = 0; r < kBlockRows; ++r)
    for (int64_t c = 0; c < kBlockColumns; ++c) block[r][c] = acc[r * kTileColumns + c];
  for (int64_t p = 0; p < depth; ++p) {
    const double* bp = pb + p * kTileColumns;
    for (int64_t r = 0; r < kBlockRows; ++r) {
      const double av = pa[r * kDepth + p];
      for (int64_t c = 0; c < kBlockColumns; ++c) block[r][c] += av * bp[c];
    }
  }
  for (int64_t r = 0; r < kBlockRows; ++r)
    for (int64_t c = 0; c < kBlockColumns; ++c) acc[r * kTileColumns + c] = block[r][c];
}

void multiply_tile(const MatrixView& a, const MatrixView& b, double* out, int64_t r0, int64_t c0) {
  const int64_t rows = std::min(kTileRows, a.rows - r0), columns = std::min(kTileColumns, b.columns - c0);
  std::vector<double> acc(kTileRows * kTileColumns, 0.0), pa(kTileRows * kDepth, 0.0), pb(kDepth * kTileColumns, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) acc[r * kTileColumns + c] = out[(r0 + r) * b.columns + c0 + c];
  for (int64_t p0 = 0; p0 < a.columns; p0 += kDepth) {
    const int64_t depth = std::min(kDepth, a.columns - p0);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t p = 0; p < depth; ++p) pa[r * kDepth + p] = a(r0 + r, p0 + p);
    for (int64_t p = 0; p < depth; ++p)
      for (int64_t c = 0; c < columns; ++c) pb[p * kTileColumns + c] = b(p0 + p, c0 + c);
    for (int64_t r = 0; r < kTileRows; r += kBlockRows)
      for (int64_t c = 0; c < kTileColumns; c += kBlockColumns) multiply_block(&pa[r * kDepth], &pb[c], depth, &acc[r * kTileColumns + c]);
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) out[(r0 + r) * b.columns + c0 + c] = acc[r * kTileColumns + c];
}

}  // namespace

void multiply_add(const MatrixView& a, const MatrixView& b, double* out) {
  const int64_t row_tiles = (a.rows + kTileRows - 1) / kTileRows;
  const int64_t column_tiles = (b.columns + kTileColumns - 1) / kTileColumns;
  for_each_index(row_tiles * column_tiles, static_cast<double>(kTileRows) * kTileColumns * a.columns, [&](int64_t t) {
    multiply_tile(a, b, out, (t / column_tiles) * kTileRows, (t % column_tiles) * kTileColumns);
  });
}

void multiply(const HostTensor& a, int64_t a_start, const HostTensor& b, int64_t b_start, int64_t m, int64_t k, int64_t n,
              RefTensor& out, int64_t out_start) {
  std::fill(out.values.begin() + out_start, out.values.begin() + out_start + m * n, 0.0);
  multiply_add(matrix(a, a_start, m, k), matrix(b, b_start, k, n), out.values.data() + out_start);
}

}  // namespace opbench::reference
