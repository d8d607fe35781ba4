#include "execution/estimate.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

#include "format/json.h"
#include "model/error.h"
#include "model/text.h"

namespace opbench {

namespace {

constexpr double kSayAbove_s = 60;  // a run longer than this says so before it starts

bool same_machine(const Machine& a, const Machine& b) {
  return a.cpu == b.cpu && a.cores == b.cores && a.hostname == b.hostname;
}

// The wall time of each cell of `r` that recorded its phases, by (line,
// backend): the cell's own phases and an equal share of its experiment's.
std::map<std::pair<std::string, std::string>, double> cell_times(const RunRecord& r) {
  std::map<std::pair<std::string, std::string>, double> times;
  for (const ExperimentRecord& e : r.experiments) {
    double shared = 0;
    if (e.phases && !e.cells.empty())
      shared = (e.phases->inputs_s + e.phases->reference_s + e.phases->harness_s) / static_cast<double>(e.cells.size());
    for (const Cell& c : e.cells)
      if (c.phases) times[{e.line, c.backend}] = c.phases->total_s() + shared;
  }
  return times;
}

size_t matches(const std::vector<PlannedCell>& cells, const std::map<std::pair<std::string, std::string>, double>& times) {
  return static_cast<size_t>(
      std::count_if(cells.begin(), cells.end(), [&](const PlannedCell& c) { return times.count({c.line, c.backend}); }));
}

}  // namespace

std::string duration_text(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

RunEstimate estimate_run(const std::vector<PlannedCell>& cells, const SamplerSettings& settings,
                         const std::vector<EarlierRun>& earlier, const Machine& here) {
  RunEstimate out;
  out.cells = cells.size();
  const EarlierRun* best = nullptr;
  size_t best_matched = 0;
  for (const EarlierRun& run : earlier) {
    if (!same_machine(run.record.machine, here)) continue;
    size_t matched = matches(cells, cell_times(run.record));
    if (!matched) continue;
    // The most of the planned cells; of runs alike, the newest (ISO 8601 sorts as text).
    if (!best || matched > best_matched || (matched == best_matched && run.record.created > best->record.created))
      best = &run, best_matched = matched;
  }
  if (best) {
    std::map<std::pair<std::string, std::string>, double> times = cell_times(best->record);
    double total = 0;
    for (auto& [key, s] : times) total += s;
    const double mean = total / static_cast<double>(times.size());
    for (const PlannedCell& c : cells) {
      auto it = times.find({c.line, c.backend});
      out.seconds += it != times.end() ? it->second : mean;
    }
    out.earlier = *best;
    out.matched = best_matched;
    return out;
  }
  const double n = static_cast<double>(cells.size());
  out.least_s = n * (settings.warmup_s + settings.min_time_s);
  out.most_s = n * (settings.warmup_s + settings.max_time_s);
  return out;
}

std::vector<EarlierRun> earlier_runs(const std::string& folder) {
  std::vector<EarlierRun> runs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    std::filesystem::path file = entry.path() / "result.json";
    if (!std::filesystem::is_regular_file(file, ec)) continue;
    try {
      runs.push_back({file.string(), read_result_file(file.string())});
    } catch (const UsageError&) {
      // Not a result, or a damaged one: no estimate from it.
    }
  }
  return runs;
}

std::string estimate_text(const RunEstimate& e, const std::string& searched) {
  const std::string cells = std::to_string(e.cells) + (e.cells == 1 ? " cell" : " cells");
  if (e.earlier) {
    if (e.seconds <= kSayAbove_s) return "";
    return cells + ", about " + duration_text(e.seconds) + ": the time each took in " + e.earlier->path +
           " (this machine, " + std::to_string(e.matched) + " of these cells; the rest at its mean a cell)";
  }
  if (e.most_s <= kSayAbove_s) return "";
  double per_cell_least = e.cells ? e.least_s / static_cast<double>(e.cells) : 0;
  double per_cell_most = e.cells ? e.most_s / static_cast<double>(e.cells) : 0;
  return cells + ": sampling alone takes " + duration_text(e.least_s) + " to " + duration_text(e.most_s) + " (each cell " +
         formatted("%g", per_cell_least) + " to " + formatted("%g", per_cell_most) +
         " s: --warmup, --min-time, --max-time), inputs and references on top; no earlier run of this machine in " +
         searched + " to estimate from";
}

}  // namespace opbench
