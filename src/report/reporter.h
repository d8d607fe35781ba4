#pragma once
// Every output opbench makes from result records, behind one interface and
// listed once (reporters(), in report/reporters.cpp): `opbench report`'s
// --format and --document words, its help, its validation, what it prints and
// the files of its --out, and the files `opbench run` writes beside
// result.json, all come from that list. A new output is one class and one
// line there.
#include <string>
#include <vector>

#include "model/result.h"

namespace opbench {

// What a report is made from.
struct ReportInput {
  const std::vector<RunRecord>& records;
  const std::vector<std::string>& sources;  // the file each record came from
  const std::vector<std::string>& ops;      // the ops that get a chart (empty: every op)
  // Several files were given (though some may not have been read): the
  // markdown report is then the merged documents, not one run's tables.
  bool several = false;
};

class Reporter {
 public:
  virtual ~Reporter() = default;

  // How `opbench report` prints it: `--format NAME`, `--document NAME`, or
  // not at all (it only writes files).
  enum class Option { format, document, none };

  // The word the options take ("csv"), and what it is, for --help ("a row per
  // experiment and backend, every figure").
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual Option option() const { return Option::format; }
  // True when it describes one result file only (google/benchmark's JSON: one machine).
  virtual bool one_record() const { return false; }
  // Printed even when the command also writes files (--out, --html, --plots).
  virtual bool printed_beside_files() const { return true; }

  // What it prints, and the text of its file.
  virtual std::string render(const ReportInput& in) const = 0;

  // Its file in `opbench report --out DIR` ("results.csv"); empty: none.
  virtual std::string report_file() const { return ""; }
  // The file in DIR as --help names it ("the charts (DIR/plots)").
  virtual std::string report_file_words() const { return report_file(); }
  // Writes its file (or folder of files) at `path` (DIR/report_file() for
  // --out); returns the lines to tell the user ("wrote DIR/results.csv").
  // Throws std::runtime_error when it cannot.
  virtual std::vector<std::string> write(const ReportInput& in, const std::string& path) const;

  // Its file in `opbench run --out DIR` ("average.md"), written from the
  // run's record by render_run_file; empty: none. When on_request(), only
  // with `opbench run --NAME`.
  virtual std::string run_file() const { return ""; }
  virtual bool on_request() const { return false; }
  virtual std::string render_run_file(const RunRecord& record) const { return render_one(record); }
  // Whether the run's record has anything for its file (the bandwidth table:
  // only a run of collectives).
  virtual bool has_content(const RunRecord& /*record*/) const { return true; }

 protected:
  std::string render_one(const RunRecord& record) const;
};

// Every output, in the order --out writes them.
const std::vector<const Reporter*>& reporters();
// The reporter `option` takes `name` for; nullptr when there is none.
const Reporter* find_reporter(Reporter::Option option, const std::string& name);
// The reporter called `name`, whatever its option (a programming error when there is none).
const Reporter& reporter(const std::string& name);
// The names `option` takes, as errors list them ("markdown, csv, gbench-json"),
// or with `last` before the last one ("average or detailed").
std::string reporter_names(Reporter::Option option, const std::string& last = ", ");
// The same with each one's summary, for --help: "markdown (default), csv (...) or gbench-json (one file)".
std::string reporter_help(Reporter::Option option);
// The files of `opbench report --out`, for --help: "average.md, detailed.md, ... and the charts (DIR/plots)".
std::string report_file_help();
// `first` and the files `opbench run --out` always writes: "result.json, average.md and detailed.md".
std::string run_file_help(const std::string& first);

}  // namespace opbench
