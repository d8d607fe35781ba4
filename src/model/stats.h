#pragma once
// Summary statistics over a cell's samples: plain functions over a vector.
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace opbench {

// The samples a cell's mean is taken over: those inside Tukey's far-out
// fences, Q1 - 3 x spread and Q3 + 3 x spread, where the spread is the
// interquartile range, but at least 5% of the median (a clock's ticks can
// make the quartiles equal, and a sample one tick above them is no
// outlier). A sample beyond them (a call preempted by another process, a
// page-fault storm) belongs to another population than the cell's steady
// state; quartiles as numpy's default (linear between order statistics).
struct Fences {
  double low = 0, high = 0;
  bool inside(double v) const { return v >= low && v <= high; }
};
Fences outlier_fences(std::vector<double> samples);

struct Stats {
  // mean, stddev and noise over the samples inside the fences; median, min
  // and max over all of them.
  double mean = 0, median = 0, min = 0, max = 0, stddev = 0;
  // Relative standard error of the mean (stddev / sqrt(n) / mean): how far
  // the reported mean may be from the true one, as a fraction of it.
  double noise = 0;
  size_t count = 0;  // every sample, outliers included
  size_t outliers = 0;  // samples beyond the fences, left out of the mean
  // The mean of every sample; NaN in a Stats made without its samples
  // (every_sample_mean is then the mean).
  double mean_all = std::numeric_limits<double>::quiet_NaN();

  double every_sample_mean() const { return std::isnan(mean_all) ? mean : mean_all; }

  // Whether the samples are not one population: some lie beyond the fences
  // and leaving them out moves the mean by more than twice its noise (and
  // more than 1%), so the mean of every sample would mislead.
  bool mixed() const;
};

Stats summarize(const std::vector<double>& samples);

// How far a cell's level moved while it was timed, as a fraction of its
// median: the spread (highest - lowest) of the medians of its parts, the
// samples taken in order. `parts` gives their sizes (a cell timed in rounds:
// each round's); without them the parts are the samples' three thirds. A
// change between two cells that is smaller than this is within what one
// cell does on its own (docs/statistics.md). 0 with fewer than two parts (or,
// in thirds, fewer than 9 samples): nothing to measure the drift with.
// Throws std::invalid_argument when `parts` does not add up to the samples.
double level_spread(const std::vector<double>& samples, const std::vector<size_t>& parts = {});
// Relative standard error of the mean from running sums, for the stopping
// rule (no copy, no sort).
double relative_standard_error(size_t n, double sum, double sum_squares);

}  // namespace opbench
