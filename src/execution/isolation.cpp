#include "execution/isolation.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "execution/backend.h"
#include "execution/worker_process.h"
#include "execution/worker_protocol.h"
#include "format/json.h"

namespace opbench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

std::string format_seconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

const char* const kWhileMaking = "while making the inputs and the reference";

// A cell the framework failed (an error, not a wrong output, an op without a
// gradient, or an op the backend declares it cannot run): its process may be
// left in a state that fails what follows.
bool failed_in_framework(const Cell& cell, const Backend& backend, const Experiment& e) {
  return !cell.error.empty() && !cell.not_applicable && !cell.wrong() && backend.support(e.op).implemented;
}

}  // namespace

std::string time_limit_message(double seconds) { return "time limit of " + format_seconds(seconds) + " s exceeded"; }

IsolatedExecutor::IsolatedExecutor(std::string exe, std::vector<std::string> backends, double time_limit_s)
    : exe_(exe.empty() ? this_executable() : std::move(exe)), backends_(std::move(backends)), time_limit_s_(time_limit_s) {
  // A worker that dies leaves a pipe without reader: writing to it must be
  // an error to handle, not a signal that ends opbench.
  old_sigpipe_ = signal(SIGPIPE, SIG_IGN);
}

IsolatedExecutor::~IsolatedExecutor() {
  stop_workers();
  signal(SIGPIPE, old_sigpipe_ == SIG_ERR ? SIG_DFL : old_sigpipe_);
}

void IsolatedExecutor::stop_workers() {
  // Between experiments they read their input: at its end they exit by themselves.
  for (auto& w : workers_) {
    close(w->to);
    w->to = -1;
  }
  for (auto& w : workers_)
    if (w->pid > 0) w->reap(1.0);
  workers_.clear();
  remove_rendezvous(rendezvous_);
  rendezvous_ = {};
}

void IsolatedExecutor::kill_workers() {
  for (auto& w : workers_) w->kill_now();
  for (auto& w : workers_)
    if (w->pid > 0) w->reap(1.0);
  workers_.clear();
  remove_rendezvous(rendezvous_);
  rendezvous_ = {};
}

std::string IsolatedExecutor::start_workers(const RunSettings& settings, const CellEvents& events, int ranks) {
  std::vector<std::string> base_names;
  std::string names;
  for (const std::string& b : backends_) {
    base_names.push_back(base_name(b));
    names += (names.empty() ? "" : ",") + base_names.back();
  }
  const std::vector<std::string> args = {exe_, "worker", "--backends", names, "--settings", json(settings).dump()};
  const char* gpus = std::getenv("CUDA_VISIBLE_DEVICES");
  // A rank that cannot meet its peers says so within the cell's time limit,
  // unless the user chose how long it waits (OPBENCH_RENDEZVOUS_TIMEOUT_S).
  if (ranks > 1)
    rendezvous_ = local_rendezvous(ranks, std::getenv("OPBENCH_RENDEZVOUS_TIMEOUT_S")
                                              ? rendezvous_timeout_s()
                                              : std::clamp(0.5 * time_limit_s_, 1.0, 120.0));
  // Only the plug-ins of the worker's own backends: loading LibTorch's
  // libraries into a worker that runs MLX alone cost it 0.4 s on the 2-core
  // machine's CPU build, more with CUDA's, at every start and restart. A
  // worker of a framework version has its plug-in chosen already.
  std::vector<std::pair<std::string, std::string>> base = environment_;
  const bool chosen = std::getenv("OPBENCH_PLUGINS") ||
                      std::any_of(base.begin(), base.end(), [](const auto& v) { return v.first == "OPBENCH_PLUGINS"; });
  if (std::vector<std::string> modules = modules_of(base_names); !chosen && !modules.empty()) {
    std::string list;
    for (const std::string& m : modules) list += (list.empty() ? "" : ":") + m;
    base.emplace_back("OPBENCH_PLUGINS", list);
  }
  for (int r = 0; r < ranks; ++r) {
    std::vector<std::pair<std::string, std::string>> set = base;
    if (ranks > 1)
      for (auto& variable : rank_environment(rendezvous_, r, gpus ? gpus : "")) set.push_back(std::move(variable));
    workers_.push_back(spawn_worker(args, set.empty() ? std::vector<std::string>{} : environment_with(set)));
    ++workers_started_;
  }

  // Until each says it is ready: loading the frameworks and finding devices
  // can take a while, and is no cell's time.
  const double patience = std::max(time_limit_s_, 60.0);
  auto deadline = Clock::now() + clock_seconds(patience);
  for (size_t r = 0; r < workers_.size(); ++r) {
    json m;
    size_t dead = r;
    Wait w = next_message(workers_, r, deadline, events.stop, m, dead);
    if (w == Wait::Message && m.contains("ready")) continue;
    std::string why;
    if (w == Wait::Stopped) {
      kill_workers();
      return "";
    }
    if (w == Wait::TimedOut) {
      why = "it did not get ready within " + format_seconds(patience) + " s";
    } else if (w == Wait::Message && m.contains("fatal") && m["fatal"].is_string()) {
      why = m["fatal"].get<std::string>();
      workers_[r]->reap(5.0);
    } else if (w == Wait::Message) {
      why = "unexpected message " + m.dump().substr(0, 200);
    } else {
      // Another rank's pipe may have closed while this one was awaited: its
      // last words (a fatal answer) are then still in its buffer.
      json last;
      size_t again = dead;
      r = dead;
      if (next_message(workers_, dead, Clock::now(), nullptr, last, again) == Wait::Message && last.contains("fatal") &&
          last["fatal"].is_string()) {
        why = last["fatal"].get<std::string>();
        workers_[dead]->reap(5.0);
      } else {
        workers_[dead]->kill_now();
        why = describe_death(workers_[dead]->reap(1.0), "", workers_[dead]->last_message);
      }
    }
    kill_workers();
    if (ranks == 1) throw std::runtime_error("the worker process (" + exe_ + " worker) cannot start: " + why);
    return "the " + std::to_string(ranks) + " ranks cannot start: " + rank_prefix(ranks, r) + why;
  }
  worker_settings_ = settings;
  return "";
}

