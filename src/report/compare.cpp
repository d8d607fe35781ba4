#include "report/compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/mann_whitney.h"
#include "report/text.h"

namespace opbench {

namespace {

std::string p_text(double p) {
  if (std::isnan(p)) return "n/a";
  if (p < 1e-300) return "<1e-300";
  return p < 0.001 ? formatted("%.1e", p) : formatted("%.3f", p);
}

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
      line += " " + (i < 2 ? rows[r][i] + pad : pad + rows[r][i]) + " |";
    }
    out += line + "\n";
    if (r == 0) {
      line = "|";
      for (size_t i = 0; i < width.size(); ++i) line += std::string(width[i] + 2, '-') + "|";
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace

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

Comparison compare_runs(const RunRecord& base, const RunRecord& next, const CompareSettings& settings) {
  Comparison out;
  double log_sum = 0;
  auto find_experiment = [&](const std::string& name) -> const ExperimentRecord* {
    for (const ExperimentRecord& e : next.experiments)
      if (e.name == name) return &e;
    return nullptr;
  };
  for (const ExperimentRecord& e : base.experiments) {
    const ExperimentRecord* other = find_experiment(e.name);
    for (const Cell& b : e.cells) {
      const Cell* n = other ? other->find(b.backend) : nullptr;
      std::string why = no_time(&b, "base");
      if (why.empty()) why = no_time(n, "new");
      if (!why.empty()) {
        out.not_compared.push_back({e.name, b.backend, why});
        continue;
      }
      CellComparison c{e.name, b.backend,           b.stats.mean,         n->stats.mean,   n->stats.mean / b.stats.mean,
                       NAN,    b.samples_ms.size(), n->samples_ms.size(), Change::untested};
      // No test where too few samples could never give p < alpha (google/benchmark's
      // tool needs 2 a side; 3 and 3 cannot go below 0.1).
      if (c.base_count >= 2 && c.new_count >= 2 &&
          mann_whitney_smallest_p(c.base_count, c.new_count) < settings.alpha) {
        c.p = mann_whitney_u(b.samples_ms, n->samples_ms).p;
        bool significant = c.p < settings.alpha && std::abs(c.ratio - 1) > settings.min_effect;
        c.change = !significant ? Change::same : c.ratio > 1 ? Change::slower : Change::faster;
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
  for (const ExperimentRecord& e : next.experiments)
    for (const Cell& n : e.cells) {
      bool in_base = false;
      for (const ExperimentRecord& b : base.experiments)
        if (b.name == e.name && b.find(n.backend)) in_base = true;
      if (!in_base) out.not_compared.push_back({e.name, n.backend, "only in new"});
    }
  out.geomean_ratio = out.cells.empty() ? NAN : std::exp(log_sum / static_cast<double>(out.cells.size()));
  return out;
}

bool regressed(const CellComparison& cell, double threshold) {
  return cell.change == Change::slower && cell.ratio - 1 > threshold;
}

std::string render_comparison(const Comparison& c, const CompareSettings& settings) {
  std::string out;
  if (!c.cells.empty()) {
    std::vector<std::vector<std::string>> rows = {
        {"Experiment", "backend", "base ms", "new ms", "new/base", "p-value", "change"}};
    for (const CellComparison& x : c.cells)
      rows.push_back({x.experiment, x.backend, formatted("%.3f", x.base_ms), formatted("%.3f", x.new_ms),
                      formatted("%.3f", x.ratio), p_text(x.p), change_name(x.change)});
    out += aligned_table(rows);
  }
  if (!c.not_compared.empty()) {
    out += "\nNot compared:\n";
    for (const NotCompared& n : c.not_compared) out += "- " + n.experiment + " on " + n.backend + ": " + n.why + "\n";
  }
  out += "\n";
  if (c.cells.empty()) return out + "No cell has a time in both runs.\n";
  out += "Geometric mean of new/base: " + formatted("%.3f", c.geomean_ratio) + " over " +
         std::to_string(c.cells.size()) + " cells: " + std::to_string(c.slower) + " slower, " +
         std::to_string(c.faster) + " faster, " + std::to_string(c.same) + " same";
  if (c.untested) out += ", " + std::to_string(c.untested) + " untested (too few samples for the test)";
  out += " (a change is real when p < " + formatted("%g", settings.alpha) + " and the means differ by more than " +
         formatted("%g", settings.min_effect * 100) + "%).\n";
  return out;
}

}  // namespace opbench
