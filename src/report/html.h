#pragma once
// One self-contained HTML page for a set of results: the machines, their
// average and detailed tables (columns sort on a click), each cell's noise,
// sample count, check, achieved GB/s and GFLOP/s and share of the machine's
// peak (where it was calibrated) in its tooltip, and the charts, inline.
// Nothing is fetched from the network.
#include <string>
#include <vector>

#include "model/result.h"

namespace opbench {

// `sources[i]` names where records[i] came from (shown with the machine).
// `chart_ops`: the ops that get a runtime chart; every op when empty.
// The page sorts every table on a column when opened with "#sort=COLUMN"
// (or "#sort=COLUMN:desc") in its address, as a click on that header does.
std::string html_report(const std::vector<RunRecord>& records, const std::vector<std::string>& sources,
                        const std::vector<std::string>& chart_ops);

}  // namespace opbench
