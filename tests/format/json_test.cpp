// The JSON result file: what is written is read back whole, and every kind
// of bad file is refused with a message naming it.
#include "format/json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <functional>
#include <string>

#include "model/error.h"
#include "model/text.h"
#include "record_views.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::contains;

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSource = "runs/h100/result.json";

// The message of the UsageError that from_json throws for `text`.
std::string from_json_error(const std::string& text) {
  try {
    from_json(text, kSource);
    ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// A folder of its own for each test, removed after it.
class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("opbench_json_" + std::to_string(::getpid()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Cell timed_cell(const std::string& backend, std::vector<double> samples) {
  Cell c;
  c.backend = backend;
  c.samples_ms = std::move(samples);
  c.stats = summarize(c.samples_ms);
  c.stop = Stop::noise;
  c.timing = Timing::wall;
  c.cache = Cache::warm;
  return c;
}

// A record with every field set, to values no default has.
RunRecord full_record() {
  RunRecord r;
  r.opbench_version = "0.1.0";
  r.created = "2026-11-25T19:40:00Z";
  r.suite = "quick";
  r.machine = {"Intel(R) Xeon(R) Platinum 8481C", 26, 240518168576ULL, "Linux 6.1.0-18-amd64 x86_64", "node-7"};
  r.versions = {{"torch", "2.11.0"}, {"torch_blas", "MKL 2024.2"}, {"mlx", "0.32.4"}};
  r.settings.seed = 18446744073709551557ULL;  // needs all 64 bits
  r.settings.threads = 8;
  r.settings.sampler = {0.125, 0.75, 7, 321, 0.25, 3.5, 0.0075};
  r.settings.check = false;
  r.settings.sampler.timing = Timing::batched;
  r.settings.sampler.batch = 32;
  r.settings.sampler.cold = true;
  r.settings.sampler.fresh_memory = true;
  r.settings.sampler.one_core = true;
  r.settings.sampler.wait = GpuWait::sleep;
  r.settings.memory = true;
  r.settings.rounds = 3;

  BackendRecord cpu, cuda;
  cpu.info = {"cpu", 50, "torch framework with cpu backend", {}};
  cuda.info = {"cuda", 60, "torch framework with cuda backend", {{"cpu", 40}}};
  cuda.device = "NVIDIA H100 80GB HBM3 (79 GiB)";
  r.backends = {cpu, cuda};

  Cell argmax_cpu = timed_cell("cpu", {21.0, 21.2, 20.9, 23.0, 1.0 / 3.0});
  argmax_cpu.stop = Stop::time;
  argmax_cpu.round_samples = {2, 1, 2};  // timed in rounds: 21.0 21.2 | 20.9 | 23.0 1/3
  argmax_cpu.check = {Verdict::passed, 0, 1e-4, "", {CheckScope::Kind::reference}};
  argmax_cpu.phases = CellPhases{0.5, 0.25, 0.0625, 1.75};
  argmax_cpu.memory = MemoryFigure{4194304, "LibTorch's CPU allocator, counted by opbench", "", false, 524288};
  Cell oom;
  oom.backend = "cuda";
  oom.error = "out of memory";
  Cell relu_cuda = timed_cell("cuda", {0.0123456789012345678, 0.02, 0.03});
  relu_cuda.check = {Verdict::passed, 3.25e-8, 1e-4, "", {CheckScope::Kind::reference, 64}};
  relu_cuda.timing = Timing::batched;
  relu_cuda.batch = 32;
  relu_cuda.cache = Cache::cold;
  relu_cuda.memory = MemoryFigure{NAN, "", "opbench reads no memory count of this allocator", false, 40000};
  Cell wrong;  // ran, but disagreed with the reference: no time
  wrong.backend = "mps";
  wrong.check = {Verdict::wrong, 0.25, 1e-4, "16 of 64 rows match no source row", {CheckScope::Kind::reference}};
  wrong.phases = CellPhases{0.125, 0.375, 0, 0};  // prepared and checked, never timed
  r.experiments = {
      {"Argmax", "Argmax / dim=64x1024x128 axi=0", "Argmax dim1=64x1024x128 axis=0", {argmax_cpu, oom}},
      {"ReLU", "ReLU / dim=100x100", "ReLU dim1=100x100", {timed_cell("cpu", {0.5, 0.51, 0.49}), relu_cuda}},
      {"Scatter", "Scatter / dim=64x16 dim=1000", "Scatter dim1=64x16 dim2=1000",
       {timed_cell("cpu", {1.5, 1.25, 1.75}), wrong}},
  };
  r.experiments[0].phases = ExperimentPhases{1.5, 2.25, 0.125};
  r.experiments[2].phases = ExperimentPhases{0.25, 0, 3.5};
  return r;
}

void expect_same_stats(const Stats& a, const Stats& b) {
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.median, b.median);
  EXPECT_EQ(a.min, b.min);
  EXPECT_EQ(a.max, b.max);
  EXPECT_EQ(a.stddev, b.stddev);
  EXPECT_EQ(a.noise, b.noise);
  EXPECT_EQ(a.count, b.count);
  EXPECT_EQ(a.outliers, b.outliers);
  EXPECT_EQ(a.every_sample_mean(), b.every_sample_mean());
}

// NaN (no figure) reads back as NaN.
void expect_same_number(double a, double b) {
  EXPECT_EQ(std::isnan(a), std::isnan(b));
  if (!std::isnan(a)) EXPECT_EQ(a, b);
}

void expect_same_memory(const MemoryFigure& a, const MemoryFigure& b) {
  expect_same_number(a.peak_bytes, b.peak_bytes);
  expect_same_number(a.least_bytes, b.least_bytes);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.unavailable, b.unavailable);
  EXPECT_EQ(a.in_place, b.in_place);
}

void expect_same(const RunRecord& a, const RunRecord& b) {
  EXPECT_EQ(a.schema_version, b.schema_version);
  EXPECT_EQ(a.opbench_version, b.opbench_version);
  EXPECT_EQ(a.created, b.created);
  EXPECT_EQ(a.suite, b.suite);
  EXPECT_EQ(a.machine.cpu, b.machine.cpu);
  EXPECT_EQ(a.machine.cores, b.machine.cores);
  EXPECT_EQ(a.machine.memory_bytes, b.machine.memory_bytes);
  EXPECT_EQ(a.machine.os, b.machine.os);
  EXPECT_EQ(a.machine.hostname, b.machine.hostname);
  EXPECT_EQ(a.versions, b.versions);
  EXPECT_EQ(a.settings.seed, b.settings.seed);
  EXPECT_EQ(a.settings.threads, b.settings.threads);
  EXPECT_EQ(a.settings.check, b.settings.check);
  EXPECT_EQ(a.settings.memory, b.settings.memory);
  EXPECT_EQ(a.settings.rounds, b.settings.rounds);
  const SamplerSettings &sa = a.settings.sampler, &sb = b.settings.sampler;
  EXPECT_EQ(sa.warmup_s, sb.warmup_s);
  EXPECT_EQ(sa.min_samples, sb.min_samples);
  EXPECT_EQ(sa.max_samples, sb.max_samples);
  EXPECT_EQ(sa.min_time_s, sb.min_time_s);
  EXPECT_EQ(sa.max_time_s, sb.max_time_s);
  EXPECT_EQ(sa.target_noise, sb.target_noise);
  EXPECT_EQ(sa.timing, sb.timing);
  EXPECT_EQ(sa.batch, sb.batch);
  EXPECT_EQ(sa.cold, sb.cold);
  EXPECT_EQ(sa.warmup_max_s, sb.warmup_max_s);
  EXPECT_EQ(sa.fresh_memory, sb.fresh_memory);
  EXPECT_EQ(sa.one_core, sb.one_core);
  EXPECT_EQ(sa.wait, sb.wait);

  ASSERT_EQ(a.backends.size(), b.backends.size());
  for (size_t i = 0; i < a.backends.size(); ++i) {
    const BackendRecord &x = a.backends[i], &y = b.backends[i];
    EXPECT_EQ(x.info.name, y.info.name);
    EXPECT_EQ(x.info.column, y.info.column);
    EXPECT_EQ(x.info.description, y.info.description);
    EXPECT_EQ(x.device, y.device);
    ASSERT_EQ(x.info.speedups.size(), y.info.speedups.size());
    for (size_t s = 0; s < x.info.speedups.size(); ++s) {
      EXPECT_EQ(x.info.speedups[s].baseline, y.info.speedups[s].baseline);
      EXPECT_EQ(x.info.speedups[s].order, y.info.speedups[s].order);
    }
  }

  ASSERT_EQ(a.experiments.size(), b.experiments.size());
  for (size_t i = 0; i < a.experiments.size(); ++i) {
    const ExperimentRecord &x = a.experiments[i], &y = b.experiments[i];
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.line, y.line);
    ASSERT_EQ(x.phases.has_value(), y.phases.has_value());
    if (x.phases) {
      EXPECT_EQ(x.phases->inputs_s, y.phases->inputs_s);
      EXPECT_EQ(x.phases->reference_s, y.phases->reference_s);
      EXPECT_EQ(x.phases->harness_s, y.phases->harness_s);
    }
    ASSERT_EQ(x.cells.size(), y.cells.size());
    for (size_t c = 0; c < x.cells.size(); ++c) {
      SCOPED_TRACE(x.name + " on " + x.cells[c].backend);
      EXPECT_EQ(x.cells[c].backend, y.cells[c].backend);
      EXPECT_EQ(x.cells[c].error, y.cells[c].error);
      EXPECT_EQ(x.cells[c].stop, y.cells[c].stop);
      if (x.cells[c].ok()) {
        EXPECT_EQ(x.cells[c].timing, y.cells[c].timing);
        EXPECT_EQ(x.cells[c].batch, y.cells[c].batch);
        EXPECT_EQ(x.cells[c].cache, y.cells[c].cache);
      }
      EXPECT_EQ(x.cells[c].samples_ms, y.cells[c].samples_ms);
      EXPECT_EQ(x.cells[c].round_samples, y.cells[c].round_samples);
      ASSERT_EQ(x.cells[c].phases.has_value(), y.cells[c].phases.has_value());
      if (x.cells[c].phases) {
        EXPECT_EQ(x.cells[c].phases->prepare_s, y.cells[c].phases->prepare_s);
        EXPECT_EQ(x.cells[c].phases->check_s, y.cells[c].phases->check_s);
        EXPECT_EQ(x.cells[c].phases->warmup_s, y.cells[c].phases->warmup_s);
        EXPECT_EQ(x.cells[c].phases->sampling_s, y.cells[c].phases->sampling_s);
      }
      EXPECT_EQ(x.cells[c].check.verdict, y.cells[c].check.verdict);
      EXPECT_EQ(std::isnan(x.cells[c].check.tolerance), std::isnan(y.cells[c].check.tolerance));
      if (!std::isnan(x.cells[c].check.tolerance)) EXPECT_EQ(x.cells[c].check.tolerance, y.cells[c].check.tolerance);
      EXPECT_EQ(x.cells[c].check.error, y.cells[c].check.error);
      EXPECT_EQ(x.cells[c].check.detail, y.cells[c].check.detail);
      EXPECT_EQ(x.cells[c].check.against, y.cells[c].check.against);
      EXPECT_EQ(x.cells[c].ok(), y.cells[c].ok());
      ASSERT_EQ(x.cells[c].memory.has_value(), y.cells[c].memory.has_value());
      if (x.cells[c].memory) expect_same_memory(*x.cells[c].memory, *y.cells[c].memory);
      if (x.cells[c].ok()) expect_same_stats(x.cells[c].stats, y.cells[c].stats);
    }
  }
}

// to_json(full_record()), edited.
std::string edited(const std::function<void(json&)>& edit) {
  json j = json::parse(to_json(full_record()));
  edit(j);
  return j.dump();
}

// ---- round trip ----------------------------------------------------------

TEST(ResultJson, RoundTripPreservesEverything) {
  RunRecord original = full_record();
  RunRecord back = from_json(to_json(original), kSource);
  expect_same(original, back);
  EXPECT_EQ(back.description(), original.description());
  EXPECT_EQ(to_json(back), to_json(original));
}

// The text a run writes again after each experiment keeps each finished
// experiment's text: as the record grows (in plan order or not), and where
// a kept experiment changes afterwards (a round's samples, a check), the
// text is the record's, formatted as one dump(1) of the whole file.
TEST(ResultJson, TheTextWrittenAsARunGoesIsAlwaysTheWholeRecords) {
  const RunRecord whole = full_record();
  RunRecord growing = whole;
  growing.experiments.clear();
  ResultText text;
  auto expect_is_the_record = [&text](const RunRecord& r) {
    const std::string written = text(r);
    EXPECT_EQ(written, json::parse(written).dump(1) + "\n");
    expect_same(from_json(written, kSource), r);
    EXPECT_EQ(written, ResultText()(r));  // nothing kept: made whole
  };
  expect_is_the_record(growing);
  growing.experiments.push_back(whole.experiments[2]);
  expect_is_the_record(growing);
  growing.experiments.insert(growing.experiments.begin(), whole.experiments[0]);  // paired passes: plan order
  expect_is_the_record(growing);
  growing.experiments.insert(growing.experiments.begin() + 1, whole.experiments[1]);
  expect_is_the_record(growing);
  Cell& rounds = growing.experiments[0].cells[0];
  rounds.samples_ms.push_back(22.5);  // another round's sample
  rounds.round_samples.push_back(1);
  rounds.stats = summarize(rounds.samples_ms);
  expect_is_the_record(growing);
  growing.experiments[2].cells[1].check.detail = "17 of 64 rows match no source row";
  expect_is_the_record(growing);
}

// The worker's messages carry cells and settings as JSON values, never as
// text parsed again: a value reads back as the record it came from, and is
// what the result file holds.
TEST(ResultJson, CellsAndSettingsAreJsonValuesAsTheFileWritesThem) {
  RunRecord r = full_record();
  json file = json::parse(to_json(r));
  for (size_t i = 0; i < r.experiments.size(); ++i)
    for (size_t c = 0; c < r.experiments[i].cells.size(); ++c) {
      const Cell& cell = r.experiments[i].cells[c];
      json value = cell;
      EXPECT_EQ(value, file["experiments"][i]["cells"][c]);
      RunRecord one = r;
      one.experiments = {r.experiments[i]};
      one.experiments[0].cells = {cell_from_json(value, "worker")};
      RunRecord expected = r;
      expected.experiments = {r.experiments[i]};
      expected.experiments[0].cells = {cell};
      expect_same(one, expected);
    }
  json settings = r.settings;
  EXPECT_EQ(settings, file["settings"]);
  EXPECT_TRUE(settings_from_json(settings, "worker") == r.settings);
  RunSettings other = r.settings;
  other.sampler.cold = !other.sampler.cold;
  EXPECT_FALSE(other == r.settings);
}

TEST(ResultJson, ABrokenCellOrSettingsValueIsNamed) {
  std::string message;
  try {
    cell_from_json(json{{"backend", "cpu"}, {"time_ms", {{"mean", -1}}}}, "worker");
  } catch (const UsageError& e) {
    message = e.what();
  }
  EXPECT_TRUE(contains(message, "worker: cell for 'cpu': field 'mean' is out of range")) << message;
  message.clear();
  try {
    settings_from_json(json::array(), "--settings");
  } catch (const UsageError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "--settings: settings are not a JSON object");
}

TEST(ResultJson, APhaseMustBeAFiniteDurationAndIsNamed) {
  for (json bad : {json(-1), json("fast")}) {
    json j = json::parse(to_json(full_record()));
    j["experiments"][0]["cells"][0]["phases_s"]["check"] = bad;
    std::string message;
    try {
      from_json(j.dump(), kSource);
    } catch (const UsageError& e) {
      message = e.what();
    }
    EXPECT_TRUE(contains(message, "cell for 'cpu': phases_s")) << bad << ": " << message;
  }
  std::string message;
  try {
    from_json(edited([](json& j) { j["experiments"][0]["phases_s"]["reference"] = -0.5; }), kSource);
  } catch (const UsageError& e) {
    message = e.what();
  }
  EXPECT_TRUE(contains(message, "Argmax / dim=64x1024x128 axi=0") && contains(message, "'reference' is out of range"))
      << message;
}

TEST(ResultJson, AFileWithoutPhasesReadsAndWritesWithout) {
  std::string text = edited([](json& j) {
    for (json& e : j["experiments"]) {
      e.erase("phases_s");
      for (json& c : e["cells"]) c.erase("phases_s");
    }
  });
  RunRecord r = from_json(text, kSource);
  for (const ExperimentRecord& e : r.experiments) {
    EXPECT_FALSE(e.phases);
    for (const Cell& c : e.cells) EXPECT_FALSE(c.phases);
  }
  EXPECT_EQ(json::parse(to_json(r)), json::parse(text));
}

// Every experiment records its pass; a file written before the backward
// pass (no "pass") reads as forward; an n/a cell keeps its mark and reason.
TEST(ResultJson, ThePassAndNotApplicableCellsRoundTripAndOldFilesReadAsForward) {
  RunRecord r = full_record();
  r.experiments[0].pass = Pass::backward;
  Cell na;
  na.backend = "mlx_cpu";
  na.error = "Argmax gives indices: no gradient with respect to its float input";
  na.not_applicable = true;
  r.experiments[0].cells.push_back(na);
  json j = json::parse(to_json(r));
  EXPECT_EQ(j["experiments"][0]["pass"], "backward");
  EXPECT_EQ(j["experiments"][1]["pass"], "forward");
  EXPECT_EQ(j["experiments"][0]["cells"].back()["not_applicable"], true);
  EXPECT_FALSE(j["experiments"][0]["cells"][1].contains("not_applicable"));
  RunRecord back = from_json(j.dump(), kSource);
  EXPECT_EQ(back.experiments[0].pass, Pass::backward);
  EXPECT_EQ(back.experiments[1].pass, Pass::forward);
  EXPECT_TRUE(back.experiments[0].cells.back().not_applicable);
  EXPECT_FALSE(back.experiments[0].cells[1].not_applicable);
  EXPECT_EQ(back.experiments[0].cells.back().error, na.error);

  std::string old = edited([](json& f) {
    for (json& e : f["experiments"]) e.erase("pass");
  });
  for (const ExperimentRecord& e : from_json(old, kSource).experiments) EXPECT_EQ(e.pass, Pass::forward);
  std::string odd = edited([](json& f) { f["experiments"][0]["pass"] = "sideways"; });
  try {
    from_json(odd, kSource);
    ADD_FAILURE() << "an unknown pass was accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("field 'pass': 'sideways' is neither 'forward' nor 'backward'"), std::string::npos)
        << e.what();
  }
}

// --memory's fields: a figure with the least it is judged against, or why
// there is none, and the setting; a file without them (every file before
// --memory, every run without it) reads as having none, and is written back
// as it was.
TEST(ResultJson, AMemoryFigureIsItsBytesOrWhyNot) {
  json j = json::parse(to_json(full_record()));
  EXPECT_EQ(j["settings"]["memory"], true);
  const json& measured = j["experiments"][0]["cells"][0]["memory"];
  EXPECT_EQ(measured["peak_bytes"], 4194304);
  EXPECT_EQ(measured["least_bytes"], 524288);
  EXPECT_FALSE(measured.contains("unavailable"));
  const json& none = j["experiments"][1]["cells"][1]["memory"];
  EXPECT_FALSE(none.contains("peak_bytes"));
  EXPECT_EQ(none["unavailable"], "opbench reads no memory count of this allocator");
}

TEST(ResultJson, AFileWithoutMemoryReadsAndWritesWithout) {
  std::string text = edited([](json& j) {
    j["settings"].erase("memory");
    for (json& e : j["experiments"])
      for (json& c : e["cells"]) c.erase("memory");
  });
  RunRecord r = from_json(text, kSource);
  EXPECT_FALSE(r.settings.memory);
  for (const ExperimentRecord& e : r.experiments)
    for (const Cell& c : e.cells) EXPECT_FALSE(c.memory);
  EXPECT_EQ(to_json(r), json::parse(text).dump(1) + "\n");
}

TEST(ResultJson, ANegativePeakIsRefusedAndNamed) {
  std::string message = from_json_error(edited([](json& j) { j["experiments"][0]["cells"][0]["memory"]["peak_bytes"] = -1; }));
  EXPECT_TRUE(contains(message, "memory") && contains(message, "'peak_bytes' is out of range")) << message;
}

TEST(ResultJson, FailedCellKeepsItsReasonAndHasNoTime) {
  RunRecord back = from_json(to_json(full_record()), kSource);
  const Cell* oom = back.experiments[0].find("cuda");
  ASSERT_NE(oom, nullptr);
  EXPECT_FALSE(oom->ok());
  EXPECT_EQ(oom->error, "out of memory");
  EXPECT_TRUE(oom->samples_ms.empty());
}

TEST(ResultJson, AWrongCellStaysWrongWithoutATime) {
  RunRecord back = from_json(to_json(full_record()), kSource);
  const Cell* wrong = back.experiments[2].find("mps");
  ASSERT_NE(wrong, nullptr);
  EXPECT_TRUE(wrong->wrong());
  EXPECT_FALSE(wrong->ok());
  EXPECT_EQ(wrong->check.detail, "16 of 64 rows match no source row");
  EXPECT_TRUE(wrong->samples_ms.empty());
}

TEST(ResultJson, AnImpreciseCellKeepsItsTimeVerdictAndTolerance) {
  RunRecord r = full_record();
  Cell& cell = r.experiments[0].cells[0];
  cell.check = {Verdict::imprecise, 0.0178, 1e-4, "relative error 0.017800 above 0.000100", {CheckScope::Kind::reference}};
  json j = json::parse(to_json(r));
  const json& check = j["experiments"][0]["cells"][0]["check"];
  EXPECT_EQ(check["status"], "imprecise");
  EXPECT_EQ(check["tolerance"], 1e-4);
  EXPECT_EQ(check["error"], 0.0178);
  RunRecord back = from_json(j.dump(), kSource);
  const Cell& read = back.experiments[0].cells[0];
  EXPECT_TRUE(read.imprecise());
  EXPECT_EQ(read.samples_ms, cell.samples_ms);
  EXPECT_EQ(read.check.tolerance, 1e-4);
}

// Files from before the verdict had three values: "failed" with no
// tolerance reads as wrong, and is written back as it was.
TEST(ResultJson, AFileWithoutTheToleranceReadsAndWritesAsBefore) {
  std::string old = edited([](json& j) {
    for (json& e : j["experiments"])
      for (json& c : e["cells"])
        if (c.contains("check")) c["check"].erase("tolerance");
  });
  RunRecord r = from_json(old, kSource);
  const Cell* wrong = r.experiments[2].find("mps");
  ASSERT_NE(wrong, nullptr);
  EXPECT_EQ(wrong->check.verdict, Verdict::wrong);
  EXPECT_TRUE(std::isnan(wrong->check.tolerance));
  EXPECT_EQ(to_json(r), json::parse(old).dump(1) + "\n");
}

TEST(ResultJson, IsTheDocumentedSchema) {
  json j = json::parse(to_json(full_record()));
  EXPECT_EQ(j.at("schema"), "opbench-result");
  EXPECT_EQ(j.at("schema_version"), kSchemaVersion);
  EXPECT_EQ(j.at("description"), full_record().description());
  const json& cell = j.at("experiments").at(0).at("cells").at(0);
  EXPECT_EQ(cell.at("backend"), "cpu");
  EXPECT_EQ(cell.at("count"), 5);
  EXPECT_EQ(cell.at("stop"), "time");
  EXPECT_TRUE(cell.at("time_ms").contains("median"));
  const json& failed = j.at("experiments").at(0).at("cells").at(1);
  EXPECT_EQ(failed.at("error"), "out of memory");
  EXPECT_FALSE(failed.contains("time_ms"));
}

TEST(ResultJson, UnknownFieldsAreIgnored) {
  std::string text = edited([](json& j) {
    j["future_field"] = {1, 2, 3};
    j["experiments"][0]["cells"][0]["energy_j"] = 1.5;
  });
  expect_same(from_json(text, kSource), full_record());
}

// ---- bad files -----------------------------------------------------------

TEST(ResultJson, RefusesTextThatIsNotJson) {
  std::string message = from_json_error("| Operation | cpu |\n");
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "not valid JSON"));
  EXPECT_TRUE(contains(from_json_error(""), kSource));
}

