#include "format/json.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <algorithm>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>
#include <type_traits>

#include "format/calibration_file.h"
#include "model/bandwidth.h"
#include "model/error.h"
#include "model/text.h"
#include "model/text_file.h"

namespace opbench {

using nlohmann::json;

namespace {

// ---- writing -------------------------------------------------------------

// "mean" keeps its meaning (every sample's); the tables print "steady_mean",
// the mean inside the outlier fences (stats.h), with "outliers" beyond them.
json to_json(const Stats& s) {
  return {{"mean", s.every_sample_mean()}, {"steady_mean", s.mean}, {"outliers", s.outliers}, {"median", s.median},
          {"min", s.min},       {"max", s.max},          {"stddev", s.stddev}};
}

// A figure that is not there (NaN) is left out, as a nan time is.
json to_json(const MemoryFigure& m) {
  json j = {{"in_place", m.in_place}, {"source", m.source}};
  if (m.measured()) j["peak_bytes"] = m.peak_bytes;
  if (std::isfinite(m.least_bytes)) j["least_bytes"] = m.least_bytes;
  if (!m.unavailable.empty()) j["unavailable"] = m.unavailable;
  return j;
}

json to_json(const CheckRecord& c) {
  json j = {{"status", verdict_text(c.verdict)}, {"error", c.error}, {"detail", c.detail}, {"against", scope_text(c.against)}};
  if (std::isfinite(c.tolerance)) j["tolerance"] = c.tolerance;
  return j;
}

}  // namespace

void to_json(json& j, const Cell& c) {
  j = {{"backend", c.backend}};
  if (c.check.verdict != Verdict::none) j["check"] = to_json(c.check);
  if (c.phases)
    j["phases_s"] = {{"prepare", c.phases->prepare_s},
                     {"check", c.phases->check_s},
                     {"warmup", c.phases->warmup_s},
                     {"sampling", c.phases->sampling_s}};
  if (!c.ok()) {
    if (!c.error.empty()) j["error"] = c.error;
    if (c.not_applicable) j["not_applicable"] = true;
    return;
  }
  j["time_ms"] = to_json(c.stats);
  j["noise"] = c.stats.noise;
  j["count"] = c.stats.count;
  j["stop"] = word(c.stop);
  j["timing"] = timing_words(c.timing, c.batch);
  j["cache"] = word(c.cache);
  j["samples_ms"] = c.samples_ms;
  if (!c.round_samples.empty()) j["round_samples"] = c.round_samples;  // absent for a cell timed in one go
  if (c.host)
    j["host_per_call"] = {{"minor_faults", c.host->minor_faults}, {"user_ms", c.host->user_ms}, {"system_ms", c.host->system_ms}};
  if (c.warmup) j["warmup"] = {{"calls", c.warmup->calls}, {"capped", c.warmup->capped}};
  if (c.memory) j["memory"] = to_json(*c.memory);
}

void to_json(json& j, const RunSettings& s) {
  const SamplerSettings& m = s.sampler;
  j = {{"seed", s.seed},
       {"threads", s.threads},
       {"warmup_s", m.warmup_s},
       {"warmup_max_s", m.warmup_max_s},
       {"min_samples", m.min_samples},
       {"max_samples", m.max_samples},
       {"min_time_s", m.min_time_s},
       {"max_time_s", m.max_time_s},
       {"target_noise", m.target_noise},
       {"timing", word(m.timing)},
       {"batch", m.batch},
       {"cold", m.cold},
       {"fresh_memory", m.fresh_memory},
       {"one_core", m.one_core},
       {"wait", word(m.wait)},
       {"stop_when_settled", m.stop_when_settled},
       {"check", s.check}};
  if (s.memory) j["memory"] = true;  // absent otherwise: files of runs without it stay as they were
  if (s.rounds != 1) j["rounds"] = s.rounds;  // the same: only a run over versions has rounds
}

namespace {

json to_json(const BackendRecord& b) {
  json speedups = json::array();
  for (const SpeedupColumn& s : b.info.speedups) speedups.push_back({{"baseline", s.baseline}, {"order", s.order}});
  return {{"name", b.info.name},
          {"column", b.info.column},
          {"description", b.info.description},
          {"device", b.device},
          {"speedups", speedups}};
}

// ---- reading -------------------------------------------------------------

// A number a field of type T can hold: nlohmann's get<int>() of 1e300 (or of
// 3e9) would be undefined behaviour or a wrapped value, so it counts as the
// wrong type.
template <typename T>
bool fits(const json& v) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    constexpr int bits = std::numeric_limits<T>::digits;  // value bits: 31 for int, 64 for uint64_t
    if (v.is_number_float()) {
      double d = v.get<double>();
      return std::isfinite(d) && d < std::ldexp(1.0, bits) && d > (std::is_signed_v<T> ? -std::ldexp(1.0, bits) - 1 : -1.0);
    }
    if (v.is_number_unsigned()) return v.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    if (v.is_number_integer()) {
      int64_t i = v.get<int64_t>();
      if (i < 0) return std::is_signed_v<T> && i >= static_cast<int64_t>(std::numeric_limits<T>::min());
      return static_cast<uint64_t>(i) <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    }
  }
  return true;
}

