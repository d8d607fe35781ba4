#pragma once
// Several framework versions side by side (opbench run --versions): the
// cells of one experiment timed in rounds over the versions, as asv
// interleaves its environments' processes, so that a drift of the machine
// (another job starting, the clock throttling) falls on every version
// alike, not on whichever ran last. Each round takes a share of every
// cell's sampling budget; the rounds alternate direction (A B C, C B A,
// A B C, ...) so that no version always runs first after another's.
// Every version's cell is checked against the same reference (same seed,
// same experiment) in every round.
#include <memory>
#include <string>
#include <vector>

#include "execution/runner.h"

namespace opbench {

// The backends that share a worker: one framework version's (its plug-in),
// or this build's own.
struct BackendGroup {
  std::vector<std::string> names;  // the run's names ("cpu@torch-2.15.0")
  std::unique_ptr<ExperimentExecutor> executor;  // null when `error`
  std::string error;  // why none of its cells can run (its version failed to install or build)
};

// What one round of `rounds` gives a cell: its share of the sampling
// budget (samples and time), at least one sample; warm-up as set.
SamplerSettings round_share(const SamplerSettings& settings, int rounds);

// A cell measured in rounds: the first failing round's cell if any fails,
// else the samples of every round (round_samples: how many each gave, when
// there are two or more), their statistics over all of them, the phases
// summed, the first round's check.
Cell merged_rounds(std::vector<Cell> rounds);

class RoundsExecutor : public ExperimentExecutor {
 public:
  RoundsExecutor(std::vector<BackendGroup> groups, int rounds) : groups_(std::move(groups)), rounds_(rounds) {}

  // Each version's worker keeps the inputs for its next round, and with
  // `keep_inputs` for the next experiment, only when it is the one version
  // that runs `e`: else another version's worker makes and holds the same
  // inputs meanwhile, and the kept ones would double them.
  void run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
           const CellEvents& events, bool keep_inputs) override;

  // Every cell's turn so far, in order: "round backend" ("1 cpu@torch-2.15.0").
  const std::vector<std::string>& schedule() const { return schedule_; }

 private:
  std::vector<BackendGroup> groups_;
  int rounds_;
  std::vector<std::string> schedule_;
};

}  // namespace opbench
