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
// Relative standard error of the mean from running sums, for the stopping
// rule (no copy, no sort).
double relative_standard_error(size_t n, double sum, double sum_squares);

}  // namespace opbench
