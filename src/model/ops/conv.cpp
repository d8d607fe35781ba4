// Conv1d and Conv2d: convolutions (cross-correlations) on channels-last
// data, stride 1, no padding, no bias.
#include <algorithm>

#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

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

Shape conv_out(const Experiment& e) {
  const Shape &x = e.dims[0], &w = e.dims[1];
  Shape s = x;
  for (size_t i = 1; i + 1 < x.size(); ++i) s[i] = x[i] - w[i] + 1;
  s.back() = w[0];
  return s;
}

double conv_flops(const Experiment& e) {
  return 2.0 * element_count(conv_out(e)) * (element_count(e.dims[1]) / e.dims[1][0]);
}

std::vector<HostTensor> conv_inputs(const Experiment& e, uint64_t s) { return named_normal_inputs(e, s, {"x", "w"}); }

// Convolution of x N x H x W x Cin with w Cout x KH x KW x Cin (stride 1, no
// padding) into `out`, laid out N x H' x W' x Cout. Conv1d is the case H = KH = 1.
RefTensor convolve(const HostTensor& x, const Shape& xs, const HostTensor& w, const Shape& ws, RefTensor out) {
  const Shape os = {xs[0], xs[1] - ws[1] + 1, xs[2] - ws[2] + 1, ws[0]};
  // One output row (n, i) per index: rows write disjoint outputs.
  for_each_index(os[0] * os[1], static_cast<double>(os[2]) * os[3] * ws[1] * ws[2] * ws[3], [&](int64_t row) {
    const int64_t n = row / os[1], i = row % os[1];
    for (int64_t j = 0; j < os[2]; ++j)
      for (int64_t co = 0; co < os[3]; ++co) {
        double acc = 0.0;
        for (int64_t di = 0; di < ws[1]; ++di)
          for (int64_t dj = 0; dj < ws[2]; ++dj)
            for (int64_t ci = 0; ci < ws[3]; ++ci)
              acc += x.at(offset(xs, {n, i + di, j + dj, ci})) * w.at(offset(ws, {co, di, dj, ci}));
        out.values[offset(os, {n, i, j, co})] = acc;
      }
  });
  return out;
}

RefTensor conv1d_reference(const Experiment& e, const Inputs& in) {
  const Shape &x = in[0].shape, &w = in[1].shape;
  return convolve(in[0], {x[0], 1, x[1], x[2]}, in[1], {w[0], 1, w[1], w[2]}, output_of(e));
}

RefTensor conv2d_reference(const Experiment& e, const Inputs& in) {
  return convolve(in[0], in[0].shape, in[1], in[1].shape, output_of(e));
}

// The shapes of a convolution seen as 2-D (Conv1d is the case H = KH = 1):
// x N x H x W x Cin, w Cout x KH x KW x Cin, the result N x H' x W' x Cout.
struct ConvShapes {
  Shape xs, ws, os;

  explicit ConvShapes(const Inputs& in) {
    const Shape &x = in[0].shape, &w = in[1].shape;
    const bool one_d = x.size() == 3;
    xs = one_d ? Shape{x[0], 1, x[1], x[2]} : x;
    ws = one_d ? Shape{w[0], 1, w[1], w[2]} : w;
    os = {xs[0], xs[1] - ws[1] + 1, xs[2] - ws[2] + 1, ws[0]};
  }
  int64_t positions() const { return os[0] * os[1] * os[2]; }
};

// One element of the result, for shapes whose full reference costs too much.
// Conv1d is Conv2d with H = KH = 1: both go through the 2-D index.
double convolution_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &x = in[0], &w = in[1];
  const ConvShapes s(in);
  const Shape &xs = s.xs, &ws = s.ws, &os = s.os;
  std::vector<int64_t> o = unravel(os, flat);
  double sum = 0;
  for (int64_t di = 0; di < ws[1]; ++di)
    for (int64_t dj = 0; dj < ws[2]; ++dj)
      for (int64_t ci = 0; ci < ws[3]; ++ci)
        sum += x.at(((o[0] * xs[1] + o[1] + di) * xs[2] + o[2] + dj) * xs[3] + ci) *
               w.at(((o[3] * ws[1] + di) * ws[2] + dj) * ws[3] + ci);
  return sum;
}

