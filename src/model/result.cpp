#include "model/result.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace opbench {

const Cell* ExperimentRecord::find(const std::string& backend) const {
  for (const Cell& c : cells)
    if (c.backend == backend) return &c;
  return nullptr;
}

std::string RunRecord::description() const {
  std::ostringstream out;
  out << machine.cpu << " (" << machine.cores << " cores), " << std::lround(machine.memory_bytes / 1073741824.0) << " GiB";
  // Each GPU once, though two frameworks may round its memory differently.
  std::vector<std::string> gpus;
  for (const BackendRecord& b : backends) {
    std::string name = b.device.substr(0, b.device.find(" ("));
    if (b.device.empty() || std::find(gpus.begin(), gpus.end(), name) != gpus.end()) continue;
    gpus.push_back(name);
    out << " / " << b.device;
  }
  // Frameworks by name; "torch_blas" and the like go in brackets after theirs.
  const char* separator = " - ";
  for (const auto& [name, version] : versions) {
    if (name.find('_') != std::string::npos) continue;
    out << separator << name << " " << version;
    separator = ", ";
    std::string extras;
    for (const auto& [key, value] : versions)
      if (key.rfind(name + "_", 0) == 0 && !value.empty())
        extras += (extras.empty() ? "" : ", ") + key.substr(name.size() + 1) + " " + value;
    if (!extras.empty()) out << " (" << extras << ")";
  }
  return out.str();
}

}  // namespace opbench

namespace opbench {

std::vector<Pass> RunRecord::passes() const {
  std::vector<Pass> out;
  for (Pass p : {Pass::forward, Pass::backward})
    if (std::any_of(experiments.begin(), experiments.end(), [p](const ExperimentRecord& e) { return e.pass == p; }))
      out.push_back(p);
  return out;
}

RunRecord RunRecord::only(Pass pass) const {
  RunRecord r = *this;
  std::erase_if(r.experiments, [pass](const ExperimentRecord& e) { return e.pass != pass; });
  return r;
}

Cell failed_cell(const std::string& backend, const std::string& error) {
  Cell cell;
  cell.backend = backend;
  cell.error = error;
  return cell;
}

}  // namespace opbench
