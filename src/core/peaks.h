#pragma once
// A machine's limits per backend, as `opbench calibrate` measured them (core/calibration.h):
// tables compare each cell with them.
#include <map>
#include <string>

namespace opbench {

struct Peaks {
  double bandwidth_gbs = 0;              // bytes read plus written per second, 1e9
  std::map<std::string, double> gflops;  // by dtype: "float32" -> 1e9 flop/s
};

// Share of the nearer roof reached by `ms` for an experiment doing `flops`
// and moving `bytes`: max(achieved GB/s / peak, achieved GFLOP/s / peak).
// NaN where the backend has no peaks.
double peak_share(const Peaks& peaks, const std::string& dtype, double flops, double bytes, double ms);

}  // namespace opbench
