#include "model/dtype.h"

#include <array>

#include "model/error.h"

namespace opbench {

namespace {
// In FloatType's order.
const std::array<std::string, 3> kNames{"float32", "float16", "bfloat16"};
}  // namespace

const std::string& dtype_name(FloatType dtype) { return kNames.at(static_cast<size_t>(dtype)); }

FloatType parse_dtype(std::string_view name) {
  for (size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<FloatType>(i);
  throw UsageError("unknown dtype " + quote(name) + " (known: float32, float16, bfloat16)");
}

int dtype_bytes(FloatType dtype) { return dtype == FloatType::float32 ? 4 : 2; }

}  // namespace opbench
