#include "core/reference.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ops.h"

namespace opbench::reference {

namespace {

// ---- layout helpers ------------------------------------------------------

RefTensor zeros(Shape shape) {
  const int64_t count = element_count(shape);
  return {std::move(shape), std::vector<double>(count, 0.0)};
}

// The result of `e`, zero-filled, shaped by the op table so that the two
// can never disagree.
RefTensor output_of(const Experiment& e) { return zeros(find_op(e.op).output_shape(e)); }

// Row-major offset of `index` in a tensor of shape `shape`.
int64_t offset(const Shape& shape, std::initializer_list<int64_t> index) {
  int64_t at = 0;
  size_t d = 0;
  for (int64_t i : index) at = at * shape[d++] + i;
  return at;
}

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
};

std::vector<double> read_lane(const HostTensor& x, const Lanes& lanes, int64_t lane) {
  std::vector<double> values(lanes.length);
  for (int64_t k = 0; k < lanes.length; ++k) values[k] = x.at(lanes.at(lane, k));
  return values;
}

void write_lane(RefTensor& out, const Lanes& lanes, int64_t lane, const std::vector<double>& values) {
  for (int64_t k = 0; k < lanes.length; ++k) out.values[lanes.at(lane, k)] = values[k];
}

// Replaces every lane along `axis` by f(lane), which keeps its length.
template <class F>
RefTensor map_lanes(const HostTensor& x, int64_t axis, F f) {
  const Lanes lanes(x.shape, axis);
  RefTensor out = zeros(x.shape);
  for (int64_t lane = 0; lane < lanes.count(); ++lane) write_lane(out, lanes, lane, f(read_lane(x, lanes, lane)));
  return out;
}

// Reduces every lane along `axis` to the one number f(lane); the axis goes.
template <class F>
RefTensor reduce_lanes(const HostTensor& x, int64_t axis, F f) {
  const Lanes lanes(x.shape, axis);
  Shape shape = x.shape;
  shape.erase(shape.begin() + axis);
  RefTensor out = zeros(std::move(shape));
  for (int64_t lane = 0; lane < lanes.count(); ++lane) out.values[lane] = f(read_lane(x, lanes, lane));
  return out;
}

template <class F>
RefTensor map_elements(const HostTensor& x, F f) {
  RefTensor out = zeros(x.shape);
  for (int64_t i = 0; i < x.numel(); ++i) out.values[i] = f(x.at(i));
  return out;
}

int64_t axis_of(const Experiment& e, const HostTensor& x) { return normalized_axis(e, x.shape.size()); }

// ---- numeric helpers -----------------------------------------------------

double total(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

// exp(v - max) / sum(exp(v - max)): subtracting the max keeps exp finite.
std::vector<double> softmax_of(std::vector<double> values) {
  const double top = *std::max_element(values.begin(), values.end());
  for (double& v : values) v = std::exp(v - top);
  const double sum = total(values);
  for (double& v : values) v /= sum;
  return values;
}

// out[m x n] = a[m x k] @ b[k x n], the matrices starting at flat positions
// a_start, b_start, out_start of their tensors.
void multiply(const HostTensor& a, int64_t a_start, const HostTensor& b, int64_t b_start, int64_t m, int64_t k, int64_t n,
              RefTensor& out, int64_t out_start) {
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) acc += a.at(a_start + i * k + p) * b.at(b_start + p * n + j);
      out.values[out_start + i * n + j] = acc;
    }
}

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

// Convolution of x N x H x W x Cin with w Cout x KH x KW x Cin (stride 1, no
// padding) into `out`, laid out N x H' x W' x Cout. Conv1d is the case H = KH = 1.
RefTensor convolve(const HostTensor& x, const Shape& xs, const HostTensor& w, const Shape& ws, RefTensor out) {
  const Shape os = {xs[0], xs[1] - ws[1] + 1, xs[2] - ws[2] + 1, ws[0]};
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t i = 0; i < os[1]; ++i)
      for (int64_t j = 0; j < os[2]; ++j)
        for (int64_t co = 0; co < os[3]; ++co) {
          double acc = 0.0;
          for (int64_t di = 0; di < ws[1]; ++di)
            for (int64_t dj = 0; dj < ws[2]; ++dj)
              for (int64_t ci = 0; ci < ws[3]; ++ci)
                acc += x.at(offset(xs, {n, i + di, j + dj, ci})) * w.at(offset(ws, {co, di, dj, ci}));
          out.values[offset(os, {n, i, j, co})] = acc;
        }
  return out;
}

