#include "execution/isolation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "model/error.h"
#include "format/json.h"

extern char** environ;  // the environment each rank's own is made from

namespace opbench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// ---- both sides ----------------------------------------------------------

Clock::duration seconds(double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); }

bool write_all(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string format_seconds(double seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", seconds);
  return buf;
}

std::string signal_name(int sig) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbrev = sigabbrev_np(sig)) return std::string("SIG") + abbrev;
#endif
  switch (sig) {
    case SIGABRT: return "SIGABRT";
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    default: return "signal " + std::to_string(sig);
  }
}

Cell failed_cell(const std::string& backend, const std::string& error) {
  Cell cell;
  cell.backend = backend;
  cell.error = error;
  return cell;
}

bool make_pipe(int fds[2]) {
#ifdef __linux__
  return pipe2(fds, O_CLOEXEC) == 0;
#else
  if (pipe(fds) != 0) return false;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return true;
#endif
}

}  // namespace

// The binary to start as the worker: this one, even if the file was replaced
// since (Linux's /proc/self/exe still names the running one).
std::string this_executable() {
#ifdef __APPLE__
  char path[4096];
  uint32_t size = sizeof path;
  if (_NSGetExecutablePath(path, &size) == 0) return path;
#endif
  return "/proc/self/exe";
}

std::string time_limit_message(double seconds) { return "time limit of " + format_seconds(seconds) + " s exceeded"; }

// ---- the parent's side ---------------------------------------------------

struct IsolatedExecutor::Worker {
  pid_t pid = -1;
  int to = -1;    // its standard input: requests
  int from = -1;  // its descriptor 3: messages
  int err = -1;   // its standard output and error
  std::string messages, errors;  // read, not yet split into lines
  // The last non-empty line of its output. Not reset as cells begin: its
  // output and its messages come on two pipes, whose order is lost.
  std::string last_message;
  bool from_closed = false, err_closed = false;

  ~Worker() {
    for (int fd : {to, from, err})
      if (fd >= 0) close(fd);
  }

  // Reads what its output holds now, passes it on to our standard error and
  // keeps the last line.
  void drain_errors() {
    char buf[65536];
    while (!err_closed) {
      ssize_t n = read(err, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) {
        err_closed = true;
        break;
      }
      write_all(STDERR_FILENO, std::string(buf, static_cast<size_t>(n)));
      errors.append(buf, static_cast<size_t>(n));
      for (size_t nl; (nl = errors.find('\n')) != std::string::npos; errors.erase(0, nl + 1)) keep(errors.substr(0, nl));
    }
    keep(errors);  // a last line without its newline
    errors.clear();
  }

  void keep(std::string line) {
    std::replace(line.begin(), line.end(), '\r', ' ');
    line.erase(0, line.find_first_not_of(" \t"));
    line.erase(line.find_last_not_of(" \t") + 1);
    if (line.empty()) return;
    last_message = line.size() > 300 ? line.substr(0, 300) + "..." : line;
  }

  void kill_now() {
    if (pid <= 0) return;
    kill(-pid, SIGKILL);  // its process group: anything it started too
    kill(pid, SIGKILL);
  }

  // Waits for it to end (killing it if it takes more than `grace_s`) and
  // returns its wait status.
  int reap(double grace_s) {
    int status = 0;
    auto deadline = Clock::now() + seconds(grace_s);
    while (true) {
      pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid || (r < 0 && errno != EINTR)) break;
      if (Clock::now() >= deadline) {
        kill_now();
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        break;
      }
      pollfd fd = {err_closed ? -1 : err, POLLIN, 0};
      poll(&fd, 1, 20);
      drain_errors();
    }
    drain_errors();
    pid = -1;
    return status;
  }
};

