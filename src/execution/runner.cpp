#include "execution/runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <new>
#include <optional>

#include "execution/one_core.h"
#include "execution/sampler.h"
#include "execution/worker_process.h"
#include "format/reference_cache.h"
#include "model/check.h"
#include "execution/build_info.h"
#include "model/memory.h"
#include "model/ops.h"
#include "model/parallel.h"

namespace opbench {

namespace {


// The check run, on poisoned memory: the output, found where it lies, judged
// by the experiment's check. A copying op's result whose digest matches is
// right in every element without coming to the host; against a sampled
// reference only the sampled elements come (a 4 GiB MatMul result took 7 s
// to copy on the H100 machine).
CheckRecord checked_run(PreparedOp& op, const ExperimentCheck& check) {
  op.poison(static_cast<size_t>(element_count(check.shape())) * 8);
  op.run();
  if (check.digest() != 0)
    if (std::optional<uint64_t> digest = op.output_digest(); digest && *digest == check.digest())
      if (std::optional<CheckRecord> same = check.by_digest(op.output_at({}).shape)) {
        op.release_output();
        return *same;
      }
  CheckRecord record = check.sampled() ? check.judge(op.output_at(check.positions())) : check.judge(op.output());
  op.release_output();
  return record;
}

// Frameworks append stack traces to their messages: keep the first line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// The peak memory of one more call, after the samples so that it disturbs
// none of them. A measurement that fails is the figure's failure, not the
// cell's: its time stands.
MemoryFigure measured_memory(PreparedOp& op, const Experiment& e) {
  MemoryFigure m;
  try {
    m = op.measure_peak_memory();
  } catch (const std::exception& ex) {
    m = {};
    m.unavailable = "the measuring call failed: " + first_line(ex.what());
  }
  m.least_bytes = m.in_place ? 0 : least_memory(e);
  return m;
}

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

Cell run_cell(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected,
              const SamplerSettings& settings, bool memory) {
  return run_cell(backend, ExperimentCheck(e, inputs, expected), settings, memory);
}

Cell run_cell(Backend& backend, const ExperimentCheck& check, const SamplerSettings& settings, bool memory) {
  const Experiment& e = check.experiment();
  Cell cell;
  cell.backend = backend.info().name;
  release_free_host_memory();
  CellPhases& phases = cell.phases.emplace();
  try {
    Clock::time_point start = Clock::now();
    std::unique_ptr<PreparedOp> op = backend.prepare(e, check.inputs());
    op->set_wait(settings.wait);
    phases.prepare_s = seconds_since(start);
    start = Clock::now();
    cell.check = checked_run(*op, check);
    phases.check_s = seconds_since(start);
    if (cell.wrong()) return cell;  // an imprecise output is timed
    Measurement m = [&] {
      // A collective's ranks would share a core, and its library's threads need their own.
      std::optional<OneCore> held;
      if (settings.one_core && !backend.device_name().empty() && !e.spec().collective) held.emplace();
      return measure(*op, settings);
    }();
    phases.warmup_s = m.warmup_s;
    phases.sampling_s = m.sampling_s;
    cell.samples_ms = std::move(m.samples_ms);
    cell.stats = m.stats;
    cell.stop = m.stop;
    cell.timing = m.timing;
    cell.batch = m.batch;
    cell.cache = m.cache;
    cell.host = m.host;
    cell.warmup = WarmUpRecord{m.warmup_calls, m.warmup_capped};
    if (memory) cell.memory = measured_memory(*op, e);
  } catch (const std::bad_alloc&) {
    cell.error = "out of memory";
  } catch (const std::exception& ex) {
    cell.error = first_line(ex.what());
  } catch (...) {
    cell.error = "unknown failure";
  }
  return cell;
}

namespace {

// Inputs and reference of one experiment; a failure to make them becomes
// every cell's error.
struct Prepared {
  std::vector<HostTensor> inputs;
  RefTensor expected;
  bool has_expected = false;
  std::string error;
  double inputs_s = 0, reference_s = 0;
};

// References that take less than this are made again rather than read.
constexpr double kWorthCachingS = 0.05;

// `e`'s reference from the cache (~/.opbench/cache/references, bounded; off
// with --no-cache), else computed, and kept there when it took long enough.
RefTensor cached_reference(const Experiment& e, const std::vector<HostTensor>& inputs, uint64_t seed) {
  static const std::optional<ReferenceCache> cache = ReferenceCache::for_this_run(this_build());
  std::string key = cache ? ReferenceCache::key(e, seed) : "";
  if (cache)
    if (std::optional<RefTensor> hit = cache->load(key)) return std::move(*hit);
  Clock::time_point start = Clock::now();
  RefTensor ref = expected_result(e, inputs);
  if (const double took = seconds_since(start); cache && took >= kWorthCachingS) cache->store(key, ref, took);
  return ref;
}

// `reused`: the inputs of an experiment of e's inputs_key (KeptInputs), to
// which only dy is added; else they are made.
Prepared prepare_experiment(const Experiment& e, const RunSettings& settings,
                            std::optional<std::vector<HostTensor>> reused) {
  Prepared p;
  try {
    Clock::time_point start = Clock::now();
    p.inputs = reused ? with_upstream_gradient(e, settings.seed, std::move(*reused)) : make_inputs(e, settings.seed);
    p.inputs_s = seconds_since(start);
    if (settings.check) {
      start = Clock::now();
      p.expected = cached_reference(e, p.inputs, settings.seed);
      p.reference_s = seconds_since(start);
      p.has_expected = true;
    }
  } catch (const std::bad_alloc&) {
    p.error = "out of memory while generating the inputs or the reference";
  } catch (const std::exception& ex) {
    p.error = "cannot generate the inputs or the reference: " + first_line(ex.what());
  }
  return p;
}

// What an experiment's wall time went to beyond its inputs, reference and
// cells' own phases.
double harness_seconds(double wall_s, const ExperimentPhases& phases, const std::vector<Cell>& cells) {
  double accounted = phases.inputs_s + phases.reference_s;
  for (const Cell& c : cells)
    if (c.phases) accounted += c.phases->total_s();
  return std::max(0.0, wall_s - accounted);
}

// A backward experiment of an op without a gradient (Argmax): every cell is
// n/a with the op's reason, and nothing is made or run.
bool not_applicable(const Experiment& e, const std::vector<Backend*>& backends, const CellEvents& events) {
  if (e.pass != Pass::backward) return false;
  std::string why = no_gradient_reason(e);
  if (why.empty()) return false;
  if (events.prepared) events.prepared(0, 0);
  for (size_t i = 0; i < backends.size(); ++i) {
    if (events.stop && events.stop()) break;
    if (events.started) events.started(i);
    Cell cell = failed_cell(backends[i]->info().name, why);
    cell.not_applicable = true;
    if (events.finished) events.finished(i, std::move(cell));
  }
  return true;
}

}  // namespace

std::optional<std::vector<HostTensor>> KeptInputs::take(const Experiment& e, uint64_t seed) {
  std::optional<std::vector<HostTensor>> out;
  if (!key_.empty() && seed == seed_ && key_ == inputs_key(e)) out = std::move(inputs_);
  key_.clear();
  inputs_ = {};  // freed here, before the next experiment makes its own
  return out;
}

void KeptInputs::keep(const Experiment& e, uint64_t seed, std::vector<HostTensor> inputs) {
  if (e.pass == Pass::backward) inputs.pop_back();  // dy, the last input (model/ops.h make_inputs)
  key_ = inputs_key(e);
  seed_ = seed;
  inputs_ = std::move(inputs);
}

void run_experiment(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
                    const CellEvents& events, KeptInputs* kept, bool keep_inputs) {
  // First, whatever `e` is: kept inputs that are not e's are freed before
  // its memory check and its own inputs.
  std::optional<std::vector<HostTensor>> reused = kept ? kept->take(e, settings.seed) : std::nullopt;
  if (not_applicable(e, backends, events)) return;
  const MemoryNeed need = estimate_memory(e, settings.check);
  // The estimate counts the inputs, which taken ones already hold: the memory
  // they take is this experiment's too.
  std::optional<uint64_t> available = available_host_memory();
  if (available && reused)
    for (const HostTensor& t : *reused) *available += t.bytes();
  Prepared p;
  p.error = memory_shortfall(need.host_bytes, available, "memory");
  if (p.error.empty()) p = prepare_experiment(e, settings, std::move(reused));
  reused.reset();  // refused for memory: freed now
  if (events.prepared) events.prepared(p.inputs_s, p.reference_s);
  // What a right result is, asked once for every backend's cell.
  std::optional<ExperimentCheck> check;
  if (p.error.empty()) try {
      check.emplace(e, p.inputs, p.has_expected ? &p.expected : nullptr);
    } catch (const std::exception& ex) {
      p.error = "cannot tell the result's shape: " + first_line(ex.what());
    }
  for (size_t i = 0; i < backends.size(); ++i) {
    if (events.stop && events.stop()) return;
    if (events.started) events.started(i);
    Backend& backend = *backends[i];
    std::string reason = p.error;
    if (reason.empty())
      if (std::optional<uint64_t> free = backend.free_device_memory())
        reason = memory_shortfall(need.device_bytes, free, "memory on " + backend.device_name());
    Cell cell = reason.empty() ? run_cell(backend, *check, settings.sampler, settings.memory)
                               : failed_cell(backend.info().name, reason);
    if (events.finished) events.finished(i, std::move(cell));
  }
  if (kept && keep_inputs && p.error.empty()) {
    check.reset();  // it refers to the inputs
    kept->keep(e, settings.seed, std::move(p.inputs));
  }
}

std::vector<size_t> run_order(const std::vector<Experiment>& experiments) {
  // Twins share their line in the forward pass.
  auto forward_line = [](Experiment e) {
    e.pass = Pass::forward;
    return e.line();
  };
  std::map<std::string, std::vector<size_t>> twins;
  for (size_t i = 0; i < experiments.size(); ++i) twins[forward_line(experiments[i])].push_back(i);
  std::vector<size_t> order;
  std::vector<bool> placed(experiments.size(), false);
  for (size_t i = 0; i < experiments.size(); ++i) {
    if (placed[i]) continue;
    for (size_t j : twins[forward_line(experiments[i])]) {
      order.push_back(j);
      placed[j] = true;
    }
  }
  return order;
}

void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer, ExperimentExecutor& executor,
                     const std::vector<ExperimentRecord>& done) {
  // Each experiment's earlier record, if any: the first unused one with its line.
  std::vector<const ExperimentRecord*> earlier(experiments.size(), nullptr);
  std::vector<bool> used(done.size(), false);
  for (size_t i = 0; i < experiments.size(); ++i)
    for (size_t k = 0; k < done.size(); ++k)
      if (!used[k] && done[k].line == experiments[i].line()) {
        earlier[i] = &done[k];
        used[k] = true;
        break;
      }

  // record.experiments holds, in order, every experiment that has a cell:
  // `slot[i]` is experiment i's position there, or npos.
  const size_t npos = static_cast<size_t>(-1), base = record.experiments.size();
  std::vector<size_t> slot(experiments.size(), npos);
  std::vector<std::vector<Backend*>> missing(experiments.size());
  size_t total = 0;
  for (size_t i = 0; i < experiments.size(); ++i) {
    for (Backend* b : backends)
      if (!earlier[i] || !earlier[i]->find(b->info().name)) missing[i].push_back(b);
    total += missing[i].size();
    if (earlier[i]) {
      slot[i] = record.experiments.size();
      ExperimentRecord rec = *earlier[i];
      std::erase_if(rec.cells, [&](const Cell& c) {
        return std::none_of(backends.begin(), backends.end(), [&](Backend* b) { return b->info().name == c.backend; });
      });
      record.experiments.push_back(std::move(rec));
    }
  }

  // The experiments that run, in the order they run in: the executor may
  // keep an experiment's inputs when the next one has the same.
  std::vector<size_t> order;
  for (size_t i : run_order(experiments))
    if (!missing[i].empty()) order.push_back(i);

  auto start = std::chrono::steady_clock::now();
  size_t index = 0;
  for (size_t n = 0; n < order.size(); ++n) {
    const size_t i = order[n];
    if (observer.stop_requested()) break;
    const Experiment& e = experiments[i];
    const bool keep_inputs = n + 1 < order.size() && inputs_key(experiments[order[n + 1]]) == inputs_key(e);
    std::vector<Cell> cells;
    ExperimentPhases phases;
    auto experiment_start = std::chrono::steady_clock::now();
    CellEvents events;
    events.prepared = [&](double inputs_s, double reference_s) {
      phases.inputs_s += inputs_s;
      phases.reference_s += reference_s;
    };
    events.started = [&](size_t k) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      observer.cell_started(index++, total, e, missing[i][k]->info().name, elapsed);
    };
    events.finished = [&](size_t, Cell cell) { cells.push_back(std::move(cell)); };
    events.stop = [&] { return observer.stop_requested(); };
    executor.run(e, missing[i], record.settings, events, keep_inputs);
    phases.harness_s = harness_seconds(seconds_since(experiment_start), phases, cells);
    bool stopped = cells.size() < missing[i].size();
    if (cells.empty()) {
      if (stopped) break;  // stopped before its first cell
      continue;
    }

    if (slot[i] == npos) {
      size_t at = base;
      for (size_t j = 0; j < i; ++j) at += slot[j] != npos;
      record.experiments.insert(record.experiments.begin() + static_cast<std::ptrdiff_t>(at),
                                ExperimentRecord{e.op, e.name(), e.line(), {}, {}, e.pass});
      for (size_t j = i + 1; j < experiments.size(); ++j)
        if (slot[j] != npos) ++slot[j];
      slot[i] = at;
    }
    // The cells in the order of `backends`: earlier ones and new ones merged.
    ExperimentRecord& rec = record.experiments[slot[i]];
    std::vector<Cell> merged;
    for (Backend* b : backends) {
      const std::string& name = b->info().name;
      if (const Cell* old = rec.find(name)) merged.push_back(*old);
      else if (auto it = std::find_if(cells.begin(), cells.end(), [&](const Cell& c) { return c.backend == name; });
               it != cells.end())
        merged.push_back(std::move(*it));
    }
    rec.cells = std::move(merged);
    if (rec.phases) phases += *rec.phases;  // resumed: the earlier run's part and this one's
    rec.phases = phases;
    observer.experiment_finished(record);
    if (stopped) break;  // stopped part-way
  }
}

void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer) {
  InProcessExecutor in_process;
  run_experiments(experiments, backends, record, observer, in_process);
}

}  // namespace opbench
