// opbench report: re-renders result files, merges several into the seed's
// documents, and writes charts, an HTML page, CSV or google/benchmark JSON.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "format/json.h"
#include "model/error.h"
#include "report/charts.h"
#include "report/reporter.h"

namespace opbench::cli {

const CommandSpec kReportSpec = {
    "report",
    "opbench report FILE [FILE...] [options]",
    "With one result file (the result.json of 'opbench run') and no option, prints its tables exactly as the run\n"
    "printed them. With several, prints the two documents of the reference, the average benchmark and then the\n"
    "detailed one, merging them all: the columns explained, the machines grouped by kind (Apple Silicon, CUDA\n"
    "GPUs, CPUs), each under its bold line with the columns it ran. Files of other opbench versions or suites\n"
    "merge; an experiment a machine did not run is nan there, and an op's average is over the experiments that\n"
    "machine ran (the notes say which it lacks). The runs of one host (its CPU, memory, GPUs and hostname) with\n"
    "the same suite and settings merge into one section with the columns of them all; two hosts of one model stay\n"
    "apart, named by host, and runs that differ in settings (threads, timing, dtype, ...) say so in their bold\n"
    "line. A file that cannot be read, or is not a whole result (truncated, corrupt, a mean that disagrees with\n"
    "its samples), is named on stderr with what is wrong, the others are still reported, and the exit status is\n"
    "2, as compare's and run --resume's for such a file.\n\n"
    "--format csv: a row per experiment and backend of every file, with every statistic, the check, the error,\n"
    "GB/s, GFLOP/s and share of the calibrated peak. --format gbench-json: google/benchmark's JSON (a row per\n"
    "sample, mean/median/stddev/cv aggregates, in ns; cpu_time is the host CPU time per call, user and system,\n"
    "measured over the cell's sampling), which its tools/compare.py reads. The HTML page's tooltips\n"
    "also give each cell's GB/s, GFLOP/s and share of peak where the machine was calibrated.",
    {
        {"document", "KIND",
         "print one merged document, " + reporter_names(Reporter::Option::document, " or ") + " (also for a single file)"},
        {"format", "FORMAT", reporter_help(Reporter::Option::format)},
        {"out", "DIR", "write " + report_file_help() + " into DIR"},
        {"html", "FILE",
         "write one self-contained HTML page: sortable tables, each cell's noise, samples and check, charts"},
        {"plots", "DIR",
         "write plot_<op>.svg per op and speedup_<machine>.svg per machine (and PNG with rsvg-convert)"},
        {"ops", "LIST", "only these ops get a runtime chart, e.g. MatMul,Sort (default: every op)"},
    }};

namespace {

// The lines a reporter's write() returns, on stderr.
void tell(const std::vector<std::string>& lines) {
  for (const std::string& line : lines) std::cerr << "opbench report: " << line << "\n";
}

// The reporter an option names; a name it does not take is the user's error.
const Reporter& chosen(Reporter::Option option, const char* flag, const std::string& name) {
  const Reporter* r = find_reporter(option, name);
  if (!r) throw UsageError(std::string("--") + flag + " " + quote(name) + " is not one of " + reporter_names(option));
  return *r;
}

}  // namespace

int report_command(const Args& args) {
  const std::vector<std::string>& paths = args.positional();
  if (paths.empty()) throw UsageError("no result file given (usage: " + kReportSpec.usage + ")");
  std::string format = args.get("format", "markdown"), document = args.get("document");
  const Reporter& format_reporter = chosen(Reporter::Option::format, "format", format);
  const Reporter& printed = document.empty() ? format_reporter : chosen(Reporter::Option::document, "document", document);
  if (!document.empty() && format != "markdown")
    throw UsageError("--document prints markdown: leave out --format " + format);
  if (printed.one_record() && paths.size() != 1)
    throw UsageError("--format " + format + " takes one result file (google/benchmark's JSON describes one machine)");
  std::vector<std::string> ops = args.has("ops") ? split_list(args.get("ops"), "ops") : std::vector<std::string>{};

  int status = kExitOk;
  std::vector<RunRecord> records;
  std::vector<std::string> sources;
  for (const std::string& path : paths) {
    try {
      records.push_back(read_result_file(path));
      sources.push_back(path);
    } catch (const UsageError& e) {
      // Bad input, as compare and run --resume call such a file: exit status 2.
      std::cerr << "opbench report: error: " << printable(e.what()) << "\n";
      status = kExitUsage;
    }
  }
  if (records.empty()) return status;
  std::vector<std::string> known = ops_of(records);
  for (const std::string& op : ops)
    if (std::find(known.begin(), known.end(), op) == known.end())
      throw UsageError("--ops: no result has the op " + quote(op));

  const ReportInput input{records, sources, ops, paths.size() > 1};
  bool writes = args.has("out") || args.has("html") || args.has("plots");
  if (printed.printed_beside_files() || !writes) std::cout << printed.render(input);

  if (args.has("out")) {
    std::filesystem::create_directories(args.get("out"));
    for (const Reporter* r : reporters())
      if (!r->report_file().empty()) tell(r->write(input, (std::filesystem::path(args.get("out")) / r->report_file()).string()));
  }
  if (args.has("html")) tell(reporter("html").write(input, args.get("html")));
  if (args.has("plots")) tell(reporter("charts").write(input, args.get("plots")));
  return status;
}

}  // namespace opbench::cli
