#pragma once
// One worker process seen from the parent: starting it (fork and exec, in a
// process group of its own, with three pipes), waiting for its messages while
// passing its output on, and ending it. What the messages say is
// worker_protocol.h's; when workers start and stop is isolation.cpp's.
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>
#include <vector>

namespace opbench {

struct WorkerProcess {
  pid_t pid = -1;
  int to = -1;    // its standard input: requests
  int from = -1;  // its descriptor 3: messages
  int err = -1;   // its standard output and error
  std::string messages, errors;  // read, not yet split into lines
  // The last non-empty line of its output. Not reset as cells begin: its
  // output and its messages come on two pipes, whose order is lost.
  std::string last_message;
  bool from_closed = false, err_closed = false;

  WorkerProcess() = default;
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;
  ~WorkerProcess();

  // Reads what its output holds now, passes it on to our standard error and
  // keeps the last line.
  void drain_errors();
  // Kills it and its process group (anything it started too).
  void kill_now();
  // Waits for it to end (killing it if it takes more than `grace_s`) and
  // returns its wait status.
  int reap(double grace_s);

 private:
  void keep(std::string line);
};

using Workers = std::vector<std::unique_ptr<WorkerProcess>>;

// Starts `args` (the worker command) with `environment` (empty: this
// process's) in a process group of its own, its standard input, descriptor 3
// and output on pipes to us. Throws std::runtime_error.
std::unique_ptr<WorkerProcess> spawn_worker(std::vector<std::string> args, std::vector<std::string> environment);

// This process's environment with `set` replacing or adding variables, as
// NAME=value strings for execve.
std::vector<std::string> environment_with(const std::vector<std::pair<std::string, std::string>>& set);

enum class Wait { Message, Died, TimedOut, Stopped };

// The next message of workers[r], or why there is none. Every worker's pipes
// are read meanwhile (their messages kept for later, their output passed on),
// and any worker's death ends the wait with `dead` naming it: the ranks of a
// collective wait for each other, so one rank's death leaves the others
// waiting until the time limit. A line that is no JSON comes as {"garbled": line}.
Wait next_message(Workers& workers, size_t r, std::chrono::steady_clock::time_point deadline,
                  const std::function<bool()>& stop, nlohmann::json& message, size_t& dead);

// "the worker crashed with SIGSEGV (Segmentation fault) <during>; last message: ..."
std::string describe_death(int status, const std::string& during, const std::string& last_message);

// `s` seconds on the clock the waits use.
std::chrono::steady_clock::duration clock_seconds(double s);

// Writes all of `text` to `fd`; false when the reader is gone.
bool write_all(int fd, const std::string& text);

// The running program: the binary to start as the worker, even if the file
// was replaced since (Linux's /proc/self/exe still names the running one).
std::string this_executable();

}  // namespace opbench