namespace {

enum class Wait { Message, Died, TimedOut, Stopped };
using Workers = std::vector<std::unique_ptr<IsolatedExecutor::Worker>>;

// The next message of workers[r], or why there is none. Every worker's pipes
// are read meanwhile (their messages kept for later, their output passed on),
// and any worker's death ends the wait with `dead` naming it: the ranks of a
// collective wait for each other, so one rank's death leaves the others
// waiting until the time limit.
Wait next_message(Workers& workers, size_t r, Clock::time_point deadline, const std::function<bool()>& stop,
                  json& message, size_t& dead) {
  IsolatedExecutor::Worker& me = *workers[r];
  while (true) {
    if (size_t nl = me.messages.find('\n'); nl != std::string::npos) {
      std::string line = me.messages.substr(0, nl);
      me.messages.erase(0, nl + 1);
      try {
        message = json::parse(line);
      } catch (const json::exception&) {
        message = json{{"garbled", line.substr(0, 200)}};
      }
      return Wait::Message;
    }
    for (size_t k = 0; k < workers.size(); ++k)
      if (workers[k]->from_closed) {
        dead = k;
        return Wait::Died;
      }
    if (stop && stop()) return Wait::Stopped;
    auto now = Clock::now();
    if (now >= deadline) return Wait::TimedOut;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    std::vector<pollfd> fds;
    for (const auto& w : workers) {
      fds.push_back({w->from, POLLIN, 0});
      fds.push_back({w->err_closed ? -1 : w->err, POLLIN, 0});
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 100))) < 0) {
      if (errno == EINTR) continue;  // a signal: see stop()
      throw std::runtime_error(std::string("cannot wait for the worker process: ") + std::strerror(errno));
    }
    for (size_t k = 0; k < workers.size(); ++k) {
      IsolatedExecutor::Worker& w = *workers[k];
      if (fds[2 * k + 1].revents) w.drain_errors();
      if (fds[2 * k].revents) {
        char buf[65536];
        ssize_t n = read(w.from, buf, sizeof buf);
        if (n > 0) w.messages.append(buf, static_cast<size_t>(n));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN)) w.from_closed = true;
      }
    }
  }
}

// "the worker crashed with SIGSEGV (Segmentation fault) <while>; last message: ..."
std::string describe_death(int status, const std::string& during, const std::string& last_message) {
  std::string what;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    what = sig == SIGKILL ? "the worker was killed with SIGKILL (perhaps by the out-of-memory killer)"
                          : "the worker crashed with " + signal_name(sig) + " (" + strsignal(sig) + ")";
  } else if (WIFEXITED(status)) {
    what = "the worker exited with code " + std::to_string(WEXITSTATUS(status));
  } else {
    what = "the worker ended";
  }
  if (!during.empty()) what += " " + during;
  if (!last_message.empty()) what += "; last message: " + last_message;
  return what;
}

const char* const kWhileMaking = "while making the inputs and the reference";

// A phase's seconds from the worker's "prepared" message; a value that is not
// a time counts as none (it only feeds the "where the time went" line).
double phase_seconds(const json& prepared, const char* key) {
  const json* v = prepared.is_object() && prepared.contains(key) ? &prepared.at(key) : nullptr;
  double s = v && v->is_number() ? v->get<double>() : 0;
  return std::isfinite(s) && s > 0 ? s : 0;
}

}  // namespace

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

namespace {

// This process's environment with `set` replacing or adding variables, as
// NAME=value strings for execve.
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& set) {
  std::vector<std::string> out;
  for (char** v = environ; *v; ++v) {
    std::string_view entry(*v);
    std::string_view name = entry.substr(0, entry.find('='));
    if (std::none_of(set.begin(), set.end(), [&](const auto& kv) { return kv.first == name; })) out.emplace_back(entry);
  }
  for (const auto& [name, value] : set) out.push_back(name + "=" + value);
  return out;
}

