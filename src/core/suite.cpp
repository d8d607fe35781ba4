#include "core/suite.h"

#include <filesystem>
#include <sstream>
#include <system_error>

#include "core/error.h"
#include "core/ops.h"
#include "core/text_file.h"

namespace opbench {

namespace suites_data {
extern const std::string_view kDefault;
extern const std::string_view kExtended;
}  // namespace suites_data

std::vector<Experiment> parse_suite(std::string_view text, const std::string& source) {
  std::vector<Experiment> out;
  std::istringstream lines{std::string(text)};
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    line = line.substr(0, line.find('#'));
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back(parse_experiment(line));
    } catch (const UsageError& e) {
      throw UsageError(source + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  if (out.empty()) throw UsageError(source + ": no experiments");
  return out;
}

namespace {

// Every op's quick lines, in the order of the op table: the quick suite is
// what the op units say, so a new op joins it where it is defined.
std::vector<Experiment> quick_experiments() {
  std::vector<Experiment> out;
  for (const OpSpec& op : all_ops())
    for (const std::string& line : op.quick) {
      try {
        out.push_back(parse_experiment(line));
      } catch (const UsageError& e) {
        throw UsageError("quick suite, " + op.name + "'s unit: " + e.what());
      }
    }
  return out;
}

}  // namespace

std::vector<std::string> builtin_suite_names() { return {"default", "quick", "extended"}; }

Suite load_suite(const std::string& name_or_path) {
  if (name_or_path == "default") return {"default", parse_suite(suites_data::kDefault, "default suite")};
  if (name_or_path == "quick") return {"quick", quick_experiments()};
  if (name_or_path == "extended") return {"extended", parse_suite(suites_data::kExtended, "extended suite")};
  std::error_code ec;
  if (!std::filesystem::exists(name_or_path, ec))
    throw UsageError("unknown suite " + quote(name_or_path) + ": not a built-in suite (default, quick, extended) nor a file");
  return {name_or_path, parse_suite(read_text_file(name_or_path, kSuiteFileLimit, "a suite file"), name_or_path)};
}

}  // namespace opbench