// Field access that names the missing or mistyped field in its error.
template <typename T>
T field(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) throw UsageError(where + ": missing field '" + key + "'");
  try {
    if (!fits<T>(j.at(key))) throw UsageError(where + ": field '" + key + "' is out of range");
    return j.at(key).get<T>();
  } catch (const json::exception&) {
    throw UsageError(where + ": field '" + key + "' has the wrong type");
  }
}

// A field that may be missing, or null (how the writer stores a nan): then
// `fallback`. Present, it must have the right type and fit, as a required
// field must: a number the field cannot hold is never read as 0.
template <typename T>
T optional_field(const json& j, const char* key, T fallback, const std::string& where) {
  if (!j.is_object() || !j.contains(key) || j.at(key).is_null()) return fallback;
  return field<T>(j, key, where);
}

// A field holding one of an enum's words (`parse` reads it), or `fallback`
// when missing; a word it does not know is an error naming the field.
template <typename Parse>
auto word_field(Parse parse, const json& j, const char* key, const std::string& fallback, const std::string& where) {
  std::string text = optional_field<std::string>(j, key, fallback, where);
  try {
    return parse(text);
  } catch (const UsageError& e) {
    throw UsageError(where + ": field '" + key + "': " + e.what());
  }
}

// An experiment's "pass": "forward" or "backward"; any other word is an error.
Pass pass_word(const std::string& text) {
  if (std::optional<Pass> p = pass_from_text(text)) return *p;
  throw UsageError(quote(text) + " is neither 'forward' nor 'backward'");
}

// A count (of cores, of threads): an integer from 0 up.
int count_field(const json& j, const char* key, const std::string& where) {
  int n = optional_field<int>(j, key, 0, where);
  if (n < 0) throw UsageError(where + ": field '" + key + "' is out of range");
  return n;
}

// A time or a statistic of times: nan where the file has none (null), else
// finite and above 0 (`positive`) or at least 0 (a spread, a relative error).
// A negative time is corrupt data, and compare would call it "faster".
double measure(const json& j, const char* key, bool positive, const std::string& where) {
  double x = optional_field<double>(j, key, NAN, where);
  if (std::isnan(x) || (std::isfinite(x) && (positive ? x > 0 : x >= 0))) return x;
  throw UsageError(where + ": field '" + key + "' is out of range (" + formatted("%g", x) + "): " +
                   (positive ? "a time is finite and above 0" : "it is finite and not negative"));
}

// A phase's duration: absent is 0, anything else finite and not negative.
double seconds(const json& j, const char* key, const std::string& where) {
  double s = measure(j, key, false, where);
  return std::isnan(s) ? 0 : s;
}

CheckRecord check_from(const json& j, const std::string& where) {
  return {verdict_from_text(optional_field<std::string>(j, "status", "", where)), measure(j, "error", false, where),
          measure(j, "tolerance", false, where), optional_field<std::string>(j, "detail", "", where),
          word_field(scope_from_text, j, "against", "", where)};
}

MemoryFigure memory_from(const json& j, const std::string& where) {
  MemoryFigure m;
  m.peak_bytes = measure(j, "peak_bytes", false, where);
  m.least_bytes = measure(j, "least_bytes", false, where);
  m.in_place = optional_field<bool>(j, "in_place", false, where);
  m.source = optional_field<std::string>(j, "source", "", where);
  m.unavailable = optional_field<std::string>(j, "unavailable", "", where);
  if (!m.measured() && m.unavailable.empty()) m.unavailable = "no figure in the file";
  return m;
}

