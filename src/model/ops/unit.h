#pragma once
// What an op unit (a file of src/model/ops/) builds on: OpSpec and its
// registration, the double-precision reference's helpers, and the shape,
// input and work helpers that several ops share.
#include <string>
#include <vector>

#include "model/error.h"
#include "model/ops.h"
#include "model/reference.h"

namespace opbench::op_unit {

using reference::Inputs;

[[noreturn]] void bad(const std::string& why);

// "dim2=4x5": shape argument i of `e` as the user wrote it.
std::string dim_text(const Experiment& e, size_t i);
void need_rank(const Experiment& e, size_t i, size_t rank, const char* layout);
void need_equal(const Experiment& e, size_t i, size_t ai, size_t j, size_t aj, const char* what);

// ---- shape checks --------------------------------------------------------
void any_shape(const Experiment&);
void same_shapes(const Experiment& e);
// dim1 an N x F matrix, dim2 E indices into its rows, N >= 2.
void need_indexable_rows(const Experiment& e);

// ---- output shapes -------------------------------------------------------
Shape same_as_input(const Experiment& e);
Shape scalar(const Experiment&);
Shape without_axis(const Experiment& e);

// ---- work ----------------------------------------------------------------
// K operations per element of dim1.
template <int K>
double per_element(const Experiment& e) {
  return K * static_cast<double>(element_count(e.dims[0]));
}
double no_flops(const Experiment&);

// ---- inputs --------------------------------------------------------------
// A float32 input of `shape`, zero-filled.
HostTensor float_input(std::string name, const Shape& shape);
// Standard normal values from stream `stream` of `seed`.
HostTensor normal(std::string name, const Shape& shape, uint64_t seed, uint64_t stream);
// Indices drawn from [0, rows - 1).
HostTensor indices(const Shape& shape, int64_t rows, uint64_t seed, uint64_t stream);
// One normal input per dimN, named x, y, z.
std::vector<HostTensor> normal_inputs(const Experiment& e, uint64_t seed);
// One normal input per dimN, named `names`.
std::vector<HostTensor> named_normal_inputs(const Experiment& e, uint64_t seed, std::vector<std::string> names);

}  // namespace opbench::op_unit
