#include "report/markdown.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "model/text.h"
#include "report/bandwidth.h"
#include "report/memory_table.h"
#include "report/versions.h"

namespace opbench {

namespace {

using Table = TableData;

// After the seed's speedup columns.
constexpr int kVersionChangeOrder = 1000;

std::vector<std::string> backend_columns(const RunRecord& r) {
  std::vector<const BackendRecord*> sorted;
  for (const BackendRecord& b : r.backends) sorted.push_back(&b);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto* x, auto* y) { return x->info.column < y->info.column; });
  std::vector<std::string> names;
  for (auto* b : sorted) names.push_back(b->info.name);
  return names;
}

// Speedup columns whose two backends both ran, in the seed's order.
std::vector<SpeedupPair> speedup_columns(const RunRecord& r) {
  std::vector<std::string> ran = backend_columns(r);
  auto has = [&](const std::string& name) { return std::find(ran.begin(), ran.end(), name) != ran.end(); };
  std::vector<SpeedupPair> pairs;
  for (const BackendRecord& b : r.backends)
    for (const SpeedupColumn& s : b.info.speedups)
      if (has(s.baseline)) pairs.push_back({b.info.name, s.baseline, s.order});
  std::stable_sort(pairs.begin(), pairs.end(), [](auto& x, auto& y) { return x.order < y.order; });
  for (const VersionChange& v : version_changes(r))
    pairs.push_back({v.newest, v.oldest, kVersionChangeOrder, v.header()});
  return pairs;
}

TableTime time_of(const Cell* c) {
  if (!c) return {};
  return {c->ok() ? c->stats.mean : NAN, c->check.verdict, c->not_applicable, c->ok() && c->stats.mixed()};
}

// An op's mean over its experiments: a nan or wrong cell leaves it nan (no
// average over a subset); an imprecise one marks it.
TableTime mean_of(const std::vector<TableTime>& times) {
  TableTime mean{0, Verdict::none};
  for (const TableTime& t : times) {
    mean.ms += t.ms;
    if (t.verdict == Verdict::imprecise) mean.verdict = Verdict::imprecise;
    mean.not_applicable = mean.not_applicable || t.not_applicable;
    mean.mixed = mean.mixed || t.mixed;
  }
  mean.ms /= static_cast<double>(times.size());
  return mean;
}

const TestedChange* tested_in(const Table& t, const std::string& label, const SpeedupPair& s) {
  auto row = t.tested.find(label);
  if (row == t.tested.end()) return nullptr;
  auto it = row->second.find(s.header());
  return it == row->second.end() ? nullptr : &it->second;
}

// A speedup column's text in a row; a version change's marked where it is
// beyond noise, and its p-value beside it where the table has its test.
std::string speedup_cells(const Table& t, const std::string& label, const SpeedupPair& s) {
  const std::string text = format_speedup(1, speedup_in(t, label, s));
  if (!s.versions() || !t.with_tests) return text;
  const TestedChange* test = tested_in(t, label, s);
  return text + (test && test->beyond_noise ? kChangeMark : " ") + " | " + p_value_text(test ? test->p : NAN);
}

std::string render(const Table& t) {
  std::vector<std::string> headers = t.backends;
  for (const SpeedupPair& s : t.speedups) {
    headers.push_back(s.header());
    if (s.versions() && t.with_tests) headers.push_back("p-value");
  }
  size_t width = 0;
  for (auto& [label, times] : t.rows) width = std::max(width, label.size());

  std::string out = "| Operation" + std::string(width > 5 ? width - 5 : 0, ' ') + " |";
  for (const std::string& h : headers) out += " " + h + " |";
  out += "\n|" + std::string(width + 6, '-') + "|";
  for (const std::string& h : headers) out += std::string(std::max<size_t>(6, h.size()), '-') + "|";
  out += "\n";
  for (auto& [label, times] : t.rows) {
    std::string line = "| " + label + std::string(width - label.size(), ' ');
    auto time_of = [&](const std::string& b) { return times.count(b) ? times.at(b) : TableTime{}; };
    for (const std::string& b : t.backends) line += " | " + format_time(time_of(b));
    for (const SpeedupPair& s : t.speedups) line += " | " + speedup_cells(t, label, s);
    out += line + " |\n";
  }
  return out;
}

Table empty_table(const RunRecord& r) { return {backend_columns(r), speedup_columns(r), {}, {}, false}; }

// Every version change of the run, compared as opbench compare compares two
// runs (report/versions.h): experiment label -> change header -> its cell.
std::map<std::string, std::map<std::string, CellComparison>> version_comparisons(const RunRecord& r) {
  std::map<std::string, std::map<std::string, CellComparison>> out;
  for (const VersionChange& v : version_changes(r))
    for (const CellComparison& c : compare_versions(r, v).cells) out[c.experiment].emplace(v.header(), c);
  return out;
}