TEST(ResultJson, RefusesATruncatedFile) {
  std::string text = to_json(full_record());
  std::string message = from_json_error(text.substr(0, text.size() / 2));
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "not valid JSON"));
}

TEST(ResultJson, RefusesJsonThatIsNotAnOpbenchResult) {
  for (const char* text : {"[1, 2, 3]", "{\"name\": \"package.json\"}", "42", "{\"schema\": \"other-tool\"}"}) {
    std::string message = from_json_error(text);
    EXPECT_TRUE(contains(message, kSource));
    EXPECT_TRUE(contains(message, "not an opbench result")) << text;
  }
}

TEST(ResultJson, RefusesAnUnknownSchemaVersion) {
  for (int version : {99, 0, -1}) {
    std::string text = to_json(full_record());
    json j = json::parse(text);
    j["schema_version"] = version;
    std::string message = from_json_error(j.dump());
    EXPECT_TRUE(contains(message, kSource));
    EXPECT_TRUE(contains(message, "schema version " + std::to_string(version)));
  }
  std::string message = from_json_error(edited([](json& j) { j.erase("schema_version"); }));
  EXPECT_TRUE(contains(message, "'schema_version'"));
}

TEST(ResultJson, RefusesAMissingField) {
  std::string message = from_json_error(edited([](json& j) { j.erase("experiments"); }));
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "missing field 'experiments'"));

  message = from_json_error(edited([](json& j) { j.erase("backends"); }));
  EXPECT_TRUE(contains(message, "missing field 'backends'"));

  message = from_json_error(edited([](json& j) { j["experiments"][1].erase("name"); }));
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "'name'"));

  message = from_json_error(edited([](json& j) { j["experiments"][0]["cells"][0].erase("backend"); }));
  EXPECT_TRUE(contains(message, "Argmax / dim=64x1024x128 axi=0"));
  EXPECT_TRUE(contains(message, "'backend'"));
}

