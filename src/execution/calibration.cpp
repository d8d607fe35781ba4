#include "execution/calibration.h"

#include <cmath>

#include "execution/runner.h"
#include "model/check.h"
#include "model/ops.h"

namespace opbench {

std::vector<Experiment> calibration_experiments(const Backend& backend) {
  // A GPU backend names its device; the host's CPU backends do not.
  bool gpu = !backend.device_name().empty();
  std::string copy = gpu ? "Copy dim1=268435456" : "Copy dim1=67108864";  // 1 GiB or 256 MiB of float32
  std::string product = gpu ? "MatMul dim1=8192x8192 dim2=8192x8192" : "MatMul dim1=2048x2048 dim2=2048x2048";
  std::vector<Experiment> out = {parse_experiment(copy), parse_experiment(product)};
  if (gpu)
    for (FloatType dtype : {FloatType::float16, FloatType::bfloat16}) {
      out.push_back(parse_experiment(product));
      out.back().dtype = dtype;
    }
  return out;
}

std::map<std::string, Peaks> calibrate(const std::vector<Backend*>& backends, const SamplerSettings& settings,
                                       void (*progress)(const std::string& backend, const Experiment& e)) {
  std::map<std::string, Peaks> peaks;
  for (Backend* backend : backends) {
    Peaks& p = peaks[backend->info().name];
    for (const Experiment& e : calibration_experiments(*backend)) {
      if (progress) progress(backend->info().name, e);
      std::vector<HostTensor> inputs = make_inputs(e, 0);
      // Checked as any cell is (sampled reference for the product).
      RefTensor expected = expected_result(e, inputs);
      Cell cell = run_cell(*backend, e, inputs, &expected, settings);
      if (!cell.ok()) continue;
      double seconds = cell.stats.min / 1e3;  // the fastest run is the closest to the limit
      if (e.op == "Copy") p.bandwidth_gbs = minimum_bytes(e) / seconds / 1e9;
      else p.gflops[e.dtype] = e.spec().flops(e) / seconds / 1e9;
    }
  }
  return peaks;
}

}  // namespace opbench
