#include "report/html.h"

#include <algorithm>
#include <cmath>

#include "model/text.h"
#include "report/charts.h"
#include "report/document.h"
#include "report/machines.h"
#include "report/markdown.h"
#include "report/memory_table.h"
#include "report/metrics.h"
#include "report/svg.h"

namespace opbench {

namespace {

const char* const kStyle = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; max-width: 1500px; }
h1 { font-size: 26px; margin-bottom: 4px; }
h2 { font-size: 21px; border-bottom: 2px solid #ccc; padding-bottom: 4px; margin-top: 36px; }
h3 { font-size: 16px; margin: 28px 0 6px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: #444; }
nav ul, ul.legend { margin: 6px 0; }
.machine-info { font-size: 13px; color: #555; margin: 2px 0 8px; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 10px; }
th, td { border: 1px solid #d6d6d6; padding: 3px 8px; }
th { background: #f0f0f0; cursor: pointer; user-select: none; white-space: nowrap; }
th:hover { background: #e2e8f0; }
th[aria-sort=ascending]::after { content: " \25B2"; font-size: 10px; }
th[aria-sort=descending]::after { content: " \25BC"; font-size: 10px; }
tbody tr:nth-child(even) { background: #fafafa; }
tbody tr:hover { background: #eef5ff; }
td.num { text-align: right; font-variant-numeric: tabular-nums; cursor: help; }
td.label { white-space: nowrap; }
td.nan { color: #999; }
td.wrong { color: #b00; font-weight: bold; }
td.imprecise { color: #8a5a00; }
td.noisy { text-decoration: underline dotted #c80; }
td.faster { color: #17692c; }
td.slower { color: #a12a1a; }
details > summary { cursor: pointer; font-weight: bold; font-size: 14px; color: #444; margin: 12px 0 6px; }
.notes { font-size: 12px; color: #555; white-space: pre-wrap; }
.charts { display: flex; flex-wrap: wrap; align-items: flex-start; }
.charts svg { margin: 8px 12px 8px 0; border: 1px solid #eee; max-width: 100%; height: auto; }
)";

// Sorting: a click on a header sorts its table by that column (numbers by
// value, text alphabetically, cells without a number last), again to reverse.
const char* const kScript = R"(
(function () {
  function key(cell) {
    var v = cell.getAttribute('data-v');
    if (v === null) return cell.textContent.trim().toLowerCase();
    return v === '' ? null : parseFloat(v);
  }
  function sortTable(table, column, descending) {
    var head = table.tHead.rows[0].cells, index = -1;
    for (var i = 0; i < head.length; i++) {
      if (head[i].getAttribute('data-col') === column) index = i;
      else head[i].removeAttribute('aria-sort');
    }
    if (index < 0) return false;
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[index]), y = key(b.cells[index]);
      if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
      var order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    head[index].setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    return true;
  }
  document.querySelectorAll('table.sortable thead th').forEach(function (th) {
    th.addEventListener('click', function () {
      sortTable(th.closest('table'), th.getAttribute('data-col'), th.getAttribute('aria-sort') === 'ascending');
    });
  });
  // "#sort=cpu" or "#sort=cpu:desc" in the address sorts every table that has the column.
  var wanted = /sort=([^&:]+)(:desc)?/.exec(decodeURIComponent(location.hash));
  if (wanted) document.querySelectorAll('table.sortable').forEach(function (t) { sortTable(t, wanted[1], !!wanted[2]); });
})();
)";

std::string percent(double fraction) { return formatted("%.1f%%", fraction * 100); }

// The last line of a timed cell's tooltip.
std::string check_detail(const CheckRecord& check) {
  switch (check.verdict) {
    case Verdict::none:
      return "check: none recorded";
    case Verdict::passed:
      return "check passed: error " + formatted("%.2g", check.error) + " against the " + scope_text(check.against);
    case Verdict::imprecise:
      return std::string("check imprecise (marked ") + kImpreciseMark + "): " + imprecision(check);
    case Verdict::skipped:
    case Verdict::wrong:
      break;
  }
  return "check " + verdict_text(check.verdict);
}

// A cell's tooltip: all that is known of how good its number is.
std::string cell_detail(const RunRecord& r, const ExperimentRecord& e, const Cell* c) {
  if (!c) return e.cells.empty() ? "not run on this machine" : "this backend did not run this experiment";
  if (c->wrong())
    return "wrong: output disagrees with the " + scope_text(c->check.against) + " (" + c->check.detail + "); not timed";
  if (!c->ok()) return "nan: " + c->error;
  const Stats& s = c->stats;
  std::string out = "mean " + formatted("%.4g", s.mean) + " ms, median " + formatted("%.4g", s.median) + ", min " +
                    formatted("%.4g", s.min) + ", max " + formatted("%.4g", s.max) + "\nnoise " + percent(s.noise) +
                    ", " + std::to_string(s.count) + " samples" +
                    (c->stop == Stop::none ? "" : std::string(" (stopped: ") + word(c->stop) + ")");
  out += "\ntiming " + timing_words(c->timing, c->batch) + ", " + word(c->cache) + " caches";
  CellRates rates = cell_rates(r, e, *c);
  if (!std::isnan(rates.gbs))
    out += "\n" + formatted("%.3g GB/s, ", rates.gbs) + formatted("%.3g GFLOP/s", rates.gflops) +
           (std::isnan(rates.peak_share) ? "" : formatted(", %.3g%% of the calibrated peak", 100 * rates.peak_share));
  if (c->memory) out += "\n" + memory_detail(*c->memory);
  return out + "\n" + check_detail(c->check);
}

// An op's average cell: how many experiments, how noisy they were.
std::string average_detail(const RunRecord& r, const std::string& op, const std::string& backend) {
  std::vector<double> noises;
  size_t experiments = 0, missing = 0, wrong = 0, imprecise = 0;
  for (const ExperimentRecord& e : r.experiments) {
    if (e.op != op) continue;
    ++experiments;
    const Cell* c = e.find(backend);
    if (c && c->ok())
      noises.push_back(c->stats.noise);
    else if (c && c->wrong())
      ++wrong;
    else
      ++missing;
    imprecise += c && c->imprecise();
  }
  std::string out = "mean of " + std::to_string(experiments) + " experiments";
  if (!noises.empty()) {
    std::sort(noises.begin(), noises.end());
    out += "\ntheir noise: median " + percent(noises[noises.size() / 2]) + ", worst " + percent(noises.back());
  }
  if (imprecise)
    out += "\n" + std::to_string(imprecise) + " with an imprecise output (marked " + kImpreciseMark + ")";
  if (wrong) out += "\n" + std::to_string(wrong) + " without a right result";
  if (missing) out += "\n" + std::to_string(missing) + " without a time";
  return out;
}

std::string time_cell(const std::string& column, const TableTime& time, const std::string& detail, bool noisy) {
  std::string classes = "num", text = trimmed(format_time(time)), value;
  if (time.verdict == Verdict::wrong)
    classes += " wrong";
  else if (std::isnan(time.ms))
    classes += " nan";
  else
    value = formatted("%.6g", time.ms);
  if (time.marked()) classes += " imprecise";
  if (noisy) classes += " noisy";
  return "<td class=\"" + classes + "\" data-col=\"" + xml_escape(column) + "\" data-v=\"" + value + "\" title=\"" +
         xml_escape(detail) + "\">" + text + "</td>";
}

// `speedup`: speedup_in's, so that a version change is the tables' (compare's ratio).
std::string speedup_cell(const SpeedupPair& s, double speedup) {
  std::string text = trimmed(format_speedup(1, speedup)), value, classes = "num";
  double x = (speedup - 1) * 100;
  if (speedup > 0 && std::isfinite(x)) {
    value = formatted("%.6g", x);
    classes += x >= 0 ? " faster" : " slower";
  } else {
    classes += " nan";
  }
  return "<td class=\"" + classes + "\" data-col=\"" + xml_escape(s.header()) + "\" data-v=\"" + value + "\" title=\"" +
         xml_escape(s.a + " against " + s.b + ": " + text) + "\">" + text + "</td>";
}

// A table of `table`'s numbers; `detail(row, backend)` gives each time cell's tooltip.
template <typename Detail>
std::string html_table(const TableData& table, const std::string& id, Detail&& detail) {
  std::string out =
      "<table class=\"sortable\" id=\"" + id + "\">\n<thead><tr><th data-col=\"operation\">Operation</th>";
  for (const std::string& b : table.backends)
    out += "<th data-col=\"" + xml_escape(b) + "\">" + xml_escape(b) + "</th>";
  for (const SpeedupPair& s : table.speedups)
    out += "<th data-col=\"" + xml_escape(s.header()) + "\">" + xml_escape(s.header()) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    auto& [label, times] = table.rows[i];
    out += "<tr data-key=\"" + xml_escape(trimmed(label)) + "\"><td class=\"label\">" + xml_escape(trimmed(label)) +
           "</td>";
    for (const std::string& b : table.backends) {
      auto [text, noisy] = detail(i, b);
      out += time_cell(b, times.at(b), text, noisy);
    }
    for (const SpeedupPair& s : table.speedups) out += speedup_cell(s, speedup_in(table, label, s));
    out += "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

constexpr double kNoisy = 0.05;  // cells noisier than this are underlined

std::string machine_section(const RunRecord& r, size_t index, const std::string& bold_line, const std::string& source,
                            const std::string& label) {
  std::string id = std::to_string(index);
  std::string out =
      "<section class=\"machine\" id=\"machine-" + id + "\">\n<h3>" + xml_escape(bold_line) + "</h3>\n";
  const SamplerSettings& m = r.settings.sampler;
  out += "<div class=\"machine-info\">" + xml_escape(source) + " &middot; " + xml_escape(r.created) +
         " &middot; suite " + xml_escape(r.suite) + " &middot; opbench " + xml_escape(r.opbench_version) +
         " &middot; " + xml_escape(r.machine.os) + " &middot; host " + xml_escape(r.machine.hostname) +
         "<br>sampling: target noise " + percent(m.target_noise) + ", " + formatted("%g", m.min_time_s) + " to " +
         formatted("%g", m.max_time_s) + " s a cell" + (m.stop_when_settled ? " (less once the spread settles)" : "") +
         ", at least " + std::to_string(m.min_samples) +
         " samples &middot; outputs " +
         (r.settings.check ? "checked against the reference" : "not checked (--no-check)") + "</div>\n";

  TableData average = machine_average(r);
  out += "<h4>Average benchmark</h4>\n";
  out += html_table(average, "average-" + id, [&](size_t row, const std::string& b) {
    std::string op = trimmed(average.rows[row].first);
    return std::pair(average_detail(r, op, b), false);
  });
  TableData detailed = detailed_data(r);
  out += "<details open><summary>Detailed benchmark (" + std::to_string(detailed.rows.size()) +
         " experiments)</summary>\n";
  out += html_table(detailed, "detailed-" + id, [&](size_t row, const std::string& b) {
    const ExperimentRecord& e = r.experiments[row];
    const Cell* c = e.find(b);
    return std::pair(cell_detail(r, e, c), c && c->ok() && c->stats.noise > kNoisy);
  });
  out += "</details>\n";
  BarChart speedups = speedup_chart(r, label);
  if (!speedups.groups.empty()) out += "<div class=\"charts\">\n" + render_svg(speedups) + "</div>\n";
  std::string notes = table_notes(r);
  if (!notes.empty()) out += "<div class=\"notes\">" + xml_escape(notes) + "</div>\n";
  return out + "</section>\n";
}

// One pass's part of the page: its machine sections (the runs of one host
// merged), with their bold lines, labels and source files.
struct PassPart {
  Pass pass;
  size_t first_id;  // the page-wide number of its first section (the ids machine-N, average-N, ...)
  std::vector<RunRecord> records, aligned;
  std::vector<std::string> lines, labels, sources;
  // "CUDA GPUs", or "CUDA GPUs, backward pass (forward + gradients)".
  std::string heading(MachineKind kind) const {
    return kind_heading(kind) + (pass == Pass::forward ? "" : ", backward pass (forward + gradients)");
  }
};

PassPart pass_part(const std::vector<RunRecord>& all, const std::vector<std::string>& sources, Pass pass,
                   size_t first_id) {
  PassPart part{pass, first_id, {}, {}, {}, {}, {}};
  std::vector<RunRecord> runs;
  std::vector<std::string> run_sources;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!shows_pass(all[i], pass)) continue;
    runs.push_back(all[i].only(pass));
    run_sources.push_back(i < sources.size() ? sources[i] : "");
  }
  MachineSections merged = machine_sections(runs);
  part.records = merged.records;
  for (const std::vector<size_t>& members : merged.runs) {
    std::string listed;
    for (size_t k : members) listed += (listed.empty() ? "" : ", ") + run_sources[k];
    part.sources.push_back(listed);
  }
  part.aligned = align_experiments(part.records);
  part.labels = machine_labels(part.records);
  part.lines = section_lines(part.records);
  return part;
}

// " (3 runs)" where the machines ran more than one run each; else "".
std::string runs_text(size_t runs, size_t hosts) { return runs == hosts ? "" : " (" + std::to_string(runs) + " runs)"; }

}  // namespace

std::string html_report(const std::vector<RunRecord>& all_records, const std::vector<std::string>& sources,
                        const std::vector<std::string>& chart_ops) {
  std::vector<PassPart> parts;
  std::vector<RunRecord> every_section;
  for (Pass pass : {Pass::forward, Pass::backward}) {
    PassPart part = pass_part(all_records, sources, pass, every_section.size());
    if (part.records.empty()) continue;
    every_section.insert(every_section.end(), part.records.begin(), part.records.end());
    parts.push_back(std::move(part));
  }
  const size_t hosts = host_count(every_section);
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>opbench: runtime "
      "benchmark</title>\n"
      "<style>" +
      std::string(kStyle) +
      "</style>\n</head>\n<body>\n<h1>Runtime benchmark</h1>\n"
      "<p>Runtime of tensor operations, in milliseconds (lower is better), on " + std::to_string(hosts) +
      (hosts == 1 ? " machine" : " machines") + runs_text(all_records.size(), hosts) +
      ". Click a column's header to sort by it; hover over a cell for its noise, sample count and check.</p>\n"
      "<ul class=\"legend\">\n";
  for (auto& [name, text] : column_legend(every_section))
    out += "<li><code>" + xml_escape(name) + "</code>: " + xml_escape(text) + "</li>\n";
  out += "</ul>\n<nav><strong>Machines</strong><ul>\n";
  for (const PassPart& part : parts)
    for (auto& [kind, members] : group_machines(part.aligned))
      for (size_t i : members)
        out += "<li><a href=\"#machine-" + std::to_string(part.first_id + i) + "\">" + xml_escape(part.labels[i]) +
               "</a> (" + xml_escape(part.heading(kind)) + ")</li>\n";
  out += "<li><a href=\"#charts\">Charts</a></li>\n</ul></nav>\n";
  for (const PassPart& part : parts)
    for (auto& [kind, members] : group_machines(part.aligned)) {
      out += "<h2>" + xml_escape(part.heading(kind)) + "</h2>\n";
      for (size_t i : members)
        out += machine_section(part.aligned[i], part.first_id + i, part.lines[i], part.sources[i], part.labels[i]);
    }
  // The runtime charts of the first pass on the page (the backward pass's are backward_ files of --plots).
  const std::vector<RunRecord>& charted = parts.front().records;
  out += "<h2 id=\"charts\">Runtime of each op across machines</h2>\n<div class=\"charts\">\n";
  for (const std::string& op : chart_ops.empty() ? ops_of(charted) : chart_ops) out += render_svg(op_chart(charted, op));
  out += "</div>\n<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace opbench