TEST(ResultJson, RefusesAFieldOfTheWrongType) {
  std::string message = from_json_error(edited([](json& j) { j["experiments"][0]["op"] = 12; }));
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "'op'"));
}

// Timing, cache, stop reason: typed in memory, words in the file; a word this
// version does not know is named with its field, not read as a default.
TEST(ResultJson, RefusesAWordItDoesNotKnow) {
  std::string message = from_json_error(edited([](json& j) { j["experiments"][1]["cells"][0]["timing"] = "sometimes"; }));
  EXPECT_TRUE(contains(message, "field 'timing'")) << message;
  EXPECT_TRUE(contains(message, "'sometimes' is not one of wall, events, batched")) << message;
  message = from_json_error(edited([](json& j) { j["experiments"][1]["cells"][0]["timing"] = "batched x0"; }));
  EXPECT_TRUE(contains(message, "'batched x0'")) << message;
  message = from_json_error(edited([](json& j) { j["experiments"][1]["cells"][0]["timing"] = "batched"; }));
  EXPECT_TRUE(contains(message, "'batched' does not say how many calls")) << message;
  message = from_json_error(edited([](json& j) { j["experiments"][1]["cells"][0]["cache"] = "lukewarm"; }));
  EXPECT_TRUE(contains(message, "field 'cache': 'lukewarm' is not one of warm, cold")) << message;
  message = from_json_error(edited([](json& j) { j["experiments"][1]["cells"][0]["stop"] = "bored"; }));
  EXPECT_TRUE(contains(message, "field 'stop': 'bored' is not one of noise, time, count")) << message;
  message = from_json_error(edited([](json& j) { j["settings"]["timing"] = "batched x4"; }));
  EXPECT_TRUE(contains(message, "settings: field 'timing': 'batched x4' is not one of wall, events, batched")) << message;
  message = from_json_error(edited([](json& j) { j["settings"]["wait"] = "nap"; }));
  EXPECT_TRUE(contains(message, "settings: field 'wait': 'nap' is not one of poll, sleep, framework")) << message;
}

