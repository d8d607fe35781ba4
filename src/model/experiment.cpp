#include "model/experiment.h"

#include <charconv>
#include <sstream>
#include <stdexcept>

#include "model/error.h"
#include "model/ops.h"

namespace opbench {

const OpSpec& Experiment::spec() const {
  if (!resolved_op) throw std::logic_error("experiment '" + op + "' was not made by parse_experiment");
  return *resolved_op;
}

std::string Experiment::name() const {
  std::string out = op + " /";
  for (const Shape& d : dims) out += " dim=" + format_shape(d);
  if (axis) out += " axi=" + std::to_string(*axis);
  if (causal_mask) out += " mas=causal";
  if (dtype != FloatType::float32) out += " dty=" + dtype_name(dtype);
  if (ranks != 1) out += " ran=" + std::to_string(ranks);
  return out;
}

std::string Experiment::line() const {
  std::string out = op;
  for (size_t i = 0; i < dims.size(); ++i) out += " dim" + std::to_string(i + 1) + "=" + format_shape(dims[i]);
  if (axis) out += " axis=" + std::to_string(*axis);
  if (causal_mask) out += " mask=causal";
  if (dtype != FloatType::float32) out += " dtype=" + dtype_name(dtype);
  if (pass != Pass::forward) out += " pass=" + pass_text(pass);
  if (ranks != 1) out += " ranks=" + std::to_string(ranks);
  return out;
}

namespace {

int64_t parse_axis(std::string_view line, std::string_view value) {
  int64_t axis = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), axis);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size())
    throw UsageError("in " + quote(line) + ": axis " + quote(value) + " is not an integer");
  return axis;
}

// dimN: N must be the next dimension in order, so that "dim2" never comes
// without "dim1".
void add_dim(Experiment& e, std::string_view line, std::string_view key, std::string_view value) {
  std::string expected = "dim" + std::to_string(e.dims.size() + 1);
  if (key != expected)
    throw UsageError("in " + quote(line) + ": expected '" + expected + "=' but found " + quote(std::string(key) + "="));
  try {
    e.dims.push_back(parse_shape(value));
  } catch (const UsageError& err) {
    throw UsageError("in " + quote(line) + ": " + err.what());
  }
}

// At most 1024 ranks: more than any one job of the frameworks' runtimes
// here, and it keeps the world's inputs countable.
int parse_ranks(std::string_view line, std::string_view value) {
  int ranks = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ranks);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || ranks < 1 || ranks > kMaxRanks)
    throw UsageError("in " + quote(line) + ": ranks " + quote(value) + " is not a whole number from 1 to " +
                     std::to_string(kMaxRanks));
  return ranks;
}

Pass parse_pass(std::string_view line, std::string_view value) {
  if (std::optional<Pass> p = pass_from_text(value)) return *p;
  throw UsageError("in " + quote(line) + ": pass " + quote(value) + " is neither 'forward' nor 'backward'");
}

bool parse_mask(std::string_view line, std::string_view value) {
  if (value == "causal") return true;
  if (value == "tensor") return false;
  throw UsageError("in '" + std::string(line) + "': mask '" + std::string(value) + "' is neither 'tensor' nor 'causal'");
}

}  // namespace

Experiment parse_experiment(std::string_view line) {
  std::istringstream words{std::string(line)};
  Experiment e;
  if (!(words >> e.op)) throw UsageError("empty experiment");
  std::string word;
  while (words >> word) {
    size_t eq = word.find('=');
    if (eq == std::string::npos)
      throw UsageError("in " + quote(line) + ": argument " + quote(word) + " is not of the form name=value");
    std::string_view key = std::string_view(word).substr(0, eq);
    std::string_view value = std::string_view(word).substr(eq + 1);
    if (key == "axis") {
      if (e.axis) throw UsageError("in " + quote(line) + ": axis given twice");
      e.axis = parse_axis(line, value);
    } else if (key == "mask") {
      e.causal_mask = parse_mask(line, value);
    } else if (key == "pass") {
      e.pass = parse_pass(line, value);
    } else if (key == "ranks") {
      e.ranks = parse_ranks(line, value);
    } else if (key == "dtype") {
      e.dtype = parse_dtype(value);
    } else if (key.substr(0, 3) == "dim") {
      add_dim(e, line, key, value);
    } else {
      throw UsageError("in " + quote(line) + ": unknown argument " + quote(key));
    }
  }
  try {
    e.resolved_op = &find_op(e.op);
    e.spec().validate(e);
  } catch (const UsageError& err) {
    throw UsageError("in " + quote(line) + ": " + err.what());
  }
  return e;
}

}  // namespace opbench