// dx[n, y, x, ci] = sum over the windows that cover (y, x) of
// dy[n, y-di, x-dj, co] w[co, di, dj, ci]: each row (n, y) of dx gathers
// what it gets, in the order di, dj, co, so rows go to any core.
RefTensor input_gradient(const HostTensor& x, const HostTensor& w, const HostTensor& dy, const ConvShapes& s) {
  const Shape &xs = s.xs, &ws = s.ws, &os = s.os;
  const int64_t cin = xs[3], cout = ws[0];
  RefTensor dx = zeros(x.shape);
  for_each_index(xs[0] * xs[1], static_cast<double>(xs[2]) * ws[1] * ws[2] * cout * cin, [&](int64_t row) {
    const int64_t n = row / xs[1], y = row % xs[1];
    for (int64_t col = 0; col < xs[2]; ++col) {
      double* acc = &dx.values[(row * xs[2] + col) * cin];
      for (int64_t di = std::max<int64_t>(0, y - os[1] + 1); di <= std::min(y, ws[1] - 1); ++di)
        for (int64_t dj = std::max<int64_t>(0, col - os[2] + 1); dj <= std::min(col, ws[2] - 1); ++dj) {
          const float* g = &dy.f32[((n * os[1] + y - di) * os[2] + col - dj) * cout];
          for (int64_t co = 0; co < cout; ++co) {
            const double gv = g[co];
            const float* wv = &w.f32[((co * ws[1] + di) * ws[2] + dj) * cin];
            for (int64_t ci = 0; ci < cin; ++ci) acc[ci] += gv * wv[ci];
          }
        }
    }
  });
  return dx;
}

// dw[co, di, dj, ci] = sum over the result's positions (n, i, j) of
// dy[n, i, j, co] x[n, i+di, j+dj, ci]. The positions are split into chunks
// of a size the shapes alone fix; each chunk's sum (any core) is a partial
// dw, and the partials are added in chunk order: the same result on any
// number of cores. For one (co, di) the (dj, ci) run is contiguous in both
// dw and x.
RefTensor weight_gradient(const HostTensor& x, const HostTensor& w, const HostTensor& dy, const ConvShapes& s) {
  const Shape &xs = s.xs, &ws = s.ws, &os = s.os;
  const int64_t cout = ws[0], run = ws[2] * xs[3], weights = w.numel(), positions = s.positions();
  // At least 256 positions a chunk; more where the partials would pass 2^24 doubles (128 MiB).
  const int64_t per_chunk = std::max<int64_t>(256, (positions * weights + (int64_t{1} << 24) - 1) >> 24);
  const int64_t chunks = (positions + per_chunk - 1) / per_chunk;
  HostBuffer<double> partial(chunks * weights, 0.0);
  for_each_index(chunks, static_cast<double>(per_chunk) * weights, [&](int64_t c) {
    double* dw = &partial[c * weights];
    for (int64_t pos = c * per_chunk; pos < std::min(positions, (c + 1) * per_chunk); ++pos) {
      const int64_t n = pos / (os[1] * os[2]), i = pos / os[2] % os[1], j = pos % os[2];
      for (int64_t co = 0; co < cout; ++co) {
        const double gv = dy.f32[pos * cout + co];
        for (int64_t di = 0; di < ws[1]; ++di) {
          const float* xv = &x.f32[((n * xs[1] + i + di) * xs[2] + j) * xs[3]];
          double* dwv = dw + (co * ws[1] + di) * run;
          for (int64_t k = 0; k < run; ++k) dwv[k] += gv * xv[k];
        }
      }
    }
  });
  RefTensor dw = zeros(w.shape);
  for_each_index(weights, static_cast<double>(chunks), [&](int64_t k) {
    for (int64_t c = 0; c < chunks; ++c) dw.values[k] += partial[c * weights + k];
  });
  return dw;
}

// The gradients of x and w: each product x[n, i+di, j+dj, ci] w[co, di, dj,
// ci] of result element (n, i, j, co) sends dy there times the other factor
// to each factor's gradient.
std::vector<RefTensor> convolution_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const ConvShapes shapes(in);
  return {input_gradient(in[0], in[1], dy, shapes), weight_gradient(in[0], in[1], dy, shapes)};
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(conv) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {
      {
          .name = "Conv1d",
          .summary = "1-D convolution, NLC x (Cout K Cin), stride 1, no padding",
          .arity = 2,
          .check_shapes = conv1d_shapes,
          .make_inputs = conv_inputs,
          .output_shape = conv_out,
          .reference = conv1d_reference,
          .reference_at = convolution_at,
          .vjp = convolution_vjp,
          .tolerance = Tolerance::tf32,
          .flops = conv_flops,
          .quick = {"Conv1d dim1=10x256x3 dim2=8x3x3", "Conv1d dim1=4x100x16 dim2=32x5x16"},
      },
      {
          .name = "Conv2d",
          .summary = "2-D convolution, NHWC x (Cout KH KW Cin), stride 1, no padding",
          .arity = 2,
          .check_shapes = conv2d_shapes,
          .make_inputs = conv_inputs,
          .output_shape = conv_out,
          .reference = conv2d_reference,
          .reference_at = convolution_at,
          .vjp = convolution_vjp,
          .tolerance = Tolerance::tf32,
          .flops = conv_flops,
          .quick = {"Conv2d dim1=10x28x28x3 dim2=8x3x3x3", "Conv2d dim1=1x32x32x16 dim2=8x3x3x16"},
      },
  };
}
