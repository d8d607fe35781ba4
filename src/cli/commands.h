#pragma once
// The subcommands. Each takes the arguments after its name and returns the
// process exit code; UsageError escapes to main, which prints it.
#include <string>
#include <vector>

#include "cli/options.h"

namespace opbench::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a run-time failure (cannot write results, unreadable file)
inline constexpr int kExitUsage = 2;    // bad input, reported before anything ran

extern const CommandSpec kRunSpec;
extern const CommandSpec kListSpec;
extern const CommandSpec kReportSpec;

int run_command(const Args& args);
int list_command(const Args& args);
int report_command(const Args& args);

}  // namespace opbench::cli
