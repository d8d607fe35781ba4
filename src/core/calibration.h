#pragma once
// The machine's limits, measured once per machine by `opbench calibrate`:
// memory bandwidth (a large copy) and arithmetic rate (a large matrix
// product) per backend and data type. Tables compare each cell with them.
#include <map>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/sampler.h"

namespace opbench {

struct Peaks {
  double bandwidth_gbs = 0;              // bytes read plus written per second, 1e9
  std::map<std::string, double> gflops;  // by dtype: "float32" -> 1e9 flop/s
};

// The experiments calibration times on `backend`: sized for a GPU (device
// memory, 1 GiB copies) or a CPU.
std::vector<Experiment> calibration_experiments(const Backend& backend);

// Times the calibration experiments on each backend. `progress` is told
// each one as it starts. Failures (an unsupported dtype) leave that figure out.
std::map<std::string, Peaks> calibrate(const std::vector<Backend*>& backends, const SamplerSettings& settings,
                                       void (*progress)(const std::string& backend, const Experiment& e));

// Share of the nearer roof reached by `ms` for an experiment doing `flops`
// and moving `bytes`: max(achieved GB/s / peak, achieved GFLOP/s / peak).
// NaN where the backend has no peaks.
double peak_share(const Peaks& peaks, const std::string& dtype, double flops, double bytes, double ms);

}  // namespace opbench
