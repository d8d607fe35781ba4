#pragma once
// Comparing a backend's output with the reference result.
#include <cmath>
#include <string>

#include "model/experiment.h"
#include "model/ops.h"
#include "model/tensor.h"
#include "model/verdict.h"

namespace opbench {

struct CheckResult {
  bool passed = false;
  // How far off: relative norm error for float results, the share of wrong
  // elements for indices and scatter rows.
  double error = 0;
  std::string detail;  // why it failed, for the result file
  // The error against the reference's own norm, which the imprecise band is
  // judged on (for Sum and SumAll `error` is against the reduction of |x|,
  // which would let a cancelling sum be 2x off within it); nan where the
  // check measures no norm (Argmax, Scatter, a wrong shape, a non-finite value).
  double relative_error = NAN;
};

// Largest relative norm error accepted for `op`: its tolerance class (looser
// where GPUs may use TF32: convolutions, matrix products, attention).
// In float16 and bfloat16 the inputs themselves are rounded: the bound is at
// least 1e-2 and 5e-2.
double tolerance(const OpSpec& op, FloatType dtype = FloatType::float32);

// The largest relative error (CheckResult::relative_error) that precision
// loss alone explains for `op`'s check: above its tolerance and up to this
// bound an output is imprecise, not wrong. 0.1 for the ops that compute their
// values; 0 (no such band) for those that copy or select them or give
// indices (OpSpec::computes_values false), where no rounding happens.
double imprecise_bound(const OpSpec& op);

// Multiply-adds (in double) the runner spends at most on one experiment's
// reference: above it, the reference is taken at sampled positions.
inline constexpr double kReferenceBudget = 3e8;

// The reference result of `e` on `inputs`: for the backward pass, the op's
// vector-Jacobian product (OpSpec::vjp) for the upstream gradient (the last
// input), each float input's gradient flattened and joined; for the forward
// pass the result, complete, or sampled at spread
// positions where the op has an element-wise reference and the complete one
// would cost more than `budget`.
RefTensor expected_result(const Experiment& e, const std::vector<HostTensor>& inputs, double budget = kReferenceBudget);

// Compares `got` with `ref` for experiment `e` as its op's CheckKind says:
// the relative norm error, for sums relative to the reduction of |x| (a
// signed sum may cancel far below its terms' rounding); indices must match
// exactly (in float16/bfloat16, an index whose value ties the top one once
// rounded to that type also passes); rows written through repeated indices
// may be any of the rows written there. Gradients (the backward pass): the
// relative norm error of each input's gradient, the worst one counting.
CheckResult check_output(const Experiment& e, const std::vector<HostTensor>& inputs, const HostTensor& got,
                         const RefTensor& ref);

// The digest an on-demand reference carries (RefTensor::digest) and a
// copying op's result must match: for each element i, its float32 value's
// bits b (widened to 64) give mix(b ^ (i * kGolden)) (model/random.h), and
// the digest is their sum, wrapping. A backend that finds it where the
// result lies (PreparedOp::output_digest) writes the same formula in its
// framework's operations; backend tests hold it to this one.
uint64_t result_digest(const float* values, size_t n);

// Whether `e`'s check against `ref` needs only the result's elements at the
// reference's sampled positions (a sampled reference of any kind but
// any_writer, which reads whole rows), which check_sampled then compares.
bool checks_sampled(const Experiment& e, const RefTensor& ref);
CheckResult check_sampled(const Experiment& e, const std::vector<HostTensor>& inputs, const SampledOutput& got,
                          const RefTensor& ref);

// What check_output's result means for the cell: passed within the op's
// tolerance; imprecise above it with a relative error within
// imprecise_bound; wrong otherwise (a check that measures no norm is never
// imprecise).
Verdict verdict(const Experiment& e, const CheckResult& result);

}  // namespace opbench
