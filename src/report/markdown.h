#pragma once
// The seed's markdown tables: detailed (a row per experiment) and average (a
// row per op), backend columns in the seed's order, then speedup columns.
#include <string>

#include "core/result.h"

namespace opbench {

// "+58%", "-43%", "0%", "nan%": the speedup of A over B, (time_B/time_A - 1) x 100,
// cut to a whole percent toward zero, '+' when positive (the seed's rule).
std::string format_speedup(double time_a, double time_b);
// "  1.81", "1241.12", "   nan": milliseconds, two decimals, at least 6 wide.
std::string format_ms(double ms);

std::string detailed_table(const RunRecord& record);
std::string average_table(const RunRecord& record);
// Under the tables: the noise of the cells and why any cell is nan.
std::string table_notes(const RunRecord& record);
// What `opbench run` prints and `opbench report FILE` re-renders: the bold
// machine line, both tables, the notes.
std::string render_run(const RunRecord& record);

}  // namespace opbench
