#pragma once
// The building blocks of the independent reference results: plain loops in
// double precision over the host inputs, written from the definitions in
// docs/ops.md and sharing no code with any framework. Only the matrix
// product is tuned (multiply_add), and it gives the plain loop's bits; tests
// use small shapes. Each op's own reference is in its unit (src/model/ops/).
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "model/experiment.h"
#include "model/parallel.h"
#include "model/tensor.h"

namespace opbench::reference {

using Inputs = std::vector<HostTensor>;

RefTensor zeros(Shape shape);
// A tensor of `shape` whose elements are left unset, for a caller that
// writes every one (on all cores): no pass of zeros first.
inline RefTensor unset(Shape shape) {
  const size_t n = static_cast<size_t>(element_count(shape));
  return {std::move(shape), HostBuffer<double>(n), {}};
}

// The result of `e`, zero-filled, shaped by the op's unit so that the two
// can never disagree.
RefTensor output_of(const Experiment& e);

// Row-major offset of `index` in a tensor of shape `shape`.
int64_t offset(const Shape& shape, std::initializer_list<int64_t> index);

// Splits a flat row-major index of `shape` into per-dimension indices.
std::vector<int64_t> unravel(const Shape& shape, int64_t flat);

// Flat offset in `shape` of `index`, where a size-1 dimension of `shape`
// broadcasts (any index reads element 0). Aligns from the right.
int64_t broadcast_offset(const Shape& shape, const std::vector<int64_t>& index);

// A tensor seen around one axis as outer x length x inner: a "lane" is the
// `length` elements that run along the axis for one (outer, inner) pair.
// Lanes are numbered outer * inner + inner-index, which is also the order of
// the elements of the result when the axis is reduced away.
struct Lanes {
  int64_t outer = 1, length = 1, inner = 1;

  Lanes(const Shape& shape, int64_t axis) {
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
      (d < axis ? outer : d == axis ? length : inner) *= shape[d];
  }
  int64_t count() const { return outer * inner; }
  // Flat position of element k of lane `lane`.
  int64_t at(int64_t lane, int64_t k) const { return ((lane / inner) * length + k) * inner + lane % inner; }
  // The lane of the element at flat position `flat`.
  int64_t lane_of(int64_t flat) const { return flat / (length * inner) * inner + flat % inner; }
};

std::vector<double> read_lane(const HostTensor& x, const Lanes& lanes, int64_t lane);
void write_lane(RefTensor& out, const Lanes& lanes, int64_t lane, const std::vector<double>& values);

// Calls f(i) for every i in [0, n), on all cores; each call costs about
// `work` steps. f(i) writes only what belongs to i (a lane, a row), so the
// result is the same as one loop's.
template <class F>
void for_each_index(int64_t n, double work, F f) {
  parallel_for(static_cast<size_t>(n), [&f](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) f(static_cast<int64_t>(i));
  }, grain_for(work));
}

// Replaces every lane along `axis` by f(lane), which keeps its length.
template <class F>
RefTensor map_lanes(const HostTensor& x, int64_t axis, F f) {
  const Lanes lanes(x.shape, axis);
  RefTensor out = zeros(x.shape);
  for_each_index(lanes.count(), 8.0 * lanes.length,
                 [&](int64_t lane) { write_lane(out, lanes, lane, f(read_lane(x, lanes, lane))); });
  return out;
}

// Reduces every lane along `axis` to the one number f(lane); the axis goes.
template <class F>
RefTensor reduce_lanes(const HostTensor& x, int64_t axis, F f) {
  const Lanes lanes(x.shape, axis);
  Shape shape = x.shape;
  shape.erase(shape.begin() + axis);
  RefTensor out = zeros(std::move(shape));
  for_each_index(lanes.count(), 4.0 * lanes.length,
                 [&](int64_t lane) { out.values[lane] = f(read_lane(x, lanes, lane)); });
  return out;
}

// A tensor of `shape` whose element i is f(i).
template <class F>
RefTensor elements_of(Shape shape, F f) {
  RefTensor out = zeros(std::move(shape));
  for_each_index(static_cast<int64_t>(out.values.size()), 8.0, [&](int64_t i) { out.values[i] = f(i); });
  return out;
}