std::vector<double> samples_from(const json& j, const std::string& where) {
  std::vector<double> samples = optional_field<std::vector<double>>(j, "samples_ms", {}, where);
  for (double s : samples)
    if (!(s > 0 && std::isfinite(s)))
      throw UsageError(where + ": field 'samples_ms' is out of range (a sample of " + formatted("%g", s) +
                       " ms): a time is finite and above 0");
  return samples;
}

// How many samples each round took: counts of at least one that add up to
// the cell's samples, or the file is not one opbench wrote.
std::vector<size_t> round_samples_from(const json& j, size_t samples, const std::string& where) {
  std::vector<size_t> rounds = optional_field<std::vector<size_t>>(j, "round_samples", {}, where);
  size_t total = 0;
  for (size_t n : rounds) total += n;
  if (!rounds.empty() && (total != samples || std::find(rounds.begin(), rounds.end(), 0) != rounds.end()))
    throw UsageError(where + ": field 'round_samples' (" + std::to_string(rounds.size()) + " rounds of " +
                     std::to_string(total) + " samples) does not divide its " + std::to_string(samples) +
                     " samples_ms into rounds of one or more");
  return rounds;
}

// A file's times are written with 17 significant digits, so the mean of its
// samples, summed again, agrees with its mean to about 1e-13 (10,000 samples:
// 1e-12). One part in a million leaves room for a tool that rounds them to 7
// digits, and is still 10,000 times finer than a 1% noise: a mean further off
// is not the mean of these samples (an edited or corrupt file).
constexpr double kMeanTolerance = 1e-6;

// The cell's mean must be its samples' mean, and its steady mean (where the
// file has one) the mean of those inside the outlier fences (where it has
// samples: files of old versions may have none); `where` names the cell.
void check_mean(const Cell& c, bool has_steady_mean, const std::string& where) {
  if (c.samples_ms.empty() || std::isnan(c.stats.mean)) return;
  const Stats from_samples = summarize(c.samples_ms);
  auto check = [&](double recorded, double computed, const char* what, const std::string& of) {
    if (std::abs(recorded - computed) <= kMeanTolerance * computed) return;
    throw UsageError(where + ": its " + what + " " + formatted("%.6g", recorded) + " ms disagrees with the mean of its " +
                     of + ", " + formatted("%.6g", computed) + " ms: the file was edited or is corrupt");
  };
  const std::string all = std::to_string(c.samples_ms.size()) + " samples_ms";
  check(c.stats.every_sample_mean(), from_samples.every_sample_mean(), "mean", all);
  if (has_steady_mean) check(c.stats.mean, from_samples.mean, "steady_mean", all + " inside the outlier fences");
}

Cell cell_from(const json& j, const std::string& experiment) {
  Cell c;
  c.backend = field<std::string>(j, "backend", experiment);
  const std::string where = experiment + ": cell for " + quote(c.backend);
  c.error = optional_field<std::string>(j, "error", "", where);
  c.not_applicable = !c.error.empty() && optional_field<bool>(j, "not_applicable", false, where);
  if (j.contains("check")) c.check = check_from(j.at("check"), where + ": check");
  if (j.contains("phases_s")) {
    const json& p = j.at("phases_s");
    const std::string at = where + ": phases_s";
    c.phases = CellPhases{seconds(p, "prepare", at), seconds(p, "check", at), seconds(p, "warmup", at),
                          seconds(p, "sampling", at)};
  }
  if (!c.ok()) return c;
  if (!j.contains("time_ms")) throw UsageError(where + " has neither time_ms nor error");
  const json& t = j.at("time_ms");
  c.stats = {measure(t, "mean", true, where),    measure(t, "median", true, where), measure(t, "min", true, where),
             measure(t, "max", true, where),     measure(t, "stddev", false, where), measure(j, "noise", false, where),
             optional_field<size_t>(j, "count", 0, where)};
  // Files before the outlier fences have every sample's mean only.
  c.stats.mean_all = c.stats.mean;
  if (t.contains("steady_mean")) c.stats.mean = measure(t, "steady_mean", true, where);
  c.stats.outliers = optional_field<size_t>(t, "outliers", 0, where);
  c.stop = word_field(stop_from_word, j, "stop", "", where);
  std::tie(c.timing, c.batch) = word_field(timing_from_words, j, "timing", "wall", where);
  c.cache = word_field(cache_from_word, j, "cache", "warm", where);
  c.samples_ms = samples_from(j, where);
  check_mean(c, t.contains("steady_mean"), where);
  c.round_samples = round_samples_from(j, c.samples_ms.size(), where);
  if (j.contains("host_per_call")) {
    const json& h = j.at("host_per_call");
    const std::string at = where + ": host_per_call";
    c.host = HostCost{measure(h, "minor_faults", false, at), measure(h, "user_ms", false, at), measure(h, "system_ms", false, at)};
  }
  if (j.contains("warmup")) {
    const json& w = j.at("warmup");
    const std::string at = where + ": warmup";
    c.warmup = WarmUpRecord{optional_field<size_t>(w, "calls", 0, at), optional_field<bool>(w, "capped", false, at)};
  }
  if (j.contains("memory")) c.memory = memory_from(j.at("memory"), where + ": memory");
  if (std::isnan(c.stats.mean) || std::isnan(c.stats.mean_all)) c.error = "no mean time in file";
  return c;
}

