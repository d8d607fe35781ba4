#pragma once
// A backend that computes each op with the double-precision reference,
// counting its cells: the runner's tests run real cells on it without a
// framework.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "model/ops.h"
#include "model/result.h"

namespace opbench {

class ReferenceOp : public PreparedOp {
 public:
  ReferenceOp(const Experiment& e, const std::vector<HostTensor>& inputs) : e_(e), inputs_(inputs) {}
  void run() override {
    RefTensor ref = e_.spec().reference(e_, inputs_);
    out_ = HostTensor{"out", ref.shape, e_.spec().gives_indices ? DType::Int64 : DType::Float32, {}, {}};
    if (out_.dtype == DType::Int64) out_.i64.assign(ref.values.begin(), ref.values.end());
    else out_.f32.assign(ref.values.begin(), ref.values.end());
  }
  HostTensor output() override { return out_; }

 private:
  Experiment e_;
  std::vector<HostTensor> inputs_;
  HostTensor out_;
};

class ReferenceBackend : public Backend {
 public:
  ReferenceBackend(std::string name, int column) {
    info_.name = std::move(name);
    info_.column = column;
  }
  const BackendInfo& info() const override { return info_; }
  std::string unavailable_reason() const override { return ""; }
  std::map<std::string, std::string> versions() const override { return {}; }
  std::string device_name() const override { return device_free ? "Test GPU" : ""; }
  std::optional<uint64_t> free_device_memory() const override { return device_free; }
  OpSupport support(const std::string&) const override { return {true, ""}; }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    ++prepared[e.line()];
    return std::make_unique<ReferenceOp>(e, inputs);
  }

  std::map<std::string, int> prepared;  // cells run, by experiment line
  std::optional<uint64_t> device_free;

 private:
  BackendInfo info_;
};

// Sampling settings for tests of the runner: no warm-up, no time floor,
// between `min_samples` and `max_samples` samples, at most `max_time_s`.
inline RunSettings without_warmup(size_t min_samples, size_t max_samples, double max_time_s) {
  RunSettings s;
  s.sampler.warmup_s = 0;
  s.sampler.min_samples = min_samples;
  s.sampler.max_samples = max_samples;
  s.sampler.min_time_s = 0;
  s.sampler.max_time_s = max_time_s;
  return s;
}

}  // namespace opbench
