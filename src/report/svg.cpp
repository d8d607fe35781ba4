#include "report/svg.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/text.h"

namespace opbench {

namespace {

// Sizes in pixels. Text widths are estimated (no font metrics here) at 0.6 of
// the font size a character, a little over DejaVu Sans' average, so
// estimates err on the roomy side.
constexpr double kCharWidth = 0.6;
constexpr double kTitleSize = 18, kTextSize = 13, kValueSize = 11;
constexpr double kPlotHeight = 320;
constexpr double kMinGroupWidth = 130;  // room for a machine's name on two lines
constexpr double kDense = 8;            // more groups than this (a machine's ops): narrower bars, names slanted
constexpr double kSlant = 40;           // degrees
constexpr double kRight = 24, kMinWidth = 560;

double text_width(const std::string& text, double size) { return static_cast<double>(text.size()) * size * kCharWidth; }

// A coordinate: one decimal, none when it is 0.
std::string number(double x) {
  std::string s = formatted("%.1f", x);
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// A tick label or a bar's value: 0.001, 0.5, 20, 1000, 1e+06.
std::string tick_text(double x) { return formatted("%g", x); }

std::string text(double x, double y, const std::string& content, const std::string& attributes) {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" " + attributes + ">" + xml_escape(content) +
         "</text>\n";
}

// Text turned by `degrees` (counter-clockwise) about its anchor.
std::string rotated(double x, double y, double degrees, const std::string& content, const std::string& attributes) {
  return text(x, y, content,
              "transform=\"rotate(" + number(-degrees) + " " + number(x) + " " + number(y) + ")\" " + attributes);
}

// Words filled into lines of at most `width` pixels; a longer word keeps a line to itself.
std::vector<std::string> wrap(const std::string& text, double width, double size) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    std::string word = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? text.size() : end + 1;
    if (word.empty()) continue;
    if (!lines.empty() && text_width(lines.back() + " " + word, size) <= width)
      lines.back() += " " + word;
    else
      lines.push_back(word);
  }
  if (lines.empty()) lines.push_back("");
  return lines;
}

// The value axis: data value -> pixels above the plot's bottom.
struct Axis {
  bool log = false;
  double lo = 0, hi = 1;  // in data units (log10 of them on a log scale)
  std::vector<double> ticks;

