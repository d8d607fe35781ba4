#pragma once
// `opbench run --resume FILE`: what an interrupted run's result file asks to
// finish, checked against the command line (src/cli/run_resume.cpp).
#include <memory>
#include <vector>

#include "cli/options.h"
#include "execution/backend.h"
#include "execution/runner.h"
#include "model/result.h"

namespace opbench::cli {

// What `--resume FILE` continues: the file's record and the plan it lists.
struct Resumed {
  RunRecord previous;
  std::vector<Experiment> plan;
  std::vector<std::unique_ptr<Backend>> backends;
  // A run over framework versions: the rounds over its versions (the file's
  // versions and rounds); null for a plain run.
  std::unique_ptr<ExperimentExecutor> executor;
};

// Reads args' --resume file and checks that the command line (whose
// settings are `given`) only repeats what it recorded: its suite, settings,
// backends, devices, framework versions and machine. Throws UsageError naming
// the first difference. A run over versions gets them again (installed and
// built where the store lacks them); `time_limit_s` is a cell's.
Resumed load_resume(const Args& args, const RunSettings& given, double time_limit_s);

// The run's settings from its options (--threads, --timing, --warmup ...).
// Throws UsageError naming a bad value.
RunSettings choose_settings(const Args& args);

}  // namespace opbench::cli