// Starts `args` (the worker command) with `environment` (empty: this
// process's) in a process group of its own, its standard input, descriptor 3
// and output on pipes to us.
std::unique_ptr<IsolatedExecutor::Worker> spawn(std::vector<std::string> args, std::vector<std::string> environment) {
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& v : environment) envp.push_back(v.data());
  envp.push_back(nullptr);

  int to[2], from[2], err[2];
  if (!make_pipe(to)) throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  if (!make_pipe(from)) {
    close(to[0]), close(to[1]);
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  if (!make_pipe(err)) {
    close(to[0]), close(to[1]), close(from[0]), close(from[1]);
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    int saved = errno;
    for (int fd : {to[0], to[1], from[0], from[1], err[0], err[1]}) close(fd);
    throw std::runtime_error(std::string("cannot start the worker process: ") + std::strerror(saved));
  }
  if (pid == 0) {
    // The child: only async-signal-safe calls until exec.
    setpgid(0, 0);
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // it must not outlive a killed opbench
    if (getppid() != parent) _exit(1);
#else
    (void)parent;
#endif
    int in = fcntl(to[0], F_DUPFD_CLOEXEC, 10), out = fcntl(from[1], F_DUPFD_CLOEXEC, 10),
        errors = fcntl(err[1], F_DUPFD_CLOEXEC, 10);
    if (in < 0 || out < 0 || errors < 0) _exit(126);
    if (dup2(in, 0) < 0 || dup2(errors, 1) < 0 || dup2(errors, 2) < 0 || dup2(out, 3) < 0) _exit(126);
#if defined(__linux__) && defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    close_range(4, ~0U, 0);
#else
    for (int fd = 4, top = static_cast<int>(sysconf(_SC_OPEN_MAX)); fd < top && fd < 65536; ++fd) close(fd);
#endif
    struct sigaction plain {};
    plain.sa_handler = SIG_DFL;
    for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGXFSZ}) sigaction(sig, &plain, nullptr);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (envp.size() > 1) execve(argv[0], argv.data(), envp.data());
    else execv(argv[0], argv.data());
    const char message[] = "opbench: cannot start the worker process (exec failed)\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that it holds before we ever signal the group
  close(to[0]), close(from[1]), close(err[1]);
  auto worker = std::make_unique<IsolatedExecutor::Worker>();
  worker->pid = pid;
  worker->to = to[1];
  worker->from = from[0];
  worker->err = err[0];
  fcntl(worker->from, F_SETFL, O_NONBLOCK);
  fcntl(worker->err, F_SETFL, O_NONBLOCK);
  return worker;
}

// "rank 1: " in a world of several ranks; nothing for one worker.
std::string rank_prefix(size_t ranks, size_t rank) {
  return ranks > 1 ? "rank " + std::to_string(rank) + ": " : std::string();
}

// The cell of a world: rank 0's, unless another rank failed where it did not
// (an error first, then a wrong result); then that rank's, its reason
// naming it. Every rank checks the whole world's result, so a wrong one
// shows on all of them alike.
Cell world_cell(Cell first, Cell theirs, size_t ranks, size_t rank) {
  bool worse = (!theirs.error.empty() && first.error.empty()) || (first.ok() && theirs.wrong());
  if (!worse) return first;
  std::string& reason = theirs.error.empty() ? theirs.check.detail : theirs.error;
  reason = rank_prefix(ranks, rank) + reason;
  return theirs;
}

Cell read_cell(const json& message, const std::string& backend) {
  Cell cell;
  try {
    cell = cell_from_json(message, "worker");
  } catch (const UsageError&) {
    cell = failed_cell(backend, "the worker sent an unreadable cell");
  }
  cell.backend = backend;
  return cell;
}

}  // namespace

