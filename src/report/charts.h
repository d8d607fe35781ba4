#pragma once
// The charts of a set of results: per op, its average time on every machine
// and backend (the reference's run_viz); per machine, its speedup columns.
#include <string>
#include <vector>

#include "model/result.h"
#include "report/svg.h"

namespace opbench {

// Every op of the records, in the order they first appear.
std::vector<std::string> ops_of(const std::vector<RunRecord>& records);

// An op's average time (the average document's number) on each machine that
// ran it (a group each) and each backend (a bar each). A log scale when the
// times span more than a factor of 100.
BarChart op_chart(const std::vector<RunRecord>& records, const std::string& op);

// One machine's speedup columns (a series each) over the ops it ran (a group each),
// as ratios on a log scale around 1, labelled as the seed writes them ("+58%").
// No groups when the machine has no speedup column.
BarChart speedup_chart(const RunRecord& record, const std::string& machine_label);

struct ChartFile {
  std::string name;  // file name without extension: "plot_MatMul", "speedup_NVIDIA_H100"
  std::string svg;
};
// The op charts of `ops` (every op when empty), then each machine's speedup chart.
std::vector<ChartFile> report_charts(const std::vector<RunRecord>& records, const std::vector<std::string>& ops);

// Writes each chart as NAME.svg into `folder` (created if needed) and, where
// rsvg-convert or ImageMagick is installed, NAME.png beside it. Returns the
// paths written; `png_note` says why there are no PNGs, if there are none.
// Throws std::runtime_error when a file cannot be written.
std::vector<std::string> write_charts(const std::vector<ChartFile>& charts, const std::string& folder,
                                      std::string& png_note);

}  // namespace opbench
