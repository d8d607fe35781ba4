// opbench run: times experiments on backends and writes the tables and the result file.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>

#include "cli/commands.h"
#include "cli/interrupt.h"
#include "model/error.h"
#include "execution/isolation.h"
#include "execution/machine.h"
#include "format/output_lock.h"
#include "model/ops.h"
#include "execution/runner.h"
#include "model/suite.h"
#include "execution/world.h"
#include "format/json.h"
#include "format/calibration_file.h"
#include "report/markdown.h"
#include "report/metrics.h"
#include "report/reporter.h"

namespace opbench::cli {

const CommandSpec kRunSpec = {
    "run",
    "opbench run [options]",
    "Times every experiment of a suite on every chosen backend, prints the detailed and the average table\n"
    "(milliseconds, the seed's format) and writes them, with a JSON file of every sample, to --out.",
    {
        {"backends", "LIST", "backends to time, e.g. cpu,cuda (default: every available one; see opbench list)"},
        {"suite", "NAME|FILE", "default (the reference's 91 experiments), quick, extended, collectives (8 B to 1 GiB), collectives-cpu (to 64 MiB), collectives-quick, or a suite file (default: default)"},
        {"ops", "LIST", "only these ops, e.g. Sort,MatMul"},
        {"filter", "REGEX", "only experiments whose name matches, e.g. 'dim=64x128'"},
        {"case", "LINE", "an extra experiment, e.g. \"MatMul dim1=512x512 dim2=512x512\" (repeatable; without --suite, only these run)", true},
        {"out", "DIR", "where " + run_file_help("result.json") + " go (default: results/<date>T<time>)"},
        {"threads", "N", "threads for the CPU backends (default: the framework's own default)"},
        {"seed", "N", "seed of the input generator (default: 0)"},
        {"warmup", "SECONDS", "shortest warm-up per cell: it then ends once the calls' times no longer fall (docs/sampling.md) (default: 0.01)"},
        {"warmup-max", "SECONDS", "longest warm-up per cell, whether or not the times still fall (default: 1)"},
        {"min-samples", "N", "fewest timed samples per cell (default: 5)"},
        {"max-samples", "N", "most timed samples per cell (default: 10000)"},
        {"min-time", "SECONDS", "shortest sampling time per cell (default: 0.01)"},
        {"max-time", "SECONDS", "longest sampling time per cell; 3 samples are always taken (default: 2)"},
        {"target-noise", "FRACTION", "stop once the mean's relative standard error is below this (default: 0.01)"},
        {"no-settle", "", "sample on to --target-noise or --max-time even once the samples' spread has settled above what the target allows (default: stop then, noise stated)"},
        {"timing", "MODE", "wall (default: one call to completion), events (GPU device events), batched (many calls, one wait)"},
        {"batch", "N", "calls per sample with --timing batched (default: enough for about 1 ms)"},
        {"cold", "", "flush the caches (CPU, and the GPU's L2) before every sample; default: warm"},
        {"fresh-memory", "", "give every call fresh memory: the C library's and the framework's cached free memory handed back before it (default: the steady state of a loop whose buffers the allocators reuse)"},
        {"dtype", "TYPE", "float32 (default, the seed's), float16 or bfloat16 for every experiment's float data"},
        {"ranks", "N", "ranks of every collective (--suite collectives): N worker processes on this host, one a GPU on cuda and mlx_gpu (default: the suite line's ranks=, else WORLD_SIZE when this process is one rank of a world started across hosts)"},
        {"pass", "LIST", "forward (default: the op's call), backward (one training step: the call and the gradients of its float inputs), or both: forward,backward"},
        {"no-check", "", "do not compare outputs with the reference before timing (the output says so)"},
        {"metrics", "", "also print (and write " + reporter("metrics").run_file() + ") " + reporter("metrics").summary()},
        {"memory", "", "also measure each cell's peak memory beyond its inputs in one more, untimed, call, from the framework's own accounting; print (and write " + reporter("memory").run_file() + ") the table"},
        {"calibration", "FILE", "peaks from opbench calibrate (default: ~/.opbench/calibration-<hostname>.json, if there)"},
        {"quiet", "", "no progress line on stderr"},
        {"resume", "FILE", "finish the run whose result.json FILE is: run only the cells it lacks, with its suite, backends and settings"},
        {"time-limit", "SECONDS", "longest time for one cell, and for one experiment's inputs and reference; past it the cell is stopped and marked nan (default: 600)"},
        {"no-isolate", "", "run the cells in this process: a crash or hang of a framework then ends the run (default: a worker process)"},
        {"no-cache", "", "compute every reference anew instead of reading it from ~/.opbench/cache (default: references that take 50 ms or more are kept there, 8 GiB at most)"},
    }};

namespace {

// ---- choosing what runs --------------------------------------------------

// An experiment given more than once (the same line twice in a suite, a
// --case the suite has) would be timed again for nothing and make two rows of
// one name: it runs once, and stderr says so.
void drop_repeats(std::vector<Experiment>& experiments) {
  std::map<std::string, size_t> times;
  std::vector<Experiment> once;
  for (Experiment& e : experiments)
    if (times[e.line()]++ == 0) once.push_back(std::move(e));
  for (const Experiment& e : once)
    if (size_t n = times[e.line()]; n > 1)
      std::cerr << "opbench run: note: " << quote(e.line()) << " is given " << n << " times; it runs once\n";
  experiments = std::move(once);
}

// --pass: the passes in the order given, each once. A word that is neither
// pass is one error line naming it.
std::vector<Pass> choose_passes(const Args& args) {
  std::vector<Pass> passes;
  for (const std::string& word : split_list(args.get("pass", "forward"), "pass")) {
    std::optional<Pass> pass = pass_from_text(word);
    if (!pass) throw UsageError("--pass " + quote(word) + " is neither 'forward' nor 'backward'");
    if (std::find(passes.begin(), passes.end(), *pass) == passes.end()) passes.push_back(*pass);
  }
  return passes;
}

// Every experiment once per pass: all of one pass, then all of the next, so
// that each pass's tables fill in the order of the suite. A line that names
// its pass (pass=backward) keeps it.
std::vector<Experiment> with_passes(const std::vector<Experiment>& experiments, const std::vector<Pass>& passes) {
  std::vector<Experiment> out;
  for (Pass pass : passes)
    for (Experiment e : experiments) {
      if (e.pass == Pass::forward) e.pass = pass;
      out.push_back(std::move(e));
    }
  return out;
}

// --ranks N, else the world this process belongs to (WORLD_SIZE, set across
// hosts), for every collective; checked again, as a line's ranks= is.
void set_ranks(const Args& args, std::vector<Experiment>& experiments) {
  const World outside = world_from_environment();
  // A malformed OPBENCH_RENDEZVOUS_TIMEOUT_S is refused before anything runs.
  if (std::any_of(experiments.begin(), experiments.end(), [](const Experiment& e) { return e.spec().collective; }))
    rendezvous_timeout_s();
  if (!args.has("ranks") && outside.size == 1) return;
  const int ranks = args.has("ranks") ? static_cast<int>(args.get_int("ranks", 2, 1, kMaxRanks)) : outside.size;
  if (outside.size > 1 && ranks != outside.size)
    throw UsageError("--ranks " + std::to_string(ranks) + " differs from WORLD_SIZE=" + std::to_string(outside.size) +
                     ", the world this process is a rank of");
  for (Experiment& e : experiments) {
    if (!e.spec().collective) continue;
    e.ranks = ranks;
    try {
      e.spec().validate(e);
    } catch (const UsageError& err) {
      throw UsageError("--ranks " + std::to_string(ranks) + ": " + e.op + " dim1=" + format_shape(e.dims[0]) + ": " +
                       err.what());
    }
  }
}

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
  if (args.has("dtype"))
    for (Experiment& e : experiments) e.dtype = parse_dtype(args.get("dtype"));

