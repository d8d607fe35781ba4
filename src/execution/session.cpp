#include "execution/session.h"

#include <stdexcept>

#include "execution/isolation.h"
#include "execution/machine.h"
#include "format/json.h"

namespace opbench {

namespace {

// The caller's progress, and the result file written after each experiment.
class SavingObserver : public RunObserver {
 public:
  SavingObserver(RunObserver& progress, std::string path) : progress_(progress), path_(std::move(path)) {}
  void cell_started(size_t index, size_t total, const Experiment& e, const std::string& backend,
                    double elapsed_s) override {
    progress_.cell_started(index, total, e, backend, elapsed_s);
  }
  void experiment_finished(const RunRecord& record) override {
    write_file_atomically(path_, text_(record));
    progress_.experiment_finished(record);
  }
  bool stop_requested() override { return progress_.stop_requested(); }

 private:
  RunObserver& progress_;
  std::string path_;
  ResultText text_;
};

}  // namespace

RunRecord new_run_record(const std::string& suite, const RunSettings& settings,
                         const std::vector<std::unique_ptr<Backend>>& backends) {
  RunRecord r;
  r.opbench_version = OPBENCH_VERSION;
  r.created = utc_now();
  r.suite = suite;
  r.machine = read_machine();
  r.settings = settings;
  for (const auto& b : backends) {
    r.backends.push_back({b->info(), b->device_name()});
    for (auto& [k, v] : b->versions()) r.versions[k] = v;
  }
  return r;
}

void execute_run(const RunJob& job, RunRecord& record, RunObserver& progress) {
  std::vector<std::string> names;
  for (Backend* b : job.backends) {
    b->set_threads(record.settings.threads);
    if (record.settings.memory && !job.isolate) b->count_memory();  // a worker counts its own
    names.push_back(b->info().name);
  }
  // From here on a file exists that --resume can finish (a resumed run
  // keeps its file as it is until the first new experiment is done).
  if (job.done.empty()) write_file_atomically(job.result_path, to_json(record));

  SavingObserver saving(progress, job.result_path);
  std::unique_ptr<ExperimentExecutor> own;
  if (!job.executor && job.isolate) own = std::make_unique<IsolatedExecutor>("", names, job.time_limit_s);
  else if (!job.executor) own = std::make_unique<InProcessExecutor>();
  try {
    run_experiments(job.experiments, job.backends, record, saving, job.executor ? *job.executor : *own, job.done);
    own.reset();  // stops the worker
    write_file_atomically(job.result_path, to_json(record));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; " + job.result_path +
                             " keeps what was measured before: opbench run --resume " + job.result_path +
                             " finishes the run");
  }
}

size_t count_cells(const RunRecord& record) {
  size_t n = 0;
  for (const ExperimentRecord& e : record.experiments) n += e.cells.size();
  return n;
}

}  // namespace opbench
