#include "model/bandwidth.h"

#include "model/error.h"
#include "model/ops.h"

namespace opbench {

std::optional<Experiment> collective_of(const ExperimentRecord& e) {
  try {
    Experiment x = parse_experiment(e.line);
    if (x.spec().collective && x.spec().bus_factor) return x;
  } catch (const UsageError&) {
  }
  return std::nullopt;
}

std::optional<Bandwidth> cell_bandwidth(const Experiment& x, const Cell& c) {
  if (!c.ok() || !(c.stats.mean > 0)) return std::nullopt;
  Bandwidth b;
  b.bytes = minimum_bytes(x);
  b.time_us = c.stats.mean * 1e3;
  b.algorithm_gbs = b.bytes / (c.stats.mean * 1e-3) / 1e9;
  b.bus_gbs = b.algorithm_gbs * x.spec().bus_factor(x);
  return b;
}

std::optional<Bandwidth> cell_bandwidth(const ExperimentRecord& e, const Cell& c) {
  std::optional<Experiment> x = collective_of(e);
  return x ? cell_bandwidth(*x, c) : std::nullopt;
}

bool has_collectives(const RunRecord& r) {
  for (const ExperimentRecord& e : r.experiments)
    if (collective_of(e)) return true;
  return false;
}

}  // namespace opbench
