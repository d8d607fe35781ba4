#pragma once
// The seed's markdown tables: detailed (a row per experiment) and average (a
// row per op), backend columns in the seed's order, then speedup columns.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace opbench {

// "+58%", "-43%", "0%", "nan%": the speedup of A over B, (time_B/time_A - 1) x 100,
// cut to a whole percent toward zero, '+' when positive (the seed's rule).
std::string format_speedup(double time_a, double time_b);
// "  1.81", "1241.12", "   nan": milliseconds, two decimals, at least 6 wide.
std::string format_ms(double ms);

// The numbers behind a table, for reports that show them another way (HTML, charts).
struct SpeedupPair {
  std::string a, b;  // speedup of a over b
  int order;
  std::string header() const { return a + "/" + b + " speedup"; }
};
struct TableData {
  std::vector<std::string> backends;  // columns, in the seed's order
  std::vector<SpeedupPair> speedups;  // those whose two backends both ran, in the seed's order
  std::vector<std::pair<std::string, std::map<std::string, double>>> rows;  // label -> backend -> ms
};
// A cell whose output disagreed with the reference has no time: the tables
// mark it "wrong" (explained in the notes), distinct from a nan that failed to run.
inline constexpr double kWrongMs = -1;
// A row per experiment, labelled by its name; a row per op (label: the op and
// a space, as the seed), the mean of its experiments, nan if any is nan.
TableData detailed_data(const RunRecord& record);
TableData average_data(const RunRecord& record);

std::string detailed_table(const RunRecord& record);
std::string average_table(const RunRecord& record);
// Under the tables: the noise of the cells and why any cell is nan.
std::string table_notes(const RunRecord& record);
// What `opbench run` prints and `opbench report FILE` re-renders: the bold
// machine line, both tables, the notes.
std::string render_run(const RunRecord& record);

}  // namespace opbench
