#include "cli/run_resume.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/commands.h"
#include "execution/machine.h"
#include "format/json.h"
#include "model/backend_info.h"
#include "model/error.h"
#include "model/suite.h"

namespace opbench::cli {

namespace {

// Options that change what is measured: with --resume they may only repeat
// what the file recorded. Keys of the file's "settings" map to options.
std::string option_of_setting(std::string key) {
  if (key == "check") return "no-check";
  if (key == "stop_when_settled") return "no-settle";
  if (key.size() > 2 && key.compare(key.size() - 2, 2, "_s") == 0) key.resize(key.size() - 2);
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

// The options that would give `settings`, so that a file's settings pass the
// command line's own checks: a file is no way around them.
std::vector<std::string> options_of(const RunSettings& settings) {
  std::vector<std::string> options;
  const nlohmann::json recorded = settings;
  for (auto& [key, value] : recorded.items()) {
    std::string option = "--" + option_of_setting(key);
    if (value.is_boolean()) {
      // --cold turns its setting on; --no-check and --no-settle turn theirs off.
      bool on_without_option = key == "check" || key == "stop_when_settled";
      if (value != on_without_option) options.push_back(option);
    } else if (value != 0 || (key != "threads" && key != "batch")) {  // 0: the default no option spells
      options.insert(options.end(), {option, value.is_string() ? value.get<std::string>() : value.dump()});
    }
  }
  return options;
}

// What a run over framework versions asked for, read back from its
// backends' names: "cpu@torch-2.15.0" -> --versions torch=...,2.15.0 and
// --backends cpu. Empty texts for a run without versions.
struct VersionsAsked {
  std::vector<std::string> texts, backends;
};

VersionsAsked versions_of(const RunRecord& r) {
  std::map<std::string, std::vector<std::string>> versions;  // framework -> its versions, in the file's order
  VersionsAsked out;
  for (const BackendRecord& b : r.backends) {
    const std::string base = base_name(b.info.name), tag = version_tag(b.info.name);
    if (std::find(out.backends.begin(), out.backends.end(), base) == out.backends.end()) out.backends.push_back(base);
    if (tag.empty()) continue;
    const size_t dash = tag.find('-');
    std::vector<std::string>& list = versions[tag.substr(0, dash)];
    const std::string version = dash == std::string::npos ? "" : tag.substr(dash + 1);
    if (std::find(list.begin(), list.end(), version) == list.end()) list.push_back(version);
  }
  for (const auto& [framework, list] : versions) {
    std::string text = framework + "=";
    for (size_t i = 0; i < list.size(); ++i) text += (i ? "," : "") + list[i];
    out.texts.push_back(text);
  }
  return out;
}

}  // namespace

Resumed load_resume(const Args& args, const RunSettings& given, double time_limit_s) {
  const std::string path = args.get("resume");
  Resumed r;
  r.previous = read_result_file(path);
  const RunRecord& prev = r.previous;
  auto conflict = [&](const std::string& why) { throw UsageError("cannot resume " + path + ": " + why); };
  try {
    choose_settings(Args(kRunSpec, options_of(prev.settings)));
  } catch (const UsageError& e) {
    conflict(std::string("its settings are ones the command line refuses: ") + e.what());
  }

  // The experiments come from the file.
  for (const char* option : {"ops", "filter", "case", "dtype", "pass", "ranks"})
    if (args.has(option))
      conflict(std::string("--") + option + " cannot be combined with --resume: the experiments to run are the file's plan");
  for (const char* option : {"versions", "rounds"})
    if (args.has(option))
      conflict(std::string("--") + option + " cannot be combined with --resume: the file's " + option + " are taken");
  if (args.has("suite") && args.get("suite") != prev.suite)
    conflict("--suite " + args.get("suite") + " differs from the file's suite " + quote(prev.suite));

  // Settings: repeated ones must agree with the file.
  const nlohmann::json recorded = prev.settings, wanted = given;
  for (auto& [key, value] : wanted.items()) {
    std::string option = option_of_setting(key);
    if (!args.has(option) || !recorded.contains(key) || recorded[key] == value) continue;
    conflict("--" + option + (args.get(option).empty() ? "" : " " + args.get(option)) +
             " differs from the file's setting " + key + " = " + recorded[key].dump());
  }

  // The backends, as recorded.
  std::string names;
  for (const BackendRecord& b : prev.backends) names += (names.empty() ? "" : ",") + b.info.name;
  if (names.empty()) conflict("the file names no backend");
  std::vector<std::string> recorded_names = split_list(names, "backends");
  std::sort(recorded_names.begin(), recorded_names.end());
  if (args.has("backends")) {
    std::vector<std::string> a = split_list(args.get("backends"), "backends");
    std::sort(a.begin(), a.end());
    if (a != recorded_names) conflict("--backends " + args.get("backends") + " differs from the file's backends " + names);
  }
  const VersionsAsked versions = versions_of(prev);
  try {
    if (versions.texts.empty()) {
      r.backends = choose_backends(Args(kRunSpec, {"--backends", names}));
    } else {
      if (args.has("no-isolate"))
        conflict("it timed framework versions side by side, which needs worker processes: --no-isolate cannot finish it");
      VersionsChoice choice = choose_versions(versions.texts, versions.backends, prev.settings.rounds, time_limit_s);
      r.backends = std::move(choice.backends);
      r.executor = std::move(choice.executor);
    }
  } catch (const UsageError& e) {
    conflict(e.what());
  }
  std::vector<std::string> chosen;
  for (const auto& b : r.backends) chosen.push_back(b->info().name);
  std::sort(chosen.begin(), chosen.end());
  if (chosen != recorded_names) {
    std::string listed;
    for (const std::string& n : chosen) listed += (listed.empty() ? "" : ",") + n;
    conflict("its backends " + names + " are not the ones its versions give here (" + listed + ")");
  }
  for (const auto& b : r.backends) {
    for (const BackendRecord& rec : prev.backends)
      if (rec.info.name == b->info().name && rec.device != b->device_name())
        conflict(b->info().name + " ran on '" + rec.device + "' in the file, on '" + b->device_name() + "' here");
    for (const auto& [key, version] : b->versions())
      if (auto it = prev.versions.find(key); it != prev.versions.end() && it->second != version)
        conflict("the file was measured with " + key + " " + it->second + ", this opbench has " + version);
  }
  Machine here = read_machine();
  if (here.cpu != prev.machine.cpu || here.cores != prev.machine.cores)
    conflict("the file was measured on " + prev.machine.cpu + " (" + std::to_string(prev.machine.cores) +
             " cores), this machine is " + here.cpu + " (" + std::to_string(here.cores) + " cores)");

  // The plan: listed in the file, or (older files) its built-in or file suite.
  std::vector<std::string> lines = prev.plan;
  if (lines.empty()) {
    if (prev.suite == "custom" || prev.suite.empty()) conflict("the file lists no plan of experiments");
    for (const Experiment& e : load_suite(prev.suite).experiments) lines.push_back(e.line());
  }
  for (const std::string& line : lines) {
    try {
      r.plan.push_back(parse_experiment(line));
    } catch (const UsageError& e) {
      conflict(std::string("its plan has an experiment this opbench cannot run: ") + e.what());
    }
  }
  // Every recorded experiment belongs to the plan, every cell to a backend.
  std::multiset<std::string> planned(lines.begin(), lines.end());
  for (const ExperimentRecord& e : prev.experiments) {
    auto it = planned.find(e.line);
    if (it == planned.end()) conflict("experiment " + quote(e.line) + " is not in the file's plan");
    planned.erase(it);
    for (const Cell& c : e.cells)
      if (std::none_of(prev.backends.begin(), prev.backends.end(), [&](const BackendRecord& b) { return b.info.name == c.backend; }))
        conflict("experiment " + quote(e.line) + " has a cell for backend " + quote(c.backend) + ", which the file does not list");
  }
  return r;
}

}  // namespace opbench::cli
