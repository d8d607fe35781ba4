#pragma once
// A machine's limits per backend, as `opbench calibrate` measured them (execution/calibration.h):
// tables compare each cell with them.
#include <map>
#include <string>

#include "model/dtype.h"

namespace opbench {

struct Peaks {
  double bandwidth_gbs = 0;              // bytes read plus written per second, 1e9
  std::map<FloatType, double> gflops;  // 1e9 flop/s by dtype
};

// Share of the nearer roof reached by `ms` for an experiment doing `flops`
// and moving `bytes`: max(achieved GB/s / peak, achieved GFLOP/s / peak).
// NaN where the backend has no peaks.
double peak_share(const Peaks& peaks, FloatType dtype, double flops, double bytes, double ms);

}  // namespace opbench
