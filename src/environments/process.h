#pragma once
// Running the tools that set up a framework version (pip, cmake) and opbench
// itself: a child process whose output goes to a log file.
#include <string>
#include <utility>
#include <vector>

namespace opbench {

struct ProcessResult {
  int exit_code = -1;  // -1: it could not start, or ended by a signal
  std::string output;  // what it wrote (the log file's content from this run)
  bool ok() const { return exit_code == 0; }
};

// Runs `argv` (argv[0] found on PATH) with `set` added to this process's
// environment, standard input empty, its output and errors appended to
// `log_path`, at lower priority when `nice` (a build must not slow the
// machine's other work as much). Waits for it.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path,
                          const std::vector<std::pair<std::string, std::string>>& set = {}, bool nice = false);

// The line of `output` that says why a tool failed: the first compiler error
// ("error:"), else pip's ("ERROR:"), else the last non-empty line; at most
// 300 characters.
std::string failure_line(const std::string& output);

}  // namespace opbench
