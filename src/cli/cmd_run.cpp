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
#include "cli/run_resume.h"
#include "execution/estimate.h"
#include "execution/machine.h"
#include "execution/runner.h"
#include "execution/session.h"
#include "execution/world.h"
#include "format/calibration_file.h"
#include "format/json.h"
#include "format/output_lock.h"
#include "model/error.h"
#include "model/ops.h"
#include "model/suite.h"
#include "report/markdown.h"
#include "report/metrics.h"
#include "report/reporter.h"
#include "store/store.h"

namespace opbench::cli {

const CommandSpec kRunSpec = {
    "run",
    "opbench run [options]",
    "Times every experiment of a suite on every chosen backend, prints the detailed and the average table\n"
    "(milliseconds, the seed's format) and writes them, with a JSON file of every sample, to --out, a folder\n"
    "that holds no run yet (one that does is refused: a fresh folder, or --resume to finish it). A run that will\n"
    "take more than a minute says so first, with its estimate: the time each cell took in the earlier run of\n"
    "this machine beside --out (results/ by default) that has the most of them, else the bounds the sampling\n"
    "settings put on each cell. A --case that --ops or --filter leaves out is named on stderr.",
    {
        {"backends", "LIST", "backends to time, e.g. cpu,cuda (default: every available one; see opbench list)"},
        {"versions", "FW=V,V", "time these versions of a framework side by side, e.g. torch=2.11.0,2.15.0 (repeatable: --versions mlx=0.31.2,0.32.4); each is installed once under ~/.opbench/envs and its backends are named cpu@torch-2.15.0", true},
        {"rounds", "N", "with --versions: rounds over the versions per experiment, each a 1/N share of every cell's sampling (default: 3)"},
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
        {"wait", "HOW", "how a timed call waits for a GPU result: poll (default: the thread checks for completion in a loop, as CUDA's synchronise does), sleep (it blocks until the driver wakes it, as MLX's eval does: a wake-up on every call), framework (each framework's own: MLX sleeps, PyTorch polls, as the reference harness timed)"},
        {"one-core", "", "hold every thread of the worker on one core while a GPU cell is timed, so that a hand-over between the caller and a framework's thread (autograd's, MLX-CUDA's completion thread) costs the same in every run; with MLX, use it with --wait sleep, as a polling thread on that core slows MLX's own (default: wherever the OS puts them, as in a user's process)"},
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
        {"label", "TEXT", "what this run measured, e.g. a commit or 'nightly 2026-12-03': kept in result.json and the history"},
        {"store", "PATH|URL", "the history this run is appended to: a SQLite file or postgresql://user@host:port/db (default: $OPBENCH_STORE, else ~/.opbench/history.sqlite; see opbench history)"},
        {"no-store", "", "do not append this run to the history"},
        {"fail-on-regression", "PCT", "exit " + std::to_string(kExitRegression) + " when a cell is slower than its history's level by more than PCT percent and beyond noise (the notes name them)"},
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
// that each pass's tables, and result.json, hold the experiments in the
// order of the suite. They run in pairs, each experiment's pass given first
// right before its other (execution/runner.h run_order), which takes its
// inputs. A line that names its pass (pass=backward) keeps it.
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

// Leaves out the experiments `drop` names. A --case among them is said, with
// `why` it is left out: the user asked for it by name.
template <typename Drop, typename Why>
void leave_out(std::vector<Experiment>& experiments, std::set<std::string>& cases, Drop drop, Why why) {
  std::erase_if(experiments, [&](const Experiment& e) {
    if (!drop(e)) return false;
    if (cases.erase(e.line()))
      std::cerr << "opbench run: note: --case " << quote(e.line()) << " does not run: " << why(e) << "\n";
    return true;
  });
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
  // The --case experiments, and their lines as the experiments write them.
  std::vector<Experiment> typed(experiments.end() - static_cast<std::ptrdiff_t>(args.all("case").size()), experiments.end());
  std::set<std::string> cases;
  for (const Experiment& e : typed) cases.insert(e.line());

  if (args.has("ops")) {
    std::set<std::string> ops;
    for (const std::string& op : split_list(args.get("ops"), "ops")) ops.insert(find_op(op).name);
    leave_out(experiments, cases, [&](const Experiment& e) { return !ops.count(e.op); },
              [&](const Experiment& e) { return "its op " + e.op + " is not in --ops " + args.get("ops"); });
  }
  set_ranks(args, experiments);  // after --ops, which may leave out what a rank count cannot split; before --filter, which sees ran=N
  // The cases --ops kept, with their ranks= as --filter sees them.
  std::erase_if(typed, [&](const Experiment& e) { return !cases.count(e.line()); });
  set_ranks(args, typed);
  cases.clear();
  for (const Experiment& e : typed) cases.insert(e.line());
  if (args.has("filter")) {
    std::regex pattern;
    try {
      pattern = std::regex(args.get("filter"));
    } catch (const std::regex_error&) {
      throw UsageError("--filter " + quote(args.get("filter")) + " is not a valid regular expression");
    }
    leave_out(experiments, cases, [&](const Experiment& e) { return !std::regex_search(e.name(), pattern); },
              [&](const Experiment& e) {
                return "its name " + quote(e.name()) + " does not match --filter " + quote(args.get("filter"));
              });
  }
  if (experiments.empty()) throw UsageError("no experiment left to run after --ops/--filter");
  experiments = with_passes(experiments, choose_passes(args));
  drop_repeats(experiments);
  return experiments;
}


std::string default_out_dir() {
  std::string stamp = utc_now();  // 2026-11-25T19:40:00Z -> 2026-11-25T19-40-00
  std::replace(stamp.begin(), stamp.end(), ':', '-');
  return "results/" + stamp.substr(0, stamp.size() - 1);
}

// ---- while it runs -------------------------------------------------------

// Progress on stderr, a line a cell (one that rewrites itself on a terminal).
class RunProgress : public RunObserver {
 public:
  explicit RunProgress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO)) {}

  void cell_started(size_t index, size_t total, const Experiment& e, const std::string& backend, double elapsed) override {
    if (quiet_) return;
    std::string left = index ? "~" + duration_text(elapsed / index * (total - index)) + " left" : "";
    char head[64];
    std::snprintf(head, sizeof head, "[%zu/%zu] %s elapsed", index + 1, total, duration_text(elapsed).c_str());
    std::string pass = e.pass == Pass::forward ? "" : " [" + pass_text(e.pass) + "]";
    std::string line = std::string(head) + (left.empty() ? "" : ", " + left) + "  " + backend + "  " + e.name() + pass;
    if (tty_) std::cerr << "\r\033[K" << line << std::flush;
    else std::cerr << line << "\n";
  }
  void experiment_finished(const RunRecord&) override {}
  bool stop_requested() override { return interruption() != 0; }
  void done() const {
    if (!quiet_ && tty_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool quiet_, tty_;
};


bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::weakly_canonical(a, ec) == std::filesystem::weakly_canonical(b, ec);
}

// ---- the history ---------------------------------------------------------

// --fail-on-regression as a fraction; checked before anything runs.
std::optional<double> regression_threshold(const Args& args, const std::optional<std::string>& store) {
  if (!args.has("fail-on-regression")) return std::nullopt;
  double pct = args.get_double("fail-on-regression", 0, 0, 1e6);
  if (!store)
    throw UsageError("--fail-on-regression compares with the history: it needs a store (not --no-store or OPBENCH_STORE=off)");
  return pct / 100;
}

// Appends the finished run to the history and, with a threshold, judges it
// against the levels the history held before it. A store that fails costs
// only itself: one warning line with its reason (the run is in result.json).
int record_in_history(const std::optional<std::string>& location, const RunRecord& record, const std::string& result_path,
                      std::optional<double> threshold) {
  if (!location) return kExitOk;
  std::vector<Regression> slower;
  try {
    Store store(*location);
    if (threshold) {
      HistoryQuery query;
      query.machines = {machine_fingerprint(record)};
      for (const ExperimentRecord& e : record.experiments)
        if (std::find(query.ops.begin(), query.ops.end(), e.op) == query.ops.end()) query.ops.push_back(e.op);
      slower = regressions(store.read(query), record, *threshold);
    }
    store.append(record, result_path);
  } catch (const std::exception& e) {
    std::cerr << "opbench run: warning: the run is not in the history (" << printable(e.what()) << "); "
              << "'opbench history import " << result_path << "' adds it later"
              << (threshold ? "; no regression check was made" : "") << "\n";
    return threshold ? kExitFailure : kExitOk;
  }
  if (slower.empty()) return kExitOk;
  std::cout << "\nRegressions against the history (--fail-on-regression " << formatted("%g", *threshold * 100) << "):\n";
  for (const Regression& r : slower)
    std::cout << "- " << r.cell << ": " << formatted("%.4g ms", r.ms) << " against its level of "
              << formatted("%.4g ms", r.change.level) << ", " << formatted("%+.1f %%", 100 * r.change.change) << " ("
              << formatted("%.1f", r.change.z) << " standard errors)\n";
  flush_stdout("the regressions");
  return kExitRegression;
}

// A folder that holds a run is not written over: that run would be lost
// without a word. One line says what is there and the two ways on.
void refuse_a_folder_with_a_run(const std::string& result_path) {
  std::error_code ec;
  if (!std::filesystem::exists(result_path, ec)) return;
  std::string what;
  try {
    const RunRecord held = read_result_file(result_path);
    const size_t planned = held.plan.size() * held.backends.size(), have = count_cells(held);
    what = have >= planned ? "a finished run (" + std::to_string(held.experiments.size()) + " experiments)"
                           : "an unfinished run (" + std::to_string(have) + " of " + std::to_string(planned) + " cells)";
  } catch (const UsageError&) {
    what = "a result.json that does not read as a result";
  }
  throw UsageError(result_path + " holds " + what + ", which this run would replace: give --out a fresh folder, or " +
                   "finish an unfinished run with opbench run --resume " + result_path);
}

// Before a run of more than a minute: how long it will take, and how that is
// known (execution/estimate.h). Earlier runs are looked for beside the output
// folder (results/ for the default results/<date>T<time>), this run's own file left out.
void tell_estimate(const std::vector<Experiment>& experiments, const std::vector<std::unique_ptr<Backend>>& backends,
                   const std::vector<ExperimentRecord>& done, const RunRecord& record, const std::string& result_path) {
  std::vector<PlannedCell> cells;
  for (const Experiment& e : experiments)
    for (const auto& b : backends) {
      const std::string line = e.line(), name = b->info().name;
      bool have = std::any_of(done.begin(), done.end(), [&](const ExperimentRecord& d) { return d.line == line && d.find(name); });
      if (!have) cells.push_back({line, name});
    }
  std::filesystem::path folder = std::filesystem::path(result_path).parent_path().parent_path();
  const std::string searched = folder.empty() ? "." : folder.string();
  std::vector<EarlierRun> earlier = earlier_runs(searched);
  std::erase_if(earlier, [&](const EarlierRun& run) { return same_file(run.path, result_path); });
  std::string line = estimate_text(estimate_run(cells, record.settings.sampler, earlier, record.machine), searched);
  if (!line.empty()) std::cerr << "opbench run: " << line << "\n";
}

// The value of a word option (--timing, --wait), or `otherwise` where it is
// not given; an unknown word's error names the option.
template <typename E>
E word_option(const Args& args, const std::string& name, E (*from_word)(const std::string&), E otherwise) {
  if (!args.has(name)) return otherwise;
  try {
    return from_word(args.get(name));
  } catch (const UsageError& e) {
    throw UsageError("--" + name + " " + e.what());
  }
}

}  // namespace

RunSettings choose_settings(const Args& args) {
  RunSettings s;
  SamplerSettings& m = s.sampler;
  s.threads = static_cast<int>(args.get_int("threads", 0, 1, 4096));
  s.seed = static_cast<uint64_t>(args.get_int("seed", 0, 0, INT64_MAX));
  s.check = !args.has("no-check");
  s.memory = args.has("memory");
  m.timing = word_option(args, "timing", timing_from_word, m.timing);
  m.wait = word_option(args, "wait", wait_from_word, m.wait);
  m.batch = args.get_int("batch", 0, 1, 1'000'000);
  if (m.batch && m.timing != Timing::batched) throw UsageError("--batch needs --timing batched");
  m.cold = args.has("cold");
  m.stop_when_settled = !args.has("no-settle");
  if (m.cold && m.timing == Timing::batched) throw UsageError("--cold cannot flush between the calls of a batch: use --timing wall or events");
  // The rounds over the versions; checked against --versions by the run (a
  // result file's settings pass through here without them).
  s.rounds = static_cast<int>(args.get_int("rounds", args.has("versions") ? 3 : 1, 1, 1000));
  m.fresh_memory = args.has("fresh-memory");
  m.one_core = args.has("one-core");
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
  const std::optional<std::string> store = store_location(args.has("no-store"), args.get("store"));
  if (args.has("no-store") && args.has("store")) throw UsageError("--store and --no-store contradict each other");
  const std::optional<double> threshold = regression_threshold(args, store);
  std::vector<Experiment> experiments;
  std::vector<std::unique_ptr<Backend>> backends;
  std::vector<ExperimentRecord> done;
  std::unique_ptr<ExperimentExecutor> versions_executor;  // with --versions: the rounds over the versions
  RunRecord record;
  std::string out_dir, result_path;
  // Held until the end: no other run writes the file this one writes (or resumes).
  std::optional<OutputLock> resumed_lock, out_lock;
  if (args.has("resume")) {
    // Locked before it is read, so that no run still writing it changes it
    // after; a path that is no regular file gets its error from the reading.
    if (std::error_code ec; std::filesystem::is_regular_file(args.get("resume"), ec)) resumed_lock.emplace(args.get("resume"));
    Resumed resumed = load_resume(args, settings, time_limit);
    experiments = std::move(resumed.plan);
    backends = std::move(resumed.backends);
    versions_executor = std::move(resumed.executor);
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
    if (args.has("versions")) {
      if (!isolate) throw UsageError("--versions needs worker processes: it cannot be combined with --no-isolate");
      VersionsChoice choice =
          choose_versions(args.all("versions"),
                          args.has("backends") ? split_list(args.get("backends"), "backends") : std::vector<std::string>{},
                          settings.rounds, time_limit);
      backends = std::move(choice.backends);
      versions_executor = std::move(choice.executor);
    } else {
      if (args.has("rounds")) throw UsageError("--rounds needs --versions: the rounds are over the versions");
      backends = choose_backends(args);
    }
    record = new_run_record(suite_name, settings, backends);
    record.peaks = load_calibration(args.get("calibration", default_calibration_path(record.machine)), record.machine);
    for (const Experiment& e : experiments) record.plan.push_back(e.line());
    out_dir = args.get("out", default_out_dir());
    result_path = out_dir + "/result.json";
  }
  if (args.has("label")) record.label = args.get("label");
  std::error_code ec;
  std::filesystem::create_directories(out_dir, ec);
  if (ec) throw UsageError("--out " + quote(out_dir) + ": cannot create the folder (" + ec.message() + ")");
  if (!resumed_lock || !same_file(args.get("resume"), result_path)) {
    out_lock.emplace(result_path);  // first: a run still writing the folder is named as such
    refuse_a_folder_with_a_run(result_path);
  }

  if (!done.empty() && !args.has("quiet")) {
    size_t planned = experiments.size() * backends.size(), have = 0;
    for (const ExperimentRecord& e : done) have += e.cells.size();
    std::cerr << "resuming " << args.get("resume") << ": " << have << " of " << planned << " cells done, "
              << planned - std::min(have, planned) << " to run\n";
  }

  if (!args.has("quiet")) tell_estimate(experiments, backends, done, record, result_path);

  RunJob job{{}, {}, std::move(done), result_path, isolate, time_limit, versions_executor.get()};
  job.experiments = experiments;
  for (auto& b : backends) job.backends.push_back(b.get());
  catch_interruptions();
  RunProgress progress(args.has("quiet"));
  try {
    execute_run(job, record, progress);
  } catch (const std::exception&) {
    progress.done();
    throw;
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
  return record_in_history(store, record, result_path, threshold);
}

}  // namespace opbench::cli
