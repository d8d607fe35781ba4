#include "core/isolation.h"

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

#include "core/error.h"
#include "format/json.h"

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

  enum class Wait { Message, Died, TimedOut, Stopped };

  // The next message, or why there is none.
  Wait next(Clock::time_point deadline, const std::function<bool()>& stop, json& message) {
    while (true) {
      if (size_t nl = messages.find('\n'); nl != std::string::npos) {
        std::string line = messages.substr(0, nl);
        messages.erase(0, nl + 1);
        try {
          message = json::parse(line);
        } catch (const json::exception&) {
          message = json{{"garbled", line.substr(0, 200)}};
        }
        return Wait::Message;
      }
      if (from_closed) return Wait::Died;
      if (stop && stop()) return Wait::Stopped;
      auto now = Clock::now();
      if (now >= deadline) return Wait::TimedOut;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
      pollfd fds[2] = {{from, POLLIN, 0}, {err_closed ? -1 : err, POLLIN, 0}};
      if (poll(fds, 2, static_cast<int>(std::min<long long>(left, 100))) < 0) {
        if (errno == EINTR) continue;  // a signal: see stop()
        throw std::runtime_error(std::string("cannot wait for the worker process: ") + std::strerror(errno));
      }
      if (fds[1].revents) drain_errors();
      if (fds[0].revents) {
        char buf[65536];
        ssize_t n = read(from, buf, sizeof buf);
        if (n > 0) messages.append(buf, static_cast<size_t>(n));
        else if (n == 0 || (errno != EINTR && errno != EAGAIN)) from_closed = true;
      }
    }
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
  stop_worker();
  signal(SIGPIPE, old_sigpipe_ == SIG_ERR ? SIG_DFL : old_sigpipe_);
}

void IsolatedExecutor::stop_worker() {
  if (!worker_) return;
  // Between experiments it reads its input: at its end it exits by itself.
  close(worker_->to);
  worker_->to = -1;
  worker_->reap(1.0);
  worker_.reset();
}

void IsolatedExecutor::start_worker(const RunSettings& settings, const CellEvents& events) {
  std::string names;
  for (const std::string& b : backends_) names += (names.empty() ? "" : ",") + b;
  std::string settings_text = json(settings).dump();
  std::vector<std::string> args = {exe_, "worker", "--backends", names, "--settings", settings_text};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

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
    execv(argv[0], argv.data());
    const char message[] = "opbench: cannot start the worker process (exec failed)\n";
    ssize_t ignored = write(2, message, sizeof message - 1);
    (void)ignored;
    _exit(127);
  }
  setpgid(pid, pid);  // also here, so that it holds before we ever signal the group
  close(to[0]), close(from[1]), close(err[1]);
  worker_ = std::make_unique<Worker>();
  worker_->pid = pid;
  worker_->to = to[1];
  worker_->from = from[0];
  worker_->err = err[0];
  fcntl(worker_->from, F_SETFL, O_NONBLOCK);
  fcntl(worker_->err, F_SETFL, O_NONBLOCK);
  ++workers_started_;

  // Until it says it is ready: loading the frameworks and finding devices
  // can take a while, and is no cell's time.
  auto deadline = Clock::now() + seconds(std::max(time_limit_s_, 60.0));
  json m;
  Worker::Wait r = worker_->next(deadline, events.stop, m);
  if (r == Worker::Wait::Message && m.contains("ready")) {
    worker_settings_ = settings;
    return;
  }
  std::string why;
  if (r == Worker::Wait::Stopped) {
    worker_->kill_now();
    worker_->reap(1.0);
    worker_.reset();
    return;
  }
  if (r == Worker::Wait::TimedOut) {
    worker_->kill_now();
    worker_->reap(1.0);
    why = "it did not get ready within " + format_seconds(std::max(time_limit_s_, 60.0)) + " s";
  } else if (r == Worker::Wait::Message && m.contains("fatal") && m["fatal"].is_string()) {
    why = m["fatal"].get<std::string>();
    worker_->reap(5.0);
  } else {
    worker_->kill_now();
    why = describe_death(worker_->reap(1.0), "", worker_->last_message);
  }
  worker_.reset();
  throw std::runtime_error("the worker process (" + exe_ + " worker) cannot start: " + why);
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
  if (worker_ && !(settings == worker_settings_)) stop_worker();

  size_t next = 0;
  while (next < backends.size()) {
    if (events.stop && events.stop()) return;
    if (!worker_) start_worker(settings, events);
    if (!worker_) return;  // stopped while it started
    Worker& w = *worker_;

    json names = json::array();
    for (size_t k = next; k < backends.size(); ++k) names.push_back(backends[k]->info().name);
    // A worker that died already shows as a closed message pipe below.
    write_all(w.to, json{{"line", e.line()}, {"backends", names}}.dump() + "\n");

    bool any_started = false, in_cell = false;
    auto deadline = Clock::now() + limit;
    while (true) {
      json m;
      Worker::Wait r = w.next(deadline, events.stop, m);
      if (r == Worker::Wait::Stopped) {  // the cell in flight is dropped: a resume runs it again
        w.kill_now();
        w.reap(1.0);
        worker_.reset();
        return;
      }
      if (r == Worker::Wait::Message) {
        const std::string expected = next < backends.size() ? backends[next]->info().name : "";
        if (m.contains("prepared") && !any_started) {
          if (events.prepared) events.prepared(phase_seconds(m["prepared"], "inputs_s"), phase_seconds(m["prepared"], "reference_s"));
          continue;
        }
        if (m.contains("started") && m["started"] == expected && !in_cell) {
          any_started = in_cell = true;
          started(next);
          deadline = Clock::now() + limit;
          continue;
        }
        if (m.contains("cell") && in_cell) {
          Cell cell;
          try {
            cell = cell_from_json(m["cell"], "worker");
          } catch (const UsageError&) {
            cell = failed_cell(expected, "the worker sent an unreadable cell");
          }
          cell.backend = expected;
          in_cell = false;
          finished(next++, std::move(cell));
          deadline = Clock::now() + limit;
          continue;
        }
        if (m.contains("done") && next == backends.size()) break;
        // Anything else breaks the protocol: handled as a death, below.
      }

      std::string reason;
      if (r == Worker::Wait::TimedOut) {
        w.kill_now();
        w.reap(1.0);
        reason = time_limit_message(time_limit_s_) + (any_started ? "" : std::string(" ") + kWhileMaking);
      } else if (r == Worker::Wait::Message) {
        w.kill_now();
        w.reap(1.0);
        reason = "the worker broke the protocol: unexpected message " + m.dump().substr(0, 200);
      } else {
        int status = w.reap(2.0);
        reason = describe_death(status, any_started ? "" : kWhileMaking, w.last_message);
      }
      worker_.reset();
      if (next == backends.size()) break;  // every cell was in: only the worker's end was lost
      if (any_started) {
        // The cell that was running (or about to start) takes the blame; a
        // new worker carries on with the backends after it.
        if (!in_cell) started(next);
        finished(next, failed_cell(backends[next]->info().name, reason));
        ++next;
      } else {
        // Making the inputs or the reference failed: it would again.
        for (; next < backends.size(); ++next) {
          started(next);
          finished(next, failed_cell(backends[next]->info().name, reason));
        }
      }
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
