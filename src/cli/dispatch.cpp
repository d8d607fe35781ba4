// opbench's command line: the subcommands, their errors, and standard output.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "model/error.h"

namespace {

using namespace opbench::cli;

struct Command {
  const CommandSpec& spec;
  int (*handler)(const Args&);
};
const Command kCommands[] = {{kRunSpec, run_command}, {kListSpec, list_command}, {kReportSpec, report_command},
                             {kCompareSpec, compare_command}, {kWorkerSpec, worker_command},
                             {kCalibrateSpec, calibrate_command}, {kHistorySpec, history_command}};

void print_overview() {
  std::cout << "usage: opbench <command> [options]\n\n"
               "Times the same tensor operations on MLX and PyTorch (LibTorch), on CPU and GPU,\n"
               "and prints the detailed and average tables of mlx-benchmark with stated noise.\n\n"
               "commands:\n"
               "  run       time a suite of experiments on a set of backends\n"
               "  list      the ops, the backends of this build, and the suites\n"
               "  report    re-render result files; merge several into the seed's documents, charts, HTML\n"
               "  compare   what changed between two runs, with a significance test\n"
               "  calibrate measure this machine's peaks once, for the --metrics table\n"
               "  history   every run's result over time: series, steps, a chart page; import result files\n\n"
               "'opbench <command> --help' describes each command's options.\n";
}

const Command* find_command(const std::string& name) {
  for (const Command& command : kCommands)
    if (command.spec.name == name) return &command;
  return nullptr;
}

bool asks_for_help(const std::vector<std::string>& args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

// What the command line asks for, printed; its exit status. Throws what the
// command throws.
int dispatch(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "opbench " OPBENCH_VERSION "\n";
    return kExitOk;
  }
  const Command* command = find_command(args[0]);
  if (!command)
    throw opbench::UsageError("unknown command " + opbench::quote(args[0]) +
                              " (commands: run, list, report, compare, calibrate, history; see opbench --help)");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (asks_for_help(rest)) {
    std::cout << help_text(command->spec);
    return kExitOk;
  }
  return command->handler(Args(command->spec, rest));
}

}  // namespace

namespace opbench::cli {

void flush_stdout(const std::string& what, const std::string& then) {
  errno = 0;
  std::cout << std::flush;
  if (!std::cout)
    throw std::runtime_error("cannot write " + what + " to standard output (" + std::strerror(errno ? errno : EIO) + ")" +
                             then);
}

int opbench_main(const std::vector<std::string>& args) {
  // "opbench run: error: ...", or "opbench: error: ..." without a command.
  std::string who = "opbench" + (args.empty() || !find_command(args[0]) ? "" : " " + args[0]);
  try {
    int status = dispatch(args);
    flush_stdout("its output");  // > /dev/full: what the user asked for is lost, for every command
    return status;
  } catch (const UsageError& e) {
    std::cerr << who << ": error: " << printable(e.what()) << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << who << ": failed: " << printable(e.what()) << "\n";
    return kExitFailure;
  }
}

}  // namespace opbench::cli
