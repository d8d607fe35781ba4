// Every output behind the Reporter interface, and the one list of them.
#include <filesystem>
#include <stdexcept>

#include "format/json.h"
#include "report/bandwidth.h"
#include "report/charts.h"
#include "report/csv.h"
#include "report/document.h"
#include "report/gbench.h"
#include "report/html.h"
#include "report/markdown.h"
#include "report/memory_table.h"
#include "report/metrics.h"
#include "report/reporter.h"

namespace opbench {

namespace {

// A file `opbench run` writes: a title, the bold machine line, a table.
std::string titled(const RunRecord& r, const std::string& title, const std::string& table) {
  return "# " + title + "\n\n**" + r.description() + "**\n\n" + table;
}

// `items` joined by `separator`, with `last` before the last one.
std::string listed(const std::vector<std::string>& items, const std::string& separator, const std::string& last) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i)
    out += (i == 0 ? "" : i + 1 == items.size() ? last : separator) + items[i];
  return out;
}

// The tables `opbench run` printed (one file), or both merged documents.
class MarkdownReporter : public Reporter {
 public:
  std::string name() const override { return "markdown"; }
  std::string summary() const override { return "default"; }
  bool printed_beside_files() const override { return false; }
  std::string render(const ReportInput& in) const override {
    if (!in.several) return render_run(in.records.at(0));
    return merged_document(in.records, DocumentKind::average) + "\n" + merged_document(in.records, DocumentKind::detailed);
  }
};

// One of the reference's two documents; for a run, its table under the machine line.
class DocumentReporter : public Reporter {
 public:
  explicit DocumentReporter(DocumentKind kind) : kind_(kind) {}
  std::string name() const override { return average() ? "average" : "detailed"; }
  std::string summary() const override { return average() ? "a row per op" : "a row per experiment"; }
  Option option() const override { return Option::document; }
  std::string render(const ReportInput& in) const override { return merged_document(in.records, kind_); }
  std::string report_file() const override { return name() + ".md"; }
  std::string run_file() const override { return report_file(); }
  std::string render_run_file(const RunRecord& r) const override {
    return average() ? titled(r, "Average benchmark", tables_by_pass(r, average_table))
                     : titled(r, "Detailed benchmark", tables_by_pass(r, detailed_table));
  }

 private:
  bool average() const { return kind_ == DocumentKind::average; }
  DocumentKind kind_;
};

class HtmlReporter : public Reporter {
 public:
  std::string name() const override { return "html"; }
  std::string summary() const override { return "one self-contained page"; }
  Option option() const override { return Option::none; }
  std::string render(const ReportInput& in) const override { return html_report(in.records, in.sources, in.ops); }
  std::string report_file() const override { return "report.html"; }
};

class CsvReporter : public Reporter {
 public:
  std::string name() const override { return "csv"; }
  std::string summary() const override { return "a row per experiment and backend, every figure"; }
  std::string render(const ReportInput& in) const override { return csv_report(in.records, in.sources); }
  std::string report_file() const override { return "results.csv"; }
};

class GbenchReporter : public Reporter {
 public:
  std::string name() const override { return "gbench-json"; }
  std::string summary() const override { return "one file"; }
  bool one_record() const override { return true; }
  std::string render(const ReportInput& in) const override { return gbench_json(in.records.at(0)); }
};

// SVG charts (and PNGs where a converter is installed): a folder of files.
class ChartsReporter : public Reporter {
 public:
  std::string name() const override { return "charts"; }
  std::string summary() const override { return "plot_<op>.svg per op and speedup_<machine>.svg per machine"; }
  Option option() const override { return Option::none; }
  std::string render(const ReportInput&) const override { return ""; }  // files only
  std::string report_file() const override { return "plots"; }
  std::string report_file_words() const override { return "the charts (DIR/plots)"; }
  std::vector<std::string> write(const ReportInput& in, const std::string& folder) const override {
    std::string png_note;
    std::vector<std::string> written = write_charts(report_charts(in.records, in.ops), folder, png_note);
    std::vector<std::string> lines = {"wrote " + std::to_string(written.size()) + " chart files into " + folder};
    if (!png_note.empty()) lines.push_back(png_note);
    return lines;
  }
};

