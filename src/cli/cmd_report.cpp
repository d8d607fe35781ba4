// opbench report: re-renders result files.
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"
#include "report/json.h"
#include "report/markdown.h"

namespace opbench::cli {

const CommandSpec kReportSpec = {
    "report", "opbench report FILE [FILE...]",
    "Prints the tables of each result file written by 'opbench run' (its result.json), exactly as the run printed\n"
    "them. A file that cannot be read is reported on stderr and the others are still rendered.",
    {}};

int report_command(const Args& args) {
  if (args.positional().empty()) throw UsageError("no result file given (usage: " + kReportSpec.usage + ")");
  int status = kExitOk;
  bool first = true;
  for (const std::string& path : args.positional()) {
    try {
      RunRecord record = read_result_file(path);
      std::cout << (first ? "" : "\n") << render_run(record);
      first = false;
    } catch (const UsageError& e) {
      std::cerr << "opbench report: error: " << e.what() << "\n";
      status = kExitFailure;
    }
  }
  return status;
}

}  // namespace opbench::cli