// out = zeros N x F; then row idx[e] of out becomes combine(itself, row e of src).
template <class F>
RefTensor scatter_rows(const Experiment& e, const Inputs& in, F combine) {
  const HostTensor &idx = in[0], &src = in[1];
  RefTensor out = output_of(e);
  const int64_t features = out.shape[1];
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) {
      double& slot = out.values[idx.i64[r] * features + f];
      slot = combine(slot, src.at(r * features + f));
    }
  return out;
}

// PyTorch's BCE clamps each log at -100 so that p = 0 or 1 stays finite.
double clamped_log(double v) { return std::max(std::log(v), -100.0); }

}  // namespace

// ---- ops, in the order of reference.h ------------------------------------

// First occurrence on ties, as max_element gives.
RefTensor argmax(const Experiment& e, const Inputs& in) {
  return reduce_lanes(in[0], axis_of(e, in[0]), [](const std::vector<double>& lane) {
    return static_cast<double>(std::max_element(lane.begin(), lane.end()) - lane.begin());
  });
}

RefTensor bce(const Experiment&, const Inputs& in) {
  const HostTensor &p = in[0], &t = in[1];
  double loss = 0.0;
  for (int64_t i = 0; i < p.numel(); ++i)
    loss -= t.at(i) * clamped_log(p.at(i)) + (1.0 - t.at(i)) * clamped_log(1.0 - p.at(i));
  return {{}, {loss / static_cast<double>(p.numel())}};
}

// Each lane of the result is a's lane followed by b's.
RefTensor concat(const Experiment& e, const Inputs& in) {
  const HostTensor &a = in[0], &b = in[1];
  const int64_t axis = axis_of(e, a);
  RefTensor out = output_of(e);
  const Lanes a_lanes(a.shape, axis), b_lanes(b.shape, axis), out_lanes(out.shape, axis);
  for (int64_t lane = 0; lane < out_lanes.count(); ++lane) {
    std::vector<double> joined = read_lane(a, a_lanes, lane), tail = read_lane(b, b_lanes, lane);
    joined.insert(joined.end(), tail.begin(), tail.end());
    write_lane(out, out_lanes, lane, joined);
  }
  return out;
}

RefTensor conv1d(const Experiment& e, const Inputs& in) {
  const Shape &x = in[0].shape, &w = in[1].shape;
  return convolve(in[0], {x[0], 1, x[1], x[2]}, in[1], {w[0], 1, w[1], w[2]}, output_of(e));
}

RefTensor conv2d(const Experiment& e, const Inputs& in) {
  return convolve(in[0], in[0].shape, in[1], in[1].shape, output_of(e));
}

RefTensor gather(const Experiment& e, const Inputs& in) {
  const HostTensor &x = in[0], &idx = in[1];
  RefTensor out = output_of(e);
  const int64_t features = x.shape[1];
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) out.values[r * features + f] = x.at(idx.i64[r] * features + f);
  return out;
}

RefTensor layer_norm(const Experiment&, const Inputs& in) {
  const int64_t last = static_cast<int64_t>(in[0].shape.size()) - 1;
  return map_lanes(in[0], last, [](std::vector<double> lane) {
    const double n = static_cast<double>(lane.size()), mean = total(lane) / n;
    double variance = 0.0;  // biased: divided by n, as LayerNorm does
    for (double v : lane) variance += (v - mean) * (v - mean) / n;
    for (double& v : lane) v = (v - mean) / std::sqrt(variance + 1e-5);
    return lane;
  });
}

RefTensor leaky_relu(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x > 0 ? x : 0.01 * x; });
}

// Every row of x (all leading axes together) times w, plus b.
RefTensor linear(const Experiment& e, const Inputs& in) {
  const HostTensor &x = in[0], &w = in[1], &b = in[2];
  const int64_t k = w.shape[0], n = w.shape[1];
  RefTensor out = output_of(e);
  multiply(x, 0, w, 0, x.numel() / k, k, n, out, 0);
  for (int64_t i = 0; i < element_count(out.shape); ++i) out.values[i] += b.at(i % n);
  return out;
}

