// Collectives (issue 14): the world reference against the definitions worked
// out here from hand-filled inputs, ranks=N in lines and suites, the world of
// a rank and the rendezvous its launcher hands it, the sampler's agreement on
// the slowest rank, and nccl-tests' bandwidth figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "execution/sampler.h"
#include "execution/world.h"
#include "model/bandwidth.h"
#include "model/error.h"
#include "model/experiment.h"
#include "model/ops.h"
#include "model/suite.h"
#include "report/bandwidth.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::contains;
using test_text::usage_error;

const std::vector<std::string> kCollectives = {"AllReduce", "AllGather", "ReduceScatter", "Broadcast", "AllToAll"};

// ---- the world reference -------------------------------------------------

constexpr int64_t kRanks = 3;
constexpr int64_t kSize = 6;              // dim1: splits into 3 parts
constexpr int64_t kPart = kSize / kRanks;  // p

// x[k][i] = 100k + i: every element tells which rank and which position it
// came from, so a result that takes the wrong one cannot pass.
HostTensor world_input(int64_t n) {
  HostTensor x{"x", {kRanks, n}, DType::Float32, {}, {}};
  for (int64_t k = 0; k < kRanks; ++k)
    for (int64_t i = 0; i < n; ++i) x.f32.push_back(static_cast<float>(100 * k + i));
  return x;
}
double x_at(int64_t k, int64_t i) { return 100.0 * k + i; }

// The op's reference on the hand-filled input against `expected(r, i)` for
// every rank r and every element i of its `out` elements.
void expect_world_result(const std::string& op, int64_t in, int64_t out,
                         const std::function<double(int64_t, int64_t)>& expected) {
  SCOPED_TRACE(op);
  const Experiment e = parse_experiment(op + " dim1=" + std::to_string(kSize) + " ranks=" + std::to_string(kRanks));
  EXPECT_EQ(e.spec().output_shape(e), (Shape{kRanks, out}));
  const std::vector<HostTensor> inputs = make_inputs(e, 1);
  ASSERT_EQ(inputs.size(), 1u);
  EXPECT_EQ(inputs[0].name, "x");
  EXPECT_EQ(inputs[0].shape, (Shape{kRanks, in}));

  const RefTensor got = e.spec().reference(e, {world_input(in)});
  EXPECT_EQ(got.shape, (Shape{kRanks, out}));
  ASSERT_TRUE(got.dense());
  ASSERT_EQ(got.values.size(), static_cast<size_t>(kRanks * out));
  for (int64_t r = 0; r < kRanks; ++r)
    for (int64_t i = 0; i < out; ++i) EXPECT_EQ(got.values[r * out + i], expected(r, i)) << "rank " << r << ", element " << i;
}

TEST(CollectiveReference, AllReduceSumsEveryRanksInputOnEveryRank) {
  expect_world_result("AllReduce", kSize, kSize, [](int64_t, int64_t i) { return x_at(0, i) + x_at(1, i) + x_at(2, i); });
}

TEST(CollectiveReference, BroadcastGivesRankZerosInputToEveryRank) {
  expect_world_result("Broadcast", kSize, kSize, [](int64_t, int64_t i) { return x_at(0, i); });
}

// Each rank sends dim1 / ranks elements; part k of every result is rank k's.
TEST(CollectiveReference, AllGatherJoinsTheRanksInputsInRankOrder) {
  expect_world_result("AllGather", kPart, kSize, [](int64_t, int64_t i) { return x_at(i / kPart, i % kPart); });
}

// Rank r keeps part r of the sum: a result of dim1 / ranks elements.
TEST(CollectiveReference, ReduceScatterGivesRankRPartROfTheSum) {
  expect_world_result("ReduceScatter", kSize, kPart, [](int64_t r, int64_t i) {
    double sum = 0;
    for (int64_t k = 0; k < kRanks; ++k) sum += x_at(k, r * kPart + i);
    return sum;
  });
}

// Part k of rank r's result is part r of rank k's input: a transpose of parts.
TEST(CollectiveReference, AllToAllSendsPartRToRankR) {
  expect_world_result("AllToAll", kSize, kSize,
                      [](int64_t r, int64_t i) { return x_at(i / kPart, r * kPart + i % kPart); });
}

