// opbench report: re-renders result files, merges several into the seed's
// documents, and writes charts, an HTML page, CSV or google/benchmark JSON.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"
#include "report/charts.h"
#include "report/csv.h"
#include "report/document.h"
#include "report/gbench.h"
#include "report/html.h"
#include "format/json.h"
#include "report/markdown.h"

namespace opbench::cli {

const CommandSpec kReportSpec = {
    "report",
    "opbench report FILE [FILE...] [options]",
    "With one result file (the result.json of 'opbench run') and no option, prints its tables exactly as the run\n"
    "printed them. With several, prints the two documents of the reference, the average benchmark and then the\n"
    "detailed one, merging them all: the columns explained, the machines grouped by kind (Apple Silicon, CUDA\n"
    "GPUs, CPUs), each under its bold line with the columns it ran. Files of other opbench versions or suites\n"
    "merge; an experiment a machine did not run is nan there, and an op's average is over the experiments that\n"
    "machine ran (the notes say which it lacks). A file that cannot be\n"
    "read is named on stderr with what is wrong, the others are still reported, and the exit status is 1.\n\n"
    "--format csv: a row per experiment and backend of every file, with every statistic, the check, the error,\n"
    "GB/s, GFLOP/s and share of the calibrated peak. --format gbench-json: google/benchmark's JSON (a row per\n"
    "sample, mean/median/stddev/cv aggregates, ms), which its tools/compare.py reads. The HTML page's tooltips\n"
    "also give each cell's GB/s, GFLOP/s and share of peak where the machine was calibrated.",
    {
        {"document", "KIND", "print one merged document, average or detailed (also for a single file)"},
        {"format", "FORMAT",
         "markdown (default), csv (a row per experiment and backend, every figure) or gbench-json (one file)"},
        {"out", "DIR", "write average.md, detailed.md, report.html, results.csv and the charts (DIR/plots) into DIR"},
        {"html", "FILE",
         "write one self-contained HTML page: sortable tables, each cell's noise, samples and check, charts"},
        {"plots", "DIR",
         "write plot_<op>.svg per op and speedup_<machine>.svg per machine (and PNG with rsvg-convert)"},
        {"ops", "LIST", "only these ops get a runtime chart, e.g. MatMul,Sort (default: every op)"},
    }};

namespace {

void report_written(const std::string& path) { std::cerr << "opbench report: wrote " << path << "\n"; }

void write_chart_files(const std::vector<RunRecord>& records, const std::vector<std::string>& ops,
                       const std::string& dir) {
  std::string png_note;
  std::vector<std::string> written = write_charts(report_charts(records, ops), dir, png_note);
  std::cerr << "opbench report: wrote " << written.size() << " chart files into " << dir << "\n";
  if (!png_note.empty()) std::cerr << "opbench report: " << png_note << "\n";
}

}  // namespace

int report_command(const Args& args) {
  const std::vector<std::string>& paths = args.positional();
  if (paths.empty()) throw UsageError("no result file given (usage: " + kReportSpec.usage + ")");
  std::string format = args.get("format", "markdown"), document = args.get("document");
  if (format != "markdown" && format != "csv" && format != "gbench-json")
    throw UsageError("--format " + quote(format) + " is not one of markdown, csv, gbench-json");
  if (!document.empty() && document != "average" && document != "detailed")
    throw UsageError("--document " + quote(document) + " is not one of average, detailed");
  if (!document.empty() && format != "markdown")
    throw UsageError("--document prints markdown: leave out --format " + format);
  if (format == "gbench-json" && paths.size() != 1)
    throw UsageError("--format gbench-json takes one result file (google/benchmark's JSON describes one machine)");
  std::vector<std::string> ops = args.has("ops") ? split_list(args.get("ops"), "ops") : std::vector<std::string>{};

  int status = kExitOk;
  std::vector<RunRecord> records;
  std::vector<std::string> sources;
  for (const std::string& path : paths) {
    try {
      records.push_back(read_result_file(path));
      sources.push_back(path);
    } catch (const UsageError& e) {
      std::cerr << "opbench report: error: " << e.what() << "\n";
      status = kExitFailure;
    }
  }
  if (records.empty()) return kExitFailure;
  std::vector<std::string> known = ops_of(records);
  for (const std::string& op : ops)
    if (std::find(known.begin(), known.end(), op) == known.end())
      throw UsageError("--ops: no result has the op " + quote(op));

  bool writes = args.has("out") || args.has("html") || args.has("plots");
  if (format == "csv")
    std::cout << csv_report(records, sources);
  else if (format == "gbench-json")
    std::cout << gbench_json(records[0]);
  else if (!document.empty())
    std::cout << merged_document(records, document == "average" ? DocumentKind::average : DocumentKind::detailed);
  else if (!writes && paths.size() == 1)
    std::cout << render_run(records[0]);
  else if (!writes)
    std::cout << merged_document(records, DocumentKind::average) << "\n"
              << merged_document(records, DocumentKind::detailed);

  if (args.has("out")) {
    std::filesystem::path dir = args.get("out");
    std::filesystem::create_directories(dir);
    auto write = [&](const std::string& name, const std::string& text) {
      write_file_atomically((dir / name).string(), text);
      report_written((dir / name).string());
    };
    write("average.md", merged_document(records, DocumentKind::average));
    write("detailed.md", merged_document(records, DocumentKind::detailed));
    write("report.html", html_report(records, sources, ops));
    write("results.csv", csv_report(records, sources));
    write_chart_files(records, ops, (dir / "plots").string());
  }
  if (args.has("html")) {
    write_file_atomically(args.get("html"), html_report(records, sources, ops));
    report_written(args.get("html"));
  }
  if (args.has("plots")) write_chart_files(records, ops, args.get("plots"));
  return status;
}

}  // namespace opbench::cli
