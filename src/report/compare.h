#pragma once
// Two runs of the same suite, before and after a change: per experiment and
// backend, both mean times, their ratio, and whether the change is real (a
// Mann-Whitney U test on the two sets of samples), as google/benchmark's
// compare tool does.
#include <string>
#include <vector>

#include "model/result.h"

namespace opbench {

struct CompareSettings {
  double alpha = 0.05;       // a change is significant when the test's p-value is below this...
  double min_effect = 0.05;  // ...and the Hodges-Lehmann ratio is off 1 by more than this, and than the cells' noise
};

enum class Change { faster, slower, same, untested };

struct CellComparison {
  std::string experiment;  // the row's name
  std::string backend;
  double base_ms = 0, new_ms = 0;  // mean times, as the tables print them
  // new / base: the Hodges-Lehmann estimate (hodges_lehmann_ratio) over what
  // the test compared, whose direction is the test's.
  double ratio = 0;
  double p = 1;                    // two-sided; nan when too few samples to test (see mann_whitney_smallest_p)
  size_t base_count = 0, new_count = 0;  // what the test compared: samples, or runs (see Comparison::by_runs)
  Change change = Change::untested;
  // The cell's output was imprecise (in any run of that side): timed and
  // compared, its time marked as in the tables.
  bool base_imprecise = false, new_imprecise = false;
  // How far either cell moved on its own while it was timed: the larger of
  // their level spreads (model/stats.h: the spread of the medians of its
  // rounds, or of its samples' thirds). A change must be larger to count: a
  // test over thousands of samples finds a drift of a few percent
  // significant. 0 when the test compared runs' means (the drift between
  // runs is then the test's own noise).
  double noise = 0;
};

// A cell in only one run, or without a time in one of them.
struct NotCompared {
  std::string experiment, backend, why;  // "only in base", "nan in new: out of memory", "wrong in base"
};

struct Comparison {
  std::vector<CellComparison> cells;  // in the base run's order
  std::vector<NotCompared> not_compared;
  double geomean_ratio = 1;  // over every compared cell; nan when none
  size_t faster = 0, slower = 0, same = 0, untested = 0;
  // With several runs a side the test compares the runs' means, so the drift
  // between runs (other processes, memory layout, clocks) counts as noise;
  // with one run a side it compares samples, which sees only the noise
  // within a run.
  bool by_runs = false;
};

// Cells are matched by experiment name and backend.
Comparison compare_runs(const RunRecord& base, const RunRecord& next, const CompareSettings& settings);
// Several runs a side (each side's first run gives the order); a cell is
// compared when every run of both sides has a time for it.
Comparison compare_runs(const std::vector<RunRecord>& base, const std::vector<RunRecord>& next,
                        const CompareSettings& settings);

// A significant slowdown worse than `threshold` (new/base - 1 > threshold).
bool regressed(const CellComparison& cell, double threshold);

// The lines above the table: each file ("base: PATH: <machine>", "new:  PATH: ...")
// with what tells its run apart from the others (report/machines.h: a
// setting, the host, the time of the run); a note where the runs are of other
// machines or versions, and one naming the settings in which they differ.
std::string comparison_header(const std::vector<std::string>& base_paths, const std::vector<RunRecord>& base,
                              const std::vector<std::string>& new_paths, const std::vector<RunRecord>& next);

// The table, the cells not compared, and the summary line.
std::string render_comparison(const Comparison& comparison, const CompareSettings& settings);

std::string change_name(Change change);
// The rule of a change, as the summary under compare's table and the notes
// under a versions table state it: "a change is real when p < 0.05, ...";
// `cell_noise`: with the cells' own noise (samples compared, not runs' means).
std::string change_rule(const CompareSettings& settings, bool cell_noise);
// A p-value as compare's table prints it: "0.012", "3.2e-05", "n/a" (not tested).
std::string p_value_text(double p);  // "faster", "slower", "same", "untested"

}  // namespace opbench