// Each rank's input is its own draw: the same for the same seed, and no two
// ranks (which would hide a reduction that reads one rank twice) alike.
TEST(CollectiveReference, EachRanksInputIsItsOwnAndTheSameForTheSameSeed) {
  for (const std::string& op : kCollectives) {
    SCOPED_TRACE(op);
    const Experiment e = parse_experiment(op + " dim1=64 ranks=4");
    const std::vector<HostTensor> once = make_inputs(e, 7), again = make_inputs(e, 7);
    ASSERT_EQ(once[0].f32.size(), again[0].f32.size());
    EXPECT_EQ(once[0].f32, again[0].f32);
    EXPECT_NE(once[0].f32, make_inputs(e, 8)[0].f32);

    const int64_t n = once[0].shape[1];
    std::set<std::vector<float>> rows;
    for (int64_t r = 0; r < 4; ++r) rows.insert({once[0].f32.begin() + r * n, once[0].f32.begin() + (r + 1) * n});
    EXPECT_EQ(rows.size(), 4u);
  }
}

// ---- ranks=N in lines ----------------------------------------------------

TEST(CollectiveLines, RanksRoundTripThroughTheLineAndShowInTheName) {
  const Experiment e = parse_experiment("AllReduce dim1=8 ranks=4");
  EXPECT_EQ(e.ranks, 4);
  EXPECT_EQ(e.line(), "AllReduce dim1=8 ranks=4");
  EXPECT_EQ(parse_experiment(e.line()).ranks, 4);
  EXPECT_EQ(e.name(), "AllReduce / dim=8 ran=4");

  // With a dtype too, the line still reads back as itself.
  const std::string half = "AllGather dim1=8 dtype=float16 ranks=2";
  EXPECT_EQ(parse_experiment(half).line(), half);
}

// One rank is the default, and written as nothing, so that every line of the
// other ops stays as it was.
TEST(CollectiveLines, OneRankIsTheDefaultAndNotWritten) {
  EXPECT_EQ(parse_experiment("AllReduce dim1=8").ranks, 1);
  EXPECT_EQ(parse_experiment("AllReduce dim1=8 ranks=1").line(), "AllReduce dim1=8");
  EXPECT_EQ(parse_experiment("ReLU dim1=4 ranks=1").line(), "ReLU dim1=4");
}

TEST(CollectiveLines, RanksOutsideOneTo1024AreRefusedNamingTheText) {
  for (const std::string value : {"0", "-1", "x", "1025", "", "2.5"}) {
    const std::string line = "AllReduce dim1=8 ranks=" + value;
    SCOPED_TRACE(line);
    const std::string message = usage_error([&] { parse_experiment(line); });
    EXPECT_TRUE(contains(message, "'" + line + "'"));
    EXPECT_TRUE(contains(message, "ranks '" + value + "'"));
  }
  EXPECT_EQ(parse_experiment("AllReduce dim1=8 ranks=1024").ranks, kMaxRanks);
}

TEST(CollectiveLines, AnOpThatIsNoCollectiveTakesNoRanks) {
  const std::string message = usage_error([] { parse_experiment("ReLU dim1=4 ranks=2"); });
  EXPECT_TRUE(contains(message, "'ReLU dim1=4 ranks=2'"));
  EXPECT_TRUE(contains(message, "takes no ranks"));
}

// nccl-tests rounds an uneven size down, which would time another message
// than the line says.
TEST(CollectiveLines, AMessageThatDoesNotSplitIntoOnePartPerRankIsRefused) {
  for (const std::string op : {"AllGather", "ReduceScatter", "AllToAll"}) {
    const std::string line = op + " dim1=6 ranks=4";
    SCOPED_TRACE(line);
    EXPECT_TRUE(contains(usage_error([&] { parse_experiment(line); }), "does not split into 4"));
  }
  // AllReduce and Broadcast send the whole message: any size will do.
  EXPECT_NO_THROW(parse_experiment("AllReduce dim1=6 ranks=4"));
  EXPECT_NO_THROW(parse_experiment("Broadcast dim1=7 ranks=4"));
}