// A run over versions records its rounds (settings.rounds) and, in each
// cell, how many of its samples each round took; a run without rounds (and
// every file before them) has neither field and reads as one round.
TEST(ResultJson, TheRoundsAndEachRoundsSamplesReadBack) {
  const json file = json::parse(to_json(full_record()));
  EXPECT_EQ(file["settings"]["rounds"], 3);
  EXPECT_EQ(file["experiments"][0]["cells"][0]["round_samples"], json::array({2, 1, 2}));
  EXPECT_FALSE(file["experiments"][1]["cells"][0].contains("round_samples"));
  RunRecord back = from_json(file.dump(), kSource);
  EXPECT_EQ(back.settings.rounds, 3);
  EXPECT_EQ(back.experiments[0].cells[0].round_samples, (std::vector<size_t>{2, 1, 2}));
  EXPECT_TRUE(back.experiments[1].cells[0].round_samples.empty());
  RunRecord older = from_json(edited([](json& j) {
                                j["settings"].erase("rounds");
                                j["experiments"][0]["cells"][0].erase("round_samples");
                              }),
                              kSource);
  EXPECT_EQ(older.settings.rounds, 1);
  EXPECT_TRUE(older.experiments[0].cells[0].round_samples.empty());
  EXPECT_FALSE(json::parse(to_json(older))["settings"].contains("rounds"));
  // Rounds that do not add up to the samples, an empty round, no round: named.
  EXPECT_TRUE(contains(from_json_error(edited([](json& j) { j["experiments"][0]["cells"][0]["round_samples"] = {2, 2}; })),
                       "cell for 'cpu': field 'round_samples' (2 rounds of 4 samples) does not divide its 5 samples_ms"));
  EXPECT_TRUE(contains(from_json_error(edited([](json& j) { j["experiments"][0]["cells"][0]["round_samples"] = {5, 0}; })),
                       "field 'round_samples' (2 rounds of 5 samples)"));
  EXPECT_TRUE(contains(from_json_error(edited([](json& j) { j["settings"]["rounds"] = 0; })),
                       "settings: field 'rounds' is 0"));
}

