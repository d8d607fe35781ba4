#pragma once
// The calibration file: the peaks `opbench calibrate` measured on one
// machine, which `opbench run` copies into each result of that machine.
#include <map>
#include <string>

#include "core/calibration.h"
#include "core/result.h"

namespace opbench {

// ~/.opbench/calibration-<hostname>.json
std::string default_calibration_path(const Machine& machine);

void save_calibration(const std::string& path, const Machine& machine, const std::map<std::string, Peaks>& peaks);

// The peaks stored at `path` if they were measured on this machine (same CPU
// and core count); empty when there is no such file. Throws UsageError for a
// file that is not a calibration.
std::map<std::string, Peaks> load_calibration(const std::string& path, const Machine& machine);

// Peaks as JSON text and back, for the result file's "peaks" field. A peak
// that is not a finite number from 0 up is a UsageError naming it.
std::string peaks_to_json(const std::map<std::string, Peaks>& peaks);
std::map<std::string, Peaks> peaks_from_json(const std::string& text);

}  // namespace opbench
