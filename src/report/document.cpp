#include "report/document.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "report/bandwidth.h"
#include "report/machines.h"
#include "report/markdown.h"

namespace opbench {

namespace {

bool has_backend(const RunRecord& r, auto&& predicate) {
  return std::any_of(r.backends.begin(), r.backends.end(), predicate);
}

// The first GPU a record's backends ran on, without its memory: "NVIDIA H100 80GB HBM3".
std::string gpu_name(const RunRecord& r) {
  for (const BackendRecord& b : r.backends)
    if (!b.device.empty()) return std::regex_replace(b.device, std::regex(R"( \([^()]*\)$)"), "");
  return "";
}

// Experiments a record lacks after align_experiments: no cells.
std::string missing_note(const RunRecord& r) {
  size_t missing = 0;
  std::vector<std::string> ops;
  for (const ExperimentRecord& e : r.experiments) {
    if (!e.cells.empty()) continue;
    ++missing;
    if (std::find(ops.begin(), ops.end(), e.op) == ops.end()) ops.push_back(e.op);
  }
  if (!missing) return "";
  std::string listed;
  for (const std::string& op : ops) listed += (listed.empty() ? "" : ", ") + op;
  return "- nan: " + std::to_string(missing) + " of the document's " + std::to_string(r.experiments.size()) +
         " experiments were not run on this machine (" + listed +
         "): their rows in the detailed document are nan; an op's average is over the experiments this machine ran\n";
}


}  // namespace

RunRecord ran_experiments(RunRecord r) {
  std::set<std::string> ran;
  for (const ExperimentRecord& e : r.experiments)
    if (!e.cells.empty()) ran.insert(e.op);
  std::erase_if(r.experiments, [&](const ExperimentRecord& e) { return e.cells.empty() && ran.count(e.op); });
  return r;
}

TableData machine_average(const RunRecord& aligned) { return average_data(ran_experiments(aligned)); }

MachineKind machine_kind(const RunRecord& r) {
  if (r.machine.cpu.find("Apple") != std::string::npos || r.machine.os.rfind("Darwin", 0) == 0 ||
      has_backend(r, [](const BackendRecord& b) { return b.info.name == "mps"; }))
    return MachineKind::apple_silicon;
  if (has_backend(r, [](const BackendRecord& b) { return b.info.name.rfind("cuda", 0) == 0 || !b.device.empty(); }))
    return MachineKind::cuda_gpu;
  return MachineKind::cpu;
}

std::string kind_heading(MachineKind kind) {
  switch (kind) {
    case MachineKind::apple_silicon:
      return "Apple Silicon";
    case MachineKind::cuda_gpu:
      return "CUDA GPUs";
    case MachineKind::cpu:
      return "CPUs";
  }
  return "";
}

std::vector<std::pair<MachineKind, std::vector<size_t>>> group_machines(const std::vector<RunRecord>& records) {
  std::vector<std::pair<MachineKind, std::vector<size_t>>> groups;
  for (MachineKind kind : {MachineKind::apple_silicon, MachineKind::cuda_gpu, MachineKind::cpu}) {
    std::vector<size_t> members;
    for (size_t i = 0; i < records.size(); ++i)
      if (machine_kind(records[i]) == kind) members.push_back(i);
    if (!members.empty()) groups.emplace_back(kind, std::move(members));
  }
  return groups;
}

std::vector<std::string> machine_labels(const std::vector<RunRecord>& records) {
  std::vector<std::string> labels;
  for (const RunRecord& r : records) {
    std::string label = gpu_name(r);
    labels.push_back(label.empty() ? std::regex_replace(r.machine.cpu, std::regex(R"(\((R|TM|tm)\))"), "") : label);
  }
  // A name that repeats says what tells its machine apart (its host, its
  // settings), else which of them it is.
  std::vector<std::string> apart = distinctions(records), out;
  std::map<std::string, int> seen;
  for (size_t i = 0; i < records.size(); ++i) {
    int n = ++seen[labels[i]];
    bool repeated = std::count(labels.begin(), labels.end(), labels[i]) > 1;
    out.push_back(!repeated ? labels[i]
                  : !apart[i].empty() ? labels[i] + " (" + apart[i] + ")"
                  : n == 1 ? labels[i] : labels[i] + " #" + std::to_string(n));
  }
  return out;
}

std::vector<RunRecord> align_experiments(std::vector<RunRecord> records) {
  std::vector<std::pair<std::string, std::string>> all;  // name, op, in first-seen order
  std::set<std::string> names;
  for (const RunRecord& r : records)
    for (const ExperimentRecord& e : r.experiments)
      if (names.insert(e.name).second) all.emplace_back(e.name, e.op);
  for (RunRecord& r : records) {
    std::map<std::string, ExperimentRecord> own;
    for (ExperimentRecord& e : r.experiments) own.emplace(e.name, std::move(e));
    r.experiments.clear();
    for (auto& [name, op] : all) {
      auto it = own.find(name);
      r.experiments.push_back(it != own.end() ? std::move(it->second) : ExperimentRecord{op, name, "", {}, {}});
    }
  }
  return records;
}

std::vector<std::pair<std::string, std::string>> column_legend(const std::vector<RunRecord>& records) {
  std::vector<const BackendRecord*> backends;
  std::vector<SpeedupPair> speedups;
  for (const RunRecord& r : records) {
    for (const BackendRecord& b : r.backends)
      if (std::none_of(backends.begin(), backends.end(), [&](auto* x) { return x->info.name == b.info.name; }))
        backends.push_back(&b);
    for (const SpeedupPair& s : average_data(r).speedups)
      if (std::none_of(speedups.begin(), speedups.end(), [&](auto& x) { return x.header() == s.header(); }))
        speedups.push_back(s);
  }
  std::stable_sort(backends.begin(), backends.end(), [](auto* x, auto* y) { return x->info.column < y->info.column; });
  std::stable_sort(speedups.begin(), speedups.end(), [](auto& x, auto& y) { return x.order < y.order; });
  std::vector<std::pair<std::string, std::string>> legend;
  for (const BackendRecord* b : backends)
    legend.emplace_back(b->info.name, b->info.description.empty() ? b->info.name + " backend" : b->info.description);
  for (const SpeedupPair& s : speedups)
    legend.emplace_back(s.header(), "runtime speedup of " + s.a + " compared to " + s.b);
  return legend;
}

bool shows_pass(const RunRecord& r, Pass pass) {
  std::vector<Pass> passes = r.passes();
  bool empty_run = passes.empty() && pass == Pass::forward;
  return empty_run || std::find(passes.begin(), passes.end(), pass) != passes.end();
}

std::vector<RunRecord> of_pass(const std::vector<RunRecord>& records, Pass pass) {
  std::vector<RunRecord> out;
  for (const RunRecord& r : records)
    if (shows_pass(r, pass)) out.push_back(r.only(pass));
  return out;
}

namespace {

// The title and the line under it: the seed's for the forward pass.
std::string document_title(DocumentKind kind, Pass pass) {
  bool average = kind == DocumentKind::average;
  if (pass == Pass::backward)
    return average ? "# Average MLX benchmark, backward pass (forward + gradients)\n\nAveraged runtime of one training "
                     "step of mlx operations (the call, then the gradients of its float inputs), measured in "
                     "`milliseconds`.\n\n"
                   : "# Detailed MLX benchmark, backward pass (forward + gradients)\n\nDetailed runtime of one training "
                     "step of mlx operations (the call, then the gradients of its float inputs), measured in "
                     "`milliseconds`.\n\n";
  return average ? "# Average MLX benchmark\n\nAveraged runtime benchmark of mlx operations, measured in "
                   "`milliseconds`.\n\n"
                 : "# Detailed MLX benchmark\n\nDetailed runtime benchmark of mlx operations, measured in "
                   "`milliseconds`.\n\n";
}

// One pass's document: records whose experiments are all of that pass.
std::string pass_document(const std::vector<RunRecord>& records, DocumentKind kind, Pass pass) {
  bool average = kind == DocumentKind::average;
  std::string out = document_title(kind, pass);
  // One section a machine: the runs of one host, its columns from them all.
  const std::vector<RunRecord> sections = machine_sections(records).records;
  for (auto& [name, text] : column_legend(sections)) out += "* `" + name + "`: " + text + "\n";
  const std::vector<std::string> lines = section_lines(sections);
  std::vector<RunRecord> aligned = align_experiments(sections);
  for (auto& [machine_kind, members] : group_machines(aligned)) {
    out += "\n## " + kind_heading(machine_kind) + "\n";
    for (size_t i : members) {
      const RunRecord& r = aligned[i];
      out += "\n**" + lines[i] + "**\n\n" + (average ? average_table(ran_experiments(r)) : detailed_table(r));
      std::string notes = table_notes(r), missing = missing_note(r);
      if (!missing.empty()) notes += (notes.find("\n- ") == std::string::npos ? "\n" : "") + missing;
      if (!notes.empty()) out += "\n" + notes;
      // The collectives' figures, a row an experiment as the detailed table's.
      if (!average && has_collectives(r)) out.append("\nBandwidth (nccl-tests' figures):\n\n").append(bandwidth_table(r));
    }
  }
  return out;
}

}  // namespace

// Each pass its own document, the forward pass's first: a backward time never
// shares a column with a forward one.
std::string merged_document(const std::vector<RunRecord>& records, DocumentKind kind) {
  std::string out;
  for (Pass pass : {Pass::forward, Pass::backward}) {
    std::vector<RunRecord> part = of_pass(records, pass);
    // Appended: GCC 12 misreads "\n" + std::string as an overlapping copy (-Wrestrict).
    if (!part.empty()) out.append(out.empty() ? "" : "\n").append(pass_document(part, kind, pass));
  }
  return out.empty() ? pass_document(records, kind, Pass::forward) : out;
}

}  // namespace opbench