// A table of its own file beside the run's tables, titled, for `opbench run`
// only: the metrics (--metrics), the peak memory (--memory), the collectives'
// bandwidth (any run that has collectives).
class TableReporter : public Reporter {
 public:
  struct Table {
    const char* name;     // the option that asks for it, and the reporter's name
    const char* summary;
    const char* title;    // "# Metrics" of its file
    const char* file;
    std::string (*table)(const RunRecord&);
    bool on_request;                   // only with `opbench run --<name>`
    bool (*has_content)(const RunRecord&);  // nullptr: every run
  };
  explicit TableReporter(Table t) : t_(t) {}

  std::string name() const override { return t_.name; }
  std::string summary() const override { return t_.summary; }
  Option option() const override { return Option::none; }
  std::string render(const ReportInput& in) const override { return t_.table(in.records.at(0)); }
  std::string run_file() const override { return t_.file; }
  bool on_request() const override { return t_.on_request; }
  bool has_content(const RunRecord& r) const override { return !t_.has_content || t_.has_content(r); }
  std::string render_run_file(const RunRecord& r) const override { return titled(r, t_.title, t_.table(r)); }

 private:
  Table t_;
};

}  // namespace

std::string Reporter::render_one(const RunRecord& record) const {
  const std::vector<RunRecord> records = {record};
  const std::vector<std::string> none;
  return render({records, none, none, false});
}

std::vector<std::string> Reporter::write(const ReportInput& in, const std::string& path) const {
  write_file_atomically(path, render(in));
  return {"wrote " + path};
}

const std::vector<const Reporter*>& reporters() {
  static const MarkdownReporter markdown;
  static const DocumentReporter average(DocumentKind::average), detailed(DocumentKind::detailed);
  static const HtmlReporter html;
  static const CsvReporter csv;
  static const GbenchReporter gbench;
  static const ChartsReporter charts;
  static const TableReporter metrics({"metrics", "GB/s, GFLOP/s and share of peak per cell", "Metrics", "metrics.md",
                                      metrics_table, true, nullptr});
  static const TableReporter memory({"memory", "peak memory of one call per cell, against the least it needs",
                                     "Memory", "memory.md", memory_table, true, nullptr});
  static const TableReporter bandwidth({"bandwidth",
                                        "the collectives' time, algorithm and bus bandwidth, as nccl-tests reports them",
                                        "Bandwidth", "bandwidth.md", bandwidth_table, false, has_collectives});
  static const std::vector<const Reporter*> all = {&markdown, &average, &detailed, &html,   &csv,
                                                   &gbench,   &charts,  &metrics,  &memory, &bandwidth};
  return all;
}

const Reporter* find_reporter(Reporter::Option option, const std::string& name) {
  for (const Reporter* r : reporters())
    if (r->option() == option && r->name() == name) return r;
  return nullptr;
}

const Reporter& reporter(const std::string& name) {
  for (const Reporter* r : reporters())
    if (r->name() == name) return *r;
  throw std::logic_error("no reporter " + name);
}

std::string reporter_names(Reporter::Option option, const std::string& last) {
  std::vector<std::string> names;
  for (const Reporter* r : reporters())
    if (r->option() == option) names.push_back(r->name());
  return listed(names, ", ", last);
}

std::string reporter_help(Reporter::Option option) {
  std::vector<std::string> items;
  for (const Reporter* r : reporters())
    if (r->option() == option) items.push_back(r->name() + " (" + r->summary() + ")");
  return listed(items, ", ", " or ");
}

std::string report_file_help() {
  std::vector<std::string> files;
  for (const Reporter* r : reporters())
    if (!r->report_file().empty()) files.push_back(r->report_file_words());
  return listed(files, ", ", " and ");
}

std::string run_file_help(const std::string& first) {
  std::vector<std::string> files = {first};
  const RunRecord any_run;  // what every run has: a file that needs more (collectives) is not listed
  for (const Reporter* r : reporters())
    if (!r->run_file().empty() && !r->on_request() && r->has_content(any_run)) files.push_back(r->run_file());
  return listed(files, ", ", " and ");
}

}  // namespace opbench
