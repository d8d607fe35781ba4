#include "report/machines.h"

#include <algorithm>
#include <set>

#include "model/text.h"

namespace opbench {

namespace {

// The GPUs a run's backends ran on, without their memory (two frameworks round it differently).
std::set<std::string> gpus(const RunRecord& r) {
  std::set<std::string> names;
  for (const BackendRecord& b : r.backends)
    if (!b.device.empty()) names.insert(b.device.substr(0, b.device.find(" (")));
  return names;
}

// The same hardware, wherever it is: two hosts of one model share it.
bool same_model(const RunRecord& a, const RunRecord& b) {
  const Machine &x = a.machine, &y = b.machine;
  std::set<std::string> ga = gpus(a), gb = gpus(b);
  // A run of the CPU backends alone names no GPU: it may be of any host's.
  bool gpus_agree = ga.empty() || gb.empty() || ga == gb;
  return x.cpu == y.cpu && x.cores == y.cores && x.memory_bytes == y.memory_bytes && gpus_agree;
}

// The float types of a run's experiments, "float16" or "float16+float32":
// --dtype is written into each experiment's line (dtype=), float32 is a line without it.
std::string dtypes(const RunRecord& r) {
  std::set<std::string> types;
  for (const ExperimentRecord& e : r.experiments) {
    size_t at = (" " + e.line).find(" dtype=");
    types.insert(at == std::string::npos ? "float32" : e.line.substr(at + 6, e.line.find(' ', at + 6) - at - 6));
  }
  std::string out;
  for (const std::string& t : types) out.append(out.empty() ? "" : "+").append(t);
  return out.empty() ? "float32" : out;
}

std::string passes(const RunRecord& r) {
  std::string out;
  // Appended: GCC 12 misreads "+" + std::string as an overlapping copy (-Wrestrict).
  for (Pass p : r.passes()) out.append(out.empty() ? "" : "+").append(pass_text(p));
  return out.empty() ? "forward" : out;
}

// Whether `run` can share `section`'s tables: one host, one way of measuring,
// no backend twice, no framework in two versions.
bool joins(const RunRecord& section, const RunRecord& run) {
  if (!same_host(section, run) || section.suite != run.suite || section.opbench_version != run.opbench_version ||
      !(section.settings == run.settings) || measured_with(section) != measured_with(run))
    return false;
  for (const BackendRecord& b : run.backends)
    for (const BackendRecord& s : section.backends)
      if (b.info.name == s.info.name) return false;
  for (const auto& [framework, version] : run.versions)
    if (auto it = section.versions.find(framework); it != section.versions.end() && it->second != version) return false;
  return true;
}

void merge_into(RunRecord& section, const RunRecord& run) {
  section.backends.insert(section.backends.end(), run.backends.begin(), run.backends.end());
  std::stable_sort(section.backends.begin(), section.backends.end(),
                   [](const BackendRecord& x, const BackendRecord& y) { return x.info.column < y.info.column; });
  section.versions.insert(run.versions.begin(), run.versions.end());
  section.peaks.insert(run.peaks.begin(), run.peaks.end());
  for (const std::string& line : run.plan)
    if (std::find(section.plan.begin(), section.plan.end(), line) == section.plan.end()) section.plan.push_back(line);
  for (const ExperimentRecord& e : run.experiments) {
    auto same = std::find_if(section.experiments.begin(), section.experiments.end(),
                             [&](const ExperimentRecord& s) { return s.label() == e.label(); });
    if (same == section.experiments.end()) {
      section.experiments.push_back(e);
      continue;
    }
    same->cells.insert(same->cells.end(), e.cells.begin(), e.cells.end());
    // Both runs made the experiment's inputs and reference: the time of each counts.
    if (same->phases && e.phases) *same->phases += *e.phases;
  }
}

}  // namespace

bool same_host(const RunRecord& a, const RunRecord& b) {
  return same_model(a, b) && !a.machine.hostname.empty() && a.machine.hostname == b.machine.hostname;
}

std::vector<std::string> measured_with(const RunRecord& r) {
  const SamplerSettings& m = r.settings.sampler;
  return {"pass " + passes(r),
          "dtype " + dtypes(r),
          "threads " + (r.settings.threads ? std::to_string(r.settings.threads) : std::string("default")),
          "timing " + timing_words(m.timing, m.batch),
          m.cold ? "cold caches" : "warm caches",
          m.fresh_memory ? "fresh memory" : "memory reused",
          std::string("GPU wait ") + word(m.wait),
          m.one_core ? "GPU threads on one core" : "GPU threads anywhere",
          "seed " + std::to_string(r.settings.seed),
          "warm-up " + formatted("%g", m.warmup_s) + " s",
          "samples " + std::to_string(m.min_samples) + " to " + std::to_string(m.max_samples),
          "sampling " + formatted("%g", m.min_time_s) + " to " + formatted("%g", m.max_time_s) + " s",
          "target noise " + formatted("%g", 100 * m.target_noise) + "%",
          m.stop_when_settled ? "stops once settled" : "no settle",
          r.settings.check ? "outputs checked" : "outputs not checked"};
}

MachineSections machine_sections(const std::vector<RunRecord>& records) {
  MachineSections out;
  for (size_t i = 0; i < records.size(); ++i) {
    size_t k = 0;
    while (k < out.records.size() && !joins(out.records[k], records[i])) ++k;
    if (k == out.records.size()) {
      out.records.push_back(records[i]);
      out.runs.push_back({i});
    } else {
      merge_into(out.records[k], records[i]);
      out.runs[k].push_back(i);
    }
  }
  return out;
}

std::vector<std::string> distinctions(const std::vector<RunRecord>& sections) {
  std::vector<std::vector<std::string>> settings;
  for (const RunRecord& r : sections) settings.push_back(measured_with(r));
  std::vector<std::string> out;
  for (size_t i = 0; i < sections.size(); ++i) {
    const RunRecord& r = sections[i];
    // Whether a section j that `scope` relates to i has another `value`.
    auto differs = [&](auto scope, auto value) {
      for (size_t j = 0; j < sections.size(); ++j)
        if (j != i && scope(r, sections[j]) && value(sections[j]) != value(r)) return true;
      return false;
    };
    std::vector<std::string> items;
    if (differs(same_model, [](const RunRecord& x) { return x.machine.hostname; }))
      items.push_back("host " + (r.machine.hostname.empty() ? std::string("unknown") : r.machine.hostname));
    if (differs(same_host, [](const RunRecord& x) { return x.suite; })) items.push_back("suite " + r.suite);
    if (differs(same_host, [](const RunRecord& x) { return x.opbench_version; }))
      items.push_back("opbench " + r.opbench_version);
    for (size_t k = 0; k < settings[i].size(); ++k)
      for (size_t j = 0; j < sections.size(); ++j)
        if (settings[j][k] != settings[i][k]) {
          items.push_back(settings[i][k]);
          break;
        }
    // Two runs of one host alike in all the above (a backend run twice): their times tell them apart.
    auto alike = [&](const RunRecord& x, const RunRecord& y) {
      return same_host(x, y) && x.suite == y.suite && x.opbench_version == y.opbench_version &&
             measured_with(x) == measured_with(y);
    };
    if (differs(alike, [](const RunRecord& x) { return x.created; })) items.push_back("run of " + r.created);
    std::string text;
    for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
    out.push_back(text);
  }
  return out;
}

std::vector<std::string> section_lines(const std::vector<RunRecord>& sections) {
  std::vector<std::string> lines, apart = distinctions(sections);
  for (size_t i = 0; i < sections.size(); ++i)
    lines.push_back(sections[i].description() + (apart[i].empty() ? "" : " - " + apart[i]));
  return lines;
}

size_t host_count(const std::vector<RunRecord>& sections) {
  size_t hosts = 0;
  for (size_t i = 0; i < sections.size(); ++i)
    hosts += std::none_of(sections.begin(), sections.begin() + i, [&](const RunRecord& r) { return same_host(r, sections[i]); });
  return hosts;
}

}  // namespace opbench