const char* const kTimingLegend =
    "wall: host clock around one call, device synchronised; events: device events around the call; "
    "batched xN: N calls between two clock reads, divided.";

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", fraction * 100);
  return buf;
}

}  // namespace

std::string format_ms(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%6.2f", ms);
  return std::isnan(ms) ? "   nan" : buf;
}

std::string format_time(const TableTime& time) {
  if (time.verdict == Verdict::wrong) return " wrong";
  if (time.not_applicable) return "   n/a";
  return format_ms(time.ms) + (time.marked() ? kImpreciseMark : "") + (time.mixed && !std::isnan(time.ms) ? kMixedMark : "");
}

std::string imprecision(const CheckRecord& check) {
  return "error " + formatted("%.2g", check.error) + " above the tolerance " + formatted("%g", check.tolerance) +
         " against the " + scope_text(check.against);
}

std::string format_speedup(double time_a, double time_b) {
  double x = (time_b / time_a - 1) * 100;
  std::string text;
  if (std::isnan(x) || std::isinf(x)) text = "nan";
  else text = (x > 0 ? "+" : "") + std::to_string(static_cast<long long>(x));
  if (text.size() < 6) text.insert(0, 6 - text.size(), ' ');
  return text + "%";
}

std::string detailed_table(const RunRecord& r) { return render(detailed_data(r)); }

std::string average_table(const RunRecord& r) { return render(average_data(r)); }

TableData detailed_data(const RunRecord& r) {
  Table t = empty_table(r);
  for (const ExperimentRecord& e : r.experiments) {
    std::map<std::string, TableTime> times;
    for (const std::string& b : t.backends) times[b] = time_of(e.find(b));
    t.rows.emplace_back(e.name, times);
  }
  std::map<std::string, std::string> row_of;  // compare names a row by its label ("... [backward]")
  for (const ExperimentRecord& e : r.experiments) row_of[e.label()] = e.name;
  for (const auto& [label, changes] : version_comparisons(r))
    for (const auto& [header, c] : changes)
      t.tested[row_of[label]][header] = {c.ratio, c.p, c.change == Change::faster || c.change == Change::slower};
  t.with_tests = true;
  return t;
}

TableData average_data(const RunRecord& r) {
  Table t = empty_table(r);
  // The seed labels an op by the text before the '/' of its experiments'
  // names, trailing space included; its columns are sized on that.
  std::vector<std::string> ops;
  std::map<std::string, std::map<std::string, std::vector<TableTime>>> times;
  for (const ExperimentRecord& e : r.experiments) {
    if (!times.count(e.op)) ops.push_back(e.op);
    for (const std::string& b : t.backends) times[e.op][b].push_back(time_of(e.find(b)));
  }
  for (const std::string& op : ops) {
    std::map<std::string, TableTime> means;
    for (auto& [b, values] : times[op]) means[b] = mean_of(values);
    t.rows.emplace_back(op + " ", means);
  }
  // An op's version change: the geometric mean of its experiments' ratios,
  // nan where one of them has none (as an average time is).
  const auto compared = version_comparisons(r);
  for (const SpeedupPair& s : t.speedups) {
    if (!s.versions()) continue;
    std::map<std::string, std::pair<double, size_t>> logs;  // op -> sum of log ratios, count
    for (const ExperimentRecord& e : r.experiments) {
      auto row = compared.find(e.label());
      const CellComparison* c = nullptr;
      if (row != compared.end())
        if (auto it = row->second.find(s.header()); it != row->second.end()) c = &it->second;
      auto& [sum, n] = logs[e.op];
      sum += c ? std::log(c->ratio) : NAN;
      ++n;
    }
    for (auto& [op, log] : logs) t.tested[op + " "][s.header()].ratio = std::exp(log.first / static_cast<double>(log.second));
  }
  return t;
}

double speedup_in(const TableData& t, const std::string& label, const SpeedupPair& s) {
  if (s.versions()) {
    const TestedChange* change = tested_in(t, label, s);
    return change ? 1 / change->ratio : NAN;
  }
  for (const auto& [row, times] : t.rows)
    if (row == label) {
      auto time = [&](const std::string& b) { return times.count(b) ? times.at(b).ms : NAN; };
      return time(s.b) / time(s.a);
    }
  return NAN;
}

