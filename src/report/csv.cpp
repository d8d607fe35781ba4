#include "report/csv.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "model/text.h"
#include "report/metrics.h"

namespace opbench {

namespace {

// Text a spreadsheet would evaluate as a formula (it begins with =, +, -, @,
// a tab or a carriage return) gets a leading ', as OWASP advises for CSV
// exports: shown as text, run never. A number ("-1.5") stays a number.
std::string neutralised(const std::string& text) {
  if (text.empty() || std::string_view("=+-@\t\r").find(text[0]) == std::string_view::npos) return text;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return text;
  std::string safe = "'";  // appended: GCC 12 warns falsely (-Wrestrict) on "'" + text
  return safe += text;
}

// A field, neutralised, and quoted when it holds a comma, a quote or a line
// break, or was neutralised (OWASP: quoted too); quotes doubled.
std::string field(const std::string& raw) {
  std::string text = neutralised(raw);
  if (text == raw && text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The shortest text that reads back as the same double (34.34, not
// 34.340000000000003), so nothing is lost on the way to a spreadsheet; empty for nan.
std::string number(double x) {
  if (!std::isfinite(x)) return "";
  std::string text = formatted("%.15g", x);
  return std::stod(text) == x ? text : formatted("%.17g", x);
}

// A row's status: "ok" and "imprecise" have times (the second is the tables'
// mark), "wrong", "nan" and "n/a" (the op has no such pass) have none.
std::string status(const Cell& c) {
  if (c.wrong()) return "wrong";
  if (c.not_applicable) return "n/a";
  if (!c.ok()) return "nan";
  return c.imprecise() ? "imprecise" : "ok";
}

// Whether any cell of `records` has a memory figure (--memory): only then do
// the rows get the memory columns, so files of runs without it give the CSV
// they always gave.
bool has_memory(const std::vector<RunRecord>& records) {
  for (const RunRecord& r : records)
    for (const ExperimentRecord& e : r.experiments)
      for (const Cell& c : e.cells)
        if (c.memory) return true;
  return false;
}

// A cell's memory columns: the peak and the least in bytes, their ratio, and
// what else there is to say (why no figure, a wrong figure, in place).
std::vector<std::string> memory_fields(const Cell& c) {
  if (!c.memory) return {"", "", "", ""};
  const MemoryFigure& m = *c.memory;
  std::string wrong = implausible_memory(m);
  std::string note = !m.measured() ? m.unavailable : !wrong.empty() ? "wrong: " + wrong : m.in_place ? "in place" : "";
  return {number(m.peak_bytes), number(m.least_bytes), number(memory_ratio(m)), note};
}

}  // namespace

std::string csv_report(const std::vector<RunRecord>& records, const std::vector<std::string>& sources) {
  std::string out =
      "source,machine,experiment,op,line,backend,status,mean_ms,median_ms,min_ms,max_ms,stddev_ms,noise,count,stop,"
      "timing,cache,check,check_error,check_against,error,gb_per_s,gflop_per_s,peak_share,check_tolerance,"
      "minor_faults_per_call,user_ms_per_call,system_ms_per_call";
  const bool memory = has_memory(records);
  if (memory) out += ",peak_memory_bytes,least_memory_bytes,memory_ratio,memory_note";
  out += "\r\n";
  for (size_t i = 0; i < records.size(); ++i) {
    const RunRecord& r = records[i];
    std::string machine = r.description();
    for (const ExperimentRecord& e : r.experiments)
      for (const Cell& c : e.cells) {
        bool timed = c.ok();
        const Stats& s = c.stats;
        CellRates rates = cell_rates(r, e, c);
        std::vector<std::string> row = {i < sources.size() ? sources[i] : "",
                                        machine,
                                        e.name,
                                        e.op,
                                        e.line,
                                        c.backend,
                                        status(c),
                                        timed ? number(s.mean) : "",
                                        timed ? number(s.median) : "",
                                        timed ? number(s.min) : "",
                                        timed ? number(s.max) : "",
                                        timed ? number(s.stddev) : "",
                                        timed ? number(s.noise) : "",
                                        timed ? std::to_string(s.count) : "",
                                        timed ? word(c.stop) : "",
                                        timed ? timing_words(c.timing, c.batch) : "",
                                        timed ? word(c.cache) : "",
                                        verdict_text(c.check.verdict),
                                        c.check.verdict == Verdict::none ? "" : number(c.check.error),
                                        scope_text(c.check.against),
                                        c.wrong() ? c.check.detail : c.error,
                                        number(rates.gbs),
                                        number(rates.gflops),
                                        number(rates.peak_share),
                                        number(c.check.tolerance),
                                        timed && c.host ? number(c.host->minor_faults) : "",
                                        timed && c.host ? number(c.host->user_ms) : "",
                                        timed && c.host ? number(c.host->system_ms) : ""};
        if (memory)
          for (std::string& f : memory_fields(c)) row.push_back(std::move(f));
        std::string line;
        for (size_t k = 0; k < row.size(); ++k) (line += k ? "," : "") += field(row[k]);
        out += line + "\r\n";
      }
  }
  return out;
}

}  // namespace opbench