BackendRecord backend_from(const json& j, const std::string& where) {
  BackendRecord b;
  b.info.name = field<std::string>(j, "name", where);
  b.info.column = optional_field<int>(j, "column", kUnlistedColumn, where);
  b.info.description = optional_field<std::string>(j, "description", "", where);
  b.device = optional_field<std::string>(j, "device", "", where);
  if (j.contains("speedups") && j.at("speedups").is_array())
    for (const json& s : j.at("speedups"))
      b.info.speedups.push_back({field<std::string>(s, "baseline", where), optional_field<int>(s, "order", 0, where)});
  return b;
}

RunSettings settings_from(const json& j, const std::string& where) {
  RunSettings s;
  s.seed = optional_field<uint64_t>(j, "seed", 0, where);
  s.threads = count_field(j, "threads", where);
  s.check = optional_field<bool>(j, "check", true, where);
  s.memory = optional_field<bool>(j, "memory", false, where);
  s.rounds = optional_field<int>(j, "rounds", 1, where);
  if (s.rounds < 1) throw UsageError(where + ": field 'rounds' is " + std::to_string(s.rounds) + ": a run has one round or more");
  SamplerSettings& m = s.sampler;
  m.warmup_s = optional_field<double>(j, "warmup_s", m.warmup_s, where);
  // Files before the steady-state rule warmed up for the floor alone: their cap.
  m.warmup_max_s = optional_field<double>(j, "warmup_max_s", m.warmup_s, where);
  m.min_samples = optional_field<size_t>(j, "min_samples", m.min_samples, where);
  m.max_samples = optional_field<size_t>(j, "max_samples", m.max_samples, where);
  m.min_time_s = optional_field<double>(j, "min_time_s", m.min_time_s, where);
  m.max_time_s = optional_field<double>(j, "max_time_s", m.max_time_s, where);
  m.target_noise = optional_field<double>(j, "target_noise", m.target_noise, where);
  m.timing = word_field(timing_from_word, j, "timing", word(m.timing), where);
  m.batch = optional_field<size_t>(j, "batch", m.batch, where);
  m.cold = optional_field<bool>(j, "cold", m.cold, where);
  m.fresh_memory = optional_field<bool>(j, "fresh_memory", m.fresh_memory, where);
  m.one_core = optional_field<bool>(j, "one_core", m.one_core, where);
  // Files before --wait waited as each framework does.
  m.wait = word_field(wait_from_word, j, "wait", word(GpuWait::framework), where);
  // Files written before the rule existed sampled on to the cap.
  m.stop_when_settled = optional_field<bool>(j, "stop_when_settled", false, where);
  return s;
}

Machine machine_from(const json& j, const std::string& where) {
  return {optional_field<std::string>(j, "cpu", "unknown CPU", where), count_field(j, "cores", where),
          optional_field<uint64_t>(j, "memory_bytes", 0, where), optional_field<std::string>(j, "os", "", where),
          optional_field<std::string>(j, "hostname", "", where)};
}

}  // namespace

