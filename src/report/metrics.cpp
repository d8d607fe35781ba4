#include "report/metrics.h"

#include <cmath>
#include <cstdio>

#include "model/ops.h"
#include "model/peaks.h"

namespace opbench {

namespace {

std::string number(double value, const char* format) {
  if (std::isnan(value)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

struct Work {
  double flops = NAN, bytes = NAN;
  FloatType dtype = FloatType::float32;
};

// What an experiment must do, from its suite line (files from other
// versions may name ops this one lacks). The work models count the forward
// call: a backward cell has none, and its figures are nan.
Work work_of(const ExperimentRecord& e) {
  try {
    Experiment parsed = parse_experiment(e.line);
    if (parsed.pass != Pass::forward) return {};
    return {parsed.spec().flops(parsed), minimum_bytes(parsed), parsed.dtype};
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace

std::string metrics_table(const RunRecord& r) {
  std::string out = "| Experiment |";
  std::string rule = "|---|";
  for (const BackendRecord& b : r.backends) {
    out += " " + b.info.name + " GB/s | " + b.info.name + " GFLOP/s |";
    rule += "---:|---:|";
    if (r.peaks.count(b.info.name)) {
      out += " " + b.info.name + " % of peak |";
      rule += "---:|";
    }
  }
  out += "\n" + rule + "\n";
  for (const ExperimentRecord& e : r.experiments) {
    Work w = work_of(e);
    out += "| " + e.label() + " |";
    for (const BackendRecord& b : r.backends) {
      const Cell* c = e.find(b.info.name);
      double seconds = c && c->ok() ? c->stats.mean / 1e3 : NAN;
      // Appended piece by piece: GCC 12 misreads " " + std::string as an overlapping copy (-Wrestrict).
      out += ' ';
      out += number(w.bytes / seconds / 1e9, "%.1f") + " | " + number(w.flops / seconds / 1e9, "%.1f") + " |";
      if (auto p = r.peaks.find(b.info.name); p != r.peaks.end()) {
        out += ' ';
        out += number(100 * peak_share(p->second, w.dtype, w.flops, w.bytes, seconds * 1e3), "%.0f%%") + " |";
      }
    }
    out += "\n";
  }
  out += "\nGB/s: the fewest bytes the op must move (each input read once, each output written once) per second of "
         "its mean time; GFLOP/s: the floating-point operations its definition needs (comparisons for Sort and Argmax); "
         "% of peak: the larger of the two against the machine's measured peaks (opbench calibrate); above 100% "
         "the data came from caches faster than the memory the peak was measured on.\n";
  return out;
}

CellRates cell_rates(const RunRecord& r, const ExperimentRecord& e, const Cell& c) {
  Work w = work_of(e);
  double seconds = c.ok() ? c.stats.mean / 1e3 : NAN;
  auto p = r.peaks.find(c.backend);
  return {w.bytes / seconds / 1e9, w.flops / seconds / 1e9,
          p == r.peaks.end() ? NAN : peak_share(p->second, w.dtype, w.flops, w.bytes, seconds * 1e3)};
}

}  // namespace opbench
