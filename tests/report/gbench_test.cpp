// The google/benchmark JSON export: the fields its tools read, with the values of the record.
#include "report/gbench.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;
using nlohmann::json;

TEST(GbenchJson, TheMachineInTheContext) {
  RunRecord r = cuda_machine();
  json j = json::parse(gbench_json(r));
  const json& c = j.at("context");
  EXPECT_EQ(c.at("date"), r.created);
  EXPECT_EQ(c.at("host_name"), "h100");
  EXPECT_EQ(c.at("num_cpus"), 26);
  // Nothing the result file does not record is written as if measured.
  for (const char* unmeasured : {"mhz_per_cpu", "cpu_scaling_enabled", "caches", "load_avg"})
    EXPECT_FALSE(c.contains(unmeasured)) << unmeasured;
  EXPECT_EQ(c.at("library_build_type"), "release");
  EXPECT_EQ(c.at("description"), r.description());
}

TEST(GbenchJson, ARowPerSampleThenTheAggregates) {
  RunRecord r = cuda_machine();
  json benchmarks = json::parse(gbench_json(r)).at("benchmarks");
  // 7 timed cells of 8 samples, each with mean, median, stddev and cv; 1 failed cell.
  ASSERT_EQ(benchmarks.size(), 7u * (8 + 4) + 1);
  const Cell& cell = r.experiments[0].cells[1];
  for (size_t i = 0; i < 8; ++i) {
    const json& b = benchmarks[8 + 4 + i];  // after the first cell's rows
    EXPECT_EQ(b.at("name"), "Argmax / dim=64x1024x128 axi=0/cuda");
    EXPECT_EQ(b.at("run_name"), "Argmax / dim=64x1024x128 axi=0/cuda");
    EXPECT_EQ(b.at("run_type"), "iteration");
    EXPECT_EQ(b.at("repetitions"), 8);
    EXPECT_EQ(b.at("repetition_index"), i);
    EXPECT_EQ(b.at("iterations"), 1);
    // google/benchmark's unit: ns (its tools print 0 for a sub-millisecond time in ms).
    EXPECT_DOUBLE_EQ(b.at("real_time").get<double>(), cell.samples_ms[i] * 1e6);
    // No host CPU figure in the cell (a file of an older version): cpu_time repeats real_time.
    EXPECT_DOUBLE_EQ(b.at("cpu_time").get<double>(), cell.samples_ms[i] * 1e6);
    EXPECT_EQ(b.at("time_unit"), "ns");
    EXPECT_EQ(b.at("family_index"), 1);
  }
  const json& mean = benchmarks[8 + 4 + 8];
  EXPECT_EQ(mean.at("name"), "Argmax / dim=64x1024x128 axi=0/cuda_mean");
  EXPECT_EQ(mean.at("run_name"), "Argmax / dim=64x1024x128 axi=0/cuda");
  EXPECT_EQ(mean.at("run_type"), "aggregate");
  EXPECT_EQ(mean.at("aggregate_name"), "mean");
  EXPECT_DOUBLE_EQ(mean.at("real_time").get<double>(), cell.stats.mean * 1e6);
  EXPECT_EQ(mean.at("time_unit"), "ns");
  EXPECT_FALSE(mean.contains("repetition_index"));
  EXPECT_EQ(benchmarks[8 + 4 + 9].at("aggregate_name"), "median");
  EXPECT_DOUBLE_EQ(benchmarks[8 + 4 + 9].at("real_time").get<double>(), cell.stats.median * 1e6);
  EXPECT_EQ(benchmarks[8 + 4 + 10].at("aggregate_name"), "stddev");
  EXPECT_DOUBLE_EQ(benchmarks[8 + 4 + 10].at("real_time").get<double>(), cell.stats.stddev * 1e6);
  const json& cv = benchmarks[8 + 4 + 11];
  EXPECT_EQ(cv.at("aggregate_name"), "cv");
  EXPECT_EQ(cv.at("aggregate_unit"), "percentage");
  // A fraction, as google/benchmark writes it, in no unit of time.
  EXPECT_DOUBLE_EQ(cv.at("real_time").get<double>(), cell.stats.stddev / cell.stats.mean);
}

// cpu_time is the host CPU time (user + system) per call that the run
// measured over the cell's sampling loop: one figure a cell, so every sample
// carries it and its spread is 0; real_time stays each sample's.
TEST(GbenchJson, CpuTimeIsTheMeasuredHostCpuPerCall) {
  RunRecord r = cuda_machine();
  Cell& cell = r.experiments[0].cells[1];  // Argmax axis=0 on cuda: 0.11 ms a call
  cell.host = HostCost{0, 0.004, 0.0015};  // 5.5 us of CPU a call: the launch, then the wait
  json benchmarks = json::parse(gbench_json(r)).at("benchmarks");
  for (size_t i = 0; i < 8; ++i) {
    const json& b = benchmarks[8 + 4 + i];
    ASSERT_EQ(b.at("name"), "Argmax / dim=64x1024x128 axi=0/cuda");
    EXPECT_DOUBLE_EQ(b.at("cpu_time").get<double>(), 5500);
    EXPECT_DOUBLE_EQ(b.at("real_time").get<double>(), cell.samples_ms[i] * 1e6);
  }
  const json &mean = benchmarks[8 + 4 + 8], &median = benchmarks[8 + 4 + 9], &stddev = benchmarks[8 + 4 + 10],
             &cv = benchmarks[8 + 4 + 11];
  EXPECT_DOUBLE_EQ(mean.at("cpu_time").get<double>(), 5500);
  EXPECT_DOUBLE_EQ(median.at("cpu_time").get<double>(), 5500);
  EXPECT_EQ(stddev.at("cpu_time").get<double>(), 0);
  EXPECT_EQ(cv.at("cpu_time").get<double>(), 0);
  EXPECT_GT(stddev.at("real_time").get<double>(), 0);
  // The other cells keep their own: the cpu cell before it has no host figure.
  EXPECT_DOUBLE_EQ(benchmarks[0].at("cpu_time").get<double>(), r.experiments[0].cells[0].samples_ms[0] * 1e6);
}

TEST(GbenchJson, AFailedCellIsAnError) {
  json benchmarks = json::parse(gbench_json(cuda_machine())).at("benchmarks");
  const json& failed = benchmarks.back();
  EXPECT_EQ(failed.at("name"), "Softmax / dim=64x1000000 axi=-1/cuda");
  EXPECT_EQ(failed.at("error_occurred"), true);
  EXPECT_EQ(failed.at("error_message"), "out of memory");
  json wrong = json::parse(gbench_json(apple_machine())).at("benchmarks");
  bool found = false;
  for (const json& b : wrong)
    if (b.at("name") == "MatMul / dim=64x64 dim=64x64/mps") {
      found = true;
      EXPECT_EQ(b.at("error_message"), "wrong result: 50% of elements differ");
    }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace opbench
