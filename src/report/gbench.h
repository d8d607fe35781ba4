#pragma once
// A result in google/benchmark's JSON format, so its tools (tools/compare.py)
// and the dashboards that read it take opbench's results: a "context" of the
// machine, and "benchmarks" with, per experiment and backend ("<experiment
// name>/<backend>"), a row per timed sample (run_type "iteration") and the
// mean, median, stddev and cv aggregates (run_type "aggregate"), in ns, its
// unit; cpu_time is the host CPU time of one call (user and system, over the
// cell's sampling loop).
#include <string>

#include "model/result.h"

namespace opbench {

std::string gbench_json(const RunRecord& record);

}  // namespace opbench