RefTensor matmul(const Experiment& e, const Inputs& in) {
  const HostTensor &a = in[0], &b = in[1];
  RefTensor out = output_of(e);
  const int64_t m = a.shape[a.shape.size() - 2], k = a.shape.back(), n = b.shape.back();
  const Shape batch(out.shape.begin(), out.shape.end() - 2);
  for (int64_t t = 0; t < element_count(batch); ++t)
    multiply(a, broadcast_source(a.shape, batch, t) * m * k, b, broadcast_source(b.shape, batch, t) * k * n, m, k, n, out,
             t * m * n);
  return out;
}

RefTensor prelu(const Experiment&, const Inputs& in) {
  const double alpha = in[1].at(0);
  return map_elements(in[0], [alpha](double x) { return x > 0 ? x : alpha * x; });
}

RefTensor relu(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return std::max(x, 0.0); });
}

// Query i attends to keys j <= i only (the causal mask aligned top-left, also
// when Lq != Lk): masked keys get weight exp(-inf) = 0, so they are left out
// of the softmax. Key 0 is always visible, so no row is empty.
RefTensor scaled_dot_product_attention(const Experiment&, const Inputs& in) {
  const HostTensor &q = in[0], &k = in[1], &v = in[2];
  const int64_t batches = q.shape[0], heads = q.shape[1], lq = q.shape[2], lk = k.shape[2], d = q.shape[3];
  const double scale = 1.0 / std::sqrt(static_cast<double>(d));
  RefTensor out = zeros(q.shape);
  for (int64_t b = 0; b < batches; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t i = 0; i < lq; ++i) {
        const int64_t visible = std::min(i + 1, lk);
        std::vector<double> scores(visible, 0.0);
        for (int64_t j = 0; j < visible; ++j)
          for (int64_t c = 0; c < d; ++c)
            scores[j] += q.at(offset(q.shape, {b, h, i, c})) * k.at(offset(k.shape, {b, h, j, c})) * scale;
        const std::vector<double> weights = softmax_of(std::move(scores));
        for (int64_t j = 0; j < visible; ++j)
          for (int64_t c = 0; c < d; ++c)
            out.values[offset(q.shape, {b, h, i, c})] += weights[j] * v.at(offset(v.shape, {b, h, j, c}));
      }
  return out;
}

RefTensor scatter(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double, double src) { return src; });  // the last writer wins
}

RefTensor scatter_sum(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double old, double src) { return old + src; });
}

// The initial zeros take part, so a row that only gets negative sources stays 0.
RefTensor scatter_max(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double old, double src) { return std::max(old, src); });
}

RefTensor selu(const Experiment&, const Inputs& in) {
  constexpr double lambda = 1.0507009873554805, alpha = 1.6732632423543772;
  return map_elements(in[0], [](double x) { return x > 0 ? lambda * x : lambda * alpha * (std::exp(x) - 1.0); });
}

RefTensor sigmoid(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
}

RefTensor softmax(const Experiment& e, const Inputs& in) { return map_lanes(in[0], axis_of(e, in[0]), softmax_of); }

// PyTorch returns x itself above its threshold of 20; below, log1p keeps
// precision where exp(x) is tiny.
RefTensor softplus(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x > 20 ? x : std::log1p(std::exp(x)); });
}

RefTensor sort(const Experiment& e, const Inputs& in) {
  return map_lanes(in[0], axis_of(e, in[0]), [](std::vector<double> lane) {
    std::sort(lane.begin(), lane.end());
    return lane;
  });
}

RefTensor sum(const Experiment& e, const Inputs& in) { return reduce_lanes(in[0], axis_of(e, in[0]), total); }

RefTensor sum_all(const Experiment&, const Inputs& in) {
  double acc = 0.0;
  for (int64_t i = 0; i < in[0].numel(); ++i) acc += in[0].at(i);
  return {{}, {acc}};
}

RefTensor copy(const Experiment&, const Inputs& in) {
  return map_elements(in[0], [](double x) { return x; });
}

}  // namespace opbench::reference
