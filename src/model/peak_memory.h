#pragma once
// `opbench run --memory`: the peak memory one call of an op needs beyond its
// inputs, as each framework's own allocator counts it, and how that compares
// with the least memory the call needs.
#include <cmath>
#include <string>
#include <vector>

#include "model/experiment.h"
#include "model/tensor.h"

namespace opbench {

// What one call needed in memory: a PreparedOp's answer, and a cell's
// "memory" in result.json. The call is whatever run() does (the forward call;
// a training step's backward call likewise).
struct MemoryFigure {
  // The most bytes allocated at once during the call beyond what was
  // allocated when it began (the inputs, what the backend keeps); NaN where
  // the framework gives no figure.
  double peak_bytes = NAN;
  // Whose count it is ("CUDA caching allocator"), for the tooltips and notes.
  std::string source;
  // Why there is no figure, where peak_bytes is NaN ("opbench reads no memory
  // count of LibTorch's MPS allocator").
  std::string unavailable;
  // The result is an input's memory (Scatter's x[idx] = src on a buffer made
  // once, MLX's sum of one element, which is its input): the call needs none
  // of its own for it.
  bool in_place = false;
  // The least memory the call needs (least_memory; 0 in place), the ratio's
  // denominator. A backend leaves it NaN; the runner fills it in.
  double least_bytes = NAN;

  bool measured() const { return std::isfinite(peak_bytes); }
};

// The least memory one call of `e` needs beyond its inputs: its result
// (indices at 4 bytes each, the fewest a framework uses: MLX's uint32). This
// is the one place that says what a call must hold. A backward call's least is
// the same: the gradients it returns may hold no memory of their own (Sum's
// is the upstream gradient broadcast, Concat's are slices of it, Copy's is
// it), as the H100's CUDA and MLX counts showed.
double least_memory(const Experiment& e);

// A figure no call can have, and why ("2.0 KiB, below the 4.0 KiB its
// result alone takes"); empty for a plausible figure or none.
std::string implausible_memory(const MemoryFigure& m);

// peak / least; NaN without a figure, or where the least is 0 (in place).
double memory_ratio(const MemoryFigure& m);

}  // namespace opbench