TEST(CollectiveLines, AMessageIsOneSizeNotAShape) {
  for (const std::string& op : kCollectives) {
    const std::string line = op + " dim1=2x4 ranks=2";
    SCOPED_TRACE(line);
    const std::string message = usage_error([&] { parse_experiment(line); });
    EXPECT_TRUE(contains(message, "dim1=2x4"));
    EXPECT_TRUE(contains(message, "not a shape"));
  }
}

TEST(CollectiveLines, BusFactorsAreNcclTestsForFourRanks) {
  const std::map<std::string, double> factor = {{"AllReduce", 1.5}, {"AllGather", 0.75}, {"ReduceScatter", 0.75},
                                                {"Broadcast", 1.0}, {"AllToAll", 0.75}};
  for (const auto& [op, expected] : factor) {
    SCOPED_TRACE(op);
    const Experiment e = parse_experiment(op + " dim1=8 ranks=4");
    ASSERT_TRUE(e.spec().collective);
    ASSERT_NE(e.spec().bus_factor, nullptr);
    EXPECT_DOUBLE_EQ(e.spec().bus_factor(e), expected);
  }
  const Experiment relu = parse_experiment("ReLU dim1=4");
  EXPECT_FALSE(relu.spec().collective);
  EXPECT_EQ(relu.spec().bus_factor, nullptr);
}

// The message once, in the experiment's dtype, whatever the rank count:
// what algorithm bandwidth divides by.
TEST(CollectiveLines, BytesAreTheMessageOnceInItsDtype) {
  for (const std::string& op : kCollectives) {
    SCOPED_TRACE(op);
    EXPECT_EQ(minimum_bytes(parse_experiment(op + " dim1=8 ranks=4")), 32.0);
    EXPECT_EQ(minimum_bytes(parse_experiment(op + " dim1=8 ranks=2")), 32.0);
    EXPECT_EQ(minimum_bytes(parse_experiment(op + " dim1=8 dtype=float16 ranks=4")), 16.0);
  }
}

// ---- suites --------------------------------------------------------------

bool is_collective(const Experiment& e) { return e.spec().collective; }

// Every experiment of `suite` a collective of two ranks; the AllReduce
// messages from 8 bytes to `largest`.
void expect_collective_suite(const std::string& suite, double largest) {
  SCOPED_TRACE(suite);
  const Suite s = load_suite(suite);
  ASSERT_FALSE(s.experiments.empty());
  double smallest_all_reduce = INFINITY, largest_all_reduce = 0;
  for (const Experiment& e : s.experiments) {
    SCOPED_TRACE(e.line());
    EXPECT_TRUE(is_collective(e));
    EXPECT_EQ(e.ranks, 2);
    if (e.op != "AllReduce") continue;
    smallest_all_reduce = std::min(smallest_all_reduce, minimum_bytes(e));
    largest_all_reduce = std::max(largest_all_reduce, minimum_bytes(e));
  }
  EXPECT_EQ(smallest_all_reduce, 8.0);
  EXPECT_EQ(largest_all_reduce, largest);
}

TEST(CollectiveSuites, CollectivesSweepEightBytesToOneGiB) { expect_collective_suite("collectives", 1 << 30); }

TEST(CollectiveSuites, CollectivesCpuSweepEightBytesTo64MiB) { expect_collective_suite("collectives-cpu", 64 << 20); }

TEST(CollectiveSuites, CollectivesQuickHoldsEveryCollective) {
  const Suite quick = load_suite("collectives-quick");
  for (const Experiment& e : quick.experiments) {
    SCOPED_TRACE(e.line());
    EXPECT_TRUE(is_collective(e));
    EXPECT_EQ(e.ranks, 2);
  }
  std::set<std::string> ops;
  for (const Experiment& e : quick.experiments) ops.insert(e.op);
  std::set<std::string> collectives;
  for (const OpSpec& op : all_ops())
    if (op.collective) collectives.insert(op.name);
  EXPECT_EQ(collectives, std::set<std::string>(kCollectives.begin(), kCollectives.end()));
  EXPECT_EQ(ops, collectives);
}

