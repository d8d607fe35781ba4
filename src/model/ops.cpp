#include "model/ops.h"

#include <algorithm>

#include "model/error.h"
#include "model/ops/unit.h"
#include "model/random.h"

namespace opbench {

using op_unit::bad;
using op_unit::dim_text;

const std::vector<OpSpec>& all_ops() {
  static const std::vector<OpSpec> ops = op_units::registered();
  return ops;
}

const OpSpec& find_op(std::string_view name) {
  for (const OpSpec& op : all_ops())
    if (op.name == name) return op;
  std::string known;
  for (const OpSpec& op : all_ops()) known += (known.empty() ? "" : ", ") + op.name;
  throw UsageError("unknown op " + quote(name) + " (known: " + known + ")");
}

int64_t normalized_axis(const Experiment& e, size_t rank) {
  int64_t axis = *e.axis, r = static_cast<int64_t>(rank);
  return axis < 0 ? axis + r : axis;
}

void OpSpec::validate(const Experiment& e) const {
  if (static_cast<int>(e.dims.size()) != arity)
    bad(name + " takes " + std::to_string(arity) + " shape" + (arity > 1 ? "s" : "") + " (dim1" +
        (arity > 1 ? "..dim" + std::to_string(arity) : "") + "), got " + std::to_string(e.dims.size()));
  if (takes_axis && !e.axis) bad(name + " needs axis=");
  if (!takes_axis && e.axis) bad(name + " takes no axis");
  if (e.causal_mask && !takes_mask) bad(name + " takes no mask");
  if (e.ranks != 1 && !collective) bad(name + " takes no ranks (only collectives do)");
  if (takes_axis) {
    int64_t rank = static_cast<int64_t>(e.dims[0].size());
    if (*e.axis < -rank || *e.axis >= rank)
      bad("axis " + std::to_string(*e.axis) + " is out of range for " + dim_text(e, 0) + " (rank " + std::to_string(rank) + ")");
  }
  check_shapes(e);
  // The result must be a tensor opbench accepts, as each input is: batch
  // broadcasting and concatenation multiply or add up element counts.
  Shape out = output_shape(e);
  int64_t count = 1;
  for (int64_t d : out) {
    if (d < 1 || d > kMaxElements / count)
      bad(name + ": the result " + format_shape(out) + " would have more than 2^40 elements");
    count *= d;
  }
}

double output_bytes(const Experiment& e) {
  const OpSpec& op = e.spec();
  return element_count(op.output_shape(e)) * (op.gives_indices ? 8.0 : dtype_bytes(e.dtype));
}

double minimum_bytes(const Experiment& e) {
  if (e.spec().bytes_moved) return e.spec().bytes_moved(e);
  const double f = dtype_bytes(e.dtype);
  double in = 0;
  for (const Shape& d : e.dims) in += element_count(d) * f;
  return in + output_bytes(e);
}

std::string inputs_key(const Experiment& e) {
  Experiment same_data = e;  // every dtype, mask and pass of an experiment starts from the same numbers
  same_data.dtype = FloatType::float32;
  same_data.causal_mask = false;  // the fused causal path sees the masked experiment's numbers
  same_data.pass = Pass::forward;
  return same_data.line();
}

namespace {
uint64_t stream_seed(const Experiment& e, uint64_t seed) { return hash_text(inputs_key(e), seed); }
}  // namespace

std::vector<HostTensor> make_inputs(const Experiment& e, uint64_t seed) {
  return with_upstream_gradient(e, seed, e.spec().make_inputs(e, stream_seed(e, seed)));
}

std::vector<HostTensor> with_upstream_gradient(const Experiment& e, uint64_t seed, std::vector<HostTensor> inputs) {
  if (e.pass == Pass::backward)
    inputs.push_back(op_unit::normal("dy", e.spec().output_shape(e), hash_text("upstream gradient", stream_seed(e, seed)), 0));
  return inputs;
}

std::string no_gradient_reason(const Experiment& e) {
  const OpSpec& op = e.spec();
  if (op.vjp) return "";
  return op.no_gradient ? op.no_gradient : e.op + " has no gradient in opbench";
}

std::vector<size_t> differentiable_inputs(const std::vector<HostTensor>& inputs) {
  std::vector<size_t> out;
  for (size_t i = 0; i + 1 < inputs.size(); ++i)
    if (inputs[i].dtype == DType::Float32) out.push_back(i);
  return out;
}

Shape result_shape(const Experiment& e, const std::vector<HostTensor>& inputs) {
  if (e.pass == Pass::forward) return e.spec().output_shape(e);
  int64_t total = 0;
  for (size_t i : differentiable_inputs(inputs)) total += inputs[i].numel();
  return {total};
}

}  // namespace opbench
