// opbench calibrate: measures the machine's peaks once, for the metrics table.
#include <iostream>

#include "cli/commands.h"
#include "execution/calibration.h"
#include "execution/machine.h"
#include "format/calibration_file.h"
#include "model/error.h"

namespace opbench::cli {

const CommandSpec kCalibrateSpec = {
    "calibrate",
    "opbench calibrate [options]",
    "Measures, once per machine, each backend's memory bandwidth (a large copy) and arithmetic rate (a large\n"
    "matrix product, per dtype on GPUs), and stores them where 'opbench run' finds them: every later result of\n"
    "this machine then carries them, and 'opbench run --metrics' shows each cell's share of the peak.",
    {
        {"backends", "LIST", "backends to calibrate (default: every available one)"},
        {"out", "FILE", "where the peaks go (default: ~/.opbench/calibration-<hostname>.json)"},
    }};

namespace {
void show(const std::string& backend, const Experiment& e) { std::cerr << "calibrating " << backend << ": " << e.name() << "\n"; }
}  // namespace

int calibrate_command(const Args& args) {
  if (!args.positional().empty()) throw UsageError("unexpected argument " + quote(args.positional()[0]));
  std::vector<std::unique_ptr<Backend>> backends = choose_backends(args);
  std::vector<Backend*> chosen;
  for (auto& b : backends) chosen.push_back(b.get());
  SamplerSettings settings;
  settings.min_samples = 10;
  settings.max_time_s = 5;
  Machine machine = read_machine();
  std::map<std::string, Peaks> peaks = calibrate(chosen, settings, show);
  std::string path = args.get("out", default_calibration_path(machine));
  // Keep other backends' peaks from an earlier calibration of this machine.
  std::map<std::string, Peaks> stored = load_calibration(path, machine);
  for (auto& [name, p] : peaks) stored[name] = p;
  save_calibration(path, machine, stored, utc_now());
  for (auto& [name, p] : peaks) {
    std::cout << name << ": " << p.bandwidth_gbs << " GB/s";
    for (auto& [dtype, rate] : p.gflops) std::cout << ", " << rate << " GFLOP/s " << dtype_name(dtype);
    std::cout << "\n";
  }
  std::cerr << "peaks: " << path << "\n";
  return kExitOk;
}

}  // namespace opbench::cli