  if (args.has("ops")) {
    std::set<std::string> ops;
    for (const std::string& op : split_list(args.get("ops"), "ops")) ops.insert(find_op(op).name);
    std::erase_if(experiments, [&](const Experiment& e) { return !ops.count(e.op); });
  }
  set_ranks(args, experiments);  // after --ops, which may leave out what a rank count cannot split; before --filter, which sees ran=N
  if (args.has("filter")) {
    std::regex pattern;
    try {
      pattern = std::regex(args.get("filter"));
    } catch (const std::regex_error&) {
      throw UsageError("--filter " + quote(args.get("filter")) + " is not a valid regular expression");
    }
    std::erase_if(experiments, [&](const Experiment& e) { return !std::regex_search(e.name(), pattern); });
  }
  if (experiments.empty()) throw UsageError("no experiment left to run after --ops/--filter");
  experiments = with_passes(experiments, choose_passes(args));
  drop_repeats(experiments);
  return experiments;
}

RunSettings choose_settings(const Args& args) {
  RunSettings s;
  SamplerSettings& m = s.sampler;
  s.threads = static_cast<int>(args.get_int("threads", 0, 1, 4096));
  s.seed = static_cast<uint64_t>(args.get_int("seed", 0, 0, INT64_MAX));
  s.check = !args.has("no-check");
  s.memory = args.has("memory");
  if (args.has("timing")) {
    try {
      m.timing = timing_from_word(args.get("timing"));
    } catch (const UsageError& e) {
      throw UsageError(std::string("--timing ") + e.what());
    }
  }
  m.batch = args.get_int("batch", 0, 1, 1'000'000);
  if (m.batch && m.timing != Timing::batched) throw UsageError("--batch needs --timing batched");
  m.cold = args.has("cold");
  m.stop_when_settled = !args.has("no-settle");
  if (m.cold && m.timing == Timing::batched) throw UsageError("--cold cannot flush between the calls of a batch: use --timing wall or events");
  m.fresh_memory = args.has("fresh-memory");
  if (m.fresh_memory && m.timing == Timing::batched)
    throw UsageError("--fresh-memory cannot hand memory back between the calls of a batch: use --timing wall or events");
  m.warmup_s = args.get_double("warmup", m.warmup_s, 0, 3600);
  m.warmup_max_s = args.get_double("warmup-max", std::max(m.warmup_max_s, m.warmup_s), 0, 3600);
  if (m.warmup_max_s < m.warmup_s) throw UsageError("--warmup-max is shorter than --warmup");
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
    std::string pass = e.pass == Pass::forward ? "" : " [" + pass_text(e.pass) + "]";
    std::string line = std::string(head) + (left.empty() ? "" : ", " + left) + "  " + backend + "  " + e.name() + pass;
    if (tty_) std::cerr << "\r\033[K" << line << std::flush;
    else std::cerr << line << "\n";
  }
  void experiment_finished(const RunRecord& record) override { write_file_atomically(result_path_, to_json(record)); }
  bool stop_requested() override { return interruption() != 0; }
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

// ---- resuming --------------------------------------------------------------

// What `--resume FILE` continues: the file's record and the plan it lists.
struct Resumed {
  RunRecord previous;
  std::vector<Experiment> plan;
  std::vector<std::unique_ptr<Backend>> backends;
};

// Options that change what is measured: with --resume they may only repeat
// what the file recorded. Keys of the file's "settings" map to options.
std::string option_of_setting(std::string key) {
  if (key == "check") return "no-check";
  if (key == "stop_when_settled") return "no-settle";
  if (key.size() > 2 && key.compare(key.size() - 2, 2, "_s") == 0) key.resize(key.size() - 2);
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

// The options that would give `settings`, so that a file's settings pass the
// command line's own checks: a file is no way around them.
std::vector<std::string> options_of(const RunSettings& settings) {
  std::vector<std::string> options;
  const nlohmann::json recorded = settings;
  for (auto& [key, value] : recorded.items()) {
    std::string option = "--" + option_of_setting(key);
    if (value.is_boolean()) {
      // --cold turns its setting on; --no-check and --no-settle turn theirs off.
      bool on_without_option = key == "check" || key == "stop_when_settled";
      if (value != on_without_option) options.push_back(option);
    } else if (value != 0 || (key != "threads" && key != "batch")) {  // 0: the default no option spells
      options.insert(options.end(), {option, value.is_string() ? value.get<std::string>() : value.dump()});
    }
  }
  return options;
}

Resumed load_resume(const Args& args, const RunSettings& given) {
  const std::string path = args.get("resume");
  Resumed r;
  r.previous = read_result_file(path);
  const RunRecord& prev = r.previous;
  auto conflict = [&](const std::string& why) { throw UsageError("cannot resume " + path + ": " + why); };
  try {
    choose_settings(Args(kRunSpec, options_of(prev.settings)));
  } catch (const UsageError& e) {
    conflict(std::string("its settings are ones the command line refuses: ") + e.what());
  }

  // The experiments come from the file.
  for (const char* option : {"ops", "filter", "case", "dtype", "pass", "ranks"})
    if (args.has(option))
      conflict(std::string("--") + option + " cannot be combined with --resume: the experiments to run are the file's plan");
  if (args.has("suite") && args.get("suite") != prev.suite)
    conflict("--suite " + args.get("suite") + " differs from the file's suite " + quote(prev.suite));

  // Settings: repeated ones must agree with the file.
  const nlohmann::json recorded = prev.settings, wanted = given;
  for (auto& [key, value] : wanted.items()) {
    std::string option = option_of_setting(key);
    if (!args.has(option) || !recorded.contains(key) || recorded[key] == value) continue;
    conflict("--" + option + (args.get(option).empty() ? "" : " " + args.get(option)) +
             " differs from the file's setting " + key + " = " + recorded[key].dump());
  }

  // The backends, as recorded.
  std::string names;
  for (const BackendRecord& b : prev.backends) names += (names.empty() ? "" : ",") + b.info.name;
  if (names.empty()) conflict("the file names no backend");
  if (args.has("backends")) {
    std::vector<std::string> a = split_list(args.get("backends"), "backends"), b = split_list(names, "backends");
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    if (a != b) conflict("--backends " + args.get("backends") + " differs from the file's backends " + names);
  }
  try {
    r.backends = choose_backends(Args(kRunSpec, {"--backends", names}));
  } catch (const UsageError& e) {
    conflict(e.what());
  }
  for (const auto& b : r.backends) {
    for (const BackendRecord& rec : prev.backends)
      if (rec.info.name == b->info().name && rec.device != b->device_name())
        conflict(b->info().name + " ran on '" + rec.device + "' in the file, on '" + b->device_name() + "' here");
    for (const auto& [key, version] : b->versions())
      if (auto it = prev.versions.find(key); it != prev.versions.end() && it->second != version)
        conflict("the file was measured with " + key + " " + it->second + ", this opbench has " + version);
  }
  Machine here = read_machine();
  if (here.cpu != prev.machine.cpu || here.cores != prev.machine.cores)
    conflict("the file was measured on " + prev.machine.cpu + " (" + std::to_string(prev.machine.cores) +
             " cores), this machine is " + here.cpu + " (" + std::to_string(here.cores) + " cores)");

  // The plan: listed in the file, or (older files) its built-in or file suite.
  std::vector<std::string> lines = prev.plan;
  if (lines.empty()) {
    if (prev.suite == "custom" || prev.suite.empty()) conflict("the file lists no plan of experiments");
    for (const Experiment& e : load_suite(prev.suite).experiments) lines.push_back(e.line());
  }
  for (const std::string& line : lines) {
    try {
      r.plan.push_back(parse_experiment(line));
    } catch (const UsageError& e) {
      conflict(std::string("its plan has an experiment this opbench cannot run: ") + e.what());
    }
  }
  // Every recorded experiment belongs to the plan, every cell to a backend.
  std::multiset<std::string> planned(lines.begin(), lines.end());
  for (const ExperimentRecord& e : prev.experiments) {
    auto it = planned.find(e.line);
    if (it == planned.end()) conflict("experiment " + quote(e.line) + " is not in the file's plan");
    planned.erase(it);
    for (const Cell& c : e.cells)
      if (std::none_of(prev.backends.begin(), prev.backends.end(), [&](const BackendRecord& b) { return b.info.name == c.backend; }))
        conflict("experiment " + quote(e.line) + " has a cell for backend " + quote(c.backend) + ", which the file does not list");
  }
  return r;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec);
}

size_t count_cells(const RunRecord& r) {
  size_t n = 0;
  for (const ExperimentRecord& e : r.experiments) n += e.cells.size();
  return n;
}

}  // namespace

