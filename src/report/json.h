#pragma once
// The JSON result file (schema: docs/result-schema.md).
#include <string>

#include "core/result.h"

namespace opbench {

inline constexpr int kSchemaVersion = 1;

std::string to_json(const RunRecord& record);
// Parses a result file's text. Throws UsageError naming `source` and what is
// wrong (not JSON, not an opbench result, unknown schema version, missing field).
RunRecord from_json(const std::string& text, const std::string& source);

// Reads and parses a result file. Throws UsageError.
RunRecord read_result_file(const std::string& path);
// Writes `text` to `path` atomically: a temporary file in the same folder,
// then a rename, so a reader never sees half a file. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace opbench