namespace {

json experiment_json(const ExperimentRecord& e) {
  json cells = json::array();
  const std::optional<Experiment> collective = collective_of(e);
  for (const Cell& c : e.cells) {
    json cell = c;
    // A collective's figures as nccl-tests prints them, for readers of
    // the file; derived from the samples, so not read back.
    if (std::optional<Bandwidth> b = collective ? cell_bandwidth(*collective, c) : std::nullopt)
      cell["bandwidth"] = {{"size_bytes", b->bytes}, {"time_us", b->time_us}, {"algbw_GBps", b->algorithm_gbs},
                           {"busbw_GBps", b->bus_gbs}};
    cells.push_back(std::move(cell));
  }
  json experiment = {{"op", e.op}, {"name", e.name}, {"line", e.line}, {"pass", pass_text(e.pass)}, {"cells", cells}};
  if (e.phases)
    experiment["phases_s"] = {
        {"inputs", e.phases->inputs_s}, {"reference", e.phases->reference_s}, {"harness", e.phases->harness_s}};
  return experiment;
}

// An experiment's text as an element of the file's "experiments" array (two
// levels deep at dump(1)'s one space a level): its own dump, each line
// moved right by two spaces. A JSON text holds no raw newline in a string.
std::string experiment_text(const ExperimentRecord& e) {
  std::string text = "  ";
  for (char c : experiment_json(e).dump(1)) {
    text += c;
    if (c == '\n') text += "  ";
  }
  return text;
}

// What the file says of an experiment, in a few numbers: a record that
// changes (a round's samples added, a cell's check) changes them.
uint64_t fingerprint(const ExperimentRecord& e) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const void* data, size_t bytes) {
    for (size_t i = 0; i < bytes; ++i) h = (h ^ static_cast<const unsigned char*>(data)[i]) * 1099511628211ull;
  };
  auto mix_text = [&mix](const std::string& s) { mix(s.data(), s.size() + 1); };
  mix_text(e.line);
  for (const Cell& c : e.cells) {
    mix_text(c.backend);
    mix_text(c.error);
    mix_text(c.check.detail);
    mix(c.samples_ms.data(), c.samples_ms.size() * sizeof(double));
    mix(c.round_samples.data(), c.round_samples.size() * sizeof(size_t));
    const double figures[] = {c.stats.mean, c.check.error, c.phases ? c.phases->total_s() : -1.0,
                              static_cast<double>(c.check.verdict), static_cast<double>(c.samples_ms.size())};
    mix(figures, sizeof figures);
  }
  if (e.phases) {
    const double figures[] = {e.phases->inputs_s, e.phases->reference_s, e.phases->harness_s};
    mix(figures, sizeof figures);
  }
  return h;
}

}  // namespace

std::string ResultText::operator()(const RunRecord& r) {
  json backends = json::array();
  for (const BackendRecord& b : r.backends) backends.push_back(to_json(b));
  const Machine& m = r.machine;
  json j = {{"schema", "opbench-result"},
            {"schema_version", kSchemaVersion},
            {"opbench_version", r.opbench_version},
            {"created", r.created},
            {"suite", r.suite},
            {"description", r.description()},
            {"machine",
             {{"cpu", m.cpu}, {"cores", m.cores}, {"memory_bytes", m.memory_bytes}, {"os", m.os}, {"hostname", m.hostname}}},
            {"versions", r.versions},
            {"settings", r.settings},
            {"backends", backends},
            {"plan", r.plan},
            {"experiments", json::array()},
            {"peaks", r.peaks}};
  if (!r.label.empty()) j["label"] = r.label;
  std::string text = j.dump(1) + "\n";
  if (r.experiments.empty()) return text;
  // The experiments' array, from each one's kept text where its record has
  // not changed since, spliced where dump(1) left the empty one.
  std::string array = "[\n";
  for (const ExperimentRecord& e : r.experiments) {
    auto [kept, added] = kept_.try_emplace(e.line);
    if (const uint64_t now = fingerprint(e); added || kept->second.first != now) kept->second = {now, experiment_text(e)};
    if (array.size() > 2) array += ",\n";
    array += kept->second.second;
  }
  array += "\n ]";
  const std::string empty = "\n \"experiments\": []";
  const size_t at = text.find(empty);
  return text.replace(at + empty.size() - 2, 2, array);
}

std::string to_json(const RunRecord& r) { return ResultText()(r); }