namespace {

// A cell whose calls spend a quarter or more of their time in the kernel
// while faulting in pages: its time depends on how the machine maps fresh
// memory (a large result mapped anew on every call), which a user comparing
// two machines must see.
std::string page_fault_note(const ExperimentRecord& e, const Cell& c) {
  if (!c.host || c.host->minor_faults < 100 || c.host->system_ms < 0.25 * c.stats.mean) return "";
  return "- page faults: " + e.name + " on " + c.backend + ": " + formatted("%.0f", c.host->minor_faults) +
         " minor page faults and " + formatted("%.3g", c.host->system_ms) + " ms of system time per call (" +
         percent(c.host->system_ms / c.stats.mean) + " of its " + formatted("%.3g", c.stats.mean) +
         " ms): fresh memory mapped on every call\n";
}

// A cell whose samples were not one population: what its mean left out.
std::string mixed_note(const ExperimentRecord& e, const Cell& c) {
  if (!c.stats.mixed()) return "";
  return "- mixed samples: " + e.name + " on " + c.backend + ": " + std::to_string(c.stats.outliers) + " of " +
         std::to_string(c.stats.count) + " samples beyond the outlier fences (up to " + formatted("%.3g", c.stats.max) +
         " ms) left out of its mean, marked " + kMixedMark + "; median " + formatted("%.3g", c.stats.median) +
         " ms, mean of every sample " + formatted("%.3g", c.stats.every_sample_mean()) + " ms\n";
}

std::string seconds_text(double s) { return formatted(s < 10 ? "%.2g s" : "%.0f s", s); }

// Where the run's time went, summed over the experiments that recorded it
// (files of opbench before 0.3 did not): a slow run says which phase made it
// slow.
std::string time_note(const RunRecord& r) {
  ExperimentPhases run;
  CellPhases cells;
  size_t experiments = 0;
  for (const ExperimentRecord& e : r.experiments) {
    if (!e.phases) continue;
    ++experiments;
    run += *e.phases;
    for (const Cell& c : e.cells)
      if (c.phases) cells += *c.phases;
  }
  if (!experiments) return "";
  double total = run.inputs_s + run.reference_s + run.harness_s + cells.total_s();
  return "Where the time went: " + seconds_text(total) + " for " + std::to_string(experiments) +
         (experiments == 1 ? " experiment" : " experiments") + ": inputs " + seconds_text(run.inputs_s) +
         ", reference " + seconds_text(run.reference_s) + ", preparing the backends (inputs converted, moved to the device) " +
         seconds_text(cells.prepare_s) + ", checked runs " + seconds_text(cells.check_s) + ", warm-up " +
         seconds_text(cells.warmup_s) + ", sampling " + seconds_text(cells.sampling_s) +
         ", the rest (worker processes, messages) " + seconds_text(run.harness_s) + ".\n";
}

// Whether the cell's backend names a device (a GPU's).
bool on_a_device(const RunRecord& r, const Cell& c) {
  for (const BackendRecord& b : r.backends)
    if (b.info.name == c.backend) return !b.device.empty();
  return false;
}

// How a cell's calls were timed beyond the timing, caches and memory: on a
// device, how they waited (SamplerSettings::wait) and whether the worker's
// threads were held on one core (one_core: not a collective's).
std::string device_conditions(const RunRecord& r, const ExperimentRecord& e, const Cell& c) {
  if (!on_a_device(r, c)) return "";
  const SamplerSettings& m = r.settings.sampler;
  const char* wait = m.wait == GpuWait::poll    ? ", results awaited by polling"
                     : m.wait == GpuWait::sleep ? ", results awaited asleep (woken by the driver)"
                                                : ", results awaited as each framework does";
  return wait + std::string(m.one_core && !collective_of(e) ? ", threads on one core" : "");
}

}  // namespace

