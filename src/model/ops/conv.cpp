// Conv1d and Conv2d: convolutions (cross-correlations) on channels-last
// data, stride 1, no padding, no bias.
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

// One element of the result, for shapes whose full reference costs too much.
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

// Each product x[n, i+di, j+dj, ci] w[co, di, dj, ci] of output element
// (n, i, j, co) sends dy there times the other factor to each factor's
// gradient. Conv1d is the case H = KH = 1, as in the forward.
std::vector<RefTensor> convolution_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &x = in[0], &w = in[1];
  bool one_d = x.shape.size() == 3;
  Shape xs = one_d ? Shape{x.shape[0], 1, x.shape[1], x.shape[2]} : x.shape;
  Shape ws = one_d ? Shape{w.shape[0], 1, w.shape[1], w.shape[2]} : w.shape;
  Shape os = {xs[0], xs[1] - ws[1] + 1, xs[2] - ws[2] + 1, ws[0]};
  RefTensor dx = zeros(x.shape), dw = zeros(w.shape);
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t i = 0; i < os[1]; ++i)
      for (int64_t j = 0; j < os[2]; ++j)
        for (int64_t co = 0; co < os[3]; ++co) {
          const double g = dy.at(offset(os, {n, i, j, co}));
          for (int64_t di = 0; di < ws[1]; ++di)
            for (int64_t dj = 0; dj < ws[2]; ++dj)
              for (int64_t ci = 0; ci < ws[3]; ++ci) {
                const int64_t xo = offset(xs, {n, i + di, j + dj, ci}), wo = offset(ws, {co, di, dj, ci});
                dx.values[xo] += g * w.at(wo);
                dw.values[wo] += g * x.at(xo);
              }
        }
  return {std::move(dx), std::move(dw)};
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
