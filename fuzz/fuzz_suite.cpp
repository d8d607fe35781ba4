// libFuzzer target: parse_suite on any text (a suite file's contents).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "model/error.h"
#include "model/suite.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    opbench::parse_suite(text, "fuzz.txt");
  } catch (const opbench::UsageError&) {
  }
  return 0;
}
