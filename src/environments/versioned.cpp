#include "environments/versioned.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "environments/process.h"
#include "model/text.h"

namespace opbench {

std::vector<BackendDescription> describe_plugin(const std::string& exe, const std::string& plugin, const std::string& log) {
  const std::string path = log + ".json";
  std::remove(path.c_str());
  ProcessResult r = run_process({exe, "worker", "--describe", path}, log, {{"OPBENCH_PLUGINS", plugin}});
  std::ifstream in(path);
  nlohmann::json all = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (!r.ok() || !all.is_array()) throw std::runtime_error("its plug-in does not load: " + failure_line(r.output));
  std::vector<BackendDescription> out;
  for (const auto& b : all)
    out.push_back({b.value("name", ""), b.value("versions", std::map<std::string, std::string>{}), b.value("device", ""),
                   b.value("unavailable", "")});
  std::remove(path.c_str());
  return out;
}

std::map<std::string, std::string> versions_by_version(const std::map<std::string, std::string>& versions,
                                                       const std::string& framework, const std::string& version) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : versions) {
    if (key == framework) out[framework + "@" + version] = value;
    else if (key.rfind(framework + "_", 0) == 0) out[framework + "@" + version + key.substr(framework.size())] = value;
    else out[key] = value;
  }
  return out;
}

namespace {

std::string seconds_text(double s) { return formatted(s < 10 ? "%.1f s" : "%.0f s", s); }

std::string setup_text(const PreparedVersion& p) {
  std::string out = p.installed ? "installed in " + seconds_text(p.install_s) : "environment reused";
  out += p.built ? ", plug-in built in " + seconds_text(p.build_s) : ", plug-in reused";
  return out;
}

// The framework's backends in the plug-in's description.
std::vector<BackendDescription> of_framework(const std::vector<BackendDescription>& all, const std::string& framework) {
  std::vector<BackendDescription> out;
  for (const BackendDescription& d : all)
    if (d.versions.count(framework)) out.push_back(d);
  return out;
}

}  // namespace

VersionedBackends versioned_backends(const std::vector<VersionRequest>& requests, const std::vector<std::string>& wanted,
                                     const VersionStore& store, const std::map<std::string, OwnPlugin>& own,
                                     const Describe& describe, const std::function<void(const std::string&)>& say) {
  VersionedBackends out;
  // Each version's backends as its plug-in describes them.
  std::vector<std::vector<BackendDescription>> described;
  for (const VersionRequest& request : requests) {
    const Framework& f = find_framework(request.framework);
    for (const std::string& v : request.versions) {
      VersionPlugin vp{f.name, v, "", "", {}, ""};
      auto mine = own.find(f.name);
      if (mine != own.end() && mine->second.version == v) {
        vp.plugin = mine->second.module;
        vp.setup = "this build's own";
      } else {
        PreparedVersion p = store.prepare(f, v, say);
        vp.plugin = p.plugin;
        vp.error = p.error;
        vp.setup = p.error.empty() ? setup_text(p) : "failed";
      }
      std::vector<BackendDescription> d;
      if (vp.error.empty()) {
        try {
          d = of_framework(describe(vp.plugin), f.name);
        } catch (const std::exception& ex) {
          vp.error = ex.what();
          vp.plugin.clear();
        }
      }
      out.versions.push_back(vp);
      described.push_back(d);
    }
  }

  // A framework's backend names: those of any of its versions that loaded;
  // `runnable`, those that can run here in one of them at least.
  std::map<std::string, std::vector<std::string>> names;
  std::map<std::string, std::vector<std::string>> runnable;
  for (size_t i = 0; i < out.versions.size(); ++i)
    for (const BackendDescription& d : described[i]) {
      std::vector<std::string>& list = names[out.versions[i].framework];
      if (std::find(list.begin(), list.end(), d.name) == list.end()) list.push_back(d.name);
      if (d.unavailable.empty()) runnable[out.versions[i].framework].push_back(d.name);
      if (std::find(out.claimed.begin(), out.claimed.end(), d.name) == out.claimed.end()) out.claimed.push_back(d.name);
    }

  // A framework none of whose versions could say (every one failed): the
  // --backends names no other framework has, so that its cells say why.
  std::vector<std::string> unclaimed;
  for (const std::string& name : wanted)
    if (std::find(out.claimed.begin(), out.claimed.end(), name) == out.claimed.end()) unclaimed.push_back(name);
  for (const VersionRequest& request : requests)
    if (names[request.framework].empty()) {
      names[request.framework] = unclaimed;
      out.claimed.insert(out.claimed.end(), unclaimed.begin(), unclaimed.end());
    }

  for (size_t i = 0; i < out.versions.size(); ++i) {
    VersionPlugin& vp = out.versions[i];
    const VersionRequest& request =
        *std::find_if(requests.begin(), requests.end(), [&](const VersionRequest& r) { return r.framework == vp.framework; });
    const size_t rank = static_cast<size_t>(
        std::find(request.versions.begin(), request.versions.end(), vp.version) - request.versions.begin());
    for (const std::string& name : names[vp.framework]) {
      auto d = std::find_if(described[i].begin(), described[i].end(), [&](const BackendDescription& x) { return x.name == name; });
      // Without --backends: what runs here (a failed version keeps the columns its kin have).
      const std::vector<std::string>& chosen = wanted.empty() ? runnable[vp.framework] : wanted;
      if (std::find(chosen.begin(), chosen.end(), name) == chosen.end()) continue;
      BackendDescription description = d != described[i].end() ? *d : BackendDescription{name, {}, "", ""};
      description.versions = versions_by_version(description.versions, vp.framework, vp.version);
      const std::string full = versioned_name(name, vp.framework, vp.version);
      const int column = backend_info(name, "").column * 100 + static_cast<int>(rank);
      out.backends.push_back(std::make_unique<RemoteBackend>(full, column, std::move(description), vp.plugin));
      vp.backends.push_back(full);
    }
  }
  std::stable_sort(out.backends.begin(), out.backends.end(),
                   [](const auto& a, const auto& b) { return a->info().column < b->info().column; });
  return out;
}

}  // namespace opbench
