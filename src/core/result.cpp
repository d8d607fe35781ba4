#include "core/result.h"

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
  std::string last_device;
  for (const BackendRecord& b : backends)
    if (!b.device.empty() && b.device != last_device) out << " / " << (last_device = b.device);
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
