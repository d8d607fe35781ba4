// libFuzzer target: parse_shape on any text. A shape it accepts must print
// back to itself and hold at most kMaxElements elements; anything else must
// be a UsageError, never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "model/error.h"
#include "model/shape.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    opbench::Shape shape = opbench::parse_shape(text);
    if (shape.empty() || shape.size() > opbench::kMaxRank) std::abort();
    if (opbench::element_count(shape) > opbench::kMaxElements) std::abort();
    if (opbench::parse_shape(opbench::format_shape(shape)) != shape) std::abort();
  } catch (const opbench::UsageError&) {
  }
  return 0;
}
