#include "model/reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "model/ops.h"

namespace opbench::reference {

// Zeroed on all cores: a gradient of a gigabyte zeroed on one took a second
// of page faults before any of its work began.
RefTensor zeros(Shape shape) {
  HostBuffer<double> values(static_cast<size_t>(element_count(shape)));
  fill_on_all_cores(values.data(), values.size());
  return {std::move(shape), std::move(values), {}};
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

OPBENCH_VECTOR_CLONES
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

// The product in tiles of up to kTileRows x kTileColumns elements of `out`,
// summed over the inner index in slices of kDepth. The slices of a and b are
// copied into double first (contiguous, zero-padded at the edges), so that the
// innermost loop runs over contiguous doubles the compiler vectorizes, and a
// transposed view costs one read per copied element, not per product; the
// copies are made once per tile and slice and reused by all its blocks.
constexpr int64_t kTileRows = 128, kTileColumns = 128, kDepth = 256;

// acc[rows x columns] (rows kTileColumns apart) += pa[rows x depth] (rows
// kDepth apart) @ pb[depth x columns] (rows kTileColumns apart), rows and
// columns multiples of the block's: blocks of 4 x 8 elements held in
// registers across the whole inner loop, as two vectors of four doubles a row
// (written out: left to itself the compiler vectorized the loop over p, with
// shuffles and the block on the stack, at a third of the speed), each
// element's products added in the order of p, a product rounded and then
// added as the baseline build does.
constexpr int64_t kBlockRows = 4, kBlockColumns = 8;
using Double4 = double __attribute__((vector_size(32)));

OPBENCH_VECTOR_CLONES
void multiply_packed(const double* pa, const double* pb, int64_t rows, int64_t columns, int64_t depth, double* acc) {
  for (int64_t r0 = 0; r0 < rows; r0 += kBlockRows)
    for (int64_t c0 = 0; c0 < columns; c0 += kBlockColumns) {
      Double4 block[kBlockRows][2];
      for (int64_t r = 0; r < kBlockRows; ++r)
        for (int64_t half = 0; half < 2; ++half)
          std::memcpy(&block[r][half], &acc[(r0 + r) * kTileColumns + c0 + 4 * half], sizeof(Double4));
      const double* a_rows = pa + r0 * kDepth;
      for (int64_t p = 0; p < depth; ++p) {
        Double4 low, high;
        std::memcpy(&low, pb + p * kTileColumns + c0, sizeof low);
        std::memcpy(&high, pb + p * kTileColumns + c0 + 4, sizeof high);
        for (int64_t r = 0; r < kBlockRows; ++r) {
          const double a = a_rows[r * kDepth + p];
          const Double4 av = {a, a, a, a};
          block[r][0] += av * low;
          block[r][1] += av * high;
        }
      }
      for (int64_t r = 0; r < kBlockRows; ++r)
        for (int64_t half = 0; half < 2; ++half)
          std::memcpy(&acc[(r0 + r) * kTileColumns + c0 + 4 * half], &block[r][half], sizeof(Double4));
    }
}

int64_t round_up(int64_t n, int64_t step) { return (n + step - 1) / step * step; }

// to[i * stride + j] = v(i0 + i, j0 + j) for i < count_i, j < count_j: a block of
// the view copied into a packed buffer, read along the view's index whose
// step is 1 where there is one.
void pack(const MatrixView& v, int64_t i0, int64_t j0, int64_t count_i, int64_t count_j, double* to, int64_t stride) {
  if (v.column_step == 1)
    for (int64_t i = 0; i < count_i; ++i)
      for (int64_t j = 0; j < count_j; ++j) to[i * stride + j] = v(i0 + i, j0 + j);
  else
    for (int64_t j = 0; j < count_j; ++j)
      for (int64_t i = 0; i < count_i; ++i) to[i * stride + j] = v(i0 + i, j0 + j);
}

// out's elements [r0, r0 + tile_rows) x [c0, c0 + tile_columns), within the
// product; tile_columns at most kTileColumns, the buffers' row length.
void multiply_tile(const MatrixView& a, const MatrixView& b, double* out, int64_t r0, int64_t c0, int64_t tile_rows,
                   int64_t tile_columns) {
  const int64_t rows = std::min(tile_rows, a.rows - r0), columns = std::min(tile_columns, b.columns - c0);
  const int64_t padded_rows = round_up(rows, kBlockRows), padded_columns = round_up(columns, kBlockColumns);
  // The thread's own buffers, kept for its next tile (fresh ones, of 128 KiB
  // and more, were memory mapped and unmapped for every tile). Every element
  // the blocks read is written below (a padded row or column is zero).
  thread_local HostBuffer<double> acc, pa, pb;
  acc.resize(static_cast<size_t>(kTileRows * kTileColumns));
  pa.resize(static_cast<size_t>(kTileRows * kDepth));
  pb.resize(static_cast<size_t>(kDepth * kTileColumns));
  for (int64_t r = 0; r < padded_rows; ++r)
    for (int64_t c = 0; c < padded_columns; ++c)
      acc[r * kTileColumns + c] = r < rows && c < columns ? out[(r0 + r) * b.columns + c0 + c] : 0.0;
  for (int64_t p0 = 0; p0 < a.columns; p0 += kDepth) {
    const int64_t depth = std::min(kDepth, a.columns - p0);
    pack(a, r0, p0, rows, depth, pa.data(), kDepth);
    for (int64_t r = rows; r < padded_rows; ++r) std::fill_n(&pa[r * kDepth], depth, 0.0);
    pack(b, p0, c0, depth, columns, pb.data(), kTileColumns);
    for (int64_t p = 0; p < depth; ++p) std::fill(&pb[p * kTileColumns + columns], &pb[p * kTileColumns + padded_columns], 0.0);
    multiply_packed(pa.data(), pb.data(), padded_rows, padded_columns, depth, acc.data());
  }
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c) out[(r0 + r) * b.columns + c0 + c] = acc[r * kTileColumns + c];
}

}  // namespace

