// The SVG charts: well-formed XML, a bar per value, the values, the legend,
// and the charts built from results (per op across machines, per machine its speedups).
#include "report/svg.h"

#include <gtest/gtest.h>

#include <regex>

#include "report/charts.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

// Empty when `xml` is well-formed (every tag closed in order, attributes
// quoted, only XML's entities), else what is wrong.
std::string xml_problem(const std::string& xml) {
  static const std::regex kOpen(
      R"(^([A-Za-z][\w:-]*)((\s+[\w:-]+="[^"<&]*(&(amp|lt|gt|quot|#\d+);[^"<&]*)*")*)\s*(/?)$)");
  std::vector<std::string> open;
  for (size_t i = 0; i < xml.size();) {
    if (xml[i] == '&') {
      if (!std::regex_search(xml.substr(i, 8), std::regex("^&(amp|lt|gt|quot|#\\d+);")))
        return "a bare & at " + std::to_string(i);
      ++i;
      continue;
    }
    if (xml[i] != '<') {
      ++i;
      continue;
    }
    size_t end = xml.find('>', i);
    if (end == std::string::npos) return "a tag not closed at " + std::to_string(i);
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1))
        return "</" + tag.substr(1) + "> closes " + (open.empty() ? "nothing" : open.back());
      open.pop_back();
      continue;
    }
    std::smatch m;
    if (!std::regex_match(tag, m, kOpen)) return "a malformed tag: <" + tag + ">";
    if (m[6].str().empty()) open.push_back(m[1].str());
  }
  return open.empty() ? "" : "<" + open.back() + "> is never closed";
}

std::vector<std::string> all(const std::string& text, const std::string& pattern) {
  std::vector<std::string> found;
  std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator(); ++it)
    found.push_back((*it)[1].str());
  return found;
}

BarChart two_by_three() {
  BarChart chart;
  chart.title = "\"MatMul\" benchmark";
  chart.x_label = "machine";
  chart.y_label = "runtime (ms)";
  chart.groups = {"M1 & friends", "NVIDIA H100 80GB HBM3 PCIe Gen5", "AMD EPYC"};
  chart.series = {{"cpu", {504.47, 88.32, NAN}, {}}, {"cuda", {NAN, 2.8, 1.5}, {}}};
  return chart;
}

TEST(XmlProblem, TellsWellFormedFromBroken) {
  EXPECT_EQ(xml_problem("<a x=\"1\"><b/>t &amp; u</a>"), "");
  EXPECT_NE(xml_problem("<a><b></a></b>"), "");
  EXPECT_NE(xml_problem("<a>x & y</a>"), "");
  EXPECT_NE(xml_problem("<a x=1></a>"), "");
  EXPECT_NE(xml_problem("<a>"), "");
}

TEST(Svg, IsWellFormedAndSelfContained) {
  std::string svg = render_svg(two_by_three());
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_FALSE(contains(svg, "href"));  // nothing fetched: no image, no font, no stylesheet
  EXPECT_FALSE(contains(svg, "@import"));
}

TEST(Svg, OneBarPerValueWithItsValueWritten) {
  std::string svg = render_svg(two_by_three());
  EXPECT_EQ(count_of(svg, "<rect class=\"bar\""), 4u);  // six slots, two nan
  EXPECT_EQ(all(svg, "data-value=\"([^\"]*)\""), (std::vector<std::string>{"504.47", "88.32", "2.8", "1.5"}));
  EXPECT_EQ(all(svg, "data-series=\"([^\"]*)\""), (std::vector<std::string>{"cpu", "cpu", "cuda", "cuda"}));
  std::vector<std::string> values = all(svg, "<text [^>]*class=\"value\"[^>]*>([^<]*)</text>");
  EXPECT_EQ(values, (std::vector<std::string>{"504.47", "88.32", "2.80", "1.50"}));
  EXPECT_EQ(count_of(svg, "class=\"value nan\""), 2u);
}

TEST(Svg, TitleAxisLabelLegendAndGroups) {
  std::string svg = render_svg(two_by_three());
  EXPECT_TRUE(contains(svg, ">&quot;MatMul&quot; benchmark</text>"));
  EXPECT_TRUE(contains(svg, ">runtime (ms)</text>"));
  EXPECT_TRUE(contains(svg, ">machine</text>"));
  EXPECT_EQ(count_of(svg, "class=\"legend-item\""), 2u);
  EXPECT_TRUE(contains(svg, ">cpu</text>\n</g>"));
  EXPECT_TRUE(contains(svg, ">cuda</text>\n</g>"));
  EXPECT_TRUE(contains(svg, ">M1 &amp; friends</tspan>"));
  // A name wider than its group is wrapped at spaces, not cut.
  EXPECT_TRUE(contains(svg, ">NVIDIA H100 80GB</tspan>")) << svg;
  EXPECT_TRUE(contains(svg, ">HBM3 PCIe Gen5</tspan>"));
}

