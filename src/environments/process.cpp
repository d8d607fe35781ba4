#include "environments/process.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace opbench {

namespace {

off_t file_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return in ? static_cast<off_t>(in.tellg()) : 0;
}

std::string read_from(const std::string& path, off_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(offset);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& log_path,
                          const std::vector<std::pair<std::string, std::string>>& set, bool nice) {
  ProcessResult result;
  const off_t start = file_size(log_path);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) {
    result.output = "cannot write " + log_path + ": " + std::strerror(errno);
    return result;
  }
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (std::string& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0) _exit(126);
    for (const auto& [name, value] : set) setenv(name.c_str(), value.c_str(), 1);
    if (nice) setpriority(PRIO_PROCESS, 0, 10);
    execvp(raw[0], raw.data());
    const std::string message = "cannot start " + args[0] + ": " + std::strerror(errno) + "\n";
    ssize_t ignored = write(2, message.data(), message.size());
    (void)ignored;
    _exit(127);
  }
  close(log);
  if (pid < 0) {
    result.output = std::string("cannot start ") + argv[0] + ": " + std::strerror(errno);
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.output = read_from(log_path, start);
  return result;
}

std::string failure_line(const std::string& output) {
  std::istringstream lines(output);
  std::string line, first_pip, last;
  while (std::getline(lines, line)) {
    if (line.find("error:") != std::string::npos && line.find("ninja: build stopped") == std::string::npos)
      return line.substr(0, 300);
    // "ERROR: Exception:" heads a traceback, whose last line says what went wrong.
    if (first_pip.empty() && line.rfind("ERROR:", 0) == 0 && line.rfind("ERROR: Exception:", 0) != 0) first_pip = line;
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return (first_pip.empty() ? last : first_pip).substr(0, 300);
}

}  // namespace opbench
