#include "model/peak_memory.h"

#include "model/memory.h"
#include "model/ops.h"

namespace opbench {

double least_memory(const Experiment& e) {
  const OpSpec& op = e.spec();
  return element_count(op.output_shape(e)) * (op.gives_indices ? 4.0 : dtype_bytes(e.dtype));
}

std::string implausible_memory(const MemoryFigure& m) {
  if (!m.measured()) return "";
  if (m.peak_bytes < 0) return "a negative peak (" + format_bytes(m.peak_bytes) + ")";
  if (m.peak_bytes < m.least_bytes)
    return format_bytes(m.peak_bytes) + ", below the " + format_bytes(m.least_bytes) + " its result alone takes";
  return "";
}

double memory_ratio(const MemoryFigure& m) {
  if (!m.measured() || !(m.least_bytes > 0)) return NAN;
  return m.peak_bytes / m.least_bytes;
}

}  // namespace opbench
