#include "report/bandwidth.h"

#include <cmath>
#include <map>

#include "model/memory.h"
#include "model/ops.h"
#include "model/text.h"

namespace opbench {

namespace {

std::string cell_text(double value, const char* pattern) { return std::isfinite(value) ? formatted(pattern, value) : "nan"; }

}  // namespace

std::string bandwidth_table(const RunRecord& r) {
  if (!has_collectives(r)) return "";
  // Built by appending: GCC 12 misreads " " + std::string as an overlapping copy (-Wrestrict).
  std::string out = "| Collective | ranks | size |", rule = "|---|---:|---:|";
  for (const BackendRecord& b : r.backends) {
    for (const char* figure : {" time (us)", " algbw (GB/s)", " busbw (GB/s)"}) {
      out += ' ';
      out += b.info.name;
      out += figure;
      out += " |";
    }
    rule += "---:|---:|---:|";
  }
  out += "\n" + rule + "\n";
  for (const ExperimentRecord& e : r.experiments) {
    std::optional<Experiment> x = collective_of(e);
    if (!x) continue;
    out += "| " + x->op + " | " + std::to_string(x->ranks) + " | " + format_bytes(minimum_bytes(*x)) + " |";
    for (const BackendRecord& b : r.backends) {
      const Cell* c = e.find(b.info.name);
      std::optional<Bandwidth> bw = c ? cell_bandwidth(*x, *c) : std::nullopt;
      const std::pair<double, const char*> figures[] = {
          {bw ? bw->time_us : NAN, "%.1f"}, {bw ? bw->algorithm_gbs : NAN, "%.2f"}, {bw ? bw->bus_gbs : NAN, "%.2f"}};
      for (const auto& [value, pattern] : figures) {
        out += ' ';
        out += c && c->not_applicable ? "n/a" : cell_text(value, pattern);
        out += " |";
      }
    }
    out += "\n";
  }
  return out +
         "\nsize: the message as nccl-tests counts it (AllGather's result, ReduceScatter's input); time: the mean "
         "sample, each the slowest rank's; algbw = size / time; busbw = algbw x nccl-tests' factor (AllReduce "
         "2(n-1)/n; AllGather, ReduceScatter, AllToAll (n-1)/n; Broadcast 1).\n";
}

std::vector<std::pair<std::string, BarChart>> bandwidth_charts(const RunRecord& r) {
  std::vector<std::pair<std::string, BarChart>> charts;
  std::map<std::string, size_t> chart_of;  // op and ranks -> its chart
  for (const ExperimentRecord& e : r.experiments) {
    std::optional<Experiment> x = collective_of(e);
    if (!x) continue;
    std::string key = "bandwidth_" + x->op + "_" + std::to_string(x->ranks) + "ranks";
    if (!chart_of.count(key)) {
      chart_of[key] = charts.size();
      BarChart c;
      c.title = x->op + ", " + std::to_string(x->ranks) + " ranks: bus bandwidth";
      c.x_label = "message size";
      c.y_label = "bus bandwidth (GB/s)";
      c.log_scale = true;
      for (const BackendRecord& b : r.backends) c.series.push_back({b.info.name, {}, {}});
      charts.push_back({key, std::move(c)});
    }
    BarChart& c = charts[chart_of[key]].second;
    c.groups.push_back(format_bytes(minimum_bytes(*x)));
    for (size_t k = 0; k < r.backends.size(); ++k) {
      const Cell* cell = e.find(r.backends[k].info.name);
      std::optional<Bandwidth> bw = cell ? cell_bandwidth(*x, *cell) : std::nullopt;
      c.series[k].values.push_back(bw ? bw->bus_gbs : NAN);
      // Three significant digits: a small message's bandwidth is far below 0.01 GB/s.
      c.series[k].labels.push_back(bw ? formatted("%.3g", bw->bus_gbs) : "nan");
    }
  }
  return charts;
}

}  // namespace opbench
