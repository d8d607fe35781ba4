#pragma once
// The ops opbench times. Each op is one unit, a file of src/model/ops/ holding
// everything opbench knows about it: its arguments and shape rules, its
// inputs, its double-precision reference, how its output is checked, its work
// and memory models, and its quick-suite lines; the file registers it with
// OPBENCH_OP_UNIT. Framework code lives in src/backends/<framework>/, one
// function per op registered beside it, and is looked up by the op's name.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/experiment.h"
#include "model/tensor.h"

namespace opbench {

// How a backend's output is compared with the reference (check.h).
enum class CheckKind {
  // Relative norm error ||got - ref|| / ||ref||.
  relative_norm,
  // The same against the reduction of |x| instead of ||ref||: a sum of signed
  // terms may cancel to far below the rounding its terms allow (the sum of a
  // million normal values is about a thousand, its terms' magnitudes add to
  // 800 000), so sums are judged at the scale float32 rounding works at.
  relative_to_magnitudes,
  // Indices along the axis: each must be the reference's, or one whose value
  // ties the top one once rounded to the experiment's dtype.
  exact_index,
  // Rows written through repeated indices, where frameworks promise no winner:
  // each element must be zero (its row never written) or the same column of
  // one of the source rows written there.
  any_writer,
};

// The largest relative norm error accepted, in float32 (check.h raises it
// for float16 and bfloat16, whose inputs are themselves rounded).
enum class Tolerance {
  float32,  // 1e-4
  tf32,     // 2e-3: GPUs may compute products in TF32 (convolutions, matrix products, attention)
};

struct OpSpec {
  std::string name;
  std::string summary;  // what it computes, one line, for `opbench list`
  int arity = 1;        // how many dimN arguments
  bool takes_axis = false;
  bool takes_mask = false;  // accepts "mask=causal" (attention: the frameworks' fused causal path)

  // Op-specific checks beyond arity and axis range: shapes that can be
  // multiplied, joined, convolved. Throws UsageError.
  void (*check_shapes)(const Experiment&) = nullptr;
  // The inputs, generated on the host from `seed` (same numbers for every backend).
  std::vector<HostTensor> (*make_inputs)(const Experiment&, uint64_t seed) = nullptr;
  Shape (*output_shape)(const Experiment&) = nullptr;
  // The result, computed naively in double precision from the same inputs.
  RefTensor (*reference)(const Experiment&, const std::vector<HostTensor>&) = nullptr;
  // One element of the reference result, for ops whose full reference is
  // too costly on large shapes; nullptr where the full one is always cheap.
  double (*reference_at)(const Experiment&, const std::vector<HostTensor>&, int64_t flat) = nullptr;

  // ---- the backward pass (Experiment::pass) ----
  // The vector-Jacobian product in double precision, written from the op's
  // definition: for the op's inputs `in` (the upstream gradient may follow
  // them there, not to copy large inputs) and the upstream gradient `dy` (the
  // result's shape), the gradient of sum(dy x result) with respect to each
  // float input, in the order of the inputs and in their layout. Index inputs (DType::Int64) have none. nullptr where
  // the op has no gradient with respect to any float input (`no_gradient`
  // says why; its backward cells are n/a).
  std::vector<RefTensor> (*vjp)(const Experiment&, const std::vector<HostTensor>& in, const HostTensor& dy) = nullptr;
  const char* no_gradient = nullptr;
  // Elements [start, start + count) of vjp's gradients flattened and joined,
  // written to `out`, for ops whose gradient only places dy's values (Sum's
  // broadcasts each along its lane): the check then reads them from dy a
  // block at a time as it goes, where the stored gradient would be a copy of
  // them in double to make, cache and read (1 GiB for a Sum over 128 M
  // elements); a block, not an element, so that the index arithmetic is done
  // once a block (an element at a time it was most of such a check).
  // nullptr: the gradients are stored.
  void (*vjp_range)(const Experiment&, const std::vector<HostTensor>& in, const HostTensor& dy, int64_t start,
                    int64_t count, double* out) = nullptr;
  // Element `flat` of vjp's gradients flattened and joined, computed from
  // the definition at that one position, for ops whose complete gradients
  // cost too much on large shapes (MatMul 1000000x64 @ 64x1024's are 130 G
  // multiply-adds in double): the backward reference is then taken at
  // positions sampled in each input's gradient, as reference_at's forward
  // one (check.h's expected_result). Unlike vjp_range, only those positions are
  // checked. nullptr: the gradients are always complete.
  double (*sampled_vjp_at)(const Experiment&, const std::vector<HostTensor>& in, const HostTensor& dy,
                           int64_t flat) = nullptr;
  // Multiply-adds of one element of input `input`'s gradient (its index
  // among the float inputs) in sampled_vjp_at, for ops whose elements cost
  // far more than the complete gradients' share each (one of attention's dk
  // elements needs the softmax weights of every row that sees its key);
  // nullptr: each input's gradient costs an equal share of the complete ones.
  double (*sampled_vjp_cost)(const Experiment&, size_t input) = nullptr;
  // A second convention that frameworks take where the derivative is not
  // unique (ScatterMax's tied maxima: MLX gives each the whole of dy where
  // vjp shares it, as PyTorch does); a gradient that agrees with either
  // passes. nullptr: vjp's is the only one.
  std::vector<RefTensor> (*vjp_alternative)(const Experiment&, const std::vector<HostTensor>& in,
                                            const HostTensor& dy) = nullptr;

