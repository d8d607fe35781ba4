#include "model/suite.h"

#include <filesystem>
#include <sstream>
#include <system_error>

#include "model/error.h"
#include "model/ops.h"
#include "model/text_file.h"

namespace opbench {

namespace suites_data {
extern const std::string_view kDefault;
extern const std::string_view kExtended;
extern const std::string_view kCollectives;
extern const std::string_view kCollectivesCpu;
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

// The quick lines of every op, or of every collective, in the order of the op
// table: a quick suite is what the op units say, so a new op joins it where it
// is defined. Collectives have their own, as they need several processes.
std::vector<Experiment> quick_experiments(bool collectives) {
  std::vector<Experiment> out;
  for (const OpSpec& op : all_ops())
    for (const std::string& line : op.collective == collectives ? op.quick : std::vector<std::string>{}) {
      try {
        out.push_back(parse_experiment(line));
      } catch (const UsageError& e) {
        throw UsageError("quick suite, " + op.name + "'s unit: " + e.what());
      }
    }
  return out;
}

}  // namespace

std::vector<std::string> builtin_suite_names() {
  return {"default", "quick", "extended", "collectives", "collectives-cpu", "collectives-quick"};
}

Suite load_suite(const std::string& name_or_path) {
  const std::pair<const char*, std::string_view> files[] = {{"default", suites_data::kDefault},
                                                            {"extended", suites_data::kExtended},
                                                            {"collectives", suites_data::kCollectives},
                                                            {"collectives-cpu", suites_data::kCollectivesCpu}};
  for (const auto& [name, text] : files)
    if (name_or_path == name) return {name, parse_suite(text, std::string(name) + " suite")};
  if (name_or_path == "quick") return {"quick", quick_experiments(false)};
  if (name_or_path == "collectives-quick") return {"collectives-quick", quick_experiments(true)};
  std::error_code ec;
  if (!std::filesystem::exists(name_or_path, ec)) {
    std::string known;
    for (const std::string& name : builtin_suite_names()) known += (known.empty() ? "" : ", ") + name;
    throw UsageError("unknown suite " + quote(name_or_path) + ": not a built-in suite (" + known + ") nor a file");
  }
  return {name_or_path, parse_suite(read_text_file(name_or_path, kSuiteFileLimit, "a suite file"), name_or_path)};
}

}  // namespace opbench