void IsolatedExecutor::run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
                           const CellEvents& events, bool keep_inputs) {
  auto limit = clock_seconds(time_limit_s_);
  auto started = [&](size_t k) {
    if (events.started) events.started(k);
  };
  auto finished = [&](size_t k, Cell cell) {
    if (events.finished) events.finished(k, std::move(cell));
  };
  // Every cell's reason from here on: making the inputs failed, a world could not start.
  auto fail_the_rest = [&](size_t& next, const std::string& reason) {
    for (; next < backends.size(); ++next) {
      started(next);
      finished(next, failed_cell(backends[next]->info().name, reason));
    }
  };
  // A process that is itself one rank of a world started across hosts
  // (WORLD_SIZE set) starts one worker, which inherits its rank's variables.
  const size_t ranks = world_from_environment().size > 1 ? 1 : static_cast<size_t>(e.ranks);
  if (!workers_.empty() && (!(settings == worker_settings_) || workers_.size() != ranks)) stop_workers();

  size_t next = 0;
  while (next < backends.size()) {
    if (events.stop && events.stop()) return;
    if (workers_.empty()) {
      if (std::string why = start_workers(settings, events, static_cast<int>(ranks)); !why.empty())
        return fail_the_rest(next, why);
    }
    if (workers_.empty()) return;  // stopped while they started

    std::vector<std::string> names;
    for (size_t k = next; k < backends.size(); ++k) names.push_back(base_name(backends[k]->info().name));
    // A worker that died already shows as a closed message pipe below.
    const std::string request = request_message(e, names, keep_inputs);
    for (auto& w : workers_) write_all(w->to, request);

    bool any_started = false, in_cell = false;
    auto deadline = Clock::now() + limit;
    while (true) {
      json m;
      size_t dead = 0, culprit = 0;
      Wait r = next_message(workers_, 0, deadline, events.stop, m, dead);
      if (r == Wait::Message) {
        const std::string expected = next < backends.size() ? backends[next]->info().name : "";
        const std::string expected_there = base_name(expected);  // what the worker calls it
        if (m.contains("prepared") && !any_started) {
          if (events.prepared) events.prepared(phase_seconds(m["prepared"], "inputs_s"), phase_seconds(m["prepared"], "reference_s"));
          continue;
        }
        if (m.contains("started") && m["started"] == expected_there && !in_cell) {
          any_started = in_cell = true;
          started(next);
          deadline = Clock::now() + limit;
          continue;
        }
        if (m.contains("cell") && in_cell) {
          Cell cell = read_cell(m["cell"], expected);
          // The other ranks' cells of the same backend; what else they said
          // rank 0 said too.
          for (size_t k = 1; k < workers_.size() && r == Wait::Message; ++k) {
            json theirs;
            while ((r = next_message(workers_, k, deadline, events.stop, theirs, dead)) == Wait::Message &&
                   (theirs.contains("prepared") || theirs.contains("started") || theirs.contains("done"))) {
            }
            if (r != Wait::Message) break;
            if (!theirs.contains("cell")) {
              m = theirs, culprit = k;
              break;
            }
            cell = world_cell(std::move(cell), read_cell(theirs["cell"], expected), ranks, k);
          }
          if (r == Wait::Message && culprit == 0) {
            in_cell = false;
            // A framework's error can outlive its call (CUDA's sticky errors: MLX
            // 0.31's failed Sort made every later cell of its process fail), so
            // the cells after a failure get a new worker. A world of several
            // ranks is kept: each restart is a rendezvous of every rank, and a
            // framework declines some collectives at run time by design (MLX's
            // ring has no ReduceScatter on the CPU).
            const bool restart = ranks == 1 && failed_in_framework(cell, *backends[next], e);
            finished(next++, std::move(cell));
            deadline = Clock::now() + limit;
            if (!restart) continue;
            kill_workers();
            if (next < backends.size()) break;
            return;
          }
        } else if (m.contains("done") && next == backends.size()) {
          break;
        }
        // Anything else breaks the protocol: handled as a death, below.
      }
      if (r == Wait::Stopped) {  // the cell in flight is dropped: a resume runs it again
        kill_workers();
        return;
      }

      std::string reason;
      if (r == Wait::TimedOut) {
        reason = time_limit_message(time_limit_s_) + (any_started ? "" : std::string(" ") + kWhileMaking);
      } else if (r == Wait::Message) {
        reason = rank_prefix(ranks, culprit) + "the worker broke the protocol: unexpected message " + m.dump().substr(0, 200);
      } else {
        int status = workers_[dead]->reap(2.0);
        reason = rank_prefix(ranks, dead) + describe_death(status, any_started ? "" : kWhileMaking, workers_[dead]->last_message);
      }
      kill_workers();  // the peers of a dead rank wait for it in a collective
      if (next == backends.size()) break;  // every cell was in: only the workers' end was lost
      if (!any_started) return fail_the_rest(next, reason);  // making the inputs or the reference failed: it would again
      // The cell that was running (or about to start) takes the blame; new
      // workers carry on with the backends after it.
      if (!in_cell) started(next);
      finished(next, failed_cell(backends[next]->info().name, reason));
      ++next;
      break;
    }
  }
}

}  // namespace opbench
