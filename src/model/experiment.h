#pragma once
// One experiment: an op and its arguments, as a line of a suite file
// ("Argmax dim1=64x1024x128 axis=0").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/dtype.h"
#include "model/pass.h"
#include "model/shape.h"

namespace opbench {

struct OpSpec;

// The most ranks a collective experiment may have.
inline constexpr int kMaxRanks = 1024;

struct Experiment {
  std::string op;
  std::vector<Shape> dims;     // dim1, dim2, ... in order
  std::optional<int64_t> axis;
  // The data type of the float inputs and results on the backend. Inputs are
  // made in float32 and converted outside timing; the reference stays in double.
  FloatType dtype = FloatType::float32;  // the seed's
  // ScaledDotProductAttention only: false hands both frameworks the same
  // additive mask tensor (the reference's call); true ("mask=causal") asks
  // for each framework's fused causal path instead, a separate experiment.
  bool causal_mask = false;
  // What a cell times: the forward call, or the training step ("pass=backward"
  // in a line): the forward call with the float inputs requiring gradients
  // and the gradients of the output for a seeded upstream gradient. Part of
  // the line, so a result file's identity of an experiment includes it.
  Pass pass = Pass::forward;
  // Collectives only: how many ranks (processes, one a GPU on GPU backends)
  // take part ("ranks=N", or --ranks). Part of the line: the inputs, the
  // result and the bus bandwidth all depend on it.
  int ranks = 1;
  // The op's unit, resolved once when the line is parsed: every later step
  // (inputs, reference, check, memory, work) reads it from here.
  const OpSpec* resolved_op = nullptr;

  // The op's unit; throws std::logic_error for an experiment that
  // parse_experiment did not make.
  const OpSpec& spec() const;
  // The seed's row label: "Argmax / dim=64x1024x128 axi=0".
  std::string name() const;
  // The suite-file form, which parse_experiment reads back.
  std::string line() const;
};

// Parses one suite line and validates it against the op's definition
// (arity, axis range, compatible shapes). Throws UsageError naming the text.
Experiment parse_experiment(std::string_view line);

}  // namespace opbench
