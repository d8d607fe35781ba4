#pragma once
// One `opbench run`, handed over by the command line once its options are
// read (src/cli/cmd_run.cpp): the record that describes the run, the executor
// that runs its cells (worker processes, or this process), and the result
// file rewritten after every experiment, so that an interrupted or failed run
// keeps what it measured.
#include <memory>
#include <string>
#include <vector>

#include "execution/runner.h"

namespace opbench {

struct RunJob {
  std::vector<Experiment> experiments;  // the plan, in order
  std::vector<Backend*> backends;       // in the tables' order
  // Cells of an earlier, interrupted run of the same plan (--resume): kept,
  // not run again.
  std::vector<ExperimentRecord> done;
  std::string result_path;  // result.json, rewritten after each experiment
  bool isolate = true;      // each cell in a worker process
  double time_limit_s = 600;
};

// The record of a new run: this opbench, now, this machine, `settings`, and
// each backend with its device and its framework's versions.
RunRecord new_run_record(const std::string& suite, const RunSettings& settings,
                         const std::vector<std::unique_ptr<Backend>>& backends);

// Runs `job`'s cells into `record` (whose settings apply), telling `progress`
// of each cell; the result file holds `record` after every experiment and at
// the end. A failure that ends the run throws std::runtime_error saying that
// the file keeps what was measured and that --resume finishes it.
void execute_run(const RunJob& job, RunRecord& record, RunObserver& progress);

// The cells `record` holds.
size_t count_cells(const RunRecord& record);

}  // namespace opbench
