#pragma once
// The seed's markdown tables: detailed (a row per experiment) and average (a
// row per op), backend columns in the seed's order, then speedup columns.
#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"

namespace opbench {

// "+58%", "-43%", "0%", "nan%": the speedup of A over B, (time_B/time_A - 1) x 100,
// cut to a whole percent toward zero, '+' when positive (the seed's rule).
std::string format_speedup(double time_a, double time_b);
// "  1.81", "1241.12", "   nan": milliseconds, two decimals, at least 6 wide.
std::string format_ms(double ms);

// One number of a table: a time, or why there is none.
struct TableTime {
  double ms = NAN;  // nan when there is no time
  // wrong: no time, the output disagreed with the reference; imprecise: a
  // time whose output (or, for an average, one of its cells' outputs) was
  // only imprecise.
  Verdict verdict = Verdict::none;
  // No time because the cell has no meaning (Argmax has no gradient), or,
  // for an average, one of its cells has none: printed n/a.
  bool not_applicable = false;
  // The cell's samples (or, for an average, one of its cells') were not one
  // population: its mean left out samples beyond the outlier fences (Stats::mixed).
  bool mixed = false;
  bool marked() const { return verdict == Verdict::imprecise && !std::isnan(ms); }
};
// What follows an imprecise time in every report: "12.34*".
inline constexpr const char* kImpreciseMark = "*";
// What follows the time of a cell whose samples were mixed: "0.02~".
inline constexpr const char* kMixedMark = "~";
// format_ms with the mark after an imprecise time; " wrong" for a wrong cell,
// "   n/a" for one that has no meaning.
std::string format_time(const TableTime& time);
// "error 0.0018 above the tolerance 0.0001 against the reference": how far
// off an imprecise cell was, for the notes and tooltips.
std::string imprecision(const CheckRecord& check);

// The numbers behind a table, for reports that show them another way (HTML, charts).
struct SpeedupPair {
  std::string a, b;  // speedup of a over b
  int order;
  // A framework version's change (opbench run --versions): a is the
  // newest version's backend, b the oldest's; the header names the
  // versions ("cpu 2.15.0/2.11.0 speedup").
  std::string label = "";
  std::string header() const { return label.empty() ? a + "/" + b + " speedup" : label; }
  bool versions() const { return !label.empty(); }
};
// A version change in one row (report/versions.h): new/old as opbench
// compare sizes a change, the Hodges-Lehmann ratio of the two cells' samples
// (an op's average row: the geometric mean of its experiments', as compare's
// summary), and, in the detailed table, the test's p-value and whether the
// change is beyond noise.
struct TestedChange {
  double ratio = NAN;
  double p = NAN;
  bool beyond_noise = false;
};
struct TableData {
  std::vector<std::string> backends;  // columns, in the seed's order
  // Those whose two backends both ran, in the seed's order; then each
  // backend's version change, in column order.
  std::vector<SpeedupPair> speedups;
  std::vector<std::pair<std::string, std::map<std::string, TableTime>>> rows;  // label -> backend -> time
  // Row label -> version change header -> its size and test.
  std::map<std::string, std::map<std::string, TestedChange>> tested;
  // A p-value column beside each version change: the detailed table's (an
  // op's average is no set of samples to test).
  bool with_tests = false;
};
// What a speedup column shows in row `label`: how many times faster `s.a` is
// than `s.b` (b's time over a's), or, for a version change, 1 / its ratio;
// nan where either has no time.
double speedup_in(const TableData& table, const std::string& label, const SpeedupPair& s);
// A row per experiment, labelled by its name; a row per op (label: the op and
// a space, as the seed), the mean of its experiments, nan if any is nan or
// wrong, marked if any is imprecise.
TableData detailed_data(const RunRecord& record);
TableData average_data(const RunRecord& record);

std::string detailed_table(const RunRecord& record);
std::string average_table(const RunRecord& record);
// Under the tables: the noise of the cells, why any cell is nan or wrong, and
// how far off each imprecise one was.
std::string table_notes(const RunRecord& record);
// What `opbench run` prints and `opbench report FILE` re-renders: the bold
// machine line, both tables, the notes, and the memory table of a run with --memory;
// the backward pass's tables and notes follow the forward pass's under their own heading.
std::string render_run(const RunRecord& record);
// `table` of each pass of `record`: the forward pass's as it always was, then
// each other pass's under a "## <pass heading>" line (the whole record where
// it has no experiment at all).
std::string tables_by_pass(const RunRecord& record, std::string (*table)(const RunRecord&));

}  // namespace opbench
