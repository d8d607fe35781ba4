#include "format/calibration_file.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "format/json.h"
#include "model/error.h"
#include "model/text_file.h"

namespace opbench {

using nlohmann::json;

namespace {

// A calibration file holds a few numbers per backend.
constexpr size_t kCalibrationFileLimit = size_t{1} << 20;

// A peak rate: a finite number, not negative (0: not measured).
double rate(const json& value, const std::string& key, const std::string& backend) {
  std::string where = "peaks of " + quote(backend) + ": field " + quote(key);
  if (!value.is_number()) throw UsageError(where + " has the wrong type");
  double x = value.get<double>();
  if (!(x >= 0 && std::isfinite(x))) throw UsageError(where + " is out of range");
  return x;
}

// A key of "gflops": a dtype's name.
FloatType rate_dtype(const std::string& key, const std::string& backend) {
  try {
    return parse_dtype(key);
  } catch (const UsageError& e) {
    throw UsageError("peaks of " + quote(backend) + ": " + e.what());
  }
}

}  // namespace

void to_json(json& j, const Peaks& p) {
  json gflops = json::object();
  for (const auto& [dtype, rate] : p.gflops) gflops[dtype_name(dtype)] = rate;
  j = {{"bandwidth_gbs", p.bandwidth_gbs}, {"gflops", gflops}};
}

std::map<std::string, Peaks> peaks_from(const json& j) {
  std::map<std::string, Peaks> peaks;
  if (!j.is_object()) return peaks;
  for (const auto& [backend, p] : j.items()) {
    if (!p.is_object()) continue;
    Peaks& out = peaks[backend];
    if (p.contains("bandwidth_gbs")) out.bandwidth_gbs = rate(p["bandwidth_gbs"], "bandwidth_gbs", backend);
    if (p.contains("gflops") && p["gflops"].is_object())
      for (const auto& [dtype, value] : p["gflops"].items()) out.gflops[rate_dtype(dtype, backend)] = rate(value, dtype, backend);
  }
  return peaks;
}

std::string default_calibration_path(const Machine& machine) {
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.opbench/calibration-" + machine.hostname + ".json";
}

void save_calibration(const std::string& path, const Machine& machine, const std::map<std::string, Peaks>& peaks,
                      const std::string& created) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  json j = {{"schema", "opbench-calibration"},
            {"created", created},
            {"machine", {{"cpu", machine.cpu}, {"cores", machine.cores}, {"hostname", machine.hostname}}},
            {"peaks", peaks}};
  write_file_atomically(path, j.dump(1) + "\n");
}

std::map<std::string, Peaks> load_calibration(const std::string& path, const Machine& machine) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};  // not calibrated: no peaks
  json j = json::parse(read_text_file(path, kCalibrationFileLimit, "a calibration file"), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || j.value("schema", "") != "opbench-calibration")
    throw UsageError(path + ": not an opbench calibration file");
  const json& m = j.value("machine", json::object());
  if (!m.is_object() || m.value("cpu", json()) != machine.cpu || m.value("cores", json()) != machine.cores) return {};
  try {
    return peaks_from(j.value("peaks", json::object()));
  } catch (const UsageError& e) {
    throw UsageError(path + ": " + e.what());
  }
}

}  // namespace opbench
