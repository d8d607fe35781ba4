#pragma once
// A small command-line parser: "--name value", "--name=value", flags, and
// positional arguments, with a generated --help.
#include <map>
#include <string>
#include <vector>

namespace opbench::cli {

struct OptionSpec {
  std::string name;        // without the leading "--"
  std::string value_name;  // "N", "LIST"; empty for a flag
  std::string help;
  bool repeatable = false;
};

struct CommandSpec {
  std::string name;     // "run"
  std::string usage;    // "opbench run [options]"
  std::string summary;  // one paragraph
  std::vector<OptionSpec> options;
};

class Args {
 public:
  // Parses args (after the subcommand's name). Throws UsageError on an
  // unknown option or a missing value.
  Args(const CommandSpec& spec, const std::vector<std::string>& args);

  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> all(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Numbers in [min, max]; errors name the option and the text.
  long long get_int(const std::string& name, long long fallback, long long min, long long max) const;
  double get_double(const std::string& name, double fallback, double min, double max) const;

 private:
  const CommandSpec& spec_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

std::string help_text(const CommandSpec& spec);

// "a,b,c" -> {"a", "b", "c"}; empty items are an error naming the option.
std::vector<std::string> split_list(const std::string& text, const std::string& option);

}  // namespace opbench::cli