// Files written before the settled stop existed sampled on to the cap: read
// without the field, they say so; the field itself reads back.
TEST(ResultJson, TheSettledStopSettingReadsBackAndDefaultsToOffInOlderFiles) {
  EXPECT_FALSE(from_json(edited([](json& j) { j["settings"].erase("stop_when_settled"); }), kSource)
                   .settings.sampler.stop_when_settled);
  EXPECT_TRUE(from_json(edited([](json& j) { j["settings"]["stop_when_settled"] = true; }), kSource)
                  .settings.sampler.stop_when_settled);
  RunRecord r = from_json(edited([](json& j) { j["experiments"][1]["cells"][0]["stop"] = "settled"; }), kSource);
  EXPECT_EQ(r.experiments[1].cells[0].stop, Stop::settled);
}

// Files before the warm-up rule warmed up for the floor alone (their cap is
// the floor), before the allocator option in no stated state (read as the
// default), before the outlier fences with every sample's mean only (the
// table's mean is it, no outlier), before the one-core hold with threads
// wherever the OS put them (the default), before --wait with each
// framework's own wait.
TEST(ResultJson, OlderFilesWithoutTheWarmUpCapTheMemoryStateOrTheSteadyMean) {
  RunRecord r = from_json(edited([](json& j) {
                            j["settings"].erase("warmup_max_s");
                            j["settings"].erase("fresh_memory");
                            j["settings"].erase("one_core");
                            j["settings"].erase("wait");
                            json& t = j["experiments"][0]["cells"][0]["time_ms"];
                            t.erase("steady_mean");
                            t.erase("outliers");
                          }),
                          kSource);
  EXPECT_EQ(r.settings.sampler.warmup_max_s, r.settings.sampler.warmup_s);
  EXPECT_FALSE(r.settings.sampler.fresh_memory);
  EXPECT_FALSE(r.settings.sampler.one_core);
  EXPECT_EQ(r.settings.sampler.wait, GpuWait::framework);
  const Stats& s = r.experiments[0].cells[0].stats;
  EXPECT_EQ(s.mean, s.mean_all);
  EXPECT_EQ(s.outliers, 0u);
  EXPECT_NEAR(s.mean, (21.0 + 21.2 + 20.9 + 23.0 + 1.0 / 3.0) / 5, 1e-12);
}

