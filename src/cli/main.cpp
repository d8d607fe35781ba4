// opbench: times tensor ops across frameworks and devices.
#include <cstdio>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"

namespace {

using namespace opbench::cli;

struct Command {
  const CommandSpec& spec;
  int (*handler)(const Args&);
};
const Command kCommands[] = {{kRunSpec, run_command}, {kListSpec, list_command}, {kReportSpec, report_command},
                             {kCompareSpec, compare_command}, {kWorkerSpec, worker_command},
                             {kCalibrateSpec, calibrate_command}};

void print_overview() {
  std::cout << "usage: opbench <command> [options]\n\n"
               "Times the same tensor operations on MLX and PyTorch (LibTorch), on CPU and GPU,\n"
               "and prints the detailed and average tables of mlx-benchmark with stated noise.\n\n"
               "commands:\n"
               "  run       time a suite of experiments on a set of backends\n"
               "  list      the ops, the backends of this build, and the suites\n"
               "  report    re-render result files; merge several into the seed's documents, charts, HTML\n"
               "  compare   what changed between two runs, with a significance test\n"
               "  calibrate measure this machine's peaks once, for the --metrics table\n\n"
               "'opbench <command> --help' describes each command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_overview();
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "opbench " OPBENCH_VERSION "\n";
    return kExitOk;
  }
  for (const Command& command : kCommands) {
    if (command.spec.name != args[0]) continue;
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const std::string& a : rest)
      if (a == "--help" || a == "-h") {
        std::cout << help_text(command.spec);
        return kExitOk;
      }
    try {
      return command.handler(Args(command.spec, rest));
    } catch (const opbench::UsageError& e) {
      std::cerr << "opbench " << args[0] << ": error: " << opbench::printable(e.what()) << "\n";
      return kExitUsage;
    } catch (const std::exception& e) {
      std::cerr << "opbench " << args[0] << ": failed: " << opbench::printable(e.what()) << "\n";
      return kExitFailure;
    }
  }
  std::cerr << "opbench: error: unknown command " << opbench::quote(args[0]) << " (commands: run, list, report, compare; see opbench --help)\n";
  return kExitUsage;
}