// The quick suite runs in one process: a collective needs several.
TEST(CollectiveSuites, QuickHasNoCollective) {
  for (const Experiment& e : load_suite("quick").experiments) EXPECT_FALSE(is_collective(e)) << e.line();
}

// ---- the world of a rank -------------------------------------------------

// Sets (or, with nullopt, unsets) an environment variable for one scope and
// puts back what was there.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    set(value);
  }
  ~ScopedEnv() { set(old_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  void set(const std::optional<std::string>& value) {
    if (value) setenv(name_.c_str(), value->c_str(), 1);
    else unsetenv(name_.c_str());
  }
  std::string name_;
  std::optional<std::string> old_;
};

TEST(World, UnsetIsAWorldOfOne) {
  ScopedEnv rank("RANK", std::nullopt), size("WORLD_SIZE", std::nullopt);
  const World w = world_from_environment();
  EXPECT_EQ(w.rank, 0);
  EXPECT_EQ(w.size, 1);
}

TEST(World, ReadsRankAndWorldSize) {
  ScopedEnv rank("RANK", "1"), size("WORLD_SIZE", "3");
  const World w = world_from_environment();
  EXPECT_EQ(w.rank, 1);
  EXPECT_EQ(w.size, 3);
  EXPECT_EQ(world_of(3).rank, 1);
}

TEST(World, AMalformedOrInconsistentValueIsRefusedNamingIt) {
  {
    ScopedEnv rank("RANK", "3"), size("WORLD_SIZE", "3");
    const std::string message = usage_error([] { world_from_environment(); });
    EXPECT_TRUE(contains(message, "RANK=3"));
    EXPECT_TRUE(contains(message, "WORLD_SIZE=3"));
  }
  {
    ScopedEnv rank("RANK", std::nullopt), size("WORLD_SIZE", "abc");
    EXPECT_TRUE(contains(usage_error([] { world_from_environment(); }), "WORLD_SIZE='abc'"));
  }
  {
    ScopedEnv rank("RANK", "-1"), size("WORLD_SIZE", "2");
    EXPECT_TRUE(contains(usage_error([] { world_from_environment(); }), "RANK='-1'"));
  }
  {
    ScopedEnv rank("RANK", "0"), size("WORLD_SIZE", "0");
    EXPECT_TRUE(contains(usage_error([] { world_from_environment(); }), "WORLD_SIZE='0'"));
  }
}

// A collective of two ranks run in a process of its own (no launcher) says
// what it asked for, not a framework's timeout.
TEST(World, AnExperimentOfAnotherWorldSizeIsRefused) {
  ScopedEnv rank("RANK", std::nullopt), size("WORLD_SIZE", std::nullopt);
  try {
    world_of(2);
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), "2 ranks"));
    EXPECT_TRUE(contains(e.what(), "WORLD_SIZE=1"));
  }
  EXPECT_EQ(world_of(1).size, 1);
}

TEST(World, RendezvousTimeoutComesFromTheEnvironment) {
  {
    ScopedEnv timeout("OPBENCH_RENDEZVOUS_TIMEOUT_S", std::nullopt);
    EXPECT_EQ(rendezvous_timeout_s(), 60);
  }
  {
    ScopedEnv timeout("OPBENCH_RENDEZVOUS_TIMEOUT_S", "2.5");
    EXPECT_EQ(rendezvous_timeout_s(), 2.5);
  }
  for (const char* bad : {"zero", "0", "-3", "5s", ""}) {
    ScopedEnv timeout("OPBENCH_RENDEZVOUS_TIMEOUT_S", bad);
    EXPECT_TRUE(contains(usage_error([] { rendezvous_timeout_s(); }), "OPBENCH_RENDEZVOUS_TIMEOUT_S='" + std::string(bad) + "'"));
  }
}

// A local rendezvous, its host file removed at the end of the scope.
class LocalRendezvous {
 public:
  LocalRendezvous(int size, double timeout_s) : r(local_rendezvous(size, timeout_s)) {}
  ~LocalRendezvous() { remove_rendezvous(r); }
  const Rendezvous r;
};