// What a check compared the output with: typed in memory, words in the file.
TEST(ResultJson, CheckScopesReadBackAndAnUnknownOneIsNamed) {
  for (CheckScope scope : {CheckScope{}, CheckScope{CheckScope::Kind::shape}, CheckScope{CheckScope::Kind::finiteness},
                           CheckScope{CheckScope::Kind::reference}, CheckScope{CheckScope::Kind::reference, 4096}}) {
    RunRecord r = from_json(edited([&](json& j) { j["experiments"][1]["cells"][0]["check"]["against"] = scope_text(scope); }),
                            kSource);
    EXPECT_EQ(r.experiments[1].cells[0].check.against, scope) << scope_text(scope);
  }
  EXPECT_EQ(scope_text({CheckScope::Kind::reference, 4096}), "reference at 4096 sampled elements");
  for (const char* bad : {"the moon", "reference at 0 sampled elements", "reference at -3 sampled elements",
                          "reference at 12x sampled elements", "reference at  sampled elements"}) {
    std::string message =
        from_json_error(edited([&](json& j) { j["experiments"][1]["cells"][0]["check"]["against"] = bad; }));
    EXPECT_TRUE(contains(message, "field 'against': '" + std::string(bad) + "' is not one of")) << message;
  }
}

TEST(ResultJson, ABatchedCellKeepsItsBatch) {
  RunRecord r = from_json(edited([](json& j) { j["experiments"][1]["cells"][0]["timing"] = "batched x7"; }), kSource);
  EXPECT_EQ(r.experiments[1].cells[0].timing, Timing::batched);
  EXPECT_EQ(r.experiments[1].cells[0].batch, 7u);
  EXPECT_TRUE(contains(to_json(r), "\"timing\": \"batched x7\""));
}

