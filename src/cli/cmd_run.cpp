// opbench run: times experiments on backends and writes the tables and the result file.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>
#include <set>

#include "cli/commands.h"
#include "core/error.h"
#include "core/machine.h"
#include "core/ops.h"
#include "core/runner.h"
#include "core/suite.h"
#include "report/json.h"
#include "report/markdown.h"

namespace opbench::cli {

const CommandSpec kRunSpec = {
    "run",
    "opbench run [options]",
    "Times every experiment of a suite on every chosen backend, prints the detailed and the average table\n"
    "(milliseconds, the seed's format) and writes them, with a JSON file of every sample, to --out.",
    {
        {"backends", "LIST", "backends to time, e.g. cpu,cuda (default: every available one; see opbench list)"},
        {"suite", "NAME|FILE", "default (the reference's 91 experiments), quick, or a suite file (default: default)"},
        {"ops", "LIST", "only these ops, e.g. Sort,MatMul"},
        {"filter", "REGEX", "only experiments whose name matches, e.g. 'dim=64x128'"},
        {"case", "LINE", "an extra experiment, e.g. \"MatMul dim1=512x512 dim2=512x512\" (repeatable; without --suite, only these run)", true},
        {"out", "DIR", "where result.json, detailed.md and average.md go (default: results/<date>T<time>)"},
        {"threads", "N", "threads for the CPU backends (default: the framework's own default)"},
        {"seed", "N", "seed of the input generator (default: 0)"},
        {"warmup", "SECONDS", "warm-up time per cell, at least one call (default: 0.05)"},
        {"min-samples", "N", "fewest timed samples per cell (default: 5)"},
        {"max-samples", "N", "most timed samples per cell (default: 10000)"},
        {"min-time", "SECONDS", "shortest sampling time per cell (default: 0.1)"},
        {"max-time", "SECONDS", "longest sampling time per cell; 3 samples are always taken (default: 2)"},
        {"target-noise", "FRACTION", "stop once the mean's relative standard error is below this (default: 0.01)"},
        {"no-check", "", "do not compare outputs with the reference before timing (the output says so)"},
        {"quiet", "", "no progress line on stderr"},
    }};

namespace {

// ---- choosing what runs --------------------------------------------------

std::vector<Experiment> choose_experiments(const Args& args, std::string& suite_name) {
  std::vector<Experiment> experiments;
  if (args.has("suite") || !args.has("case")) {
    Suite suite = load_suite(args.get("suite", "default"));
    suite_name = suite.name;
    experiments = std::move(suite.experiments);
  } else {
    suite_name = "custom";
  }
  for (const std::string& line : args.all("case")) experiments.push_back(parse_experiment(line));

  if (args.has("ops")) {
    std::set<std::string> ops;
    for (const std::string& op : split_list(args.get("ops"), "ops")) ops.insert(find_op(op).name);
    std::erase_if(experiments, [&](const Experiment& e) { return !ops.count(e.op); });
  }
  if (args.has("filter")) {
    std::regex pattern;
    try {
      pattern = std::regex(args.get("filter"));
    } catch (const std::regex_error&) {
      throw UsageError("--filter '" + args.get("filter") + "' is not a valid regular expression");
    }
    std::erase_if(experiments, [&](const Experiment& e) { return !std::regex_search(e.name(), pattern); });
  }
  if (experiments.empty()) throw UsageError("no experiment left to run after --ops/--filter");
  return experiments;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::vector<std::unique_ptr<Backend>> choose_backends(const Args& args) {
  std::vector<std::unique_ptr<Backend>> all = create_backends(), chosen;
  if (!args.has("backends")) {
    for (auto& b : all)
      if (b->unavailable_reason().empty()) chosen.push_back(std::move(b));
    if (chosen.empty()) throw UsageError("no backend is available in this build (see opbench list)");
    return chosen;
  }
  for (const std::string& name : split_list(args.get("backends"), "backends")) {
    auto it = std::find_if(all.begin(), all.end(), [&](auto& b) { return b && b->info().name == name; });
    if (it == all.end()) {
      for (const MissingBackend& m : missing_backends())
        if ((", " + m.names + ",").find(", " + name + ",") != std::string::npos)
          throw UsageError("backend '" + name + "' is not in this build: " + m.reason);
      throw UsageError("unknown backend '" + name + "' (known: " + list_names(known_backend_names()) + ")");
    }
    if (std::string reason = (*it)->unavailable_reason(); !reason.empty())
      throw UsageError("backend '" + name + "' is not available here: " + reason);
    chosen.push_back(std::move(*it));
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](auto& a, auto& b) { return a->info().column < b->info().column; });
  return chosen;
}

RunSettings choose_settings(const Args& args) {
  RunSettings s;
  SamplerSettings& m = s.sampler;
  s.threads = static_cast<int>(args.get_int("threads", 0, 1, 4096));
  s.seed = static_cast<uint64_t>(args.get_int("seed", 0, 0, INT64_MAX));
  s.check = !args.has("no-check");
  m.warmup_s = args.get_double("warmup", m.warmup_s, 0, 3600);
  m.min_samples = args.get_int("min-samples", m.min_samples, 1, 10'000'000);
  m.max_samples = args.get_int("max-samples", m.max_samples, 1, 10'000'000);
  m.min_time_s = args.get_double("min-time", m.min_time_s, 0, 86400);
  m.max_time_s = args.get_double("max-time", m.max_time_s, 0, 86400);
  m.target_noise = args.get_double("target-noise", m.target_noise, 0, 1);
  if (m.min_samples > m.max_samples) throw UsageError("--min-samples is larger than --max-samples");
  if (m.min_time_s > m.max_time_s) throw UsageError("--min-time is longer than --max-time");
  return s;
}

std::string default_out_dir() {
  std::string stamp = utc_now();  // 2026-11-25T19:40:00Z -> 2026-11-25T19-40-00
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  return "results/" + stamp.substr(0, stamp.size() - 1);
}

// ---- while it runs -------------------------------------------------------

std::string duration(double seconds) {
  long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, s / 60 % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

// Progress on stderr, and the result file rewritten after each experiment so
// that an interrupted run keeps what it measured.
class RunProgress : public RunObserver {
 public:
  RunProgress(bool quiet, std::string result_path)
      : quiet_(quiet), tty_(isatty(STDERR_FILENO)), result_path_(std::move(result_path)) {}

  void cell_started(size_t index, size_t total, const Experiment& e, const std::string& backend, double elapsed) override {
    if (quiet_) return;
    std::string left = index ? "~" + duration(elapsed / index * (total - index)) + " left" : "";
    char head[64];
    std::snprintf(head, sizeof head, "[%zu/%zu] %s elapsed", index + 1, total, duration(elapsed).c_str());
    std::string line = std::string(head) + (left.empty() ? "" : ", " + left) + "  " + backend + "  " + e.name();
    if (tty_) std::cerr << "\r\033[K" << line << std::flush;
    else std::cerr << line << "\n";
  }
  void experiment_finished(const RunRecord& record) override { write_file_atomically(result_path_, to_json(record)); }
  void done() const {
    if (!quiet_ && tty_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool quiet_, tty_;
  std::string result_path_;
};

RunRecord new_record(const std::string& suite, const RunSettings& settings,
                     const std::vector<std::unique_ptr<Backend>>& backends) {
  RunRecord r;
  r.opbench_version = OPBENCH_VERSION;
  r.created = utc_now();
  r.suite = suite;
  r.machine = read_machine();
  r.settings = settings;
  for (const auto& b : backends) {
    r.backends.push_back({b->info(), b->device_name()});
    for (auto& [k, v] : b->versions()) r.versions[k] = v;
  }
  return r;
}

std::string titled(const RunRecord& r, const std::string& title, const std::string& table) {
  return "# " + title + "\n\n**" + r.description() + "**\n\n" + table;
}

}  // namespace

int run_command(const Args& args) {
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional()[0] + "'");
  std::string suite_name;
  std::vector<Experiment> experiments = choose_experiments(args, suite_name);
  RunSettings settings = choose_settings(args);
  std::vector<std::unique_ptr<Backend>> backends = choose_backends(args);
  std::string out_dir = args.get("out", default_out_dir());
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out '" + out_dir + "': cannot create the folder (" + ec.message() + ")");

  std::vector<Backend*> running;
  for (auto& b : backends) {
    b->set_threads(settings.threads);
    running.push_back(b.get());
  }
  RunRecord record = new_record(suite_name, settings, backends);
  RunProgress progress(args.has("quiet"), out_dir + "/result.json");
  run_experiments(experiments, running, record, progress);
  progress.done();

  std::cout << render_run(record);
  write_file_atomically(out_dir + "/detailed.md", titled(record, "Detailed benchmark", detailed_table(record)));
  write_file_atomically(out_dir + "/average.md", titled(record, "Average benchmark", average_table(record)));
  std::cerr << "results: " << out_dir << "/result.json, detailed.md, average.md\n";
  return kExitOk;
}

}  // namespace opbench::cli