void multiply_add(const MatrixView& a, const MatrixView& b, double* out) {
  // Large tiles share each copied slice among more blocks; smaller ones
  // (halving the larger side) where there would be fewer than two a core.
  // The tiling changes which thread computes an element, never the order of
  // its additions.
  if (a.rows == 0 || b.columns == 0) return;
  int64_t tile_rows = std::min(kTileRows, round_up(a.rows, kBlockRows));
  int64_t tile_columns = std::min(kTileColumns, round_up(b.columns, kBlockColumns));
  auto tiles = [&] { return (a.rows + tile_rows - 1) / tile_rows * ((b.columns + tile_columns - 1) / tile_columns); };
  constexpr int64_t kSmallest = 8;
  while (tiles() < 2 * static_cast<int64_t>(host_threads()) && (tile_rows > kSmallest || tile_columns > kSmallest)) {
    if (tile_rows >= tile_columns && tile_rows > kSmallest) tile_rows = round_up(tile_rows / 2, kBlockRows);
    else tile_columns = round_up(tile_columns / 2, kBlockColumns);
  }
  const int64_t column_tiles = (b.columns + tile_columns - 1) / tile_columns;
  const int64_t row_tiles = (a.rows + tile_rows - 1) / tile_rows;
  for_each_index(row_tiles * column_tiles, static_cast<double>(tile_rows) * tile_columns * a.columns, [&](int64_t t) {
    multiply_tile(a, b, out, (t / column_tiles) * tile_rows, (t % column_tiles) * tile_columns, tile_rows, tile_columns);
  });
}

void multiply(const HostTensor& a, int64_t a_start, const HostTensor& b, int64_t b_start, int64_t m, int64_t k, int64_t n,
              RefTensor& out, int64_t out_start) {
  std::fill(out.values.begin() + out_start, out.values.begin() + out_start + m * n, 0.0);
  multiply_add(matrix(a, a_start, m, k), matrix(b, b_start, k, n), out.values.data() + out_start);
}

}  // namespace opbench::reference