TEST(ResultJson, RefusesACellWithNeitherTimeNorError) {
  std::string message = from_json_error(edited([](json& j) {
    json& cell = j["experiments"][1]["cells"][1];
    cell.erase("time_ms");
  }));
  EXPECT_TRUE(contains(message, kSource));
  EXPECT_TRUE(contains(message, "ReLU / dim=100x100"));
  EXPECT_TRUE(contains(message, "'cuda'"));
  EXPECT_TRUE(contains(message, "neither time_ms nor error"));
}

// A cell's mean is its samples' mean. The file writes 17 digits, so they
// agree to about 1e-13; the rule allows one part in a million (a tool that
// rounds to 7 digits), and refuses a mean further off, naming the cell.
TEST(ResultJson, AMeanThatIsNotItsSamplesMeanIsRefused) {
  // ReLU on cuda: samples 0.0123456789012345678, 0.02, 0.03; their mean 0.0207818929670781...
  const double mean = (0.0123456789012345678 + 0.02 + 0.03) / 3;
  auto with_mean = [](double m) {
    return edited([&](json& j) { j["experiments"][1]["cells"][1]["time_ms"]["mean"] = m; });
  };
  EXPECT_NO_THROW(from_json(with_mean(mean * (1 + 0.9e-6)), kSource));
  EXPECT_NO_THROW(from_json(with_mean(mean * (1 - 0.9e-6)), kSource));
  for (double wrong : {mean * (1 + 1.1e-6), mean * (1 - 1.1e-6), 123.0, mean * 2}) {
    std::string message = from_json_error(with_mean(wrong));
    EXPECT_EQ(message, std::string(kSource) + ": experiment 'ReLU / dim=100x100': cell for 'cuda': its mean " +
                           formatted("%.6g", wrong) + " ms disagrees with the mean of its 3 samples_ms, 0.0207819 ms: "
                           "the file was edited or is corrupt");
  }
  // Samples and mean rounded to 7 significant digits, as another tool may write them: accepted.
  std::string rounded = edited([&](json& j) {
    json& cell = j["experiments"][1]["cells"][1];
    cell["samples_ms"] = {0.01234568, 0.02, 0.03};
    cell["time_ms"]["mean"] = 0.02078189;
  });
  EXPECT_NO_THROW(from_json(rounded, kSource));
  // A file of a version that kept no samples (nor a steady mean) has no mean to check.
  RunRecord r = from_json(edited([](json& j) {
    json& cell = j["experiments"][1]["cells"][1];
    cell.erase("samples_ms");
    cell["time_ms"].erase("steady_mean");
    cell["time_ms"]["mean"] = 123.0;
  }), kSource);
  EXPECT_EQ(r.experiments[1].cells[1].stats.mean, 123.0);
  // The steady mean is checked against the samples inside the fences: Argmax on
  // cpu, whose 1/3 ms sample lies beyond them (the other four's mean is 21.525).
  std::string message = from_json_error(edited([](json& j) { j["experiments"][0]["cells"][0]["time_ms"]["steady_mean"] = 17.0; }));
  EXPECT_TRUE(contains(message, "cell for 'cpu': its steady_mean 17 ms disagrees with the mean of its 5 samples_ms "
                                "inside the outlier fences, 21.525 ms"))
      << message;
}

