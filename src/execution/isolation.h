#pragma once
// Cells in a worker process, so that a framework that aborts, segfaults, is
// killed for memory or hangs costs the cell it was measuring, not the run.
//
// The parent runs no op. It starts the opbench binary itself as
// `opbench worker` (fork and exec: CUDA and OpenMP do not survive a plain
// fork; worker_process.h), in a process group of its own (a Ctrl-C on the
// terminal reaches only the parent, which then stops the worker), and sends
// it one experiment at a time (the messages: worker_protocol.h).
//
// The worker's output goes to the parent, which passes it on to its own
// standard error and keeps the last line of the cell in flight. When the
// worker dies, the cell it had started becomes nan with the reason (signal,
// exit code, last message) and a new worker carries on with the backends that
// are left; a death while the inputs or the reference were being made is
// every remaining cell's. A cell that runs longer than the time limit is
// stopped by killing the worker and marked "time limit of N s exceeded".
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "execution/runner.h"
#include "execution/world.h"

namespace opbench {

struct WorkerProcess;  // execution/worker_process.h

class IsolatedExecutor : public ExperimentExecutor {
 public:
  // `exe`: the opbench binary ("/proc/self/exe": this one). `backends`: the
  // names of every backend the run may ask for; a worker makes them all once.
  // `time_limit_s`: longest time for one cell, and for making one
  // experiment's inputs and reference.
  IsolatedExecutor(std::string exe, std::vector<std::string> backends, double time_limit_s);
  ~IsolatedExecutor() override;  // stops the worker

  // Throws std::runtime_error when a worker cannot start at all (it exits or
  // reports "fatal" before "ready"): no cell could run.
  void run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
           const CellEvents& events, bool keep_inputs) override;

  // Variables its workers get beside this process's environment: a
  // framework version's worker loads that version's plug-in
  // (OPBENCH_PLUGINS). Such a worker calls "cpu@torch-2.15.0" plain "cpu".
  void set_environment(std::vector<std::pair<std::string, std::string>> variables) {
    environment_ = std::move(variables);
  }

  // Workers started so far, a rank each (tests).
  int workers_started() const { return workers_started_; }

 private:
  // Starts `ranks` workers. Returns why they cannot serve, for a world of
  // several ranks (its cells get the reason); throws std::runtime_error for
  // the one worker of a plain run (no cell could run).
  std::string start_workers(const RunSettings& settings, const CellEvents& events, int ranks);
  void stop_workers();
  void kill_workers();

  std::string exe_;
  std::vector<std::string> backends_;
  std::vector<std::pair<std::string, std::string>> environment_;
  double time_limit_s_;
  std::vector<std::unique_ptr<WorkerProcess>> workers_;  // rank order
  Rendezvous rendezvous_;                         // of a world of several ranks
  RunSettings worker_settings_;  // the settings the running workers were started with
  int workers_started_ = 0;
  void (*old_sigpipe_)(int) = nullptr;
};

// "time limit of 2 s exceeded"
std::string time_limit_message(double seconds);

}  // namespace opbench
