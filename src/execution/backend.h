#pragma once
// A backend is one framework on one device ("cpu" = LibTorch on the CPU).
// Backends are plug-ins: each registers itself from its own folder under
// src/backends/, and the core never includes a framework header.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/backend_info.h"
#include "model/experiment.h"
#include "model/peak_memory.h"
#include "model/sampling.h"
#include "model/tensor.h"

namespace opbench {


// An experiment made ready on a backend: inputs converted and resident on the
// device. run() is one timed sample; nothing else is timed.
class PreparedOp {
 public:
  virtual ~PreparedOp() = default;
  // One call of the op, returning only when its result is complete (device
  // synchronised, lazy graph evaluated).
  virtual void run() = 0;
  // How run() and run_batch() wait for a device's result from now on
  // (SamplerSettings::wait). Backends without a device, or without a way of
  // waiting other than their framework's, ignore it.
  virtual void set_wait(GpuWait wait) { (void)wait; }
  // The last run's result, copied to the host in the reference's layout.
  virtual HostTensor output() = 0;
  // The last run's result at `positions` (sorted flat indices of the
  // reference's layout). GPU backends gather them on the device; the
  // default takes them from output().
  virtual SampledOutput output_at(const std::vector<int64_t>& positions);
  // The digest of the last run's result in the reference's layout
  // (check.h's result_digest), found where the result lies: a copying op's
  // result that matches its reference's digest need not come to the host.
  // nullopt where the backend does not compute it, or the result is not float32.
  virtual std::optional<uint64_t> output_digest() { return std::nullopt; }
  // Drops the last result, as a caller's variable going out of scope does.
  // Wall-clock samples time it with the call (the reference's forward
  // function frees its result before its clock stops); freeing a large CPU
  // result returns its pages to the system, which costs as much as the op on
  // a many-core host.
  virtual void release_output() {}
  // Hands the framework's cached free memory back (MLX's buffer cache,
  // PyTorch's CUDA caching allocator), so that the next call's result is
  // fresh memory: the sampler's --fresh-memory state (SamplerSettings).
  virtual void release_cached_memory() {}
  // Fills `bytes` of memory from the framework's allocator with NaN and
  // frees it again, before the check run: an op that leaves its fresh result
  // unwritten then shows NaN, not numbers left there by an earlier call.
  virtual void poison(size_t bytes) { (void)bytes; }

  // ---- other ways of timing (see SamplerSettings::timing) ----
  // Device time of one call, in ms, from events recorded on the device
  // around it; nullopt where the backend has no such timer (CPU backends).
  virtual std::optional<double> run_with_device_timer() { return std::nullopt; }
  // `n` calls queued back to back and one wait for all of them at the end,
  // so a launch-and-sync latency is paid once, not n times.
  virtual void run_batch(size_t n) {
    for (size_t i = 0; i < n; ++i) run();
  }
  // Evicts the op's inputs from the caches it runs through (the device's L2
  // for GPUs); false where the backend leaves that to the core's CPU flush.
  virtual bool flush_device_cache() { return false; }

  // ---- collectives (OpSpec::collective) ----
  // Replaces each of `values` by its largest over the ranks that take part in
  // the call, through the framework's own runtime. The sampler passes every
  // time it decides on through here, so that a sample's time is the slowest
  // rank's and every rank takes the same number of calls: none is left
  // waiting in a collective its peers no longer make. Nothing to do for an op
  // of one process.
  virtual void agree_on_slowest(std::span<double> values) { (void)values; }

  // ---- --memory ----
  // The peak memory of one more call of run(), untimed, from the framework's
  // own accounting: its peak counter reset as the call begins, less what was
  // allocated then (the inputs). Whatever run() is (a forward call, a
  // training step), this measures it. A backend without such accounting says
  // why in `unavailable`. The runner fills in least_bytes.
  virtual MemoryFigure measure_peak_memory() {
    MemoryFigure m;
    m.unavailable = "this backend keeps no count of its memory";
    return m;
  }
};

// Whether a backend runs an op. A framework implements each op with one
// function registered beside it (execution/framework_ops.h), or declares with a
// reason that it cannot, which the cell shows as its nan reason. Neither is a
// gap that the coverage test (tests/backend_test.cpp) fails on.
struct OpSupport {
  bool implemented = false;
  std::string cannot;  // why not, where the framework declares it cannot
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual const BackendInfo& info() const = 0;
  // Empty when usable on this machine, else why not ("no CUDA device").
  virtual std::string unavailable_reason() const = 0;
  // Framework versions for the machine line and the result file:
  // {"torch": "2.11.0", "blas": "MKL 2024.2"}.
  virtual std::map<std::string, std::string> versions() const = 0;
  // The device this backend runs on when it is not the host CPU
  // ("NVIDIA H100 80GB HBM3, 79.1 GiB"), else empty.
  virtual std::string device_name() const { return {}; }
  // Bytes free on that device now, for the runner's memory check before an
  // experiment; nullopt when unknown (the default, and CPU backends, whose
  // memory is the host's and is checked from /proc/meminfo).
  virtual std::optional<uint64_t> free_device_memory() const { return std::nullopt; }
  // Threads for CPU backends; 0 leaves the framework's default.
  virtual void set_threads(int threads) { (void)threads; }
  // Called once, before any cell, when memory is to be measured (--memory):
  // a backend whose framework keeps no count of its own starts one here
  // (LibTorch's CPU allocator gets a counting wrapper), so that runs without
  // --memory never pay for it, and runs with it pay alike in every cell.
  virtual void count_memory() {}
  // Whether this backend runs `op` (a name of the op table).
  virtual OpSupport support(const std::string& op) const = 0;
  // Converts inputs and builds the call, outside timing. Throws on failure
  // (an op declared unsupported, out of memory): the cell becomes nan with
  // the exception's message.
  virtual std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) = 0;
};

using BackendFactory = std::function<std::unique_ptr<Backend>()>;

// Called by each plug-in at static-initialisation time (see OPBENCH_REGISTER_BACKEND).
bool register_backend(const std::string& name, BackendFactory factory);

// The plug-in module whose loading registers the backends that follow
// (main.cpp sets it around each dlopen; empty: built into the program).
void set_loading_module(const std::string& path);
// The plug-in modules that register `backends`, each once, in loading
// order: what a worker that runs only these loads (OPBENCH_PLUGINS). A
// backend built into the program needs none.
std::vector<std::string> modules_of(const std::vector<std::string>& backends);

// Every backend compiled into this build, in column order.
std::vector<std::unique_ptr<Backend>> create_backends();

// Backends this build lacks, and why ("mlx_cpu: MLX was not found when
// opbench was configured; pip install mlx[cpu] ..."). Filled by the build.
struct MissingBackend {
  std::string names;
  std::string reason;
};
const std::vector<MissingBackend>& missing_backends();

// Every backend name this build knows of, registered or missing; used to
// tell "unknown backend" from "not in this build".
const std::vector<std::string>& known_backend_names();

}  // namespace opbench

#define OPBENCH_CONCAT_INNER(a, b) a##b
#define OPBENCH_CONCAT(a, b) OPBENCH_CONCAT_INNER(a, b)
// Registers a backend factory from a plug-in's translation unit.
#define OPBENCH_REGISTER_BACKEND(name, factory) \
  static const bool OPBENCH_CONCAT(opbench_registered_, __LINE__) = ::opbench::register_backend(name, factory)
