#pragma once
// Suites: lists of experiments, one a line, as ../shared/reference/experiments.txt.
#include <string>
#include <string_view>
#include <vector>

#include "model/experiment.h"

namespace opbench {

struct Suite {
  std::string name;  // "default", "quick", or the file it came from
  std::vector<Experiment> experiments;
};

// The most a suite file may hold: about 160 000 experiment lines.
inline constexpr size_t kSuiteFileLimit = size_t{16} << 20;

// "default" (the reference's 91 experiments), "quick" (every op at small
// shapes: the lines of each op's unit, OpSpec::quick), "extended", or the
// path of a suite file. Throws UsageError.
Suite load_suite(const std::string& name_or_path);

// Parses suite text: one experiment a line, '#' starts a comment. Errors
// name `source` and the line number.
std::vector<Experiment> parse_suite(std::string_view text, const std::string& source);

// The suites built into opbench, by name.
std::vector<std::string> builtin_suite_names();

}  // namespace opbench
