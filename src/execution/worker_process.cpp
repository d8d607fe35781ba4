#include "execution/worker_process.h"

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
#include <cstring>
#include <stdexcept>
#include <nlohmann/json.hpp>
#include <string_view>

extern char** environ;  // the environment each rank's own is made from

namespace opbench {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

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

Clock::duration clock_seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

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


WorkerProcess::~WorkerProcess() {
  for (int fd : {to, from, err})
    if (fd >= 0) close(fd);
}

void WorkerProcess::drain_errors() {
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

void WorkerProcess::keep(std::string line) {
  std::replace(line.begin(), line.end(), '\r', ' ');
  line.erase(0, line.find_first_not_of(" \t"));
  line.erase(line.find_last_not_of(" \t") + 1);
  if (line.empty()) return;
  last_message = line.size() > 300 ? line.substr(0, 300) + "..." : line;
}

void WorkerProcess::kill_now() {
  if (pid <= 0) return;
  kill(-pid, SIGKILL);  // its process group: anything it started too
  kill(pid, SIGKILL);
}

int WorkerProcess::reap(double grace_s) {
  int status = 0;
  auto deadline = Clock::now() + clock_seconds(grace_s);
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


std::unique_ptr<WorkerProcess> spawn_worker(std::vector<std::string> args, std::vector<std::string> environment) {
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
  auto worker = std::make_unique<WorkerProcess>();
  worker->pid = pid;
  worker->to = to[1];
  worker->from = from[0];
  worker->err = err[0];
  fcntl(worker->from, F_SETFL, O_NONBLOCK);
  fcntl(worker->err, F_SETFL, O_NONBLOCK);
  return worker;
}


Wait next_message(Workers& workers, size_t r, Clock::time_point deadline, const std::function<bool()>& stop,
                  json& message, size_t& dead) {
  WorkerProcess& me = *workers[r];
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
      WorkerProcess& w = *workers[k];
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


}  // namespace opbench
