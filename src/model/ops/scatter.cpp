// Scatter, ScatterSum, ScatterMax: rows of a source written, added or
// maxed into a zero N x F buffer at the rows an index names.
#include <algorithm>

#include "model/ops/unit.h"
#include "model/parallel.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

// src = x[idx2]: rows of a normal N x F matrix picked by a second index draw.
std::vector<HostTensor> scatter_inputs(const Experiment& e, uint64_t seed) {
  int64_t n = e.dims[0][0], f = e.dims[0][1], count = e.dims[1][0];
  HostTensor x = normal("x", e.dims[0], seed, 0);
  HostTensor idx = indices(e.dims[1], n, seed, 1);
  HostTensor rows = indices(e.dims[1], n, seed, 2);
  HostTensor src = float_input("src", {count, f});
  parallel_for(static_cast<size_t>(count), [&](size_t first, size_t last) {
    for (size_t r = first; r < last; ++r) std::copy_n(x.f32.begin() + rows.i64[r] * f, f, src.f32.begin() + r * f);
  }, grain_for(static_cast<double>(f)));
  return {std::move(idx), std::move(src)};
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

// Scatter's result depends on which duplicate index wins; the reference
// gives the last writer, and the any_writer check accepts any candidate.
RefTensor scatter_reference(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double, double src) { return src; });
}

RefTensor scatter_sum_reference(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double old, double src) { return old + src; });
}

// The initial zeros take part, so a row that only gets negative sources stays 0.
RefTensor scatter_max_reference(const Experiment& e, const Inputs& in) {
  return scatter_rows(e, in, [](double old, double src) { return std::max(old, src); });
}

// Gradients reach src only (the zero buffer is no input). Scatter and
// ScatterSum: every source row gets dy at the row it was written to. For
// Scatter that includes rows a duplicate index overwrote: both frameworks
// define it so (PyTorch's index_put_ and MLX's scatter gather dy at idx).
std::vector<RefTensor> gathered_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &idx = in[0], &src = in[1];
  const int64_t features = src.shape[1];
  RefTensor dsrc = zeros(src.shape);
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) dsrc.values[r * features + f] = dy.at(idx.i64[r] * features + f);
  return {std::move(dsrc)};
}

// ScatterMax: a source element gets dy where it is its row's maximum, shared
// evenly among the elements that tie for it (the buffer's 0 counts where it
// is the maximum), so the gradients of a maximum add up to dy: PyTorch's
// convention; MLX gives each tied element the whole of dy (docs/ops.md).
std::vector<RefTensor> scatter_max_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  const HostTensor &idx = in[0], &src = in[1];
  const int64_t features = src.shape[1];
  const RefTensor out = scatter_max_reference(e, in);
  std::vector<double> ties(out.values.size());
  for (size_t i = 0; i < ties.size(); ++i) ties[i] = out.values[i] == 0.0;
  auto target = [&](int64_t r, int64_t f) { return idx.i64[r] * features + f; };
  auto is_max = [&](int64_t r, int64_t f) { return src.at(r * features + f) == out.values[target(r, f)]; };
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) ties[target(r, f)] += is_max(r, f);
  RefTensor dsrc = zeros(src.shape);
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f)
      if (is_max(r, f)) dsrc.values[r * features + f] = dy.at(target(r, f)) / ties[target(r, f)];
  return {std::move(dsrc)};
}

// MLX's convention: each element that ties for its row's maximum gets the
// whole of dy there (OpSpec::vjp_alternative; the check accepts either).
std::vector<RefTensor> scatter_max_whole_vjp(const Experiment& e, const Inputs& in, const HostTensor& dy) {
  const HostTensor &idx = in[0], &src = in[1];
  const int64_t features = src.shape[1];
  const RefTensor out = scatter_max_reference(e, in);
  RefTensor dsrc = zeros(src.shape);
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) {
      const int64_t target = idx.i64[r] * features + f;
      if (src.at(r * features + f) == out.values[target]) dsrc.values[r * features + f] = dy.at(target);
    }
  return {std::move(dsrc)};
}

double per_source_element(const Experiment& e) { return static_cast<double>(e.dims[1][0]) * e.dims[0][1]; }

// idx, the source rows, the result: the buffer's old rows are not read.
double scatter_bytes(const Experiment& e) {
  return e.dims[1][0] * (8.0 + e.dims[0][1] * static_cast<double>(dtype_bytes(e.dtype))) + output_bytes(e);
}

// The inputs at their peak while being made: the normal N x F matrix the
// source rows are drawn from, two index draws, and the rows themselves.
double scatter_memory(const Experiment& e) {
  double rows = static_cast<double>(element_count(e.dims[1])), features = static_cast<double>(e.dims[0][1]);
  return static_cast<double>(element_count(e.dims[0])) * 4 + rows * 8 * 2 + rows * features * 4;
}

// What the three share: arguments, inputs, result shape, models.
using Vjp = std::vector<RefTensor> (*)(const Experiment&, const Inputs&, const HostTensor&);
OpSpec scatter_spec(std::string name, std::string summary, RefTensor (*computes)(const Experiment&, const Inputs&),
                    Vjp vjp) {
  return {
      .name = std::move(name),
      .summary = std::move(summary),
      .arity = 2,
      .check_shapes = need_indexable_rows,
      .make_inputs = scatter_inputs,
      .output_shape = same_as_input,
      .reference = computes,
      .vjp = vjp,
      .flops = per_source_element,
      .bytes_moved = scatter_bytes,
      .input_memory = scatter_memory,
      .quick = {},
  };
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(scatter) {
  using namespace opbench;
  OpSpec scatter = scatter_spec("Scatter", "out = zeros; out[idx[e], :] = src[e, :]", scatter_reference, gathered_vjp);
  scatter.check = CheckKind::any_writer;
  scatter.computes_values = false;
  scatter.flops = op_unit::no_flops;
  scatter.quick = {"Scatter dim1=64x16 dim2=1000", "Scatter dim1=1024x32 dim2=100"};
  OpSpec sum = scatter_spec("ScatterSum", "out = zeros; out[idx[e], :] += src[e, :]", scatter_sum_reference, gathered_vjp);
  sum.quick = {"ScatterSum dim1=64x16 dim2=1000", "ScatterSum dim1=1024x32 dim2=100"};
  OpSpec max = scatter_spec("ScatterMax", "out = zeros; out[idx[e], :] = max(out[idx[e], :], src[e, :])",
                            scatter_max_reference, scatter_max_vjp);
  max.computes_values = false;
  max.vjp_alternative = scatter_max_whole_vjp;
  max.quick = {"ScatterMax dim1=64x16 dim2=1000", "ScatterMax dim1=1024x32 dim2=100"};
  return {scatter, sum, max};
}