TEST(Svg, SeriesKeepTheirColours) {
  std::string svg = render_svg(two_by_three());
  EXPECT_EQ(series_colour("mlx_gpu", 0), "#87ceeb");  // run_viz's skyblue, salmon, lightgreen
  EXPECT_EQ(series_colour("mps", 0), "#fa8072");
  EXPECT_EQ(series_colour("cuda", 3), "#90ee90");
  EXPECT_NE(series_colour("x", 0), series_colour("y", 1));
  EXPECT_EQ(count_of(svg, "fill=\"" + series_colour("cuda", 1) + "\""), 3u);  // two bars and the legend
}

TEST(Svg, TallBarsStayInsideTheChart) {
  std::string svg = render_svg(two_by_three());
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("height=\"([0-9.]+)\" viewBox")));
  double height = std::stod(m[1].str());
  for (const std::string& y : all(svg, "<rect class=\"bar\"[^>]* y=\"([0-9.-]+)\"")) {
    EXPECT_GT(std::stod(y), 60);  // under the title and the legend
    EXPECT_LT(std::stod(y), height);
  }
}

TEST(Svg, LogScaleAroundOneForRatios) {
  BarChart chart;
  chart.title = "speedups";
  chart.y_label = "speedup";
  chart.groups = {"Argmax", "Sort"};
  chart.series = {{"cuda/cpu speedup", {300, 0.5}, {"+29900%", "-50%"}}};
  chart.log_scale = true;
  chart.baseline = 1;
  std::string svg = render_svg(chart);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count_of(svg, "<rect class=\"bar\""), 2u);
  EXPECT_TRUE(contains(svg, ">+29900%</text>"));
  EXPECT_TRUE(contains(svg, ">-50%</text>"));
  // One bar rises from the baseline, the other hangs below it.
  std::smatch base;
  ASSERT_TRUE(std::regex_search(svg, base, std::regex("class=\"baseline\"[^>]* y1=\"([0-9.]+)\"")));
  std::vector<std::string> ys = all(svg, "<rect class=\"bar\"[^>]* y=\"([0-9.]+)\"");
  double baseline = std::stod(base[1].str());
  EXPECT_LT(std::stod(ys[0]), baseline);
  EXPECT_NEAR(std::stod(ys[1]), baseline, 0.01);
  EXPECT_TRUE(contains(svg, ">0.1</text>"));  // decade ticks from 0.1 to 1000
  EXPECT_TRUE(contains(svg, ">1000</text>"));
}

TEST(OpChart, AGroupPerMachineThatRanItABarPerBackend) {
  BarChart chart = op_chart({cpu_machine(), cuda_machine(), apple_machine()}, "Sort");
  EXPECT_EQ(chart.title, "\"Sort\" benchmark");
  EXPECT_EQ(chart.groups, (std::vector<std::string>{"AMD EPYC 7B13", "Apple M2 Max"}));  // the H100 ran no Sort
  std::vector<std::string> series;
  for (const BarSeries& s : chart.series) series.push_back(s.name);
  EXPECT_EQ(series, (std::vector<std::string>{"mlx_gpu", "mlx_cpu", "mps", "cpu"}));
  EXPECT_DOUBLE_EQ(chart.series[1].values[0], 700.0);  // mlx_cpu on the EPYC
  EXPECT_TRUE(std::isnan(chart.series[0].values[0]));  // the EPYC has no mlx_gpu: no bar, no label
  EXPECT_EQ(chart.series[0].labels[0], "");
  EXPECT_DOUBLE_EQ(chart.series[0].values[1], 3.75);
  EXPECT_TRUE(chart.log_scale);  // 3.75 to 700 ms
  EXPECT_EQ(chart.y_label, "runtime (ms, log scale)");
}

