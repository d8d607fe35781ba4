#include "model/ops/unit.h"

#include "model/random.h"

namespace opbench::op_unit {

[[noreturn]] void bad(const std::string& why) { throw UsageError(why); }

std::string dim_text(const Experiment& e, size_t i) {
  return "dim" + std::to_string(i + 1) + "=" + format_shape(e.dims[i]);
}

void need_rank(const Experiment& e, size_t i, size_t rank, const char* layout) {
  if (e.dims[i].size() != rank)
    bad(e.op + " needs " + dim_text(e, i).substr(0, 4) + " of rank " + std::to_string(rank) + " (" + layout + "), got " +
        dim_text(e, i));
}

void need_equal(const Experiment& e, size_t i, size_t ai, size_t j, size_t aj, const char* what) {
  if (e.dims[i][ai] != e.dims[j][aj])
    bad(e.op + ": " + what + " differ between " + dim_text(e, i) + " and " + dim_text(e, j));
}

void any_shape(const Experiment&) {}

void same_shapes(const Experiment& e) {
  if (e.dims[0] != e.dims[1]) bad(e.op + ": " + dim_text(e, 0) + " and " + dim_text(e, 1) + " must have the same shape");
}

// Indices are drawn from [0, N-1), which is empty unless N >= 2.
void need_indexable_rows(const Experiment& e) {
  need_rank(e, 0, 2, "N x F");
  need_rank(e, 1, 1, "E indices");
  if (e.dims[0][0] < 2) bad(e.op + " needs at least 2 rows in " + dim_text(e, 0) + " (indices are drawn from [0, N-1))");
}

Shape same_as_input(const Experiment& e) { return e.dims[0]; }
Shape scalar(const Experiment&) { return {}; }
Shape without_axis(const Experiment& e) {
  Shape s = e.dims[0];
  s.erase(s.begin() + normalized_axis(e, s.size()));
  return s;
}

double no_flops(const Experiment&) { return 0; }

HostTensor float_input(std::string name, const Shape& shape) {
  HostTensor t{std::move(name), shape, DType::Float32, {}, {}};
  t.f32.resize(element_count(shape));
  return t;
}

HostTensor normal(std::string name, const Shape& shape, uint64_t seed, uint64_t stream) {
  HostTensor t = float_input(std::move(name), shape);
  fill_normal(t.f32, seed, stream);
  return t;
}

HostTensor indices(const Shape& shape, int64_t rows, uint64_t seed, uint64_t stream) {
  HostTensor t{"idx", shape, DType::Int64, {}, {}};
  t.i64.resize(element_count(shape));
  fill_index(t.i64, rows - 1, seed, stream);
  return t;
}

std::vector<HostTensor> normal_inputs(const Experiment& e, uint64_t seed) {
  static const char* names[] = {"x", "y", "z"};
  std::vector<HostTensor> out;
  for (size_t i = 0; i < e.dims.size(); ++i) out.push_back(normal(names[i], e.dims[i], seed, i));
  return out;
}

std::vector<HostTensor> named_normal_inputs(const Experiment& e, uint64_t seed, std::vector<std::string> names) {
  std::vector<HostTensor> out;
  for (size_t i = 0; i < e.dims.size(); ++i) out.push_back(normal(names[i], e.dims[i], seed, i));
  return out;
}

}  // namespace opbench::op_unit
