// libFuzzer target: parse_experiment on any text. An accepted experiment must
// survive what the runner does with it before any input exists (its name and
// line, output shape, work, memory estimate) and read back from its line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/error.h"
#include "model/experiment.h"
#include "model/memory.h"
#include "model/ops.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    opbench::Experiment e = opbench::parse_experiment(text);
    const opbench::OpSpec& op = e.spec();
    if (opbench::element_count(op.output_shape(e)) > opbench::kMaxElements) std::abort();
    volatile double work = op.flops(e) + opbench::estimate_memory(e, true).host_bytes;
    (void)work;
    (void)e.name();
    if (opbench::parse_experiment(e.line()).line() != e.line()) std::abort();
  } catch (const opbench::UsageError&) {
  }
  return 0;
}
