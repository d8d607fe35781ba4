#pragma once
// The history as one self-contained HTML page: a section per op, a line
// chart per experiment of it with a line per backend and machine, each
// level drawn, each step marked; hovering a point gives its run's time,
// label, versions, median and noise. Nothing is fetched from the network.
#include <string>
#include <vector>

#include "model/changepoint.h"
#include "model/history.h"

namespace opbench {

// `cuts[i]`: the levels and steps of history.series[i].
std::string history_page(const History& history, const std::vector<Segmentation>& cuts);

}  // namespace opbench
