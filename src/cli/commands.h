#pragma once
// The subcommands. Each takes the arguments after its name and returns the
// process exit code; UsageError escapes to main, which prints it.
#include <string>
#include <vector>

#include <memory>

#include "cli/options.h"
#include "execution/backend.h"
#include "execution/runner.h"

namespace opbench::cli {

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // a run-time failure (cannot write results or output)
// Bad input: options, suites, a result file that cannot be read or is not a
// whole result (report, compare and run --resume alike).
inline constexpr int kExitUsage = 2;
// A significant slowdown past the threshold: opbench compare --fail-above, and
// opbench run --fail-on-regression (a cell slower than its history's level).
inline constexpr int kExitRegression = 3;
// opbench run stopped by SIGINT or SIGTERM: 128 + the signal (130, 143), as a
// shell reports a process the signal ended; the result file holds what was
// measured, and `opbench run --resume` finishes it.
inline constexpr int kExitInterrupted = 128;

// The whole command line after the program's name: runs the subcommand,
// prints any error as one line on stderr, and returns the exit status. Output
// that cannot be written to stdout (> /dev/full) is an error, exit 1.
int opbench_main(const std::vector<std::string>& args);

// Flushes stdout; throws std::runtime_error("cannot write <what> to standard
// output (<reason>)<then>") when any of it could not be written.
void flush_stdout(const std::string& what, const std::string& then = "");

extern const CommandSpec kRunSpec;
extern const CommandSpec kListSpec;
extern const CommandSpec kReportSpec;
extern const CommandSpec kCompareSpec;
extern const CommandSpec kWorkerSpec;  // hidden: the process `run` starts for its cells

// The backends named by --backends (default: every available one), in column
// order. Throws UsageError for an unknown, unbuilt or unavailable backend.
std::vector<std::unique_ptr<Backend>> choose_backends(const Args& args);

// A run over several framework versions (--versions): every backend of the
// run, the versions' and this build's, in column order, and the executor
// that times them in rounds, each version in workers that load its plug-in
// (cli/versions_choice.cpp). Throws UsageError, before anything runs, for
// bad --versions text and for a version the package index lacks.
// `texts`: the --versions values ("torch=2.11.0,2.15.0"); `wanted`: the
// --backends names (empty: every backend a version can run here); `rounds`:
// the rounds over the versions per experiment. A new run takes them from its
// command line, --resume from the result file (cli/run_resume.cpp).
struct VersionsChoice {
  std::vector<std::unique_ptr<Backend>> backends;
  std::unique_ptr<ExperimentExecutor> executor;
};
VersionsChoice choose_versions(const std::vector<std::string>& texts, const std::vector<std::string>& wanted, int rounds,
                               double time_limit_s);

extern const CommandSpec kHistorySpec;
int history_command(const Args& args);

extern const CommandSpec kCalibrateSpec;
int calibrate_command(const Args& args);

int run_command(const Args& args);
int list_command(const Args& args);
int report_command(const Args& args);
int compare_command(const Args& args);
int worker_command(const Args& args);

}  // namespace opbench::cli
