#pragma once
// The collectives' figures as nccl-tests reports them: the time of one call
// (the slowest rank's), the algorithm bandwidth (the message over that time)
// and the bus bandwidth (that times the collective's factor, e.g. 2(n-1)/n for
// AllReduce: what each rank's link carries, comparable across rank counts
// and with nccl-tests).
#include <optional>

#include "model/result.h"

namespace opbench {

struct Bandwidth {
  double bytes = 0;                       // the message: nccl-tests' "size"
  double time_us = 0;                     // the mean sample
  double algorithm_gbs = 0, bus_gbs = 0;  // 1e9 bytes a second
};

// The experiment of a record when it is a collective this opbench knows.
std::optional<Experiment> collective_of(const ExperimentRecord& e);

// A cell's figures for collective `x`; nullopt for a cell without a time.
std::optional<Bandwidth> cell_bandwidth(const Experiment& x, const Cell& c);
// The same from the record: nullopt also for an experiment that is no
// collective (or of an op this opbench does not know).
std::optional<Bandwidth> cell_bandwidth(const ExperimentRecord& e, const Cell& c);

// Whether any experiment of the record is a collective.
bool has_collectives(const RunRecord& r);

}  // namespace opbench
