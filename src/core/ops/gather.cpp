// Gather: rows x[idx] of an N x F matrix.
#include "core/ops/unit.h"

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

// x, the indices and the result.
double gather_bytes(const Experiment& e) {
  return element_count(e.dims[0]) * static_cast<double>(dtype_bytes(e.dtype)) + e.dims[1][0] * 8.0 + output_bytes(e);
}

// x in float32, the indices in int64.
double gather_memory(const Experiment& e) {
  return static_cast<double>(element_count(e.dims[0])) * 4 + static_cast<double>(element_count(e.dims[1])) * 8;
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
      .computes_values = false,
      .flops = no_flops,
      .bytes_moved = gather_bytes,
      .input_memory = gather_memory,
      .quick = {"Gather dim1=64x256 dim2=100", "Gather dim1=1024x32 dim2=10000"},
  }};
}
