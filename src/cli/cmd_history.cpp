// opbench history: the series of each cell across the stored runs, the steps
// found in them, a chart page; and `history import`, which adds result files.
#include <filesystem>
#include <iostream>
#include <regex>

#include "cli/commands.h"
#include "format/json.h"
#include "model/error.h"
#include "model/text.h"
#include "report/history_page.h"
#include "store/store.h"

namespace opbench::cli {

const CommandSpec kHistorySpec = {
    "history",
    "opbench history [options]\n       opbench history import FILE [FILE...] [--store PATH|URL]",
    "Every 'opbench run' appends its result to the history (default: ~/.opbench/history.sqlite; --store, or\n"
    "OPBENCH_STORE, names another file or a postgresql:// server; OPBENCH_STORE=off or --no-store: none). This\n"
    "prints, per cell (machine, experiment, pass, backend), its series: the levels it held and the steps between\n"
    "them, found by a change-point method that weighs each run by its noise (docs/history.md). 'history import'\n"
    "adds result files (result.json, docs/results/*.json.gz); a run already stored is left as is.",
    {
        {"store", "PATH|URL", "the history: a SQLite file, or postgresql://user@host:port/db (default: $OPBENCH_STORE, else ~/.opbench/history.sqlite)"},
        {"ops", "LIST", "only these ops, e.g. Sort,MatMul"},
        {"backends", "LIST", "only these backends, e.g. cpu,cuda"},
        {"machine", "LIST", "only these machines: hostnames or the fingerprints this prints"},
        {"since", "DATE", "only runs from this UTC time on, e.g. 2026-11 or 2026-11-20T08:00"},
        {"until", "DATE", "only runs up to this UTC time (a date takes in the whole day), e.g. 2026-12-01"},
        {"steps-only", "", "only the series that have a step"},
        {"points", "", "also every run's figure: time, label, median and noise"},
        {"html", "FILE", "write a page with a chart per op: a line per backend and machine, steps marked, every run's label, versions and noise on hover"},
    }};

namespace {

std::string date_option(const Args& args, const std::string& name) {
  static const std::regex iso(R"(\d{4}(-\d\d(-\d\d([T ]\d\d(:\d\d(:\d\d)?)?Z?)?)?)?)");
  std::string text = args.get(name);
  if (!text.empty() && !std::regex_match(text, iso))
    throw UsageError("--" + name + " " + quote(text) + " is not a UTC date or time such as 2026-11-20 or 2026-11-20T08:00");
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  return text;
}

std::string percent(double fraction) { return formatted("%+.1f %%", 100 * fraction); }
std::string ms(double value) { return formatted("%.4g ms", value); }

std::string run_text(const HistoryRun& r) {
  std::string text = r.created;
  if (!r.label.empty()) text.append(" ").append(quote(r.label));
  return text;
}

void print_series(const History& h, const HistorySeries& s, const Segmentation& cut, bool points) {
  std::cout << "\n" << s.name << (s.pass == "forward" ? "" : " [" + s.pass + "]") << " on " << s.backend << ", "
            << s.hostname << " (" << s.machine << "): " << s.points.size() << " run" << (s.points.size() == 1 ? "" : "s")
            << ", run-to-run scatter " << formatted("%.1f %%", 100 * cut.scatter) << "\n";
  for (const Segment& g : cut.segments) {
    std::cout << "  " << ms(g.level);
    if (g.end - g.begin == 1) std::cout << " at " << run_text(h.runs[s.runs[g.begin]]) << "\n";
    else std::cout << " from " << run_text(h.runs[s.runs[g.begin]]) << " to " << run_text(h.runs[s.runs[g.end - 1]]) << " (" << g.end - g.begin << " runs)\n";
  }
  for (const Step& step : cut.steps)
    std::cout << "  step " << percent(step.change()) << " (" << ms(step.before) << " -> " << ms(step.after) << ") at "
              << run_text(h.runs[s.runs[step.at]]) << (step.change() > 0 ? ": slower" : ": faster") << "\n";
  if (points)
    for (size_t i = 0; i < s.points.size(); ++i)
      std::cout << "    " << run_text(h.runs[s.runs[i]]) << "  " << ms(s.points[i].value) << "  noise "
                << formatted("%.2f %%", 100 * s.points[i].noise) << "\n";
}

int import_files(Store& store, const std::vector<std::string>& files) {
  int status = kExitOk;
  for (const std::string& path : files) {
    RunRecord record;
    try {
      record = read_result_file(path);
    } catch (const UsageError& e) {
      // Bad input, as report, compare and run --resume call such a file: exit status 2.
      std::cerr << "opbench history: error: " << e.what() << "\n";
      status = kExitUsage;
      continue;
    }
    bool added = store.append(record, path);
    std::cout << (added ? "imported " : "already stored: ") << path << " (" << record.created
              << (record.machine.hostname.empty() ? "" : ", " + record.machine.hostname) << ")\n";
  }
  return status;
}

}  // namespace

// The history the options name. Reading one that is not there is an error
// (a mistyped path would otherwise make an empty file); importing creates it.
static Store open_chosen_store(const Args& args, bool create) {
  std::optional<std::string> location = store_location(false, args.get("store"));
  if (!location) throw UsageError("no history: OPBENCH_STORE is off (name one with --store PATH|URL)");
  bool url = location->find("://") != std::string::npos;
  if (std::error_code ec; !create && !url && !std::filesystem::exists(*location, ec))
    throw UsageError("no history at " + quote(*location) + ": no run has been stored there (opbench run appends each run; opbench history import adds result files)");
  return Store(*location);
}

int history_command(const Args& args) {
  const std::vector<std::string>& positional = args.positional();
  if (!positional.empty() && positional[0] != "import")
    throw UsageError("unexpected argument " + quote(positional[0]) + " (usage: " + kHistorySpec.usage + ")");
  if (!positional.empty()) {
    if (positional.size() < 2) throw UsageError("history import: no result file given");
    Store store = open_chosen_store(args, true);
    return import_files(store, {positional.begin() + 1, positional.end()});
  }
  HistoryQuery query;
  if (args.has("ops")) query.ops = split_list(args.get("ops"), "ops");
  if (args.has("backends")) query.backends = split_list(args.get("backends"), "backends");
  if (args.has("machine")) query.machines = split_list(args.get("machine"), "machine");
  query.since = date_option(args, "since");
  query.until = date_option(args, "until");
  Store store = open_chosen_store(args, false);
  History h = store.read(query);
  std::vector<Segmentation> cuts;
  for (const HistorySeries& s : h.series) cuts.push_back(find_steps(s.points));
  if (args.has("html")) {
    write_file_atomically(args.get("html"), history_page(h, cuts));
    std::cerr << "opbench history: wrote " << args.get("html") << "\n";
    return kExitOk;
  }
  std::cout << "# History: " << store.where() << ", " << h.runs.size() << " run" << (h.runs.size() == 1 ? "" : "s")
            << ", " << h.series.size() << " series\n";
  size_t steps = 0;
  for (size_t i = 0; i < h.series.size(); ++i) {
    steps += cuts[i].steps.size();
    if (!args.has("steps-only") || !cuts[i].steps.empty()) print_series(h, h.series[i], cuts[i], args.has("points"));
  }
  std::cout << "\n" << steps << " step" << (steps == 1 ? "" : "s") << " in " << h.series.size() << " series\n";
  return kExitOk;
}

}  // namespace opbench::cli