  double position(double v) const {
    double x = log ? std::log10(v) : v;
    return (std::clamp(x, lo, hi) - lo) / (hi - lo) * kPlotHeight;
  }
};

bool drawable(double v, bool log) { return std::isfinite(v) && (!log || v > 0) && v >= 0; }

Axis make_axis(const BarChart& chart) {
  Axis axis;
  axis.log = chart.log_scale;
  double lo = INFINITY, hi = -INFINITY;
  for (const BarSeries& s : chart.series)
    for (double v : s.values)
      if (drawable(v, axis.log)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (axis.log) {
    if (chart.baseline > 0) lo = std::min(lo, chart.baseline), hi = std::max(hi, chart.baseline);
    if (!std::isfinite(lo)) lo = 1, hi = 10;
    axis.lo = std::floor(std::log10(lo));
    axis.hi = std::ceil(std::log10(hi));
    if (axis.hi <= axis.lo) axis.hi = axis.lo + 1;
    for (double d = axis.lo; d <= axis.hi + 1e-9; ++d) axis.ticks.push_back(std::pow(10.0, d));
    return axis;
  }
  if (!std::isfinite(hi) || hi <= 0) hi = 1;
  // A "nice" step (1, 2 or 5 times a power of ten) giving about five ticks.
  double raw = hi / 5, power = std::pow(10.0, std::floor(std::log10(raw)));
  double step = raw / power <= 1 ? power : raw / power <= 2 ? 2 * power : raw / power <= 5 ? 5 * power : 10 * power;
  axis.lo = 0;
  axis.hi = std::ceil(hi / step - 1e-9) * step;
  for (double t = 0; t <= axis.hi + step / 2; t += step) axis.ticks.push_back(t);
  return axis;
}

}  // namespace

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string series_colour(const std::string& name, size_t index) {
  static const std::map<std::string, std::string> kFixed = {{"mlx_gpu", "#87ceeb"}, {"mlx_gpu_compile", "#4682b4"},
                                                            {"mlx_cpu", "#dda0dd"}, {"mlx_cpu_compile", "#ba55d3"},
                                                            {"mps", "#fa8072"},     {"cpu", "#f4c542"},
                                                            {"cuda", "#90ee90"},    {"cuda_graph", "#3cb371"}};
  static const char* const kPalette[] = {"#80b1d3", "#fdb462", "#b3de69", "#fccde5",
                                         "#bc80bd", "#8dd3c7", "#ffed6f", "#fb8072"};
  auto it = kFixed.find(name);
  return it != kFixed.end() ? it->second : kPalette[index % std::size(kPalette)];
}

std::string render_svg(const BarChart& chart) {
  const size_t groups = chart.groups.size(), per_group = std::max<size_t>(chart.series.size(), 1);
  const bool dense = static_cast<double>(groups) > kDense;
  const double bar_width = dense ? 16 : 26, gap = dense ? 16 : 28;
  const double bars_width = static_cast<double>(per_group) * bar_width;
  constexpr double kBaseLeft = 78;  // room for the value axis
  // Groups share the chart's least width, rather than leave it empty on the right.
  const double group_width =
      std::max(dense ? bars_width + gap : std::max(bars_width + gap, kMinGroupWidth),
               (kMinWidth - kBaseLeft - kRight) / static_cast<double>(std::max<size_t>(groups, 1)));
  // Group names wrap at spaces to their group's width; where a word is still
  // too wide, every name is written whole, slanted.
  std::vector<std::vector<std::string>> group_lines;
  size_t most_lines = 1;
  bool slanted = false;
  double longest_group = 0;
  for (const std::string& g : chart.groups) {
    group_lines.push_back(wrap(g, group_width - 6, kTextSize));
    most_lines = std::max(most_lines, group_lines.back().size());
    for (const std::string& line : group_lines.back())
      slanted = slanted || text_width(line, kTextSize) > group_width - 4;
    longest_group = std::max(longest_group, text_width(g, kTextSize));
  }
  const double cos_slant = std::cos(kSlant * M_PI / 180), sin_slant = std::sin(kSlant * M_PI / 180);
  // The left margin holds the value axis, and the first slanted names.
  double left = kBaseLeft;
  if (slanted)
    for (size_t g = 0; g < groups; ++g)
      left = std::max(
          left, text_width(chart.groups[g], kTextSize) * cos_slant + 8 - (static_cast<double>(g) + 0.5) * group_width);
  const double group_room = slanted ? longest_group * sin_slant + 22 : static_cast<double>(most_lines) * 16 + 8;
  const double width = std::max(kMinWidth, left + static_cast<double>(groups) * group_width + kRight);
  Axis axis = make_axis(chart);

  auto label_of = [&](const BarSeries& s, size_t g) {
    if (g < s.labels.size()) return s.labels[g];
    return drawable(s.values[g], axis.log) ? formatted("%.2f", s.values[g]) : std::string("nan");
  };
  // Values go across the bar when every one fits its width, else up along it.
  double longest_value = 0;
  for (const BarSeries& s : chart.series)
    for (size_t g = 0; g < groups && g < s.values.size(); ++g)
      longest_value = std::max(longest_value, text_width(label_of(s, g), kValueSize));
  const bool upright = longest_value > bar_width + 2;

  // Legend rows under the title, wrapped to the width.
  std::string legend;
  double legend_x = left, legend_y = 50;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const BarSeries& s = chart.series[i];
    double item = 20 + text_width(s.name, kTextSize) + 18;
    if (legend_x + item > width - kRight && legend_x > left) legend_x = left, legend_y += 20;
    legend += "<g class=\"legend-item\"><rect x=\"" + number(legend_x) + "\" y=\"" + number(legend_y - 11) +
              "\" width=\"14\" height=\"14\" fill=\"" + series_colour(s.name, i) +
              "\" stroke=\"#555\" stroke-width=\"0.5\"/>" +
              text(legend_x + 20, legend_y + 1, s.name, "font-size=\"13\"") + "</g>\n";
    legend_x += item;
  }

  // Headroom above the plot for the tallest bar's value (and below it for a
  // bar that goes down from the baseline).
  const double value_room = (upright ? longest_value : kValueSize) + 8;
  const double plot_top = legend_y + 16 + value_room;
  const double plot_bottom = plot_top + kPlotHeight;
  const double below = chart.log_scale && chart.baseline > 0 ? value_room : 0;
  const double x_label_y = plot_bottom + below + group_room + 18;
  const double height = x_label_y + (chart.x_label.empty() ? 0 : 12);
  auto y_of = [&](double v) { return plot_bottom - axis.position(v); };

  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bar-chart\" width=\"" + number(width) +
                    "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) +
                    "\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" role=\"img\">\n";
  out += "<title>" + xml_escape(chart.title) + "</title>\n";
  out +=
      "<rect class=\"background\" width=\"" + number(width) + "\" height=\"" + number(height) + "\" fill=\"white\"/>\n";
  out +=
      text(width / 2, 26, chart.title, "class=\"title\" font-size=\"18\" font-weight=\"bold\" text-anchor=\"middle\"");
  out += "<g class=\"legend\">\n" + legend + "</g>\n";

