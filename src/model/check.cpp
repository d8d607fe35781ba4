#include "model/check.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <set>
#include <span>

#include "model/ops.h"
#include "model/parallel.h"
#include "model/random.h"
#include "model/reference.h"

namespace opbench {

namespace {

CheckResult fail(double error, std::string detail) { return {false, error, std::move(detail)}; }

// The reference's elements as the check reads them: stored, or computed
// now from the inputs (RefTensor::on_demand), one at a time or a block at a
// time.
class RefValues {
 public:
  RefValues(const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor& ref)
      : e_(e), inputs_(inputs), ref_(ref) {}
  size_t size() const { return ref_.on_demand ? static_cast<size_t>(element_count(ref_.shape)) : ref_.values.size(); }
  double operator[](size_t k) const {
    if (!ref_.on_demand) return ref_.values[k];
    const int64_t flat = static_cast<int64_t>(k);
    if (e_.pass == Pass::backward) {
      double value;
      e_.spec().vjp_range(e_, inputs_, inputs_.back(), flat, 1, &value);
      return value;
    }
    return e_.spec().reference_at(e_, inputs_, flat);
  }
  // Elements [start, start + count): where they lie, or written to `scratch`
  // (room for `count`) when computed.
  const double* block(size_t start, size_t count, double* scratch) const {
    if (!ref_.on_demand) return ref_.values.data() + start;
    if (e_.pass == Pass::backward)
      e_.spec().vjp_range(e_, inputs_, inputs_.back(), static_cast<int64_t>(start), static_cast<int64_t>(count), scratch);
    else
      for (size_t k = 0; k < count; ++k) scratch[k] = (*this)[start + k];
    return scratch;
  }

