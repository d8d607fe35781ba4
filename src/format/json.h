#pragma once
// The JSON result file (schema: docs/result-schema.md), and the same
// records as nlohmann JSON values: the messages between opbench and its
// worker process (execution/isolation.h) carry cells as the file holds them.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "model/result.h"

namespace opbench {

inline constexpr int kSchemaVersion = 1;

std::string to_json(const RunRecord& record);
// to_json for a file written again and again as a run goes: each
// experiment's text is kept, and made again only where its record changed
// (a 182-cell run's whole file made from its records after every experiment
// took 6 ms a time at its end on the 2-core machine, a second over the run).
class ResultText {
 public:
  std::string operator()(const RunRecord& record);

 private:
  std::map<std::string, std::pair<uint64_t, std::string>> kept_;  // by line: a fingerprint and the text
};
// Parses a result file's text. Throws UsageError naming `source` and what is
// wrong (not JSON, not an opbench result, unknown schema version, missing field).
RunRecord from_json(const std::string& text, const std::string& source);

// The records as JSON values (nlohmann's to_json, found by argument-dependent
// lookup: `nlohmann::json j = cell;`), exactly as the result file writes them.
void to_json(nlohmann::json& j, const Cell& cell);
void to_json(nlohmann::json& j, const RunSettings& settings);

// The checked readers of those values: every field range-checked, as in a
// result file. They throw UsageError naming `source` and what is wrong.
Cell cell_from_json(const nlohmann::json& j, const std::string& source);
RunSettings settings_from_json(const nlohmann::json& j, const std::string& source);

// The most a result file may hold: twenty times a default-suite run on eight
// backends; past it opbench says so instead of trying to parse it.
inline constexpr size_t kResultFileLimit = size_t{256} << 20;

// Reads and parses a result file (at most kResultFileLimit bytes), gzipped
// or not (docs/results/*.json.gz). Throws UsageError.
RunRecord read_result_file(const std::string& path);
// Writes `text` to `path` atomically: a temporary file in the same folder
// (`path`.partial.<process id>),
// flushed to the disk (fsync), then a rename, so a reader (or a crash, or a
// power cut) never leaves half a file: `path` holds the old text or the new.
// A full disk leaves the old file and throws std::runtime_error naming the
// path and the reason ("No space left on device").
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace opbench