std::string text_of(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(World, ALocalRendezvousHasAPortEachAndMlxsHostFile) {
  std::string hostfile;
  {
    const LocalRendezvous local(3, 5);
    const Rendezvous& r = local.r;
    EXPECT_EQ(r.size, 3);
    EXPECT_EQ(r.timeout_s, 5);
    ASSERT_EQ(r.ring_ports.size(), 3u);
    std::set<int> ports(r.ring_ports.begin(), r.ring_ports.end());
    ports.insert(r.torch_port);
    ports.insert(r.nccl_port);
    EXPECT_EQ(ports.size(), 5u) << "every port is another: torch " << r.torch_port << ", nccl " << r.nccl_port
                                << ", ring " << r.ring_ports[0] << " " << r.ring_ports[1] << " " << r.ring_ports[2];
    EXPECT_EQ(ports.count(0), 0u);

    hostfile = r.ring_hostfile;
    ASSERT_TRUE(std::filesystem::exists(hostfile));
    // MLX's ring host file: a JSON list of one list of addresses a rank.
    const auto address = [&](int k) { return "[\"127.0.0.1:" + std::to_string(r.ring_ports[k]) + "\"]"; };
    EXPECT_EQ(text_of(hostfile), "[" + address(0) + ", " + address(1) + ", " + address(2) + "]\n");
  }
  EXPECT_FALSE(std::filesystem::exists(hostfile));
}

// The variables of one rank, by name.
std::map<std::string, std::string> environment_of(const Rendezvous& r, int rank, const std::string& visible_gpus) {
  std::map<std::string, std::string> variables;
  for (const auto& [name, value] : rank_environment(r, rank, visible_gpus)) {
    EXPECT_TRUE(variables.emplace(name, value).second) << name << " given twice";
  }
  return variables;
}

TEST(World, EachRankGetsTheFrameworksVariables) {
  const LocalRendezvous local(3, 5);
  const Rendezvous& r = local.r;
  for (int rank = 0; rank < 3; ++rank) {
    SCOPED_TRACE(rank);
    std::map<std::string, std::string> v = environment_of(r, rank, "");
    EXPECT_EQ(v["RANK"], std::to_string(rank));
    EXPECT_EQ(v["WORLD_SIZE"], "3");
    EXPECT_EQ(v["LOCAL_RANK"], std::to_string(rank));
    EXPECT_EQ(v["MASTER_ADDR"], "127.0.0.1");
    EXPECT_EQ(v["MASTER_PORT"], std::to_string(r.torch_port));
    EXPECT_EQ(v["MLX_RANK"], std::to_string(rank));
    EXPECT_EQ(v["MLX_WORLD_SIZE"], "3");
    EXPECT_EQ(v["MLX_HOSTFILE"], r.ring_hostfile);
    EXPECT_EQ(v["NCCL_PORT"], std::to_string(r.nccl_port));
    EXPECT_EQ(v["CUDA_VISIBLE_DEVICES"], std::to_string(rank));  // all GPUs visible: the rank-th

    // What the rank is given, rendezvous_timeout_s reads back.
    ScopedEnv timeout("OPBENCH_RENDEZVOUS_TIMEOUT_S", v["OPBENCH_RENDEZVOUS_TIMEOUT_S"]);
    EXPECT_EQ(rendezvous_timeout_s(), 5);
    // And world_from_environment, its place.
    ScopedEnv me("RANK", v["RANK"]), size("WORLD_SIZE", v["WORLD_SIZE"]);
    EXPECT_EQ(world_of(3).rank, rank);
  }
}

// Rank r gets the r-th of the launcher's CUDA_VISIBLE_DEVICES, and none past
// its end (-1: CUDA's "no device", not the wrong one).
TEST(World, EachRankGetsTheRthVisibleGpu) {
  const LocalRendezvous local(3, 5);
  EXPECT_EQ(environment_of(local.r, 0, "4,5")["CUDA_VISIBLE_DEVICES"], "4");
  EXPECT_EQ(environment_of(local.r, 1, "4,5")["CUDA_VISIBLE_DEVICES"], "5");
  EXPECT_EQ(environment_of(local.r, 2, "4,5")["CUDA_VISIBLE_DEVICES"], "-1");
  EXPECT_EQ(environment_of(local.r, 1, "GPU-a1,GPU-b2,GPU-c3")["CUDA_VISIBLE_DEVICES"], "GPU-b2");
  EXPECT_EQ(environment_of(local.r, 1, "")["CUDA_VISIBLE_DEVICES"], "1");
}

// ---- the sampler's agreement on the slowest rank -------------------------

// An op of one process that plays the part of a collective whose peers
// agree through agree_on_slowest: `agree` changes the values as the slowest
// rank's would.
class AgreeingOp : public PreparedOp {
 public:
  explicit AgreeingOp(std::function<void(std::span<double>)> agree) : agree_(std::move(agree)) {}
  void run() override { ++runs; }
  HostTensor output() override { return {}; }
  void agree_on_slowest(std::span<double> values) override {
    ++agreements;
    sizes_ok = sizes_ok && values.size() == 2;
    agree_(values);
  }
  size_t runs = 0, agreements = 0;
  bool sizes_ok = true;  // every call agreed on {ms, elapsed s}

 private:
  std::function<void(std::span<double>)> agree_;
};

// Small settings, as sampler_test's: a tiny warm-up and floor, a loose target.
SamplerSettings few_samples() {
  SamplerSettings s;
  s.warmup_s = 0.002;
  s.min_samples = 5;
  s.max_samples = 1000;
  s.min_time_s = 0.005;
  s.max_time_s = 5.0;
  s.target_noise = 0.5;
  s.stop_when_settled = false;
  return s;
}

// A peer 1 ms slower than this rank: every sample is its time, and every
// call, of the warm-up and of the sampling, was agreed on.
TEST(CollectiveSampling, EverySampleIsTheSlowestRanks) {
  AgreeingOp op([](std::span<double> v) { v[0] += 1.0; });
  const Measurement m = measure(op, few_samples());
  ASSERT_GE(m.samples_ms.size(), kMinimumSamples);
  for (double ms : m.samples_ms) EXPECT_GE(ms, 1.0);
  EXPECT_GE(m.stats.min, 1.0);
  EXPECT_TRUE(op.sizes_ok);
  EXPECT_GT(op.runs, m.samples_ms.size());  // at least one warm-up call
  EXPECT_EQ(op.agreements, op.runs);        // one agreement a call, no call without one
}

// A peer that has sampled for longer than the cap: every rank stops with it,
// at the fewest samples, and the warm-up (already past its time) after one
// call.
TEST(CollectiveSampling, ASlowPeersElapsedTimeStopsEveryRankAtTheMinimum) {
  AgreeingOp op([](std::span<double> v) { v[1] = 1e6; });
  const Measurement m = measure(op, few_samples());
  EXPECT_EQ(m.stop, Stop::time);
  EXPECT_EQ(m.samples_ms.size(), kMinimumSamples);
  EXPECT_EQ(op.runs, 1 + kMinimumSamples);
  EXPECT_EQ(op.agreements, op.runs);
}

// The batch size comes from the agreed warm-up call, so every rank queues
// the same number of calls a sample.
TEST(CollectiveSampling, BatchedSamplesAgreeOncePerSample) {
  AgreeingOp op([](std::span<double> v) { v[0] += 1.0; });
  SamplerSettings s = few_samples();
  s.timing = Timing::batched;
  const Measurement m = measure(op, s);
  EXPECT_EQ(m.batch, 1u);  // a peer's call of 1 ms or more: one call is a millisecond already
  for (double ms : m.samples_ms) EXPECT_GE(ms, 1.0);
  EXPECT_EQ(op.agreements, op.runs);
}

// ---- bandwidth -----------------------------------------------------------

Cell timed_cell(const std::string& backend, double mean_ms) {
  Cell c;
  c.backend = backend;
  c.stats.mean = mean_ms;
  c.stats.count = 1;
  c.samples_ms = {mean_ms};
  c.check.verdict = Verdict::passed;
  return c;
}

ExperimentRecord record_of(const std::string& line, std::vector<Cell> cells) {
  const Experiment e = parse_experiment(line);
  ExperimentRecord r;
  r.op = e.op;
  r.name = e.name();
  r.line = e.line();
  r.cells = std::move(cells);
  return r;
}

// 1 MiB in 1 ms over two ranks: algbw 1.048576 GB/s, and AllReduce's factor
// 2(n-1)/n is 1 for two.
TEST(Bandwidth, IsNcclTestsFiguresOfTheMeanSample) {
  const ExperimentRecord e = record_of("AllReduce dim1=262144 ranks=2", {timed_cell("cpu", 1.0)});
  const std::optional<Bandwidth> b = cell_bandwidth(e, e.cells[0]);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->bytes, 1048576.0);
  EXPECT_DOUBLE_EQ(b->time_us, 1000.0);
  EXPECT_DOUBLE_EQ(b->algorithm_gbs, 1.048576);
  EXPECT_DOUBLE_EQ(b->bus_gbs, 1.048576);

  // Four ranks: the same message and time, the factor 1.5.
  const ExperimentRecord four = record_of("AllReduce dim1=262144 ranks=4", {timed_cell("cpu", 1.0)});
  EXPECT_DOUBLE_EQ(cell_bandwidth(four, four.cells[0])->bus_gbs, 1.048576 * 1.5);
}

