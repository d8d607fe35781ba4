#pragma once
// Comparing a backend's output with the reference result.
#include <cmath>
#include <optional>
#include <string>

#include "model/experiment.h"
#include "model/ops.h"
#include "model/result.h"
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
// pass the result. Complete, or sampled at spread positions where the op
// has an element-wise reference (reference_at, sampled_vjp_at) and the
// complete one would cost more than `budget` (for gradients, estimated as
// twice the forward's flops): each float input's gradient then has
// positions of its own (at least 64 where it has that many, its first and
// last element among them), given as positions of the joined gradient.
RefTensor expected_result(const Experiment& e, const std::vector<HostTensor>& inputs, double budget = kReferenceBudget);

// Whether `e`'s backward reference is taken at sampled positions under
// `budget`: the op gives single elements of its gradients (sampled_vjp_at),
// and the complete ones would cost more (estimated as twice the forward's
// flops: MatMul's da and db are each a product the size of the forward's).
bool samples_gradients(const Experiment& e, double budget = kReferenceBudget);

// The backward reference with every element stored, also where the check
// reads it from dy as it goes (OpSpec::vjp_range): for a backend that stands in
// for a framework with the reference itself.
RefTensor stored_gradients(const Experiment& e, const std::vector<HostTensor>& inputs);

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
// any_writer, which reads whole rows; gradients are never judged by rows),
// which check_sampled then compares: for gradients, each input's over its
// own positions, the worst deciding.
bool checks_sampled(const Experiment& e, const RefTensor& ref);
CheckResult check_sampled(const Experiment& e, const std::vector<HostTensor>& inputs, const SampledOutput& got,
                          const RefTensor& ref);

// What check_output's result means for the cell: passed within the op's
// tolerance; imprecise above it with a relative error within
// imprecise_bound; wrong otherwise (a check that measures no norm is never
// imprecise).
Verdict verdict(const Experiment& e, const CheckResult& result);

// One experiment's check, made once with its inputs and reference, before
// any backend runs: it asks the op unit and the reference what a right result
// is (its shape, the tolerance, which elements are compared, the digest of a
// copying op's result) and holds the answers; each backend's output is then
// judged by one call. Without a reference (--no-check) an output is judged on
// its shape and finiteness, and the verdict is "skipped". `inputs` and
// `expected` must outlive it.
class ExperimentCheck {
 public:
  ExperimentCheck(const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected);

  const Experiment& experiment() const { return e_; }
  const std::vector<HostTensor>& inputs() const { return inputs_; }
  // The result's shape.
  const Shape& shape() const { return shape_; }
  // Whether only the elements at positions() are compared (a sampled
  // reference): the backend need not bring the rest to the host.
  bool sampled() const { return sampled_; }
  const std::vector<int64_t>& positions() const;
  // The digest a copying op's right result has (result_digest); 0: none.
  uint64_t digest() const { return expected_ ? expected_->digest : 0; }

  // The record of a result whose digest was found equal to digest() and
  // whose shape is `shape`: right in every element, when the shape is.
  std::optional<CheckRecord> by_digest(const Shape& shape) const;
  // The record of a whole result, and of a sampled one.
  CheckRecord judge(const HostTensor& out) const;
  CheckRecord judge(const SampledOutput& part) const;

 private:
  // Shape and finiteness first (they need no reference), then `compare`.
  template <class Compare>
  CheckRecord judged(const Shape& got, bool finite, Compare compare) const;

  const Experiment& e_;
  const std::vector<HostTensor>& inputs_;
  const RefTensor* expected_;
  Shape shape_;
  double bound_;
  bool sampled_;
};

}  // namespace opbench
