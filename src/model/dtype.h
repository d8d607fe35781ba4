#pragma once
// The data types of an experiment's float inputs and results ("--dtype",
// "dtype=" in suite lines). Typed everywhere inside opbench; text only in
// suite lines, row labels, options and files.
#include <string>
#include <string_view>

namespace opbench {

enum class FloatType { float32, float16, bfloat16 };

// The name in suite lines, options and files: "float16".
const std::string& dtype_name(FloatType dtype);
// The data type `name` stands for; throws UsageError naming any other.
FloatType parse_dtype(std::string_view name);
// Bytes per element of a float input or result.
int dtype_bytes(FloatType dtype);

}  // namespace opbench