TEST(Bandwidth, NoneForAnOpThatIsNoCollectiveOrACellWithoutATime) {
  const ExperimentRecord relu = record_of("ReLU dim1=4", {timed_cell("cpu", 1.0)});
  EXPECT_FALSE(cell_bandwidth(relu, relu.cells[0]));

  const ExperimentRecord all_reduce = record_of("AllReduce dim1=262144 ranks=2", {});
  Cell failed = timed_cell("cpu", 1.0);
  failed.error = "rendezvous timed out";
  EXPECT_FALSE(cell_bandwidth(all_reduce, failed));
  Cell wrong = timed_cell("cpu", 1.0);
  wrong.check.verdict = Verdict::wrong;
  EXPECT_FALSE(cell_bandwidth(all_reduce, wrong));
  EXPECT_FALSE(cell_bandwidth(all_reduce, timed_cell("cpu", 0.0)));

  // An op of another opbench version, which this one does not know.
  ExperimentRecord unknown = all_reduce;
  unknown.line = "AllReduceTwice dim1=8 ranks=2";
  EXPECT_FALSE(cell_bandwidth(unknown, timed_cell("cpu", 1.0)));
}

RunRecord run_of(std::vector<ExperimentRecord> experiments) {
  RunRecord r;
  BackendRecord cpu;
  cpu.info.name = "cpu";
  r.backends = {cpu};
  r.experiments = std::move(experiments);
  return r;
}