  // ---- collectives (ops/collectives.cpp) ----
  // Run by Experiment::ranks processes together, through the framework's
  // distributed runtime; the reference and the check cover every rank's
  // result, each rank's row of the output.
  bool collective = false;
  // nccl-tests' bus bandwidth factor: bus bandwidth = algorithm bandwidth
  // (bytes_moved / time) x this. nullptr for ops that are not collectives.
  double (*bus_factor)(const Experiment&) = nullptr;

  // The result holds int64 indices (Argmax), not floats of the experiment's dtype.
  bool gives_indices = false;
  CheckKind check = CheckKind::relative_norm;
  Tolerance tolerance = Tolerance::float32;
  // False for ops that copy or select their inputs' values (or give
  // indices): no rounding happens, so precision explains no error at all and
  // any miss is wrong, never imprecise (check.h's imprecise_bound).
  bool computes_values = true;

  // Floating-point operations the op must do (comparisons for Sort and
  // Argmax), counted from the definition, not from any implementation.
  double (*flops)(const Experiment&) = nullptr;
  // The fewest bytes the op must move when that is not every input read once
  // and the output written once (indexed ops read only the rows they pick);
  // nullptr for that default.
  double (*bytes_moved)(const Experiment&) = nullptr;
  // Host bytes of the inputs at their peak while being made, when that is
  // not dims x 4 bytes (index inputs, helper draws); nullptr for that default.
  double (*input_memory)(const Experiment&) = nullptr;

  // The op's lines of the quick suite: small shapes that run in seconds on
  // any backend. They are also the per-op cases of the check and backend tests.
  std::vector<std::string> quick;

  // Arity, axis and shape checks together. Throws UsageError.
  void validate(const Experiment& e) const;
};

// Every op, in the order of the seed's tables (the order of
// OPBENCH_OP_SOURCES in CMakeLists.txt, then of each unit's list).
const std::vector<OpSpec>& all_ops();
// Throws UsageError naming `name` and listing the known ops.
const OpSpec& find_op(std::string_view name);

// The axis of `e` made non-negative for a tensor of rank `rank`.
int64_t normalized_axis(const Experiment& e, size_t rank);

// Bytes of the result of `e`: int64 indices or floats of its dtype.
double output_bytes(const Experiment& e);

// The fewest bytes the op must move, from its shapes: each input read once,
// each output written once (floats in the experiment's dtype, indices as
// int64), or the op's own bytes_moved.
double minimum_bytes(const Experiment& e);

// Shape of what a cell of `e` on `inputs` gives back for the check: the op's
// result (forward), or its gradients, each float input's flattened and
// joined in input order (backward).
Shape result_shape(const Experiment& e, const std::vector<HostTensor>& inputs);

// Inputs for `e`, seeded from `seed` and the experiment's own line, so an
// experiment sees the same numbers whatever else runs with it.
// A backward experiment's inputs are the forward's (the same numbers) and
// last the upstream gradient, named "dy": normal values of the result's shape
// from a stream of their own.
std::vector<HostTensor> make_inputs(const Experiment& e, uint64_t seed);
// What make_inputs draws `e`'s numbers from beside the seed: the line of `e`
// in float32, without a mask, in the forward pass. Experiments of one key
// get the same inputs, a backward one with dy after them: a run hands the
// inputs on from one to the next (execution/runner.h KeptInputs).
std::string inputs_key(const Experiment& e);
// make_inputs(e, seed) from `inputs`, the inputs of an experiment of e's
// inputs_key without dy: dy added when `e` is of the backward pass.
std::vector<HostTensor> with_upstream_gradient(const Experiment& e, uint64_t seed, std::vector<HostTensor> inputs);

// The backward pass: why `e`'s op has no gradient, or empty when it has one.
std::string no_gradient_reason(const Experiment& e);
// The inputs a backward cell differentiates: the float inputs, without the
// upstream gradient (the last input).
std::vector<size_t> differentiable_inputs(const std::vector<HostTensor>& inputs);

}  // namespace opbench

namespace opbench::op_units {
// One per file of OPBENCH_OP_SOURCES, named after the file (relu.cpp:
// op_units::relu), defined by OPBENCH_OP_UNIT; CMake generates the list
// that calls them all (build/generated/op_units.cpp).
std::vector<OpSpec> registered();
}  // namespace opbench::op_units

// Registers the ops of one unit file: the body returns their specs. `unit` is
// the file's name without .cpp, which CMake's generated list calls.
#define OPBENCH_OP_UNIT(unit)                  \
  namespace opbench::op_units {                \
  std::vector<::opbench::OpSpec> unit();       \
  }                                            \
  std::vector<::opbench::OpSpec> opbench::op_units::unit()
