// Gather: rows x[idx] of an N x F matrix.
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

Shape rows_out(const Experiment& e) { return {e.dims[1][0], e.dims[0][1]}; }

std::vector<HostTensor> gather_inputs(const Experiment& e, uint64_t seed) {
  return {normal("x", e.dims[0], seed, 0), indices(e.dims[1], e.dims[0][0], seed, 1)};
}

RefTensor gather_reference(const Experiment& e, const Inputs& in) {
  const HostTensor &x = in[0], &idx = in[1];
  RefTensor out = output_of(e);
  const int64_t features = x.shape[1];
  for_each_index(idx.numel(), 2.0 * features, [&](int64_t r) {
    for (int64_t f = 0; f < features; ++f) out.values[r * features + f] = x.at(idx.i64[r] * features + f);
  });
  return out;
}

// Element `flat` of the result: column flat % F of row idx[flat / F].
double gather_at(const Experiment&, const Inputs& in, int64_t flat) {
  const HostTensor &x = in[0], &idx = in[1];
  const int64_t features = x.shape[1];
  return x.at(idx.i64[flat / features] * features + flat % features);
}

// x, the indices and the result.
double gather_bytes(const Experiment& e) {
  return element_count(e.dims[0]) * static_cast<double>(dtype_bytes(e.dtype)) + e.dims[1][0] * 8.0 + output_bytes(e);
}

// x in float32, the indices in int64.
double gather_memory(const Experiment& e) {
  return static_cast<double>(element_count(e.dims[0])) * 4 + static_cast<double>(element_count(e.dims[1])) * 8;
}

// Row r of dy goes back to row idx[r] of x; a row picked twice adds both.
std::vector<RefTensor> gather_vjp(const Experiment&, const Inputs& in, const HostTensor& dy) {
  const HostTensor &x = in[0], &idx = in[1];
  RefTensor dx = zeros(x.shape);
  const int64_t features = x.shape[1];
  for (int64_t r = 0; r < idx.numel(); ++r)
    for (int64_t f = 0; f < features; ++f) dx.values[idx.i64[r] * features + f] += dy.at(r * features + f);
  return {std::move(dx)};
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(gather) {
  using namespace opbench;
  using namespace opbench::op_unit;
  return {{
      .name = "Gather",
      .summary = "rows x[idx] of an N x F matrix",
      .arity = 2,
      .check_shapes = need_indexable_rows,
      .make_inputs = gather_inputs,
      .output_shape = rows_out,
      .reference = gather_reference,
      .reference_at = gather_at,
      .vjp = gather_vjp,
      .computes_values = false,
      .flops = no_flops,
      .bytes_moved = gather_bytes,
      .input_memory = gather_memory,
      .quick = {"Gather dim1=64x256 dim2=100", "Gather dim1=1024x32 dim2=10000"},
  }};
}