int run_command(const Args& args) {
  if (!args.positional().empty()) throw UsageError("unexpected argument " + quote(args.positional()[0]));
  const bool isolate = !args.has("no-isolate");
  const double time_limit = args.get_double("time-limit", 600, 0.01, 1e7);
  if (!isolate && args.has("time-limit"))
    throw UsageError("--time-limit needs the worker process: it cannot be combined with --no-isolate");

  // Through the environment, which the worker inherits: the cache belongs to
  // the machine, not to the run's settings, which result.json records.
  if (args.has("no-cache")) setenv("OPBENCH_CACHE", "off", 1);

  RunSettings settings = choose_settings(args);
  std::vector<Experiment> experiments;
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<ExperimentRecord> done;
  RunRecord record;
  std::string out_dir, result_path;
  // Held until the end: no other run writes the file this one writes (or resumes).
  std::optional<OutputLock> resumed_lock, out_lock;
  if (args.has("resume")) {
    // Locked before it is read, so that no run still writing it changes it
    // after; a path that is no regular file gets its error from the reading.
    if (std::error_code ec; std::filesystem::is_regular_file(args.get("resume"), ec)) resumed_lock.emplace(args.get("resume"));
    Resumed resumed = load_resume(args, settings);
    experiments = std::move(resumed.plan);
    backends = std::move(resumed.backends);
    record = std::move(resumed.previous);
    done = std::move(record.experiments);
    record.experiments.clear();
    record.plan.clear();
    for (const Experiment& e : experiments) record.plan.push_back(e.line());
    settings = record.settings;
    result_path = args.get("resume");
    out_dir = std::filesystem::path(result_path).parent_path().string();
    if (out_dir.empty()) out_dir = ".";
    if (args.has("out")) out_dir = args.get("out"), result_path = out_dir + "/result.json";
  } else {
    std::string suite_name;
    experiments = choose_experiments(args, suite_name);
    backends = choose_backends(args);
    record = new_record(suite_name, settings, backends);
    record.peaks = load_calibration(args.get("calibration", default_calibration_path(record.machine)), record.machine);
    for (const Experiment& e : experiments) record.plan.push_back(e.line());
    out_dir = args.get("out", default_out_dir());
    result_path = out_dir + "/result.json";
  }
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out " + quote(out_dir) + ": cannot create the folder (" + ec.message() + ")");
  if (!resumed_lock || !same_file(args.get("resume"), result_path)) out_lock.emplace(result_path);

  std::vector<Backend*> running;
  std::vector<std::string> names;
  for (auto& b : backends) {
    b->set_threads(settings.threads);
    if (settings.memory && !isolate) b->count_memory();  // a worker counts its own
    running.push_back(b.get());
    names.push_back(b->info().name);
  }
  // From here on a file exists that --resume can finish (a resumed run
  // keeps its file as it is until the first new experiment is done).
  if (done.empty()) write_file_atomically(result_path, to_json(record));
  if (!done.empty() && !args.has("quiet")) {
    size_t planned = experiments.size() * backends.size(), have = 0;
    for (const ExperimentRecord& e : done) have += e.cells.size();
    std::cerr << "resuming " << args.get("resume") << ": " << have << " of " << planned << " cells done, "
              << planned - std::min(have, planned) << " to run\n";
  }

  catch_interruptions();
  RunProgress progress(args.has("quiet"), result_path);
  std::unique_ptr<ExperimentExecutor> executor;
  if (isolate) executor = std::make_unique<IsolatedExecutor>("", names, time_limit);
  else executor = std::make_unique<InProcessExecutor>();
  try {
    run_experiments(experiments, running, record, progress, *executor, done);
    executor.reset();  // stops the worker
    write_file_atomically(result_path, to_json(record));
  } catch (const std::exception& e) {
    progress.done();
    throw std::runtime_error(std::string(e.what()) + "; " + result_path +
                             " keeps what was measured before: opbench run --resume " + result_path + " finishes the run");
  }
  progress.done();

  size_t planned = experiments.size() * backends.size(), have = count_cells(record);
  if (int sig = interruption(); sig && have < planned) {
    std::cerr << "opbench run: stopped by " << (sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal") << ": "
              << have << " of " << planned << " cells are in " << result_path << "; to finish the run: opbench run --resume "
              << result_path << "\n";
    return kExitInterrupted + sig;
  }

  std::cout << render_run(record);
  if (args.has("metrics")) std::cout << "\n## Metrics\n\n" << metrics_table(record);
  flush_stdout("the tables", "; the results are in " + result_path);
  std::string written;
  for (const Reporter* r : reporters()) {
    if (r->run_file().empty() || (r->on_request() && !args.has(r->name())) || !r->has_content(record)) continue;
    write_file_atomically(out_dir + "/" + r->run_file(), r->render_run_file(record));
    written += ", " + r->run_file();
  }
  std::cerr << "results: " << result_path << written << "\n";
  return kExitOk;
}

}  // namespace opbench::cli
