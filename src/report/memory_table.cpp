#include "report/memory_table.h"

#include <algorithm>
#include <cmath>

#include "model/memory.h"
#include "model/text.h"

namespace opbench {

namespace {

// The peak column's text.
std::string peak_text(const Cell* c) {
  if (c && c->not_applicable) return "n/a";  // no such call (Argmax's backward pass)
  if (!c || !c->memory) return "nan";
  const MemoryFigure& m = *c->memory;
  return m.measured() ? format_bytes(m.peak_bytes) : "n/a: " + m.unavailable;
}

// The peak/least column's text.
std::string ratio_text(const Cell* c) {
  if (c && c->not_applicable) return "n/a";
  if (!c || !c->memory || !c->memory->measured()) return c && c->memory ? "n/a" : "nan";
  const MemoryFigure& m = *c->memory;
  if (!implausible_memory(m).empty()) return "wrong";
  if (m.in_place) return "in place";
  double ratio = memory_ratio(m);
  return std::isnan(ratio) ? "nan" : formatted("%.2f", ratio);
}

// The experiment's least memory, as its cells recorded it: the same in
// each, but 0 in a cell that wrote in place, which counts only where every
// cell did; NaN when no cell has one.
double least_of(const ExperimentRecord& e) {
  double least = NAN;
  for (const Cell& c : e.cells)
    if (c.memory && std::isfinite(c.memory->least_bytes)) {
      if (!c.memory->in_place) return c.memory->least_bytes;
      least = 0;
    }
  return least;
}

// Whose count each backend's figures are, in column order: ": cpu, LibTorch's
// CPU allocator, counted by opbench; mlx_cpu, MLX's allocator".
std::string sources_of(const RunRecord& r) {
  std::string out;
  for (const BackendRecord& b : r.backends)
    for (const ExperimentRecord& e : r.experiments)
      if (const Cell* c = e.find(b.info.name); c && c->memory && c->memory->measured() && !c->memory->source.empty()) {
        out += (out.empty() ? ": " : "; ") + b.info.name + ", " + c->memory->source;
        break;
      }
  return out;
}

// A table cell's text with its separator (built by appending: GCC 12 misreads
// " " + std::string as an overlapping copy, -Wrestrict).
std::string padded(const std::string& text) {
  std::string cell = " ";
  cell += text;
  return cell += " |";
}

}  // namespace

std::string memory_table(const RunRecord& r) {
  std::string out = "| Experiment | least |", rule = "|---|---:|";
  for (const BackendRecord& b : r.backends) {
    out += padded(b.info.name + " peak") + padded(b.info.name + " peak/least");
    rule += "---:|---:|";
  }
  out += "\n" + rule + "\n";
  std::vector<std::string> wrong;
  for (const ExperimentRecord& e : r.experiments) {
    double least = least_of(e);
    bool applicable = std::any_of(e.cells.begin(), e.cells.end(), [](const Cell& c) { return !c.not_applicable; });
    out += "| " + e.name + " |" + padded(!applicable ? "n/a" : std::isnan(least) ? "nan" : format_bytes(least));
    for (const BackendRecord& b : r.backends) {
      const Cell* c = e.find(b.info.name);
      out += padded(peak_text(c)) + padded(ratio_text(c));
      if (!c || !c->memory) continue;
      if (std::string why = implausible_memory(*c->memory); !why.empty())
        wrong.push_back("- wrong memory figure: " + e.name + " on " + b.info.name + ": " + why);
    }
    out += "\n";
  }
  out += "\nPeak: the most memory one call held at once beyond what was allocated when it began (its inputs), "
         "in one more call after the timed ones, untimed, from the framework's own count";
  out += sources_of(r);
  out += ". Least: the memory the call must hold, its result (indices at 4 bytes); peak/least is how many times that "
         "the call needed. In place: the result is an input's memory (written into it, or a view of it).\n";
  for (const std::string& line : wrong) out += line + "\n";
  return out;
}

std::string memory_detail(const MemoryFigure& m) {
  if (!m.measured()) return "peak memory n/a: " + m.unavailable;
  std::string out = "peak memory " + format_bytes(m.peak_bytes) + " beyond the inputs in one call";
  if (std::string why = implausible_memory(m); !why.empty()) out += ": wrong, " + why;
  else if (m.in_place) out += "; its result is an input's memory";
  else if (double ratio = memory_ratio(m); !std::isnan(ratio))
    out += formatted(", %.2fx", ratio) + " the least it needs (its result, " + format_bytes(m.least_bytes) + ")";
  return m.source.empty() ? out : out + "; " + m.source;
}

}  // namespace opbench