RunRecord from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw UsageError(source + ": empty file, not a result");
    if (e.byte >= text.size()) throw UsageError(source + ": not valid JSON: it ends before the JSON does (truncated?)");
    throw UsageError(source + ": not valid JSON (byte " + std::to_string(e.byte) + ")");
  } catch (const json::exception& e) {  // a number past a double's range ("1e400"), and the like
    throw UsageError(source + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("schema", json()) != "opbench-result")
    throw UsageError(source + ": not an opbench result file (no \"schema\": \"opbench-result\")");
  int version = field<int>(j, "schema_version", source);
  if (version < 1 || version > kSchemaVersion)
    throw UsageError(source + ": schema version " + std::to_string(version) + " is not one this opbench reads (1.." +
                     std::to_string(kSchemaVersion) + ")");
  RunRecord r;
  r.schema_version = version;
  r.opbench_version = optional_field<std::string>(j, "opbench_version", "", source);
  r.created = optional_field<std::string>(j, "created", "", source);
  r.suite = optional_field<std::string>(j, "suite", "", source);
  r.label = optional_field<std::string>(j, "label", "", source);
  r.machine = machine_from(j.value("machine", json::object()), source + ": machine");
  r.versions = optional_field<std::map<std::string, std::string>>(j, "versions", {}, source);
  r.settings = settings_from(j.value("settings", json::object()), source + ": settings");
  try {
    if (j.contains("peaks")) r.peaks = peaks_from(j.at("peaks"));
  } catch (const UsageError& e) {
    throw UsageError(source + ": " + e.what());
  }
  for (const json& b : field<json>(j, "backends", source)) r.backends.push_back(backend_from(b, source + ": backends"));
  r.plan = optional_field<std::vector<std::string>>(j, "plan", {}, source);
  for (const json& e : field<json>(j, "experiments", source)) {
    std::string where = source + ": experiment";
    ExperimentRecord rec{field<std::string>(e, "op", where), field<std::string>(e, "name", where),
                         optional_field<std::string>(e, "line", "", where), {}, {}};
    where += " " + quote(rec.name);
    rec.pass = word_field(pass_word, e, "pass", "forward", where);
    if (e.contains("phases_s")) {
      const json& p = e.at("phases_s");
      const std::string at = where + ": phases_s";
      rec.phases = ExperimentPhases{seconds(p, "inputs", at), seconds(p, "reference", at), seconds(p, "harness", at)};
    }
    for (const json& c : field<json>(e, "cells", where)) rec.cells.push_back(cell_from(c, where));
    r.experiments.push_back(std::move(rec));
  }
  return r;
}

Cell cell_from_json(const json& j, const std::string& source) {
  try {
    return cell_from(j, source);
  } catch (const json::exception& e) {
    throw UsageError(source + ": not a cell (" + e.what() + ")");
  }
}

RunSettings settings_from_json(const json& j, const std::string& source) {
  if (!j.is_object()) throw UsageError(source + ": settings are not a JSON object");
  try {
    return settings_from(j, source);
  } catch (const json::exception& e) {
    throw UsageError(source + ": not run settings (" + e.what() + ")");
  }
}

namespace {

// The text of gzip data (docs/results/*.json.gz), at most kResultFileLimit
// bytes of it: past that, an error rather than all the memory a small file
// of zeros could unpack to.
std::string gunzipped(const std::string& data, const std::string& path) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) throw UsageError(path + ": cannot start gzip's decompression");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string text;
  char buffer[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    text.append(buffer, sizeof buffer - z.avail_out);
    if (text.size() > kResultFileLimit) rc = Z_MEM_ERROR;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) rc = Z_DATA_ERROR;  // the data ends before the gzip stream does
  }
  inflateEnd(&z);
  if (rc == Z_MEM_ERROR) throw UsageError(path + ": unpacks to more than " + std::to_string(kResultFileLimit / kMiB) + " MiB, more than a result file holds");
  if (rc != Z_STREAM_END) throw UsageError(path + ": damaged gzip data (" + (z.msg ? z.msg : "truncated") + ")");
  return text;
}

}  // namespace

RunRecord read_result_file(const std::string& path) {
  std::string data = read_text_file(path, kResultFileLimit, "a result file");
  if (data.size() >= 2 && data[0] == '\x1f' && data[1] == '\x8b') data = gunzipped(data, path);
  return from_json(data, path);
}

void write_file_atomically(const std::string& path, const std::string& text) {
  // Named by the process, so that two writers of one path (two reports into
  // one folder) never write into each other's temporary file.
  std::string temporary = path + ".partial." + std::to_string(getpid());
  std::FILE* f = std::fopen(temporary.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + temporary + ": " + std::strerror(errno));
  errno = 0;
  bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  written = std::fflush(f) == 0 && written;
  written = written && fsync(fileno(f)) == 0;  // on the disk before it replaces the old file
  int saved = errno;
  written = std::fclose(f) == 0 && written;
  if (!written) {
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(saved ? saved : errno));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    int saved_rename = errno;
    std::remove(temporary.c_str());
    throw std::runtime_error("cannot rename " + temporary + " to " + path + ": " + std::strerror(saved_rename));
  }
  // The rename itself reaches the disk with the folder's entry.
  std::string folder = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
  if (int dir = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    fsync(dir);
    close(dir);
  }
}

}  // namespace opbench
