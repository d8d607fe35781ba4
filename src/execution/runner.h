#pragma once
// Runs experiments on backends: inputs and the reference result once per
// experiment, then for each backend a checked run and the measurement. A
// failure becomes a nan cell with its reason; the run goes on.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "execution/backend.h"
#include "model/check.h"
#include "model/result.h"

namespace opbench {

// Told of each cell as the run goes, for progress and for saving partial results.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // Cell `index` of `total` is about to start; `elapsed_s` since the run began.
  virtual void cell_started(size_t index, size_t total, const Experiment& e, const std::string& backend,
                            double elapsed_s) = 0;
  // A whole experiment is done (every backend): `record` holds it and all before.
  virtual void experiment_finished(const RunRecord& record) = 0;
  // Asked between cells (and, with isolation, while a cell runs): true once
  // the run must start nothing new (SIGINT, SIGTERM). The cell in flight is
  // dropped where it can be stopped (a worker process), else finished.
  virtual bool stop_requested() { return false; }
};

// What running one experiment reports, cell by cell; every member may be empty.
struct CellEvents {
  std::function<void(size_t)> started;         // the cell of backends[i] starts now
  std::function<void(size_t, Cell)> finished;  // the cell of backends[i] is done
  std::function<bool()> stop;                  // true: start no further cell
  // The inputs and the reference are made, before the first cell starts:
  // how long each took, in seconds.
  std::function<void(double inputs_s, double reference_s)> prepared;
};

// Runs the cells of one experiment on some backends: in this process
// (InProcessExecutor), or in worker processes (execution/isolation.h). Cells are
// run and reported in the order of `backends`; a stop leaves the rest unrun.
// `keep_inputs`: the next experiment this executor is given has the same
// inputs (model/ops.h inputs_key), so the process that made them may keep
// them for it (KeptInputs).
class ExperimentExecutor {
 public:
  virtual ~ExperimentExecutor() = default;
  virtual void run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
                   const CellEvents& events, bool keep_inputs) = 0;
};

// One experiment's inputs, kept for the next experiment when that one has
// the same (its twin of the other pass: the backward experiment's inputs
// are the forward's and dy), so that they are not made twice. One slot:
// whatever the next experiment is, it empties the slot before it makes or
// checks anything, so no unrelated experiment runs beside kept inputs.
class KeptInputs {
 public:
  // The inputs kept for `e` (made for its inputs_key and `seed`), without
  // dy; nullopt when none are. Either way the slot is empty after.
  std::optional<std::vector<HostTensor>> take(const Experiment& e, uint64_t seed);
  // Keeps `inputs`, made for `e` and `seed` (a backward experiment's dy is left out).
  void keep(const Experiment& e, uint64_t seed, std::vector<HostTensor> inputs);

 private:
  std::string key_;
  uint64_t seed_ = 0;
  std::vector<HostTensor> inputs_;
};

// One experiment in this process: the memory check (model/memory.h), inputs
// and reference once, then each backend's cell (run_cell). An experiment that
// cannot fit in memory, or whose inputs cannot be made, gets that reason in
// every cell. With `kept`, the inputs kept there for `e` are taken instead
// of made again (only dy is made), and with `keep_inputs` e's own are kept
// there after its cells.
void run_experiment(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
                    const CellEvents& events, KeptInputs* kept = nullptr, bool keep_inputs = false);

class InProcessExecutor : public ExperimentExecutor {
 public:
  void run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
           const CellEvents& events, bool keep_inputs) override {
    run_experiment(e, backends, settings, events, &kept_, keep_inputs);
  }

 private:
  KeptInputs kept_;
};

// Appends `experiments` to record.experiments, in order, each with a cell per
// backend in the order of `backends`; the caller has set the machine,
// versions, settings and backends. They run in that order, except that an
// experiment's twins of the other pass (the same line but pass=) run right
// after it (run_order), where its inputs are still at hand. Cells already in `done` (an interrupted
// run of the same plan, matched by experiment line) are kept and not run
// again, and `record` holds them from the start, so that what is written
// after each experiment never loses them. Once observer.stop_requested(),
// nothing new starts: an experiment cut short keeps the cells it has.
void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer, ExperimentExecutor& executor,
                     const std::vector<ExperimentRecord>& done = {});
// The order run_experiments runs `experiments` in (indices): as given, each
// followed at once by its twins of the other pass, in the order given. With
// --pass forward,backward the list holds every forward experiment, then every
// backward one (each pass's tables in the suite's order); they run X,
// X backward, Y, Y backward, ...; with --pass backward,forward each backward
// experiment runs before its forward one.
std::vector<size_t> run_order(const std::vector<Experiment>& experiments);
// The same, every cell in this process.
void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer);

// One cell: prepare, a run on poisoned memory whose output `check` judges
// (made without a reference: not compared, the cell's check is "skipped"), then the
// measurement, and with `memory` the peak memory of one more call
// (PreparedOp::measure_peak_memory). Never throws.
Cell run_cell(Backend& backend, const ExperimentCheck& check, const SamplerSettings& settings, bool memory = false);
// The same, with the experiment's check made for this one cell.
Cell run_cell(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected,
              const SamplerSettings& settings, bool memory = false);

}  // namespace opbench
