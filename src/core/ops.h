#pragma once
// The ops opbench times, defined once for every framework: which arguments
// they take, which inputs they get, what they must compute. Framework code
// lives in src/backends/<framework>/ and is looked up by the op's name.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/experiment.h"
#include "core/tensor.h"

namespace opbench {

struct OpSpec {
  std::string name;
  std::string summary;  // what it computes, one line, for `opbench list`
  int arity = 1;        // how many dimN arguments
  bool takes_axis = false;

  // Op-specific checks beyond arity and axis range: shapes that can be
  // multiplied, joined, convolved. Throws UsageError.
  void (*check_shapes)(const Experiment&) = nullptr;
  // The inputs, generated on the host from `seed` (same numbers for every backend).
  std::vector<HostTensor> (*make_inputs)(const Experiment&, uint64_t seed) = nullptr;
  // The result, computed naively in double precision from the same inputs.
  RefTensor (*reference)(const Experiment&, const std::vector<HostTensor>&) = nullptr;
  Shape (*output_shape)(const Experiment&) = nullptr;
  // Floating-point operations the op must do (comparisons for Sort and
  // Argmax), counted from the definition, not from any implementation.
  double (*flops)(const Experiment&) = nullptr;
  // One element of the reference result, for ops whose full reference is
  // too costly on large shapes; nullptr where the full one is always cheap.
  double (*reference_at)(const Experiment&, const std::vector<HostTensor>&, int64_t flat) = nullptr;
  // Accepts "mask=causal" (attention: the frameworks' fused causal path).
  bool takes_mask = false;

  // Arity, axis and shape checks together. Throws UsageError.
  void validate(const Experiment& e) const;
};

// Every op, in the order of the seed's tables.
const std::vector<OpSpec>& all_ops();
// Throws UsageError naming `name` and listing the known ops.
const OpSpec& find_op(std::string_view name);

// The axis of `e` made non-negative for a tensor of rank `rank`.
int64_t normalized_axis(const Experiment& e, size_t rank);

// The fewest bytes the op must move, from its shapes: each input read once,
// each output written once (floats in the experiment's dtype, indices as int64).
double minimum_bytes(const Experiment& e);

// Inputs for `e`, seeded from `seed` and the experiment's own line, so an
// experiment sees the same numbers whatever else runs with it.
std::vector<HostTensor> make_inputs(const Experiment& e, uint64_t seed);

}  // namespace opbench
