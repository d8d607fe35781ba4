#include "cli/options.h"

#include <charconv>
#include <cmath>

#include "model/error.h"

namespace opbench::cli {

namespace {

const OptionSpec* find_option(const CommandSpec& spec, const std::string& name) {
  for (const OptionSpec& o : spec.options)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace

Args::Args(const CommandSpec& spec, const std::vector<std::string>& args) : spec_(spec) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const OptionSpec* option = find_option(spec, name);
    if (!option)
      throw UsageError("unknown option " + quote("--" + name) + " for 'opbench " + spec.name + "' (see opbench " + spec.name +
                       " --help)");
    std::string value;
    if (option->value_name.empty()) {
      if (eq != std::string::npos) throw UsageError("option '--" + name + "' takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError("option '--" + name + "' needs a value (" + option->value_name + ")");
    }
    if (values_.count(name) && !option->repeatable) throw UsageError("option '--" + name + "' given twice");
    values_[name].push_back(value);
  }
}

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long long Args::get_int(const std::string& name, long long fallback, long long min, long long max) const {
  if (!has(name)) return fallback;
  std::string text = get(name);
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    throw UsageError("--" + name + " " + quote(text) + " must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return value;
}

double Args::get_double(const std::string& name, double fallback, double min, double max) const {
  if (!has(name)) return fallback;
  std::string text = get(name);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value) || value < min ||
      value > max)
    throw UsageError("--" + name + " " + quote(text) + " must be a number from " + std::to_string(min).substr(0, 6) + " to " +
                     std::to_string(max).substr(0, 8));
  return value;
}

std::string help_text(const CommandSpec& spec) {
  std::string out = "usage: " + spec.usage + "\n\n" + spec.summary + "\n";
  if (spec.options.empty()) return out;
  out += "\noptions:\n";
  for (const OptionSpec& o : spec.options) {
    std::string left = "  --" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
    out += left + std::string(left.size() < 24 ? 24 - left.size() : 1, ' ') + o.help + "\n";
  }
  out += "  --help                print this help\n";
  return out;
}

std::vector<std::string> split_list(const std::string& text, const std::string& option) {
  std::vector<std::string> items;
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.empty()) throw UsageError("--" + option + " " + quote(text) + " has an empty item");
    items.push_back(item);
    if (comma == std::string::npos) return items;
    start = comma + 1;
  }
}

}  // namespace opbench::cli