TEST(Bandwidth, ARunHasCollectivesWhenAnyExperimentIsOne) {
  const ExperimentRecord relu = record_of("ReLU dim1=4", {timed_cell("cpu", 1.0)});
  const ExperimentRecord all_reduce = record_of("AllReduce dim1=262144 ranks=2", {timed_cell("cpu", 1.0)});
  EXPECT_FALSE(has_collectives(run_of({})));
  EXPECT_FALSE(has_collectives(run_of({relu})));
  EXPECT_TRUE(has_collectives(run_of({relu, all_reduce})));
}

TEST(Bandwidth, TheTableHasARowACollective) {
  const ExperimentRecord relu = record_of("ReLU dim1=4", {timed_cell("cpu", 1.0)});
  EXPECT_EQ(bandwidth_table(run_of({relu})), "");

  Cell failed = timed_cell("cpu", 1.0);
  failed.error = "rendezvous timed out";
  const std::string table = bandwidth_table(run_of({relu, record_of("AllReduce dim1=262144 ranks=2", {timed_cell("cpu", 1.0)}),
                                                    record_of("Broadcast dim1=2 ranks=2", {failed})}));
  EXPECT_TRUE(contains(table, "| Collective | ranks | size | cpu time (us) | cpu algbw (GB/s) | cpu busbw (GB/s) |"));
  EXPECT_TRUE(contains(table, "| AllReduce | 2 | 1.0 MiB | 1000.0 | 1.05 | 1.05 |"));
  EXPECT_TRUE(contains(table, "| Broadcast | 2 | 8 bytes | nan | nan | nan |"));
  EXPECT_FALSE(contains(table, "ReLU"));
}

}  // namespace
}  // namespace opbench