  // Grid and value axis.
  out += "<g class=\"axis\" font-size=\"12\" fill=\"#333\">\n";
  for (double t : axis.ticks) {
    double y = y_of(t);
    out += "<line x1=\"" + number(left) + "\" x2=\"" + number(width - kRight) + "\" y1=\"" + number(y) + "\" y2=\"" +
           number(y) + "\" stroke=\"#ddd\"/>\n";
    out += text(left - 6, y + 4, tick_text(t), "text-anchor=\"end\"");
  }
  out += "<line x1=\"" + number(left) + "\" x2=\"" + number(left) + "\" y1=\"" + number(plot_top) + "\" y2=\"" +
         number(plot_bottom) + "\" stroke=\"#333\"/>\n";
  const double base_y = chart.log_scale && chart.baseline <= 0 ? plot_bottom : y_of(chart.baseline);
  out += "<line class=\"baseline\" x1=\"" + number(left) + "\" x2=\"" + number(width - kRight) + "\" y1=\"" +
         number(base_y) + "\" y2=\"" + number(base_y) + "\" stroke=\"#333\"/>\n";
  out += "</g>\n";

  // Bars, and the value on each.
  std::string bars = "<g class=\"bars\">\n", values = "<g class=\"values\" font-size=\"11\" fill=\"#222\">\n";
  for (size_t g = 0; g < groups; ++g) {
    double x0 = left + static_cast<double>(g) * group_width + (group_width - bars_width) / 2;
    for (size_t i = 0; i < chart.series.size(); ++i) {
      const BarSeries& s = chart.series[i];
      double v = g < s.values.size() ? s.values[g] : NAN;
      double x = x0 + static_cast<double>(i) * bar_width, cx = x + bar_width / 2;
      std::string label = label_of(s, g);
      if (!drawable(v, axis.log)) {
        const char* nan = "class=\"value nan\" fill=\"#888\" text-anchor=";
        if (!label.empty())
          values += upright ? rotated(cx + 3, base_y - 4, 90, label, nan + std::string("\"start\""))
                            : text(cx, base_y - 4, label, nan + std::string("\"middle\""));
        continue;
      }
      double top = std::min(base_y, y_of(v)), bottom = std::max(base_y, y_of(v));
      bool down = y_of(v) > base_y;
      bars += "<rect class=\"bar\" data-group=\"" + xml_escape(chart.groups[g]) + "\" data-series=\"" +
              xml_escape(s.name) + "\" data-value=\"" + tick_text(v) + "\" x=\"" + number(x) + "\" y=\"" + number(top) +
              "\" width=\"" + number(bar_width - 2) + "\" height=\"" + number(std::max(bottom - top, 0.5)) +
              "\" fill=\"" + series_colour(s.name, i) + "\" stroke=\"#555\" stroke-width=\"0.5\"><title>" +
              xml_escape(chart.groups[g] + ", " + s.name + ": " + label) + "</title></rect>\n";
      double cx_bar = cx - 1;  // the bar is 2 pixels narrower than its slot
      if (upright)
        values += rotated(cx_bar + 4, down ? bottom + 4 : top - 4, 90, label,
                          std::string("class=\"value\" text-anchor=\"") + (down ? "end" : "start") + "\"");
      else
        values += text(cx_bar, down ? bottom + 12 : top - 4, label, "class=\"value\" text-anchor=\"middle\"");
    }
  }
  out += bars + "</g>\n" + values + "</g>\n";

  // Group names under the plot.
  out += "<g class=\"groups\" font-size=\"13\" fill=\"#222\">\n";
  for (size_t g = 0; g < groups; ++g) {
    double x = left + static_cast<double>(g) * group_width + group_width / 2, y = plot_bottom + below + 18;
    if (slanted) {
      out += rotated(x, y, kSlant, chart.groups[g], "class=\"group\" text-anchor=\"end\"");
      continue;
    }
    std::string cx = number(x);
    out += "<text class=\"group\" x=\"" + cx + "\" y=\"" + number(y) + "\" text-anchor=\"middle\">";
    for (size_t line = 0; line < group_lines[g].size(); ++line)
      out +=
          "<tspan x=\"" + cx + "\" dy=\"" + (line ? "16" : "0") + "\">" + xml_escape(group_lines[g][line]) + "</tspan>";
    out += "</text>\n";
  }
  out += "</g>\n";
  double mid = (plot_top + plot_bottom) / 2;
  out += rotated(18, mid, 90, chart.y_label, "class=\"y-label\" font-size=\"13\" text-anchor=\"middle\"");
  if (!chart.x_label.empty())
    out += text((left + width - kRight) / 2, x_label_y, chart.x_label,
                "class=\"x-label\" font-size=\"13\" text-anchor=\"middle\"");
  return out + "</svg>\n";
}

}  // namespace opbench