std::string table_notes(const RunRecord& r) {
  std::vector<double> noises;
  size_t checked = 0, sampled = 0, imprecise = 0, settled = 0, capped = 0;
  const std::string memory_state =
      r.settings.sampler.fresh_memory ? "fresh memory every call" : "memory the allocators reuse";
  std::map<std::string, size_t> modes;  // "wall, warm caches" -> cells
  std::string worst_name, cell_notes, faults, mixed;
  double worst = -1;
  for (const ExperimentRecord& e : r.experiments)
    for (const Cell& c : e.cells) {
      if (c.imprecise()) {
        ++imprecise;
        cell_notes += "- imprecise: " + e.name + " on " + c.backend + ": " + imprecision(c.check) + "; timed, marked " +
                    kImpreciseMark + "\n";
      }
      if (c.wrong()) {
        cell_notes += "- wrong: " + e.name + " on " + c.backend + ": output disagrees with the " + scope_text(c.check.against) + " (" +
                    c.check.detail + "); not timed\n";
        continue;
      }
      if (!c.ok()) {
        cell_notes += std::string(c.not_applicable ? "- n/a: " : "- nan: ") + e.name + " on " + c.backend + ": " +
                      c.error + "\n";
        continue;
      }
      noises.push_back(c.stats.noise);
      settled += c.stop == Stop::settled;
      faults += page_fault_note(e, c);
      mixed += mixed_note(e, c);
      modes[timing_words(c.timing, c.batch) + " timing, " + word(c.cache) + " caches, " + memory_state +
            device_conditions(r, e, c)]++;
      capped += c.warmup && c.warmup->capped;
      checked += c.check.verdict == Verdict::passed;
      sampled += c.check.verdict == Verdict::passed && c.check.against.sampled();
      if (c.stats.noise > worst) worst = c.stats.noise, worst_name = e.name + " on " + c.backend;
    }
  std::string out;
  if (!r.settings.check) out += "Outputs were not checked against the reference (--no-check).\n";
  else if (checked)
    out += "Before timing, " + std::to_string(checked) + " cells' outputs agreed with the double-precision reference" +
           (sampled ? " (" + std::to_string(sampled) + " of them at sampled elements)" : std::string()) + ".\n";
  if (imprecise)
    out += std::to_string(imprecise) + (imprecise == 1 ? " cell's output was" : " cells' outputs were") +
           " imprecise: off by more than the op's tolerance, by no more than precision loss explains (listed below). "
           "Their times, and the averages that include them, are marked " + kImpreciseMark + ".\n";
  if (!noises.empty()) {
    std::sort(noises.begin(), noises.end());
    out += "Times are means in milliseconds over each cell's samples inside the outlier fences (Q1 - 3 IQR, Q3 + 3 "
           "IQR: a preempted call is left out; cells where that moved the mean are marked " + std::string(kMixedMark) +
           " and listed). Noise (relative standard error of the mean): median " +
           percent(noises[noises.size() / 2]) + ", worst " + percent(worst) + " (" + worst_name + ").\n";
    std::string listed;
    for (auto& [mode, count] : modes) listed += (listed.empty() ? "" : "; ") + mode + " (" + std::to_string(count) + " cells)";
    out += "Samples: " + listed + ". " + kTimingLegend + "\n";
    out += "Warm-up: until the calls' times no longer fell, at least " + seconds_text(r.settings.sampler.warmup_s) +
           ", at most " + seconds_text(r.settings.sampler.warmup_max_s) + " a cell" +
           (capped ? "; " + std::to_string(capped) + (capped == 1 ? " cell" : " cells") + " reached the cap still falling"
                   : std::string()) +
           ".\n";
    if (settled)
      out += std::to_string(settled) + (settled == 1 ? " cell" : " cells") + " stopped before the " +
             percent(r.settings.sampler.target_noise) + " noise target once the samples' spread had settled: at that "
             "spread the target lay beyond --max-time (--no-settle samples on to it).\n";
  }
  out += version_change_notes(r);
  out += time_note(r);
  if (!cell_notes.empty() || !faults.empty() || !mixed.empty()) out += "\n" + cell_notes + mixed + faults;
  return out;
}

namespace {

// One pass's tables and notes, their headings at `level` ("##").
std::string pass_tables(const RunRecord& r, const std::string& level) {
  std::string out = level + " Detailed benchmark\n\n" + detailed_table(r) + "\n" + level + " Average benchmark\n\n" +
                    average_table(r) + "\n" + table_notes(r);
  // A run with --memory recorded it: `opbench report` prints the table as the run did.
  if (r.settings.memory) out += "\n" + level + " Memory\n\n" + memory_table(r);
  if (has_collectives(r)) out += "\n" + level + " Bandwidth\n\n" + bandwidth_table(r);
  return out;
}

}  // namespace

std::string render_run(const RunRecord& r) {
  std::string out = "**" + r.description() + "**\n\n";
  std::vector<Pass> passes = r.passes();
  if (passes.empty()) return out + pass_tables(r, "##");
  for (Pass p : passes) {
    if (p == Pass::forward) out += pass_tables(r.only(p), "##");
    else out += std::string(p == passes.front() ? "" : "\n") + "## " + pass_heading(p) + "\n\n" + pass_tables(r.only(p), "###");
  }
  return out;
}

std::string tables_by_pass(const RunRecord& r, std::string (*table)(const RunRecord&)) {
  std::vector<Pass> passes = r.passes();
  if (passes.empty()) return table(r);
  std::string out;
  for (Pass p : passes) {
    if (p == Pass::forward) out += table(r.only(p));
    else out += std::string(out.empty() ? "" : "\n") + "## " + pass_heading(p) + "\n\n" + table(r.only(p));
  }
  return out;
}

}  // namespace opbench
