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

// One cell, and the run settings, as the result file writes them (one line
// of JSON), and back: the messages between opbench and its worker process
// (core/isolation.h). The readers throw UsageError naming `source`.
std::string cell_to_json(const Cell& cell);
Cell cell_from_json(const std::string& text, const std::string& source);
std::string settings_to_json(const RunSettings& settings);
RunSettings settings_from_json(const std::string& text, const std::string& source);

// The most a result file may hold: twenty times a default-suite run on eight
// backends; past it opbench says so instead of trying to parse it.
inline constexpr size_t kResultFileLimit = size_t{256} << 20;

// Reads and parses a result file (at most kResultFileLimit bytes). Throws UsageError.
RunRecord read_result_file(const std::string& path);
// Writes `text` to `path` atomically: a temporary file in the same folder
// (`path`.partial.<process id>),
// flushed to the disk (fsync), then a rename, so a reader (or a crash, or a
// power cut) never leaves half a file: `path` holds the old text or the new.
// A full disk leaves the old file and throws std::runtime_error naming the
// path and the reason ("No space left on device").
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace opbench
