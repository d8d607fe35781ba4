#pragma once
// How long a run will take, said before it starts when that is more than a
// minute. From an earlier run of this machine where one is found: each planned
// cell's recorded wall time there (its preparation, check, warm-up and
// sampling, and its share of its experiment's inputs, reference and worker
// time), and that run's mean time a cell for a cell it did not have. Without
// one, only the sampling settings bound it: each cell samples for between
// warm-up + min-time and warm-up + max-time, inputs and references on top.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"
#include "model/sampling.h"

namespace opbench {

// A cell the run will time: an experiment's line (pass= included) and a backend.
struct PlannedCell {
  std::string line, backend;
};

// A run that may foretell this one: where it was read from, and its record.
struct EarlierRun {
  std::string path;
  RunRecord record;
};

struct RunEstimate {
  size_t cells = 0;
  // From an earlier run: its path, the cells it had, and the estimate.
  std::optional<EarlierRun> earlier;
  size_t matched = 0;
  double seconds = 0;
  // Without one: the sampling alone, at least and at most.
  double least_s = 0, most_s = 0;
};

// The estimate for `cells` under `settings`, from the earlier run of `here`
// (same CPU, cores and hostname, with recorded phases) that has the most of
// them, the newest of those alike; from the settings when there is none.
RunEstimate estimate_run(const std::vector<PlannedCell>& cells, const SamplerSettings& settings,
                         const std::vector<EarlierRun>& earlier, const Machine& here);

// The result.json of each folder inside `folder` that reads as a result
// (others are passed over: this is only a guess), e.g. results/ for the
// default --out results/<date>T<time>.
std::vector<EarlierRun> earlier_runs(const std::string& folder);

// The line to print before the run, "" when it will take a minute or less:
// "273 cells, about 18m22s: the time each took in results/x/result.json (this
// machine, 270 of these cells)", or "182 cells: sampling alone takes 3.6s to
// 6m06s (each cell 0.02 to 2.01 s: --warmup, --min-time, --max-time), inputs
// and references on top; no earlier run of this machine in results/ to
// estimate from".
std::string estimate_text(const RunEstimate& estimate, const std::string& searched);

// "18m22s", "1h05m", "42s".
std::string duration_text(double seconds);

}  // namespace opbench
