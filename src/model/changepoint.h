#pragma once
// Steps in a series of runs: where a cell's time moved to a new level, found
// by a change-point method that weighs each run by its noise, as asv does
// (docs/history.md, "How steps are found"). Pure statistics: no I/O.
#include <cstddef>
#include <vector>

#include "model/stats.h"

namespace opbench {

// One run's figure for a cell: a positive time and its relative uncertainty.
struct SeriesPoint {
  double value = 0;  // ms
  double noise = 0;  // relative standard error of `value` (0.01 = 1 %)
};

// A cell's level and noise in a series. The one place that says which of a
// cell's statistics stand for it there: its median (robust to the odd slow
// sample) with the relative standard error of its samples as its noise.
SeriesPoint cell_level(const Stats& stats);

// A stretch of runs at one level.
struct Segment {
  size_t begin = 0, end = 0;  // points [begin, end)
  double level = 0;           // ms: the noise-weighted geometric mean of its points
  double error = 0;           // relative standard error of `level`
};

struct Step {
  size_t at = 0;  // the first point at the new level
  double before = 0, after = 0;  // ms: the levels on either side
  double change() const { return after / before - 1; }  // +0.05: 5 % slower
};

struct Segmentation {
  std::vector<Segment> segments;  // consecutive, covering every point; none for no points
  std::vector<Step> steps;        // one between each two segments
  double scatter = 0;             // the run-to-run scatter found in the series (relative)
};

// The series cut into levels: the cut that minimises the noise-weighted
// squared deviation of the logarithms from their segment's level plus a
// penalty per step (optimal partitioning, solved exactly by PELT). Each point
// weighs 1 / (its own noise² + the series' run-to-run scatter²), the scatter
// estimated robustly from successive differences, so that a series whose
// runs scatter more than their own noise says gets no steps from that
// scatter. A segment holds at least two points. Points with a value that is
// not a positive number are not allowed (the caller leaves them out).
Segmentation find_steps(const std::vector<SeriesPoint>& points);

// How far `latest` is from the level its series had before it.
struct LevelChange {
  double change = 0;  // latest / level - 1
  double z = 0;       // that difference in standard errors (its noise, the scatter, the level's)
  double level = 0;   // ms
};
// Against the last segment of `previous` (which must hold a point).
LevelChange change_from_level(const std::vector<SeriesPoint>& previous, const SeriesPoint& latest);

// How many standard errors a difference must be to count as beyond noise (the gate's).
inline constexpr double kBeyondNoise = 3.0;

}  // namespace opbench
