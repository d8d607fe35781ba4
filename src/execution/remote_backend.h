#pragma once
// A backend of a framework version other than this build's (opbench run
// --versions): made only in its worker process, which loads that version's
// plug-in; this process knows only what the worker said of it.
#include <map>
#include <stdexcept>
#include <string>

#include "execution/backend.h"

namespace opbench {

// What a plug-in's worker says of one of its backends (opbench worker --describe).
struct BackendDescription {
  std::string name;  // as the plug-in calls it: "cpu"
  std::map<std::string, std::string> versions;
  std::string device, unavailable;
};

class RemoteBackend : public Backend {
 public:
  // `name`: the versioned name ("cpu@torch-2.15.0"); `column`: its place
  // among the columns; `plugin`: the module its worker loads.
  RemoteBackend(const std::string& name, int column, BackendDescription d, std::string plugin)
      : info_(backend_info(name, "")), d_(std::move(d)), plugin_(std::move(plugin)) {
    info_.column = column;
    info_.speedups.clear();  // a version's change is its own column (report/markdown.h)
    info_.description = d_.name + " of " + version_tag(name);
  }
  const BackendInfo& info() const override { return info_; }
  std::string unavailable_reason() const override { return d_.unavailable; }
  std::map<std::string, std::string> versions() const override { return d_.versions; }
  std::string device_name() const override { return d_.device; }
  OpSupport support(const std::string&) const override { return {true, ""}; }
  std::unique_ptr<PreparedOp> prepare(const Experiment&, const std::vector<HostTensor>&) override {
    throw std::runtime_error(info_.name + " runs only in a worker process that loads " + plugin_);
  }
  const std::string& plugin() const { return plugin_; }

 private:
  BackendInfo info_;
  BackendDescription d_;
  std::string plugin_;
};

}  // namespace opbench
