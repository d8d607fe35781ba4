#pragma once
// The machine's limits, measured once per machine by `opbench calibrate`:
// memory bandwidth (a large copy) and arithmetic rate (a large matrix
// product) per backend and data type (model/peaks.h).
#include <map>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "execution/sampler.h"
#include "model/peaks.h"

namespace opbench {

// The experiments calibration times on `backend`: sized for a GPU (device
// memory, 1 GiB copies) or a CPU.
std::vector<Experiment> calibration_experiments(const Backend& backend);

// Times the calibration experiments on each backend. `progress` is told
// each one as it starts. Failures (an unsupported dtype) leave that figure out.
std::map<std::string, Peaks> calibrate(const std::vector<Backend*>& backends, const SamplerSettings& settings,
                                       void (*progress)(const std::string& backend, const Experiment& e));

}  // namespace opbench