TEST(OpChart, TheAverageDocumentsNumbersNanAndWrongWritten) {
  BarChart chart = op_chart({cuda_machine(), apple_machine()}, "MatMul");
  EXPECT_EQ(chart.groups, (std::vector<std::string>{"NVIDIA H100 80GB HBM3", "Apple M2 Max"}));
  const BarSeries& mps = chart.series[2];
  ASSERT_EQ(mps.name, "mps");
  EXPECT_EQ(mps.labels[1], "nan");  // the average of an op with a wrong cell is nan, as in the table
  EXPECT_TRUE(std::isnan(mps.values[1]));
  BarChart softmax = op_chart({cuda_machine()}, "Softmax");
  EXPECT_EQ(softmax.series[1].labels[0], "nan");  // cuda ran and failed
  EXPECT_FALSE(softmax.log_scale);
  EXPECT_EQ(softmax.y_label, "runtime (ms)");
  std::string svg = render_svg(chart);
  EXPECT_EQ(xml_problem(svg), "");
  EXPECT_EQ(count_of(svg, ">nan</text>"), 1u);
}

// An op name that is not its own row label once trimmed (a trailing space in
// an edited file, as the report fuzzer found): a chart with empty bars, not a
// read past the table.
TEST(OpChart, AnOpWhoseNameIsNoRowLabelGetsNoBars) {
  RunRecord r = cuda_machine();
  r.experiments[0].op = "Argmax ";
  BarChart chart = op_chart({r}, "Argmax ");
  ASSERT_EQ(chart.groups.size(), 1u);
  for (const BarSeries& s : chart.series) {
    ASSERT_EQ(s.values.size(), 1u);
    EXPECT_TRUE(std::isnan(s.values[0]));
    EXPECT_EQ(s.labels[0], "");
  }
  EXPECT_EQ(xml_problem(render_svg(chart)), "");
}

TEST(SpeedupChart, TheMachinesSpeedupColumnsOverItsOps) {
  BarChart chart = speedup_chart(apple_machine(), "Apple M2 Max");
  EXPECT_EQ(chart.title, "Apple M2 Max: speedups");
  EXPECT_EQ(chart.groups, (std::vector<std::string>{"Argmax", "MatMul", "Sort"}));
  ASSERT_EQ(chart.series.size(), 2u);
  EXPECT_EQ(chart.series[0].name, "mlx_gpu/mps speedup");
  EXPECT_DOUBLE_EQ(chart.series[0].values[0], 2.0 / 1.25);  // mps 2.0 ms against mlx_gpu 1.25 ms
  EXPECT_EQ(chart.series[0].labels[0], "+60%");
  EXPECT_TRUE(std::isnan(chart.series[0].values[1]));  // mps was wrong on MatMul
  EXPECT_EQ(chart.series[0].labels[1], "nan%");
  EXPECT_TRUE(chart.log_scale);
  EXPECT_EQ(chart.baseline, 1);
  EXPECT_TRUE(speedup_chart(cpu_machine(), "EPYC").groups.empty());  // no speedup column
}

TEST(ReportCharts, AnOpChartEachThenASpeedupChartPerMachine) {
  std::vector<ChartFile> charts = report_charts({cpu_machine(), cuda_machine()}, {});
  std::vector<std::string> names;
  for (const ChartFile& c : charts) {
    names.push_back(c.name);
    EXPECT_EQ(xml_problem(c.svg), "") << c.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"plot_Argmax", "plot_MatMul", "plot_Sort", "plot_Softmax",
                                             "speedup_NVIDIA_H100_80GB_HBM3"}));
  EXPECT_EQ(report_charts({cpu_machine(), cuda_machine()}, {"Sort"}).size(), 2u);
}

TEST(WriteCharts, SvgFilesAndPngWhereAConverterIs) {
  TempDir dir;
  std::string note;
  std::vector<std::string> written = write_charts(report_charts({cuda_machine()}, {"MatMul"}), dir.file("plots"), note);
  ASSERT_GE(written.size(), 2u);
  EXPECT_EQ(written[0], dir.file("plots/plot_MatMul.svg"));
  EXPECT_EQ(read_text(written[0]), render_svg(op_chart({cuda_machine()}, "MatMul")));
  if (written.size() == 2) {
    EXPECT_TRUE(contains(note, "rsvg-convert")) << "no PNG, and no note saying why";
    return;
  }
  ASSERT_EQ(written.size(), 4u) << note;
  EXPECT_EQ(written[1], dir.file("plots/plot_MatMul.png"));
  EXPECT_EQ(read_text(written[1]).substr(1, 3), "PNG");
  EXPECT_EQ(note, "");
}

}  // namespace
}  // namespace opbench
