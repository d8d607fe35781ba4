#pragma once
// The calibration file: the peaks `opbench calibrate` measured on one
// machine, which `opbench run` copies into each result of that machine.
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "model/peaks.h"
#include "model/result.h"

namespace opbench {

// ~/.opbench/calibration-<hostname>.json
std::string default_calibration_path(const Machine& machine);

// `created`: when the peaks were measured (UTC, ISO 8601).
void save_calibration(const std::string& path, const Machine& machine, const std::map<std::string, Peaks>& peaks,
                      const std::string& created);

// The peaks stored at `path` if they were measured on this machine (same CPU
// and core count); empty when there is no such file. Throws UsageError for a
// file that is not a calibration.
std::map<std::string, Peaks> load_calibration(const std::string& path, const Machine& machine);

// Peaks as JSON values and back, for the result file's "peaks" field
// (`nlohmann::json j = peaks;` writes a map of them). A peak that is not a
// finite number from 0 up is a UsageError naming it.
void to_json(nlohmann::json& j, const Peaks& peaks);
std::map<std::string, Peaks> peaks_from(const nlohmann::json& j);

}  // namespace opbench