 private:
  const Experiment& e_;
  const std::vector<HostTensor>& inputs_;
  const RefTensor& ref_;
};

// One element's share of a digest (result_digest).
uint64_t element_hash(float value, size_t position) {
  return mix(static_cast<uint64_t>(std::bit_cast<uint32_t>(value)) ^ (position * kGolden));
}

// An on-demand reference's norm (its check's scale) and digest, in one pass
// over reference_at: the index arithmetic per element is what costs.
struct NormAndDigest {
  double squares = 0;
  uint64_t digest = 0;
  NormAndDigest& operator+=(const NormAndDigest& other) {
    squares += other.squares;
    digest += other.digest;
    return *this;
  }
};

template <class Values>
double norm(const Values& values) {
  return std::sqrt(chunked_sum(values.size(), [&values](size_t i) { return values[i] * values[i]; }));
}

// CheckKind::relative_to_magnitudes: the reference's norm, or that of the
// same reduction of |x| where larger.
double error_scale(const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor& ref) {
  double scale = norm(RefValues(e, inputs, ref));
  if (e.spec().check != CheckKind::relative_to_magnitudes) return scale;
  // |x| written straight into fresh memory on all cores: a copy of x first
  // (half a gigabyte for a Sum's input) took its page faults on one.
  std::vector<HostTensor> magnitudes;
  const HostTensor& x = inputs[0];
  magnitudes.push_back({x.name, x.shape, x.dtype, HostBuffer<float>(x.f32.size()), {}});
  float* to = magnitudes[0].f32.data();
  parallel_for(x.f32.size(), [&x, to](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) to[i] = std::abs(x.f32[i]);
  });
  magnitudes.insert(magnitudes.end(), inputs.begin() + 1, inputs.end());
  return std::max(scale, norm(e.spec().reference(e, magnitudes).values));
}

// got_at(k): the result's element at the reference's k-th position.
template <class GotAt>
CheckResult relative_norm(const Experiment& e, const std::vector<HostTensor>& inputs, GotAt got_at, const RefTensor& ref) {
  const RefValues values(e, inputs, ref);
  const size_t n = values.size();
  if (any_index(n, [&](size_t i) { return !std::isfinite(got_at(i)) && std::isfinite(values[i]); }))
    for (size_t i = 0; i < n; ++i)  // the first one, named
      if (!std::isfinite(got_at(i)) && std::isfinite(values[i]))
        return fail(INFINITY, "non-finite value at element " + std::to_string(i));
  double diff = chunked_sum(n, [&](size_t i) {
    double d = got_at(i) - values[i];
    return d * d;
  });
  const double scale = std::isfinite(ref.scale) ? ref.scale : error_scale(e, inputs, ref);
  double error = std::sqrt(diff) / std::max(scale, 1e-30);
  double bound = tolerance(e.spec(), e.dtype);
  CheckResult result = error > bound
                           ? fail(error, "relative error " + std::to_string(error) + " above " + std::to_string(bound))
                           : CheckResult{true, error, ""};
  // The reference's own norm: the scale already, unless the scale is that of |x|.
  const bool scale_is_norm = std::isfinite(ref.scale) && e.spec().check != CheckKind::relative_to_magnitudes;
  result.relative_error = std::sqrt(diff) / std::max(scale_is_norm ? ref.scale : norm(values), 1e-30);
  return result;
}

// Two values that one rounding to `dtype` cannot tell apart (exactly equal
// in float32): an argmax may pick either, a scattered row may be either.
bool ties(double a, double b, FloatType dtype) {
  double eps = dtype == FloatType::float16 ? 1.0 / 1024 : dtype == FloatType::bfloat16 ? 1.0 / 128 : 0.0;
  return std::abs(a - b) <= eps * std::max(std::abs(a), std::abs(b));
}

// Argmax's result element i names an index along the axis of input x.
double argmax_value(const Experiment& e, const HostTensor& x, int64_t i, int64_t index) {
  int64_t axis = normalized_axis(e, x.shape.size()), inner = 1;
  for (size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
  return x.at((i / inner * x.shape[axis] + index) * inner + i % inner);
}

template <class GotAt>
CheckResult exact(const Experiment& e, const std::vector<HostTensor>& inputs, GotAt got_at, const RefTensor& ref) {
  size_t wrong = 0;
  for (size_t i = 0; i < ref.values.size(); ++i) {
    int64_t at = ref.position(i);
    double g = got_at(i);
    if (g == ref.values[i]) continue;
    bool in_range = g >= 0 && g < inputs[0].shape[normalized_axis(e, inputs[0].shape.size())];
    wrong += !(in_range && ties(argmax_value(e, inputs[0], at, static_cast<int64_t>(g)),
                                argmax_value(e, inputs[0], at, static_cast<int64_t>(ref.values[i])), e.dtype));
  }
  double share = ref.values.empty() ? 0 : static_cast<double>(wrong) / ref.values.size();
  if (wrong) return fail(share, std::to_string(wrong) + " of " + std::to_string(ref.values.size()) + " elements differ");
  return {true, 0, ""};
}

// Scatter with repeated indices: frameworks promise no winner (PyTorch calls
// duplicate indices in index_put_ undefined), and on a GPU the columns of one
// row may come from different sources. So each element must be zero (its row
// never written) or the same column of one of the source rows whose index
// points at its row; a value from no candidate is wrong.
CheckResult scatter_elements(const Experiment& e, const std::vector<HostTensor>& inputs, const HostTensor& got) {
  const HostTensor &idx = inputs[0], &src = inputs[1];
  int64_t rows = e.dims[0][0], cols = e.dims[0][1];
  std::map<int64_t, std::vector<int64_t>> writers;  // row -> source rows
  for (int64_t k = 0; k < idx.numel(); ++k) writers[idx.i64[k]].push_back(k);
  int64_t wrong = 0;
  for (int64_t r = 0; r < rows; ++r) {
    auto it = writers.find(r);
    for (int64_t c = 0; c < cols; ++c) {
      double g = got.at(r * cols + c);
      bool ok = it == writers.end() && ties(g, 0.0, e.dtype);
      if (it != writers.end())
        for (int64_t k : it->second)
          if ((ok = ties(g, src.f32[k * cols + c], e.dtype))) break;
      wrong += !ok;
    }
  }
  double share = static_cast<double>(wrong) / (rows * cols);
  if (wrong)
    return fail(share, std::to_string(wrong) + " of " + std::to_string(rows * cols) + " elements match no source element");
  return {true, 0, ""};
}

// The backward pass: each float input's gradient is judged on its own (a
// wrong gradient of PReLU's single alpha would vanish in a norm over x's
// too); the worst one decides.
// Against `ref`'s elements [start, start + count), got's: the squared
// differences, the reference's squares, and got's non-finite elements, in one
// pass (a dense gradient is up to a gigabyte to read). On all cores, in fixed
// chunks: the same sums on any number of them.
struct SegmentSums {
  double diff = 0, squares = 0;
  size_t non_finite = 0;
  SegmentSums& operator+=(const SegmentSums& other) {
    diff += other.diff;
    squares += other.squares;
    non_finite += other.non_finite;
    return *this;
  }
  double error() const { return std::sqrt(diff) / std::max(std::sqrt(squares), 1e-30); }
};

// `block(start, count, scratch)` gives the reference's elements [start,
// start + count), as RefValues::block does.
template <class Block>
SegmentSums segment_sums(const HostTensor& got, Block block, int64_t start, int64_t count) {
  return chunked_block_sum<SegmentSums>(static_cast<size_t>(count), [&](size_t b, size_t e) {
    thread_local HostBuffer<double> scratch;
    scratch.resize(e - b);
    const double* ref = block(static_cast<size_t>(start) + b, e - b, scratch.data());
    const float* g = got.f32.data() + start;
    SegmentSums sums;
    for (size_t i = b; i < e; ++i) {
      const double r = ref[i - b], d = g[i] - r;
      sums += SegmentSums{d * d, r * r, std::isfinite(g[i]) ? size_t{0} : size_t{1}};
    }
    return sums;
  });
}

// The gradients of every float input, flattened and joined in input order;
// copied on all cores (attention's three gradients are a gigabyte).
HostBuffer<double> joined(const std::vector<RefTensor>& gradients) {
  size_t total = 0;
  for (const RefTensor& g : gradients) total += g.values.size();
  HostBuffer<double> out(total);
  size_t start = 0;
  for (const RefTensor& g : gradients) {
    copy_on_all_cores(g.values.data(), g.values.size(), out.data() + start);
    start += g.values.size();
  }
  return out;
}

// The op's other convention's gradients, joined; empty where it has none.
HostBuffer<double> alternative_gradients(const Experiment& e, const std::vector<HostTensor>& inputs) {
  if (!e.spec().vjp_alternative) return {};
  return joined(e.spec().vjp_alternative(e, inputs, inputs.back()));
}

// Each float input's gradient judged on its own, the worst deciding:
// sums(start, count, other) gives the SegmentSums of the joined gradient's
// elements [start, start + count) against the reference (other null) or
// against the op's other convention's gradients.
template <class Sums>
CheckResult judged_gradients(const Experiment& e, const std::vector<HostTensor>& inputs, Sums sums) {
  double bound = tolerance(e.spec(), e.dtype), worst = 0;
  std::string worst_input;
  const HostBuffer<double> other = alternative_gradients(e, inputs);
  int64_t start = 0;
  for (size_t i : differentiable_inputs(inputs)) {
    const SegmentSums found = sums(start, inputs[i].numel(), static_cast<const HostBuffer<double>*>(nullptr));
    if (found.non_finite) return fail(INFINITY, "non-finite value in the gradient of " + inputs[i].name);
    double error = found.error();
    if (!other.empty()) error = std::min(error, sums(start, inputs[i].numel(), &other).error());
    if (error > worst || worst_input.empty()) worst = error, worst_input = inputs[i].name;
    start += inputs[i].numel();
  }
  CheckResult result = worst > bound ? fail(worst, "gradient of " + worst_input + ": relative error " +
                                                       std::to_string(worst) + " above " + std::to_string(bound))
                                     : CheckResult{true, worst, ""};
  result.relative_error = worst;
  return result;
}

// Against a sampled reference (positions in the joined gradient, sorted):
// each input's gradient over its own positions. got_at(k): the result's
// element at positions[k]; non_finite(start, count): whether the result has
// a non-finite element among [start, start + count) where the whole result
// is at hand (else its finiteness is judged before, ExperimentCheck::judge).
// A few thousand elements: one core.
template <class GotAt, class NonFinite>
CheckResult gradients_at_samples(const Experiment& e, const std::vector<HostTensor>& inputs, GotAt got_at,
                                 NonFinite non_finite, const RefTensor& ref) {
  const std::vector<int64_t>& at = ref.positions;
  return judged_gradients(e, inputs, [&](int64_t start, int64_t count, const HostBuffer<double>* other) {
    SegmentSums sums;
    sums.non_finite = !other && non_finite(start, count);
    const size_t first = std::lower_bound(at.begin(), at.end(), start) - at.begin();
    const size_t last = std::lower_bound(at.begin(), at.end(), start + count) - at.begin();
    for (size_t k = first; k < last; ++k) {
      const double g = got_at(k), r = other ? (*other)[at[k]] : ref.values[k], d = g - r;
      sums += SegmentSums{d * d, r * r, std::isfinite(g) ? size_t{0} : size_t{1}};
    }
    return sums;
  });
}

CheckResult gradients(const Experiment& e, const std::vector<HostTensor>& inputs, const HostTensor& got,
                      const RefTensor& ref) {
  if (!ref.dense())  // a non-finite element anywhere is still caught, and named by its input
    return gradients_at_samples(
        e, inputs, [&](size_t k) { return got.at(ref.positions[k]); },
        [&](int64_t start, int64_t count) { return !all_finite(got.f32.data() + start, static_cast<size_t>(count)); },
        ref);
  const RefValues values(e, inputs, ref);
  return judged_gradients(e, inputs, [&](int64_t start, int64_t count, const HostBuffer<double>* other) {
    if (other) return segment_sums(got, [other](size_t at, size_t, double*) { return other->data() + at; }, start, count);
    return segment_sums(got, [&values](size_t at, size_t n, double* scratch) { return values.block(at, n, scratch); },
                        start, count);
  });
}

// How many positions a sampled reference takes of `elements`: as many as
// `budget` pays for at `per_element` each, at least 64 (every one where there
// are fewer), at most 4096.
size_t sample_size(double budget, double per_element, double elements) {
  return static_cast<size_t>(
      std::clamp(budget / per_element, std::min(64.0, elements), std::min(4096.0, elements)));  // lo <= hi
}

// `count` distinct positions of [0, elements) (count <= elements), sorted:
// the first and the last element, and the first distinct ones of draws from
// `seed` (a draw that repeats one is made up by the next, from further
// streams where one is used up).
std::vector<int64_t> spread_positions(size_t count, int64_t elements, uint64_t seed) {
  std::set<int64_t> picks;
  if (count > 0) picks.insert(0);
  if (count > 1) picks.insert(elements - 1);
  for (uint64_t stream = 0; picks.size() < count; ++stream) {
    HostBuffer<int64_t> drawn(count);
    fill_index(drawn, elements, seed, stream);
    for (size_t k = 0; k < drawn.size() && picks.size() < count; ++k) picks.insert(drawn[k]);
  }
  return {picks.begin(), picks.end()};
}

// The gradients at positions drawn in each float input's own gradient (each
// is judged on its own: every one needs its share), as positions of the
// joined gradient. Each input's gradient is taken to cost about an equal
// share of the whole (MatMul's da and db are a product each the size of the
// forward's) unless the op says what one element costs (sampled_vjp_cost),
// and each gets the same share of `budget`, a 16th of it: an
// element's sum is a plain loop, and a weight's (db = a^T dy, dw = x^T dy)
// reads down two columns, a cache line (16 floats) per multiply-add, where
// the budget counts the tiled products' (Linear 100x1024x256's 730 sampled
// elements of dw took 4 s on two cores, a third of its complete gradients).
// Each input's positions on all cores on their own: one of MatMul
// 1000000x64 @ 64x1024's db elements costs a thousand of its da's.
RefTensor sampled_vjp(const Experiment& e, const std::vector<HostTensor>& inputs, double budget, double cost) {
  const OpSpec& op = e.spec();
  const std::vector<size_t> differentiable = differentiable_inputs(inputs);
  RefTensor out{result_shape(e, inputs), {}, {}};
  const double share = cost / static_cast<double>(differentiable.size());
  constexpr double kColumnReads = 16;
  int64_t start = 0;
  for (size_t d = 0; d < differentiable.size(); ++d) {
    const int64_t elements = inputs[differentiable[d]].numel();
    if (elements > 0) {
      const double per_element =
          op.sampled_vjp_cost ? op.sampled_vjp_cost(e, d) : share / static_cast<double>(elements);
      const size_t count = sample_size(budget / static_cast<double>(differentiable.size()) / kColumnReads, per_element,
                                       static_cast<double>(elements));
      const std::vector<int64_t> picks = spread_positions(count, elements, hash_text(e.line(), 11 + d));
      const size_t first = out.positions.size();
      out.positions.resize(first + picks.size());
      out.values.resize(first + picks.size());
      reference::for_each_index(static_cast<int64_t>(picks.size()), per_element, [&](int64_t k) {
        out.positions[first + k] = start + picks[k];
        out.values[first + k] = op.sampled_vjp_at(e, inputs, inputs.back(), start + picks[k]);
      });
    }
    start += elements;
  }
  return out;
}

// The complete gradients' work, estimated (samples_gradients says why).
double gradients_cost(const Experiment& e) { return 2 * e.spec().flops(e); }

// The gradients of every float input, flattened and joined in input order:
// read from dy as the check goes where the op places dy's values (vjp_range);
// at sampled positions where samples_gradients says so; else complete.
RefTensor expected_gradients(const Experiment& e, const std::vector<HostTensor>& inputs, double budget) {
  if (e.spec().vjp_range) {
    RefTensor out{result_shape(e, inputs), {}, {}};
    out.on_demand = true;
    return out;
  }
  if (samples_gradients(e, budget)) return sampled_vjp(e, inputs, budget, gradients_cost(e));
  return stored_gradients(e, inputs);
}

}  // namespace

bool samples_gradients(const Experiment& e, double budget) {
  return e.spec().sampled_vjp_at && !e.spec().vjp_range && gradients_cost(e) > budget;
}

RefTensor stored_gradients(const Experiment& e, const std::vector<HostTensor>& inputs) {
  std::vector<RefTensor> gradients = e.spec().vjp(e, inputs, inputs.back());
  RefTensor out;
  // One input's gradient is the joined one as it stands: no copy.
  out.values = gradients.size() == 1 ? std::move(gradients[0].values) : joined(gradients);
  out.shape = {static_cast<int64_t>(out.values.size())};
  return out;
}

namespace {

// The forward reference: every element, or the sampled ones where every
// element would cost more than `budget`.
RefTensor forward_reference(const Experiment& e, const std::vector<HostTensor>& inputs, double budget) {
  const OpSpec& op = e.spec();
  Shape shape = op.output_shape(e);
  double elements = static_cast<double>(element_count(shape)), cost = op.flops(e);
  // A copy of the inputs' values: each element costs an index computation
  // to check, so every one is, read from the inputs as the check goes.
  if (!op.computes_values && op.reference_at && op.check == CheckKind::relative_norm) {
    RefTensor ref{shape, {}, {}};
    ref.on_demand = true;
    return ref;
  }
  if (!op.reference_at || cost <= budget) return op.reference(e, inputs);
  // Spread positions: as many as the budget pays for.
  double per_element = cost / elements;
  RefTensor ref{shape, {}, {}};
  std::vector<int64_t> picks = spread_positions(sample_size(budget, per_element, elements),
                                                static_cast<int64_t>(elements), hash_text(e.line(), 7));
  ref.values.resize(picks.size());
  reference::for_each_index(static_cast<int64_t>(picks.size()), per_element,
                 [&](int64_t k) { ref.values[k] = op.reference_at(e, inputs, picks[k]); });
  ref.positions = std::move(picks);
  return ref;
}

}  // namespace

RefTensor expected_result(const Experiment& e, const std::vector<HostTensor>& inputs, double budget) {
  if (e.pass == Pass::backward) return expected_gradients(e, inputs, budget);
  RefTensor ref = forward_reference(e, inputs, budget);
  if (!ref.on_demand) {
    ref.scale = error_scale(e, inputs, ref);
    return ref;
  }
  const RefValues values(e, inputs, ref);
  const NormAndDigest found = chunked_sum<NormAndDigest>(values.size(), [&values](size_t i) {
    const double v = values[i];
    return NormAndDigest{v * v, element_hash(static_cast<float>(v), i)};  // a copy of float32 values: exact
  });
  ref.scale = std::sqrt(found.squares);  // error_scale: the norm, as the check is relative_norm
  ref.digest = found.digest;
  return ref;
}

double tolerance(const OpSpec& op, FloatType dtype) {
  double bound = op.tolerance == Tolerance::tf32 ? 2e-3 : 1e-4;
  if (dtype == FloatType::float16) return std::max(bound, 1e-2);
  if (dtype == FloatType::bfloat16) return std::max(bound, 5e-2);
  return bound;
}

// Everything that computes rounds: rounding grows with the terms a result
// adds and with the bits a framework keeps (MLX's CPU mean over 12.8 million
// float32 values is 0.1-1.8% off; float32's worst case for n terms is
// n x 2^-24). An op that computes something else is off by about its whole
// norm (a 2x, zeros, a missing input: 1); 10% keeps the two apart.
double imprecise_bound(const OpSpec& op) { return op.computes_values ? 0.1 : 0.0; }

Verdict verdict(const Experiment& e, const CheckResult& result) {
  if (result.passed) return Verdict::passed;
  // nan (no norm: an index, a row, a shape, a non-finite value) is never within a bound.
  return result.relative_error <= imprecise_bound(e.spec()) ? Verdict::imprecise : Verdict::wrong;
}

uint64_t result_digest(const float* values, size_t n) {
  return chunked_sum<uint64_t>(n, [values](size_t i) { return element_hash(values[i], i); });
}

CheckResult check_output(const Experiment& e, const std::vector<HostTensor>& inputs, const HostTensor& got,
                         const RefTensor& ref) {
  if (got.shape != ref.shape)
    return fail(INFINITY, "shape " + format_shape(got.shape) + " where " + format_shape(ref.shape) + " was expected");
  if (e.pass == Pass::backward) return gradients(e, inputs, got, ref);
  auto got_at = [&](size_t k) { return got.at(ref.position(k)); };
  switch (e.spec().check) {
    case CheckKind::exact_index: return exact(e, inputs, got_at, ref);
    case CheckKind::any_writer: return scatter_elements(e, inputs, got);
    case CheckKind::relative_norm:
    case CheckKind::relative_to_magnitudes: break;
  }
  // A copy with the reference's digest is right in every element, its error
  // 0; any other result gets the element-wise check, which says how far off.
  if (ref.digest != 0 && got.dtype == DType::Float32 && result_digest(got.f32.data(), got.f32.size()) == ref.digest) {
    CheckResult same{true, 0, ""};
    same.relative_error = 0;
    return same;
  }
  return relative_norm(e, inputs, got_at, ref);
}

CheckResult check_sampled(const Experiment& e, const std::vector<HostTensor>& inputs, const SampledOutput& got,
                          const RefTensor& ref) {
  if (got.shape != ref.shape)
    return fail(INFINITY, "shape " + format_shape(got.shape) + " where " + format_shape(ref.shape) + " was expected");
  if (got.values.numel() != static_cast<int64_t>(ref.values.size()))
    return fail(INFINITY, std::to_string(got.values.numel()) + " sampled elements where " +
                              std::to_string(ref.values.size()) + " were asked for");
  auto got_at = [&](size_t k) { return got.values.at(static_cast<int64_t>(k)); };
  if (e.pass == Pass::backward)
    return gradients_at_samples(e, inputs, got_at, [](int64_t, int64_t) { return false; }, ref);
  return e.spec().check == CheckKind::exact_index ? exact(e, inputs, got_at, ref) : relative_norm(e, inputs, got_at, ref);
}

bool checks_sampled(const Experiment& e, const RefTensor& ref) {
  return !ref.dense() && (e.pass == Pass::backward || e.spec().check != CheckKind::any_writer);
}

ExperimentCheck::ExperimentCheck(const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected)
    : e_(e),
      inputs_(inputs),
      expected_(expected),
      shape_(result_shape(e, inputs)),
      bound_(tolerance(e.spec(), e.dtype)),
      sampled_(expected && checks_sampled(e, *expected)) {}

const std::vector<int64_t>& ExperimentCheck::positions() const {
  static const std::vector<int64_t> none;
  return sampled_ ? expected_->positions : none;
}

std::optional<CheckRecord> ExperimentCheck::by_digest(const Shape& shape) const {
  if (digest() == 0 || shape != shape_) return std::nullopt;
  return CheckRecord{Verdict::passed, 0, bound_, "", {CheckScope::Kind::reference, 0}};
}

template <class Compare>
CheckRecord ExperimentCheck::judged(const Shape& got, bool finite, Compare compare) const {
  if (got != shape_)
    return {Verdict::wrong, INFINITY, bound_, "shape " + format_shape(got) + " instead of " + format_shape(shape_),
            {CheckScope::Kind::shape}};
  if (!finite) return {Verdict::wrong, INFINITY, bound_, "non-finite values in the result", {CheckScope::Kind::finiteness}};
  if (!expected_) return {Verdict::skipped, 0, NAN, "", {}};
  CheckResult r = compare();
  CheckScope against{CheckScope::Kind::reference, expected_->dense() ? 0 : static_cast<int64_t>(expected_->positions.size())};
  return {verdict(e_, r), r.error, bound_, r.detail, against};
}

CheckRecord ExperimentCheck::judge(const HostTensor& out) const {
  return judged(out.shape, all_finite(out), [&] { return check_output(e_, inputs_, out, *expected_); });
}

CheckRecord ExperimentCheck::judge(const SampledOutput& part) const {
  return judged(part.shape, part.all_finite, [&] { return check_sampled(e_, inputs_, part, *expected_); });
}

}  // namespace opbench
