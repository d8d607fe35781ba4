#pragma once
// A grouped bar chart as a self-contained SVG (plain text, no library), as
// the reference's run_viz draws its charts: a group of bars per machine, a
// bar per backend, the value written on each bar, a legend.
#include <string>
#include <vector>

namespace opbench {

struct BarSeries {
  std::string name;            // in the legend: "cuda"
  std::vector<double> values;  // one a group; nan (or, on a log scale, <= 0): no bar
  // Written on each bar (or, where there is no bar, at the baseline: "nan",
  // or nothing when the label is empty). Left empty: the values with two
  // decimals, and "nan" where there is no bar.
  std::vector<std::string> labels;
};

struct BarChart {
  std::string title;
  std::string x_label;              // under the groups: "machine"
  std::string y_label;              // "runtime (ms)"
  std::vector<std::string> groups;  // along the x axis
  std::vector<BarSeries> series;    // a bar in each group, a colour each
  bool log_scale = false;
  // Where bars start. On a linear scale, 0. On a log scale, 0 starts them at
  // the axis' bottom; 1 (for ratios) makes bars above 1 go up and below 1 go down.
  double baseline = 0;
};

std::string render_svg(const BarChart& chart);

// The fill colour of a series: fixed for the seed's backends (mlx_gpu
// skyblue, mps salmon, cuda lightgreen, as run_viz), else from a palette.
std::string series_colour(const std::string& name, size_t index);

// Text made safe inside XML (and HTML): & < > " '.
std::string xml_escape(const std::string& text);

}  // namespace opbench
