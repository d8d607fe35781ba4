#include "report/history_page.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/text.h"
#include "report/svg.h"

namespace opbench {

namespace {

constexpr double kWidth = 760, kLeft = 70, kRight = 20, kTop = 40, kPlotHeight = 220, kLegendRow = 20;

const char* const kStyle = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 24px 32px; color: #222; }
h2 { font-size: 21px; border-bottom: 2px solid #ccc; padding-bottom: 4px; margin-top: 32px; }
.note { font-size: 13px; color: #555; }
svg { display: block; margin: 8px 0 18px; }
svg circle:hover { r: 6; }
)";

std::string n1(double x) { return formatted("%.1f", x); }

struct Axis {
  double low, high;  // log10 of ms
  size_t runs;
  double x(size_t run) const { return kLeft + (runs > 1 ? run * (kWidth - kLeft - kRight) / (runs - 1.0) : (kWidth - kLeft - kRight) / 2); }
  double y(double ms) const { return kTop + kPlotHeight * (high - std::log10(ms)) / (high - low); }
};

std::string label_of(const HistorySeries& s) { return s.backend + " @ " + s.hostname; }

// The hover text of one point: the run and its figure.
std::string point_title(const HistoryRun& run, const SeriesPoint& p, const std::string& series) {
  return series + "\n" + run.created + (run.label.empty() ? "" : "\nlabel: " + run.label) +
         (run.versions.empty() ? "" : "\n" + run.versions) + "\nopbench " + run.opbench_version + "\nmedian " +
         formatted("%.4g", p.value) + " ms, noise " + formatted("%.2f", 100 * p.noise) + " %";
}

// One experiment's chart: `members` index history.series.
std::string chart(const History& h, const std::vector<Segmentation>& cuts, const std::vector<size_t>& members) {
  // The x axis: the runs any member has, in time order.
  std::vector<size_t> runs;
  double low = INFINITY, high = -INFINITY;
  for (size_t m : members) {
    runs.insert(runs.end(), h.series[m].runs.begin(), h.series[m].runs.end());
    for (const SeriesPoint& p : h.series[m].points) low = std::min(low, p.value), high = std::max(high, p.value);
  }
  std::sort(runs.begin(), runs.end());
  runs.erase(std::unique(runs.begin(), runs.end()), runs.end());
  auto position = [&](size_t run) { return static_cast<size_t>(std::lower_bound(runs.begin(), runs.end(), run) - runs.begin()); };
  Axis axis{std::log10(low) - 0.05, std::log10(high) + 0.05, runs.size()};
  const double legend_top = kTop + kPlotHeight + 34, height = legend_top + kLegendRow * members.size() + 8;
  const HistorySeries& first = h.series[members[0]];
  std::string title = first.name + (first.pass == "forward" ? "" : " [" + first.pass + "]");

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + n1(kWidth) + "\" height=\"" + n1(height) +
                    "\" role=\"img\" font-family=\"DejaVu Sans, sans-serif\"><title>" + xml_escape(title) + "</title>\n";
  svg += "<text x=\"" + n1(kLeft) + "\" y=\"22\" font-size=\"15\" font-weight=\"bold\">" + xml_escape(title) + "</text>\n";
  svg += "<rect x=\"" + n1(kLeft) + "\" y=\"" + n1(kTop) + "\" width=\"" + n1(kWidth - kLeft - kRight) + "\" height=\"" +
         n1(kPlotHeight) + "\" fill=\"#fafafa\" stroke=\"#bbb\"/>\n";
  for (double ms : {low, std::sqrt(low * high), high})  // ticks: the least, the middle (geometric), the most
    svg += "<text x=\"" + n1(kLeft - 6) + "\" y=\"" + n1(axis.y(ms) + 4) + "\" font-size=\"11\" text-anchor=\"end\">" +
           formatted("%.3g", ms) + "</text>\n";
  svg += "<text x=\"14\" y=\"" + n1(kTop + kPlotHeight / 2) + "\" font-size=\"12\" transform=\"rotate(-90 14 " +
         n1(kTop + kPlotHeight / 2) + ")\" text-anchor=\"middle\">ms (log)</text>\n";
  svg += "<text x=\"" + n1(kLeft) + "\" y=\"" + n1(kTop + kPlotHeight + 18) + "\" font-size=\"11\">" +
         xml_escape(h.runs[runs.front()].created) + "</text><text x=\"" + n1(kWidth - kRight) + "\" y=\"" +
         n1(kTop + kPlotHeight + 18) + "\" font-size=\"11\" text-anchor=\"end\">" + xml_escape(h.runs[runs.back()].created) +
         "</text>\n";

  std::vector<std::string> coloured;  // backends that have their colour in this chart
  for (size_t k = 0; k < members.size(); ++k) {
    const HistorySeries& s = h.series[members[k]];
    const Segmentation& cut = cuts[members[k]];
    // A backend's own colour for its first machine, the palette's for the next.
    const bool again = std::find(coloured.begin(), coloured.end(), s.backend) != coloured.end();
    coloured.push_back(s.backend);
    const std::string colour = series_colour(again ? "" : s.backend, k), name = label_of(s);
    std::string points;
    for (size_t i = 0; i < s.points.size(); ++i)
      points += n1(axis.x(position(s.runs[i]))) + "," + n1(axis.y(s.points[i].value)) + " ";
    svg += "<g class=\"series\" data-series=\"" + xml_escape(name) + "\"><polyline fill=\"none\" stroke=\"" + colour +
           "\" stroke-width=\"2\" points=\"" + points + "\"/>\n";
    for (const Segment& g : cut.segments)  // each level, dashed
      svg += "<line class=\"level\" x1=\"" + n1(axis.x(position(s.runs[g.begin]))) + "\" x2=\"" +
             n1(axis.x(position(s.runs[g.end - 1]))) + "\" y1=\"" + n1(axis.y(g.level)) + "\" y2=\"" + n1(axis.y(g.level)) +
             "\" stroke=\"" + colour + "\" stroke-dasharray=\"5 3\" stroke-width=\"1.5\" opacity=\"0.8\"/>\n";
    for (const Step& step : cut.steps) {  // each step: a red bar at its run
      double x = axis.x(position(s.runs[step.at]));
      svg += "<line class=\"step\" x1=\"" + n1(x) + "\" x2=\"" + n1(x) + "\" y1=\"" + n1(kTop) + "\" y2=\"" +
             n1(kTop + kPlotHeight) + "\" stroke=\"#d62728\" stroke-width=\"2\"><title>" +
             xml_escape("step " + formatted("%+.1f %%", 100 * step.change()) + " on " + name + " at " +
                        h.runs[s.runs[step.at]].created) +
             "</title></line>\n";
    }
    for (size_t i = 0; i < s.points.size(); ++i)
      svg += "<circle cx=\"" + n1(axis.x(position(s.runs[i]))) + "\" cy=\"" + n1(axis.y(s.points[i].value)) +
             "\" r=\"3.5\" fill=\"" + colour + "\" stroke=\"#333\" stroke-width=\"0.5\"><title>" +
             xml_escape(point_title(h.runs[s.runs[i]], s.points[i], name)) + "</title></circle>\n";
    svg += "</g>\n";
    double y = legend_top + kLegendRow * k;
    svg += "<g class=\"legend\"><rect x=\"" + n1(kLeft) + "\" y=\"" + n1(y - 11) + "\" width=\"14\" height=\"14\" fill=\"" +
           colour + "\" stroke=\"#555\" stroke-width=\"0.5\"/><text x=\"" + n1(kLeft + 20) + "\" y=\"" + n1(y + 1) +
           "\" font-size=\"13\">" + xml_escape(name + " (" + std::to_string(cut.steps.size()) + " step" +
                                               (cut.steps.size() == 1 ? "" : "s") + ")") +
           "</text></g>\n";
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string history_page(const History& h, const std::vector<Segmentation>& cuts) {
  // op -> experiment (name and pass) -> its series, in the order first seen.
  std::vector<std::string> ops;
  std::map<std::string, std::vector<std::string>> experiments;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < h.series.size(); ++i) {
    const HistorySeries& s = h.series[i];
    std::string key = s.name + " [" + s.pass + "]";
    if (!experiments.count(s.op)) ops.push_back(s.op);
    if (!members.count(key)) experiments[s.op].push_back(key);
    members[key].push_back(i);
  }
  size_t steps = 0;
  for (const Segmentation& c : cuts) steps += c.steps.size();
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>opbench history</title>\n<style>" +
                     std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>opbench history</h1>\n<p class=\"note\">" +
                     std::to_string(h.runs.size()) + " runs, " + std::to_string(h.series.size()) + " series, " +
                     std::to_string(steps) + (steps == 1 ? " step" : " steps") +
                     ". A line per backend and machine; dashed: the levels found, red: a step (docs/history.md); "
                     "hover a point for its run.</p>\n";
  if (h.series.empty()) html += "<p>No run in the history matches.</p>\n";
  for (const std::string& op : ops) {
    html += "<h2 id=\"op-" + xml_escape(op) + "\">" + xml_escape(op) + "</h2>\n";
    for (const std::string& key : experiments[op]) html += chart(h, cuts, members[key]);
  }
  return html + "</body>\n</html>\n";
}

}  // namespace opbench
