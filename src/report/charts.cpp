#include "report/charts.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "format/json.h"
#include "model/text.h"
#include "report/bandwidth.h"
#include "report/document.h"
#include "report/machines.h"
#include "report/markdown.h"

extern char** environ;

namespace opbench {

namespace {

// A time on its bar: two decimals as the tables, or two digits where that would show 0.00.
std::string bar_text(double ms) { return formatted(ms >= 0.005 || ms == 0 ? "%.2f" : "%.2g", ms); }

bool ran_op(const RunRecord& r, const std::string& op) {
  return std::any_of(r.experiments.begin(), r.experiments.end(),
                     [&](const ExperimentRecord& e) { return e.op == op && !e.cells.empty(); });
}

std::string file_safe(const std::string& text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  while (out.find("__") != std::string::npos) out.erase(out.find("__"), 1);
  return out;
}

// Runs a program (found on PATH) and waits; true when it exited 0.
bool run_program(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  int failed = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed) return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool real_imagemagick(const char* program) {
  std::string command = std::string(program) + " -version 2>/dev/null";
  std::FILE* p = popen(command.c_str(), "r");
  if (!p) return false;
  char line[256] = {};
  bool found = false;
  while (std::fgets(line, sizeof line, p)) found = found || std::string(line).rfind("Version: ImageMagick", 0) == 0;
  pclose(p);
  return found;
}

// The command that turns an SVG into a PNG on this machine, without the two file names; empty if none.
std::vector<std::string> png_converter() {
  if (run_program({"rsvg-convert", "--version"})) return {"rsvg-convert", "--background-color=white", "-o"};
  for (const char* program : {"magick", "convert"})
    if (real_imagemagick(program)) return {program};
  return {};
}

}  // namespace

std::vector<std::string> ops_of(const std::vector<RunRecord>& records) {
  std::vector<std::string> ops;
  for (const RunRecord& r : records)
    for (const ExperimentRecord& e : r.experiments)
      if (std::find(ops.begin(), ops.end(), e.op) == ops.end()) ops.push_back(e.op);
  return ops;
}

BarChart op_chart(const std::vector<RunRecord>& records, const std::string& op) {
  std::vector<RunRecord> aligned = align_experiments(records);
  std::vector<std::string> labels = machine_labels(records);
  BarChart chart;
  chart.title = "\"" + op + "\" benchmark";
  chart.x_label = "machine";
  std::vector<const BackendRecord*> backends;  // every backend of a machine that ran the op, in column order
  std::vector<size_t> machines;
  for (size_t i = 0; i < aligned.size(); ++i) {
    if (!ran_op(aligned[i], op)) continue;
    machines.push_back(i);
    chart.groups.push_back(labels[i]);
    for (const BackendRecord& b : aligned[i].backends)
      if (std::none_of(backends.begin(), backends.end(), [&](auto* x) { return x->info.name == b.info.name; }))
        backends.push_back(&b);
  }
  std::stable_sort(backends.begin(), backends.end(), [](auto* x, auto* y) { return x->info.column < y->info.column; });
  for (const BackendRecord* b : backends) chart.series.push_back({b->info.name, {}, {}});
  double lo = INFINITY, hi = 0;
  for (size_t i : machines) {
    TableData table = machine_average(aligned[i]);
    auto row = std::find_if(table.rows.begin(), table.rows.end(), [&](auto& r) { return trimmed(r.first) == op; });
    // The op's time on a backend, or nullptr where the table has none: no
    // row when the op's name does not survive as a row label (a name with
    // spaces in an edited file), no cell for a backend of another machine.
    auto time_on = [&](const std::string& backend) -> const TableTime* {
      if (row == table.rows.end()) return nullptr;
      auto cell = row->second.find(backend);
      return cell == row->second.end() ? nullptr : &cell->second;
    };
    for (BarSeries& s : chart.series) {
      const TableTime* found =
          std::find(table.backends.begin(), table.backends.end(), s.name) != table.backends.end() ? time_on(s.name) : nullptr;
      bool ran = found != nullptr;
      TableTime time = ran ? *found : TableTime{};
      double v = time.ms;
      // An op's average is nan when any of its cells is (wrong ones included),
      // and marked when any is imprecise, as in the table.
      std::string label = !ran ? "" : std::isnan(v) ? "nan" : bar_text(v) + (time.marked() ? kImpreciseMark : "");
      if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
      s.values.push_back(v);
      s.labels.push_back(label);
    }
  }
  chart.log_scale = hi > 100 * lo;
  chart.y_label = chart.log_scale ? "runtime (ms, log scale)" : "runtime (ms)";
  return chart;
}

BarChart speedup_chart(const RunRecord& record, const std::string& machine_label) {
  TableData table = machine_average(record);
  BarChart chart;
  chart.title = machine_label + ": speedups";
  chart.x_label = "op";
  chart.y_label = "speedup (x, log scale; above 1 = faster)";
  chart.log_scale = true;
  chart.baseline = 1;
  if (table.speedups.empty()) return chart;
  std::erase_if(table.rows, [&](auto& row) { return !ran_op(record, trimmed(row.first)); });
  for (auto& [label, times] : table.rows) chart.groups.push_back(trimmed(label));
  for (const SpeedupPair& s : table.speedups) {
    BarSeries series{s.header(), {}, {}};
    for (auto& [label, times] : table.rows) {
      const double speedup = speedup_in(table, label, s);
      bool known = speedup > 0 && std::isfinite(speedup);  // neither nan nor wrong
      series.values.push_back(known ? speedup : NAN);
      std::string text = format_speedup(1, speedup);
      series.labels.push_back(text.substr(text.find_first_not_of(' ')));
    }
    chart.series.push_back(std::move(series));
  }
  return chart;
}

namespace {

// The charts of one pass's records; the backward pass's are named
// backward_<name> and say so in their titles.
void add_pass_charts(const std::vector<RunRecord>& runs, const std::vector<std::string>& chosen, Pass pass,
                     std::vector<ChartFile>& charts) {
  const std::vector<RunRecord> records = machine_sections(runs).records;  // a machine's runs are one group
  std::string prefix = pass == Pass::forward ? "" : pass_text(pass) + "_";
  auto add = [&](const std::string& name, BarChart chart) {
    if (pass != Pass::forward) chart.title += ", " + pass_heading(pass);
    charts.push_back({prefix + name, render_svg(chart)});
  };
  for (const std::string& op : chosen.empty() ? ops_of(records) : chosen) add("plot_" + file_safe(op), op_chart(records, op));
  std::vector<RunRecord> aligned = align_experiments(records);  // the same numbers as the average document
  std::vector<std::string> labels = machine_labels(records);
  for (size_t i = 0; i < records.size(); ++i) {
    BarChart chart = speedup_chart(aligned[i], labels[i]);
    if (!chart.groups.empty()) add("speedup_" + file_safe(labels[i]), chart);
  }
}

}  // namespace

std::vector<ChartFile> report_charts(const std::vector<RunRecord>& records, const std::vector<std::string>& chosen) {
  std::vector<ChartFile> charts;
  bool any = false;
  for (Pass pass : {Pass::forward, Pass::backward}) {
    std::vector<RunRecord> part = of_pass(records, pass);
    if (part.empty()) continue;
    any = true;
    add_pass_charts(part, chosen, pass, charts);
  }
  if (!any) add_pass_charts(records, chosen, Pass::forward, charts);
  // The collectives' bus bandwidth against message size, per record.
  for (size_t k = 0; k < records.size(); ++k)
    for (auto& [name, chart] : bandwidth_charts(records[k])) {
      std::string file = name;  // appended: GCC 12 misreads "_" + std::string as an overlapping copy (-Wrestrict)
      if (records.size() > 1) file.append("_").append(std::to_string(k + 1));
      charts.push_back({file, render_svg(chart)});
    }
  return charts;
}

std::vector<std::string> write_charts(const std::vector<ChartFile>& charts, const std::string& folder,
                                      std::string& png_note) {
  std::filesystem::create_directories(folder);
  std::vector<std::string> converter = png_converter();
  png_note = converter.empty()
                 ? "no PNGs: neither rsvg-convert nor ImageMagick is installed (apt-get install librsvg2-bin)"
                 : "";
  std::vector<std::string> written;
  for (const ChartFile& c : charts) {
    std::string svg = (std::filesystem::path(folder) / (c.name + ".svg")).string();
    std::string png = (std::filesystem::path(folder) / (c.name + ".png")).string();
    write_file_atomically(svg, c.svg);
    written.push_back(svg);
    if (converter.empty()) continue;
    std::vector<std::string> command = converter;
    if (command[0] == "rsvg-convert")
      command.insert(command.end(), {png, svg});
    else
      command.insert(command.end(), {svg, png});
    if (run_program(command))
      written.push_back(png);
    else
      png_note = "some PNGs failed: " + command[0] + " could not convert " + svg;
  }
  return written;
}

}  // namespace opbench
