#include "report/gbench.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "report/markdown.h"

namespace opbench {

namespace {

using nlohmann::json;

// google/benchmark's own unit: its tools print times in it with few
// decimals, so in milliseconds a cell under 1 ms read 0.
constexpr double kNanosecondsPerMs = 1e6;

// Fields google/benchmark writes for every run, named as its JSON reporter
// names them; times in ns. `cpu_ms`: the host CPU time of one call.
json run(const std::string& name, size_t family, size_t repetitions, const char* run_type, double ms, double cpu_ms) {
  return {{"name", name},
          {"family_index", family},
          {"per_family_instance_index", 0},
          {"run_name", name},
          {"run_type", run_type},
          {"repetitions", repetitions},
          {"threads", 1},
          {"iterations", 1},
          {"real_time", ms * kNanosecondsPerMs},
          {"cpu_time", cpu_ms * kNanosecondsPerMs},
          {"time_unit", "ns"}};
}

json aggregate(const std::string& name, size_t family, size_t repetitions, const char* which, double value,
               double cpu_value, const char* unit = "time") {
  json j = run(name, family, repetitions, "aggregate", value, cpu_value);
  j["name"] = name + "_" + which;
  j["aggregate_name"] = which;
  j["aggregate_unit"] = unit;
  return j;
}

// The host CPU time (user and system, every thread) of one call, which
// opbench reads around a cell's whole sampling loop and divides by its calls;
// nan in files of versions before it was recorded: then cpu_time repeats real_time.
double cpu_per_call(const Cell& c) { return c.host ? c.host->user_ms + c.host->system_ms : NAN; }

}  // namespace

std::string gbench_json(const RunRecord& r) {
  json versions = r.versions;
  json context = {{"date", r.created},
                  {"host_name", r.machine.hostname},
                  {"executable", "opbench"},
                  {"num_cpus", r.machine.cores},
                  // Only what the result file recorded: google/benchmark's
                  // mhz_per_cpu, cpu_scaling_enabled, caches and load_avg
                  // describe the machine at run time, which a result file
                  // does not hold, so they are left out rather than invented.
                  {"library_build_type", "release"},
                  // opbench's own, which google/benchmark's tools ignore:
                  {"opbench_version", r.opbench_version},
                  {"suite", r.suite},
                  {"cpu", r.machine.cpu},
                  {"os", r.machine.os},
                  {"description", r.description()},
                  {"versions", versions}};
  json benchmarks = json::array();
  size_t family = 0;
  for (const ExperimentRecord& e : r.experiments)
    for (const Cell& c : e.cells) {
      std::string name = e.label() + "/" + c.backend;
      if (!c.ok()) {
        json j = run(name, family++, 1, "iteration", 0, 0);
        j["repetition_index"] = 0;
        j["error_occurred"] = true;
        j["error_message"] = c.wrong() ? "wrong result: " + c.check.detail : c.error;
        benchmarks.push_back(j);
        continue;
      }
      size_t n = c.samples_ms.size(), first = benchmarks.size();
      const double cpu = cpu_per_call(c);
      for (size_t i = 0; i < n; ++i) {
        json j = run(name, family, n, "iteration", c.samples_ms[i], std::isnan(cpu) ? c.samples_ms[i] : cpu);
        j["repetition_index"] = i;
        benchmarks.push_back(j);
      }
      const Stats& s = c.stats;
      size_t repetitions = n ? n : s.count;
      // Each sample carries the cell's one CPU figure: its spread is 0.
      auto cpu_or = [&](double wall) { return std::isnan(cpu) ? wall : cpu; };
      double cpu_spread = std::isnan(cpu) ? s.stddev : 0;
      benchmarks.push_back(aggregate(name, family, repetitions, "mean", s.mean, cpu_or(s.mean)));
      benchmarks.push_back(aggregate(name, family, repetitions, "median", s.median, cpu_or(s.median)));
      benchmarks.push_back(aggregate(name, family, repetitions, "stddev", s.stddev, cpu_spread));
      // cv is a fraction, not a time: written as is, not in ns.
      json cv = aggregate(name, family, repetitions, "cv", 0, 0, "percentage");
      cv["real_time"] = s.mean > 0 ? s.stddev / s.mean : 0;
      cv["cpu_time"] = std::isnan(cpu) ? cv["real_time"].get<double>() : 0.0;
      benchmarks.push_back(cv);
      // google/benchmark's tools print a run's label beside its times: the mark of the tables.
      if (c.imprecise())
        for (size_t k = first; k < benchmarks.size(); ++k) benchmarks[k]["label"] = "imprecise: " + imprecision(c.check);
      ++family;
    }
  return json{{"context", context}, {"benchmarks", benchmarks}}.dump(2) + "\n";
}

}  // namespace opbench
