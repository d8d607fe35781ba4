#pragma once
// What a run produced: the model behind the JSON result file and every
// report. It holds plain records, not live experiments, so files from other
// opbench versions (with ops this one lacks) still load and merge.
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/backend_info.h"
#include "model/pass.h"
#include "model/peak_memory.h"
#include "model/peaks.h"
#include "model/sampling.h"
#include "model/stats.h"
#include "model/verdict.h"

namespace opbench {

// How a cell's output compared with the reference before it was timed.
struct CheckRecord {
  Verdict verdict = Verdict::none;
  double error = 0;    // relative norm error, or the share of wrong elements
  // The op's tolerance the error was judged against; nan in files written
  // before it was recorded.
  double tolerance = NAN;
  std::string detail;  // for a failure: what was wrong
  CheckScope against;   // what the output was compared with
};

// Where a cell's wall time went, in seconds: the backend's preparation
// (inputs converted and moved to its device, the call built), the checked run
// with its comparison against the reference, the warm-up, and the sampling.
struct CellPhases {
  double prepare_s = 0, check_s = 0, warmup_s = 0, sampling_s = 0;
  double total_s() const { return prepare_s + check_s + warmup_s + sampling_s; }
  CellPhases& operator+=(const CellPhases& o) {
    prepare_s += o.prepare_s, check_s += o.check_s, warmup_s += o.warmup_s, sampling_s += o.sampling_s;
    return *this;
  }
};

// Where an experiment's wall time went beyond its cells, in seconds: making
// the inputs and the double-precision reference (again for each worker that
// had to start over after a crash), and the rest: starting workers, messages
// between opbench and its worker, the memory check.
struct ExperimentPhases {
  double inputs_s = 0, reference_s = 0, harness_s = 0;
  ExperimentPhases& operator+=(const ExperimentPhases& o) {
    inputs_s += o.inputs_s, reference_s += o.reference_s, harness_s += o.harness_s;
    return *this;
  }
};

// How a cell's warm-up ended (docs/sampling.md): its calls, and whether it
// reached the cap with the times still falling.
struct WarmUpRecord {
  size_t calls = 0;
  bool capped = false;
};

struct Cell {
  std::string backend;
  std::string error;  // why this cell has no time; empty when it has one
  // The cell has no meaning, not a failure: the op has no such pass (Argmax
  // has no gradient). `error` says why; tables print n/a, not nan.
  bool not_applicable = false;
  Stats stats;
  std::vector<double> samples_ms;
  // A cell timed in rounds (opbench run --versions): how many of samples_ms
  // each round took, in the order taken (they add up to samples_ms); empty
  // for a cell timed in one go. Its rounds' spread is its own noise
  // (level_spread), which a change between versions must exceed.
  std::vector<size_t> round_samples;
  Stop stop = Stop::none;  // why sampling stopped
  Timing timing = Timing::wall;  // what a sample was
  size_t batch = 1;              // calls per sample
  Cache cache = Cache::warm;
  // Page faults and CPU time per call; absent in files of older versions.
  std::optional<HostCost> host;
  // Absent in files before the steady-state warm-up.
  std::optional<WarmUpRecord> warmup;
  CheckRecord check;
  // Absent in files of opbench before 0.3.
  std::optional<CellPhases> phases;
  // The peak memory of one call, with --memory only (a cell without a time
  // has none).
  std::optional<MemoryFigure> memory;

  // A wrong result is never reported as a time.
  bool wrong() const { return check.verdict == Verdict::wrong; }
  bool ok() const { return error.empty() && !wrong(); }
  // Timed, though its output was off by more than the op's tolerance: its
  // time is printed with a mark.
  bool imprecise() const { return ok() && check.verdict == Verdict::imprecise; }
};

// A cell that did not run, or failed, on `backend`: nan with `error`, its reason.
Cell failed_cell(const std::string& backend, const std::string& error);

struct ExperimentRecord {
  std::string op;
  std::string name;  // "Argmax / dim=64x1024x128 axi=0"
  std::string line;  // "Argmax dim1=64x1024x128 axis=0"
  std::vector<Cell> cells;
  std::optional<ExperimentPhases> phases;  // absent in files of opbench before 0.3
  // Forward in files written before the backward pass existed.
  Pass pass = Pass::forward;

  const Cell* find(const std::string& backend) const;
  // The name, with " [backward]" for the backward pass: what tells an
  // experiment's two passes apart where one list holds both (compare's rows,
  // google/benchmark's names).
  std::string label() const { return pass == Pass::forward ? name : name + " [" + pass_text(pass) + "]"; }
};

struct BackendRecord {
  BackendInfo info;
  std::string device;  // "NVIDIA H100 80GB HBM3 (79 GiB)" for GPUs, else empty
};

struct Machine {
  std::string cpu;  // "Intel(R) Xeon(R) Platinum 8481C"
  int cores = 0;    // logical CPUs
  uint64_t memory_bytes = 0;
  std::string os;        // "Linux 6.1.0-18-amd64 x86_64"
  std::string hostname;
};

struct RunSettings {
  SamplerSettings sampler;
  uint64_t seed = 0;
  int threads = 0;  // CPU threads for CPU backends; 0 = the framework's default
  bool check = true;  // compare every cell's output with the reference before timing it
  bool memory = false;  // measure each cell's peak memory in one more, untimed, call (--memory)
  // Rounds over the framework versions per experiment (--rounds, with
  // --versions); 1 for a run without versions.
  int rounds = 1;

  bool operator==(const RunSettings&) const = default;
};

struct RunRecord {
  int schema_version = 1;
  std::string opbench_version;
  std::string created;  // UTC, ISO 8601
  std::string suite;    // "default", "quick", a file name, or "custom"
  std::string label;    // --label: what the run measured ("nightly 2026-12-03", a commit); may be empty
  Machine machine;
  std::map<std::string, std::string> versions;  // "torch", "torch_blas", "mlx", ...
  RunSettings settings;
  std::vector<BackendRecord> backends;  // in column order
  // Every experiment line the run set out to measure, in order: what
  // `opbench run --resume` compares `experiments` with to find what is left.
  std::vector<std::string> plan;
  std::vector<ExperimentRecord> experiments;
  // Per backend, the machine's limits from `opbench calibrate`; empty when
  // the machine was not calibrated.
  std::map<std::string, Peaks> peaks;

  // The passes its experiments time, forward first; each is reported on its
  // own, never in one column with the other.
  std::vector<Pass> passes() const;
  // The same run with only the experiments of `pass`.
  RunRecord only(Pass pass) const;

  // The seed's bold machine line: CPU, cores, memory, GPUs, framework versions.
  std::string description() const;
};

}  // namespace opbench
