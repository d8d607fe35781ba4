#pragma once
// `opbench run --resume FILE`: what an interrupted run's result file asks to
// finish, checked against the command line (src/cli/run_resume.cpp).
#include <memory>
#include <vector>

#include "cli/options.h"
#include "execution/backend.h"
#include "model/result.h"

namespace opbench::cli {

// What `--resume FILE` continues: the file's record and the plan it lists.
struct Resumed {
  RunRecord previous;
  std::vector<Experiment> plan;
  std::vector<std::unique_ptr<Backend>> backends;
};

// Reads args' --resume file and checks that the command line (whose
// settings are `given`) only repeats what it recorded: its suite, settings,
// backends, devices, framework versions and machine. Throws UsageError naming
// the first difference.
Resumed load_resume(const Args& args, const RunSettings& given);

// The run's settings from its options (--threads, --timing, --warmup ...).
// Throws UsageError naming a bad value.
RunSettings choose_settings(const Args& args);

}  // namespace opbench::cli
