#include "execution/backend.h"

#include <algorithm>
#include <utility>

namespace opbench {

namespace {

// A registered backend: its name, how to make it, and the plug-in module
// whose loading registered it (empty: built into the program).
struct Registered {
  std::string name;
  BackendFactory factory;
  std::string module;
};

std::vector<Registered>& registry() {
  static std::vector<Registered> backends;
  return backends;
}

std::string& loading_module() {
  static std::string path;
  return path;
}

}  // namespace

bool register_backend(const std::string& name, BackendFactory factory) {
  registry().push_back({name, std::move(factory), loading_module()});
  return true;
}

void set_loading_module(const std::string& path) { loading_module() = path; }

std::vector<std::string> modules_of(const std::vector<std::string>& backends) {
  std::vector<std::string> out;
  for (const Registered& r : registry())
    if (!r.module.empty() && std::find(backends.begin(), backends.end(), r.name) != backends.end() &&
        std::find(out.begin(), out.end(), r.module) == out.end())
      out.push_back(r.module);
  return out;
}

std::vector<std::unique_ptr<Backend>> create_backends() {
  std::vector<std::unique_ptr<Backend>> backends;
  for (const Registered& r : registry()) backends.push_back(r.factory());
  // In the table's order (model/backend_info.cpp); those it lacks after, by name.
  std::stable_sort(backends.begin(), backends.end(), [](const auto& a, const auto& b) {
    const BackendInfo &x = a->info(), &y = b->info();
    return x.column != y.column ? x.column < y.column : x.column == kUnlistedColumn && x.name < y.name;
  });
  return backends;
}

const std::vector<std::string>& known_backend_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Registered& r : registry()) out.push_back(r.name);
    for (const MissingBackend& m : missing_backends()) {
      size_t start = 0;
      while (start < m.names.size()) {  // "a, b, c"
        size_t comma = m.names.find(',', start);
        std::string name = m.names.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        name.erase(0, name.find_first_not_of(' '));
        out.push_back(name);
        start = comma == std::string::npos ? m.names.size() : comma + 1;
      }
    }
    return out;
  }();
  return names;
}

}  // namespace opbench

namespace opbench {

SampledOutput PreparedOp::output_at(const std::vector<int64_t>& positions) {
  HostTensor whole = output();
  bool covers = positions.empty() || positions.back() < whole.numel();  // else the shape is wrong: nothing to pick
  return {whole.shape, all_finite(whole), covers ? elements_at(whole, positions) : HostTensor{}};
}

}  // namespace opbench
