#pragma once
// Runs experiments on backends: inputs and the reference result once per
// experiment, then for each backend a checked run and the measurement. A
// failure becomes a nan cell with its reason; the run goes on.
#include <vector>

#include "core/backend.h"
#include "core/result.h"

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
};

// Fills record.experiments; the caller has set the machine, versions, settings
// and backends.
void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer);

// One cell: prepare, a run on poisoned memory whose output is compared with
// `expected` (nullptr: not compared, the cell's check is "skipped"), then the
// measurement. Never throws.
Cell run_cell(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected,
              const SamplerSettings& settings);

}  // namespace opbench
