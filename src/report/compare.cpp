#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/mann_whitney.h"
#include "model/stats.h"
#include "model/text.h"
#include "report/machines.h"
#include "report/markdown.h"

namespace opbench {

namespace {

// A mean time as the table prints it, marked as in the run's tables when its output was imprecise.
std::string ms_text(double ms, bool imprecise) { return formatted("%.3f", ms) + (imprecise ? kImpreciseMark : ""); }

// Why a cell has no time to compare, or empty when it has one.
std::string no_time(const Cell* c, const std::string& side) {
  if (!c) return "only in " + std::string(side == "base" ? "new" : "base");
  if (c->wrong()) return "wrong in " + side + ": " + c->check.detail;
  if (!c->ok()) return "nan in " + side + ": " + c->error;
  return "";
}

// Columns padded to their widest entry; the first left-aligned, the others right.
std::string aligned_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(rows[0].size(), 0);
  for (auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line = "|";
    for (size_t i = 0; i < rows[r].size(); ++i) {
      std::string pad(width[i] - rows[r][i].size(), ' ');
      line += ' ';  // appended piece by piece: GCC 12 misreads " " + std::string as an overlapping copy (-Wrestrict)
      line += i < 2 ? rows[r][i] + pad : pad + rows[r][i];
      line += " |";
    }
    out += line + "\n";
    if (r == 0) {
      line.assign(1, '|');
      for (size_t i = 0; i < width.size(); ++i) line += std::string(width[i] + 2, '-') + "|";
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace

std::string change_rule(const CompareSettings& settings, bool cell_noise) {
  return "a change is real when p < " + formatted("%g", settings.alpha) + ", new/base is off 1 by more than " +
         formatted("%g", settings.min_effect * 100) + "%" +
         (cell_noise ? " and by more than either cell moved on its own (the spread of its rounds' medians, or of its "
                       "samples' thirds)"
                     : "") +
         " and the medians moved its way";
}

std::string p_value_text(double p) {
  if (std::isnan(p)) return "n/a";
  if (p < 1e-300) return "<1e-300";
  return p < 0.001 ? formatted("%.1e", p) : formatted("%.3f", p);
}

std::string change_name(Change change) {
  switch (change) {
    case Change::faster:
      return "faster";
    case Change::slower:
      return "slower";
    case Change::same:
      return "same";
    case Change::untested:
      return "untested";
  }
  return "";
}

namespace {

const Cell* find_cell(const RunRecord& r, const std::string& experiment, const std::string& backend) {
  for (const ExperimentRecord& e : r.experiments)
    if (e.label() == experiment) return e.find(backend);
  return nullptr;
}

// What one side holds for a cell: its samples (one run) or its runs' means
// (several), and the mean time; `why` says why there is none.
struct Side {
  std::vector<double> values;
  double mean_ms = 0;
  std::string why;
  bool imprecise = false;  // in any of its runs
  double spread = 0;       // one run a side: its cell's level spread
};

Side side_of(const std::vector<RunRecord>& runs, const std::string& experiment, const std::string& backend,
             const std::string& name) {
  Side side;
  double sum = 0;
  for (const RunRecord& r : runs) {
    const Cell* c = find_cell(r, experiment, backend);
    if (std::string why = no_time(c, name); !why.empty()) return {{}, 0, why, false, 0};
    sum += c->stats.mean;
    side.imprecise = side.imprecise || c->imprecise();
    if (runs.size() > 1) {
      side.values.push_back(c->stats.mean);
    } else {
      side.values = c->samples_ms.empty() ? std::vector<double>{c->stats.mean} : c->samples_ms;  // a file without samples
      side.spread = c->samples_ms.empty() ? 0 : level_spread(c->samples_ms, c->round_samples);
    }
  }
  side.mean_ms = sum / static_cast<double>(runs.size());
  return side;
}

// Faster or slower: the test significant, the Hodges-Lehmann ratio off 1 by
// more than the least effect and than either cell's own noise, and the
// medians moved its way (a ratio and medians that disagree are samples of
// different shapes, not a shift: "faster" never comes with a higher median).
Change change_of(const CellComparison& c, const CompareSettings& settings, double base_median, double new_median) {
  if (c.p >= settings.alpha || std::abs(c.ratio - 1) <= std::max(settings.min_effect, c.noise)) return Change::same;
  if (c.ratio > 1) return new_median > base_median ? Change::slower : Change::same;
  return new_median < base_median ? Change::faster : Change::same;
}

}  // namespace

Comparison compare_runs(const std::vector<RunRecord>& base, const std::vector<RunRecord>& next,
                        const CompareSettings& settings) {
  Comparison out;
  out.by_runs = base.size() > 1 && next.size() > 1;
  // Several runs on one side only: pool nothing, compare the first runs' samples.
  const std::vector<RunRecord> base_used = out.by_runs ? base : std::vector<RunRecord>{base.front()};
  const std::vector<RunRecord> next_used = out.by_runs ? next : std::vector<RunRecord>{next.front()};
  double log_sum = 0;
  for (const ExperimentRecord& e : base.front().experiments) {
    for (const Cell& b : e.cells) {
      Side old_side = side_of(base_used, e.label(), b.backend, "base");
      Side new_side = side_of(next_used, e.label(), b.backend, "new");
      std::string why = old_side.why.empty() ? new_side.why : old_side.why;
      if (!why.empty()) {
        out.not_compared.push_back({e.label(), b.backend, why});
        continue;
      }
      CellComparison c{e.label(), b.backend, old_side.mean_ms, new_side.mean_ms,
                       hodges_lehmann_ratio(old_side.values, new_side.values), NAN, old_side.values.size(),
                       new_side.values.size(), Change::untested, old_side.imprecise, new_side.imprecise,
                       std::max(old_side.spread, new_side.spread)};
      // No test where too few values could never give p < alpha (google/benchmark's
      // tool needs 2 a side; 3 and 3 cannot go below 0.1).
      if (c.base_count >= 2 && c.new_count >= 2 &&
          mann_whitney_smallest_p(c.base_count, c.new_count) < settings.alpha) {
        c.p = mann_whitney_u(old_side.values, new_side.values).p;
        c.change = change_of(c, settings, summarize(old_side.values).median, summarize(new_side.values).median);
      }
      (c.change == Change::faster   ? out.faster
       : c.change == Change::slower ? out.slower
       : c.change == Change::same   ? out.same
                                    : out.untested)++;
      log_sum += std::log(c.ratio);
      out.cells.push_back(c);
    }
  }
  // Cells only the new run has.
  for (const ExperimentRecord& e : next.front().experiments)
    for (const Cell& n : e.cells)
      if (!find_cell(base.front(), e.label(), n.backend)) out.not_compared.push_back({e.label(), n.backend, "only in new"});
  out.geomean_ratio = out.cells.empty() ? NAN : std::exp(log_sum / static_cast<double>(out.cells.size()));
  return out;
}

Comparison compare_runs(const RunRecord& base, const RunRecord& next, const CompareSettings& settings) {
  return compare_runs(std::vector<RunRecord>{base}, std::vector<RunRecord>{next}, settings);
}

bool regressed(const CellComparison& cell, double threshold) {
  return cell.change == Change::slower && cell.ratio - 1 > threshold;
}

std::string comparison_header(const std::vector<std::string>& base_paths, const std::vector<RunRecord>& base,
                              const std::vector<std::string>& new_paths, const std::vector<RunRecord>& next) {
  std::vector<RunRecord> runs = base;
  runs.insert(runs.end(), next.begin(), next.end());
  std::vector<std::string> paths = base_paths, lines = section_lines(runs);
  paths.insert(paths.end(), new_paths.begin(), new_paths.end());
  std::string out;
  for (size_t i = 0; i < runs.size(); ++i)
    out += (i < base.size() ? "base: " : "new:  ") + (i < paths.size() ? paths[i] : std::string()) + ": " + lines[i] + "\n";
  if (!base.empty() && !next.empty() && base.front().description() != next.front().description())
    out += "(the runs are of different machines or framework versions)\n";
  // Each setting in which the runs differ, with its values: "threads default / threads 1".
  std::vector<std::vector<std::string>> settings;
  for (const RunRecord& r : runs) settings.push_back(measured_with(r));
  std::string differing;
  for (size_t k = 0; !settings.empty() && k < settings[0].size(); ++k) {
    std::vector<std::string> values;
    for (const auto& s : settings)
      if (std::find(values.begin(), values.end(), s[k]) == values.end()) values.push_back(s[k]);
    if (values.size() < 2) continue;
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : " / ") + v;
    differing += (differing.empty() ? "" : "; ") + joined;
  }
  if (!differing.empty())
    out += "(the runs were measured with other settings: " + differing + "; a change below may be theirs)\n";
  return out;
}

std::string render_comparison(const Comparison& c, const CompareSettings& settings) {
  std::string out;
  if (!c.cells.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"Experiment", "backend", "base ms", "new ms", "new/base", "p-value", "change"}};
    for (const CellComparison& x : c.cells)
      rows.push_back({x.experiment, x.backend, ms_text(x.base_ms, x.base_imprecise), ms_text(x.new_ms, x.new_imprecise),
                      formatted("%.3f", x.ratio), p_value_text(x.p), change_name(x.change)});
    out += aligned_table(rows);
  }
  if (std::any_of(c.cells.begin(), c.cells.end(), [](auto& x) { return x.base_imprecise || x.new_imprecise; }))
    out += std::string("\n") + kImpreciseMark +
           ": the output was imprecise in that run (off the reference by more than the op's tolerance, by no more "
           "than precision loss explains; see its notes): timed and compared all the same.\n";
  if (!c.not_compared.empty()) {
    out += "\nNot compared:\n";
    for (const NotCompared& n : c.not_compared) out += "- " + n.experiment + " on " + n.backend + ": " + n.why + "\n";
  }
  out += "\n";
  if (c.cells.empty()) return out + "No cell has a time in both runs.\n";
  out += "Geometric mean of new/base: " + formatted("%.3f", c.geomean_ratio) + " over " +
         std::to_string(c.cells.size()) + " cells: " + std::to_string(c.slower) + " slower, " +
         std::to_string(c.faster) + " faster, " + std::to_string(c.same) + " same";
  if (c.untested)
    out += ", " + std::to_string(c.untested) + " untested (too few " + (c.by_runs ? "runs" : "samples") + " for the test)";
  out += " (" + change_rule(settings, !c.by_runs) +
         "; new/base is the Hodges-Lehmann estimate the test goes with: the median of every new/base ratio of two "
         "samples).\n";
  out += c.by_runs ? "The test compared the runs' means: the drift between runs counts as noise.\n"
                   : "The test compared samples of one run a side: it sees the noise within a run, not the drift "
                     "between runs; give several runs a side (BASE... -- NEW...) to include it.\n";
  return out;
}

}  // namespace opbench