std::string IsolatedExecutor::start_workers(const RunSettings& settings, const CellEvents& events, int ranks) {
  std::string names;
  for (const std::string& b : backends_) names += (names.empty() ? "" : ",") + base_name(b);
  const std::vector<std::string> args = {exe_, "worker", "--backends", names, "--settings", json(settings).dump()};
  const char* gpus = std::getenv("CUDA_VISIBLE_DEVICES");
  // A rank that cannot meet its peers says so within the cell's time limit,
  // unless the user chose how long it waits (OPBENCH_RENDEZVOUS_TIMEOUT_S).
  if (ranks > 1)
    rendezvous_ = local_rendezvous(ranks, std::getenv("OPBENCH_RENDEZVOUS_TIMEOUT_S")
                                              ? rendezvous_timeout_s()
                                              : std::clamp(0.5 * time_limit_s_, 1.0, 120.0));
  for (int r = 0; r < ranks; ++r) {
    std::vector<std::pair<std::string, std::string>> set = environment_;
    if (ranks > 1)
      for (auto& variable : rank_environment(rendezvous_, r, gpus ? gpus : "")) set.push_back(std::move(variable));
    workers_.push_back(spawn(args, set.empty() ? std::vector<std::string>{} : environment_with(set)));
    ++workers_started_;
  }

  // Until each says it is ready: loading the frameworks and finding devices
  // can take a while, and is no cell's time.
  const double patience = std::max(time_limit_s_, 60.0);
  auto deadline = Clock::now() + seconds(patience);
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
                           const CellEvents& events) {
  auto limit = seconds(time_limit_s_);
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

    json names = json::array();
    for (size_t k = next; k < backends.size(); ++k) names.push_back(base_name(backends[k]->info().name));
    // A worker that died already shows as a closed message pipe below.
    const std::string request = json{{"line", e.line()}, {"backends", names}}.dump() + "\n";
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
            finished(next++, std::move(cell));
            deadline = Clock::now() + limit;
            continue;
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

// ---- the worker's side ---------------------------------------------------

int serve_worker(const std::vector<std::string>& backends, const RunSettings& settings, int in_fd, int out_fd) {
  auto send = [&](const std::string& text) {
    if (!write_all(out_fd, text + "\n")) std::_Exit(3);  // opbench is gone: nobody to measure for
  };
  std::vector<std::unique_ptr<Backend>> all = create_backends();
  std::vector<Backend*> mine;
  for (const std::string& name : backends) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& b) { return b->info().name == name; });
    if (it == all.end()) {
      send(json{{"fatal", "backend '" + name + "' is not in this build"}}.dump());
      return 1;
    }
    if (std::string reason = (*it)->unavailable_reason(); !reason.empty()) {
      send(json{{"fatal", "backend '" + name + "' is not available: " + reason}}.dump());
      return 1;
    }
    (*it)->set_threads(settings.threads);
    if (settings.memory) (*it)->count_memory();
    mine.push_back(it->get());
  }
  send(R"({"ready":true})");

  std::FILE* in = fdopen(in_fd, "r");
  if (!in) return 1;
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&buffer, &capacity, in)) > 0) {
    json request = json::parse(std::string(buffer, static_cast<size_t>(length)));
    Experiment e = parse_experiment(request.at("line").get<std::string>());
    std::vector<Backend*> chosen;
    for (const json& item : request.at("backends")) {
      std::string name = item.get<std::string>();
      auto it = std::find_if(mine.begin(), mine.end(), [&](Backend* b) { return b->info().name == name; });
      if (it == mine.end()) throw std::runtime_error("asked for backend '" + name + "', which this worker lacks");
      chosen.push_back(*it);
    }
    CellEvents events;
    events.prepared = [&](double inputs_s, double reference_s) {
      send(json{{"prepared", {{"inputs_s", inputs_s}, {"reference_s", reference_s}}}}.dump());
    };
    events.started = [&](size_t i) { send(json{{"started", chosen[i]->info().name}}.dump()); };
    events.finished = [&](size_t, Cell cell) { send(json{{"cell", cell}}.dump()); };
    run_experiment(e, chosen, settings, events);
    send(R"({"done":true})");
  }
  std::free(buffer);
  std::fclose(in);
  return 0;
}

}  // namespace opbench