TEST(ResultJson, ACellWithoutAMeanBecomesNan) {
  RunRecord r = from_json(edited([](json& j) { j["experiments"][1]["cells"][0]["time_ms"].erase("mean"); }), kSource);
  EXPECT_FALSE(r.experiments[1].cells[0].ok());
  EXPECT_TRUE(r.experiments[1].cells[1].ok());
}

// ---- files ---------------------------------------------------------------

TEST(ResultFile, WrittenFileReadsBack) {
  TempDir dir;
  std::string path = dir.file("result.json");
  write_file_atomically(path, to_json(full_record()));
  expect_same(read_result_file(path), full_record());
}

TEST(ResultFile, ReadingAMissingFileNamesIt) {
  TempDir dir;
  std::string path = dir.file("absent.json");
  try {
    read_result_file(path);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& e) {
    EXPECT_TRUE(contains(e.what(), path));
  }
}

// The message of the UsageError that read_result_file throws for `path`.
std::string read_error(const std::string& path) {
  try {
    read_result_file(path);
    ADD_FAILURE() << "read " << path;
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ResultFile, EndlessInputIsRefusedAtTheBound) {
  EXPECT_TRUE(contains(read_error("/dev/zero"), "/dev/zero: more than 256 MiB, too large for a result file"));
}

TEST(ResultFile, AFileLargerThanTheBoundIsRefusedWithoutReadingIt) {
  TempDir dir;
  std::string path = dir.file("huge.json");
  std::ofstream(path) << "{";
  fs::resize_file(path, kResultFileLimit + 1);  // sparse: costs no disk
  EXPECT_TRUE(contains(read_error(path), path + ": more than 256 MiB, too large for a result file"));
}

TEST(ResultFile, ADirectoryIsNamedAsOne) {
  TempDir dir;
  EXPECT_TRUE(contains(read_error(dir.file("")), ": is a directory, not a result file"));
}

TEST(WriteFileAtomically, WritesAndReplacesLeavingNoPartialFile) {
  TempDir dir;
  std::string path = dir.file("out.json");
  write_file_atomically(path, "first version, longer than the second\n");
  EXPECT_EQ(read_text(path), "first version, longer than the second\n");
  write_file_atomically(path, "second\n");
  EXPECT_EQ(read_text(path), "second\n");
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  size_t entries = std::distance(fs::directory_iterator(dir.file("")), fs::directory_iterator());
  EXPECT_EQ(entries, 1u);
}

// Another writer's temporary file (here in the way as a folder) is not this one's.
TEST(WriteFileAtomically, AnotherWritersTemporaryFileIsNoObstacle) {
  TempDir dir;
  std::string path = dir.file("result.json");
  fs::create_directories(path + ".partial");
  fs::create_directories(path + ".partial.1");
  write_file_atomically(path, "mine\n");
  EXPECT_EQ(read_text(path), "mine\n");
  EXPECT_TRUE(fs::is_directory(path + ".partial"));
}

TEST(WriteFileAtomically, IntoAMissingFolderThrows) {
  TempDir dir;
  std::string path = dir.file("no/such/folder/out.json");
  EXPECT_THROW(write_file_atomically(path, "text"), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir.file("no")));
}

// The rename fails (a folder is in the way): the temporary file must go too.
TEST(WriteFileAtomically, AFailedRenameLeavesNoPartialFile) {
  TempDir dir;
  std::string path = dir.file("taken");
  fs::create_directories(path + "/inside");
  try {
    write_file_atomically(path, "text");
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(contains(e.what(), path));
  }
  EXPECT_EQ(test_views::temporaries_of(path), 0u);
  EXPECT_TRUE(fs::is_directory(path + "/inside"));
}

}  // namespace
}  // namespace opbench
