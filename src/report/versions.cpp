#include "report/versions.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/text.h"
#include "report/markdown.h"

namespace opbench {

namespace {

// "2.15.0" of "cpu@torch-2.15.0".
std::string version_of(const std::string& name) {
  const std::string tag = version_tag(name);
  return tag.substr(tag.find('-') + 1);
}

// `record` with only `backend`'s cells, named `as`.
RunRecord only(const RunRecord& record, const std::string& backend, const std::string& as) {
  RunRecord out;
  out.settings = record.settings;
  for (const ExperimentRecord& e : record.experiments) {
    ExperimentRecord kept = e;
    kept.cells.clear();
    if (const Cell* c = e.find(backend)) {
      kept.cells.push_back(*c);
      kept.cells.back().backend = as;
    }
    out.experiments.push_back(std::move(kept));
  }
  return out;
}

}  // namespace

std::string VersionChange::header() const {
  return backend + " " + version_of(newest) + "/" + version_of(oldest) + " speedup";
}

std::vector<VersionChange> version_changes(const RunRecord& record) {
  std::vector<const BackendRecord*> sorted;
  for (const BackendRecord& b : record.backends)
    if (!version_tag(b.info.name).empty()) sorted.push_back(&b);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->info.column < y->info.column; });
  std::vector<VersionChange> out;
  for (const BackendRecord* b : sorted) {
    const std::string base = base_name(b->info.name);
    auto it = std::find_if(out.begin(), out.end(), [&](const VersionChange& c) { return c.backend == base; });
    if (it == out.end()) out.push_back({base, b->info.name, b->info.name});
    else it->newest = b->info.name;  // columns run oldest to newest
  }
  std::erase_if(out, [](const VersionChange& c) { return c.oldest == c.newest; });
  return out;
}

Comparison compare_versions(const RunRecord& record, const VersionChange& change) {
  return compare_runs(only(record, change.oldest, change.backend), only(record, change.newest, change.backend),
                      CompareSettings{});
}

std::string version_change_notes(const RunRecord& record) {
  struct Line {
    double size;
    std::string text;
  };
  std::vector<Line> lines;
  size_t compared = 0;
  for (const VersionChange& change : version_changes(record)) {
    Comparison c = compare_versions(record, change);
    compared += c.cells.size();
    for (const CellComparison& x : c.cells) {
      if (x.change != Change::faster && x.change != Change::slower) continue;
      lines.push_back({std::abs(std::log(x.ratio)),
                       "- " + x.experiment + " on " + change.backend + ": " + version_of(change.oldest) + " -> " +
                           version_of(change.newest) + ": " + formatted("%.3f", x.base_ms) + " -> " +
                           formatted("%.3f", x.new_ms) + " ms, " + trimmed(format_speedup(1, 1 / x.ratio)) + " (" +
                           change_name(x.change) + ", p " + p_value_text(x.p) + ")\n"});
    }
  }
  if (!compared) return "";
  std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.size > b.size; });
  const CompareSettings s;
  std::string out = "Version changes: newest against oldest, the Hodges-Lehmann ratio of each cell's samples, tested "
                    "as opbench compare tests two runs; " + std::string(kChangeMark) + " marks a change beyond noise (" +
                    change_rule(s, true) + "): " + std::to_string(lines.size()) + " of " + std::to_string(compared) +
                    " cells" + (lines.empty() ? ".\n" : ", largest first:\n");
  for (const Line& l : lines) out += l.text;
  return out;
}

}  // namespace opbench