// A tensor of `shape` whose elements are those of a longer sequence from
// position `start` on: range(first, count, out) writes the sequence's
// elements [first, first + count) to out (OpSpec::vjp_range), called on all
// cores for blocks of the tensor.
template <class Range>
RefTensor elements_in_range(Shape shape, int64_t start, Range range) {
  RefTensor out = unset(std::move(shape));  // every element is written below, on all cores
  double* values = out.values.data();
  parallel_for(out.values.size(), [&](size_t b, size_t e) {
    range(start + static_cast<int64_t>(b), static_cast<int64_t>(e - b), values + b);
  }, size_t{1} << 16);
  return out;
}

template <class F>
RefTensor map_elements(const HostTensor& x, F f) {
  RefTensor out = zeros(x.shape);
  for_each_index(x.numel(), 4.0, [&](int64_t i) { out.values[i] = f(x.at(i)); });
  return out;
}

// The gradient of an element-wise op (its vector-Jacobian product): the
// upstream gradient times the op's derivative at each element of x.
template <class F>
std::vector<RefTensor> elementwise_vjp(const HostTensor& x, const HostTensor& dy, F derivative) {
  RefTensor g = zeros(x.shape);
  for_each_index(x.numel(), 8.0, [&](int64_t i) { g.values[i] = dy.at(i) * derivative(x.at(i)); });
  return {std::move(g)};
}

// The gradient of an op that maps each lane along `axis` to a lane of the
// same length: f(x's lane, dy's lane) is the lane of x's gradient.
// Every element belongs to one lane, written once: unset, not zeros (a pass
// over a Softmax gradient of 64 M doubles).
template <class F>
std::vector<RefTensor> lane_vjp(const HostTensor& x, int64_t axis, const HostTensor& dy, F f) {
  const Lanes lanes(x.shape, axis);
  RefTensor g = unset(x.shape);
  for_each_index(lanes.count(), 16.0 * lanes.length, [&](int64_t lane) {
    write_lane(g, lanes, lane, f(read_lane(x, lanes, lane), read_lane(dy, lanes, lane)));
  });
  return {std::move(g)};
}

// The experiment's axis, non-negative, for input x.
int64_t axis_of(const Experiment& e, const HostTensor& x);

double total(const std::vector<double>& values);

// exp(v - max) / sum(exp(v - max)): subtracting the max keeps exp finite.
std::vector<double> softmax_of(std::vector<double> values);

// A matrix inside a float32 tensor: element (r, c) is values[r * row_step +
// c * column_step]. transposed() is the same numbers read the other way, so
// a gradient's products (dy w^T, x^T dy) need no copy of a large input.
struct MatrixView {
  const float* values;
  int64_t rows, columns, row_step, column_step;

  double operator()(int64_t r, int64_t c) const { return values[r * row_step + c * column_step]; }
  MatrixView transposed() const { return {values, columns, rows, column_step, row_step}; }
};

// The sum of a[i] * b[i] over [0, n), in double: eight running sums (lane i
// mod 8, each in the order of i) added at the end, so that the additions do
// not wait on each other and the compiler can vectorize them; the same
// result on any machine and thread.
double dot(const float* a, const float* b, int64_t n);

// The rows x columns matrix at flat position `start` of float32 tensor `t`.
MatrixView matrix(const HostTensor& t, int64_t start, int64_t rows, int64_t columns);

// out[a.rows x b.columns] += a @ b, row-major: in tiles that stay in cache,
// the tiles on all cores, in register blocks compiled for the machine's
// vector unit (OPBENCH_VECTOR_CLONES). Each element's products are rounded
// and added in the order of the inner index whatever the thread count and
// the vector unit, so the result is that of the plain loop, bit for bit, on
// any number of cores of any x86-64 machine.
void multiply_add(const MatrixView& a, const MatrixView& b, double* out);

// out[m x n] = a[m x k] @ b[k x n], the matrices starting at flat positions
// a_start, b_start, out_start of their tensors.
void multiply(const HostTensor& a, int64_t a_start, const HostTensor& b, int64_t b_start, int64_t m, int64_t k, int64_t n,
              RefTensor& out, int64_t out_start);

}  // namespace opbench::reference
