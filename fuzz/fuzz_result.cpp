// libFuzzer target: from_json on any text (a result file, as `opbench report`
// and `opbench run --resume` read it). A record it accepts must write back
// out and read in again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "format/json.h"
#include "model/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    opbench::RunRecord record = opbench::from_json(text, "fuzz.json");
    (void)record.description();
    std::string again = opbench::to_json(record);
    try {
      opbench::from_json(again, "written");
    } catch (const opbench::UsageError&) {
      std::abort();  // what opbench writes, it must read
    }
  } catch (const opbench::UsageError&) {
  }
  return 0;
}
