// The history page: what it holds, then what headless Chromium draws of it,
// read from its screenshot's pixels (decoded here with zlib): not blank, and
// each series' legend swatch drawn.
#include "report/history_page.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <random>

#include "report/svg.h"
#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

// Two machines' MatMul on cpu and cuda over 30 runs, cuda 20 % slower from run 15 on.
History planted_history() {
  History h;
  for (int i = 0; i < 30; ++i)
    h.runs.push_back({i + 1, "2026-11-" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1) + "T03:00:00Z",
                      "nightly " + std::to_string(i + 1), "0.6.1", "default", i % 2 ? "h100" : "dev",
                      i % 2 ? "aaaa" : "bbbb", "torch 2.11.0"});
  std::mt19937 rng(5);
  std::normal_distribution<double> spread(1.0, 0.005);
  auto series = [&](const std::string& backend, int parity, double ms, double step) {
    HistorySeries s{parity ? "aaaa" : "bbbb", parity ? "h100" : "dev", "MatMul", "MatMul / dim=64x64 dim=64x64",
                    "MatMul dim1=64x64 dim2=64x64", "forward", backend, {}, {}};
    for (size_t i = parity; i < h.runs.size(); i += 2) {
      s.runs.push_back(i);
      s.points.push_back({ms * (i >= 15 ? 1 + step : 1) * spread(rng), 0.004});
    }
    h.series.push_back(s);
  };
  series("cpu", 0, 2.0, 0);
  series("cuda", 1, 0.5, 0.2);
  series("cpu", 1, 1.0, 0);
  h.series.push_back({"aaaa", "h100", "Sort", "Sort / dim=64 axi=0", "Sort dim1=64 axis=0", "backward", "cuda", {1, 3}, {{0.1, 0.01}, {0.1, 0.01}}});
  return h;
}

std::vector<Segmentation> cuts_of(const History& h) {
  std::vector<Segmentation> cuts;
  for (const HistorySeries& s : h.series) cuts.push_back(find_steps(s.points));
  return cuts;
}

TEST(HistoryPage, AChartPerExperimentWithItsSeriesLevelsAndSteps) {
  History h = planted_history();
  std::vector<Segmentation> cuts = cuts_of(h);
  ASSERT_EQ(cuts[1].steps.size(), 1u);  // the planted cuda step
  std::string page = history_page(h, cuts);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count_of(page, "<svg"), 2u);  // MatMul's, and Sort's backward pass
  EXPECT_TRUE(contains(page, "<h2 id=\"op-MatMul\">MatMul</h2>"));
  EXPECT_TRUE(contains(page, "<title>Sort / dim=64 axi=0 [backward]</title>"));
  EXPECT_EQ(count_of(page, "class=\"legend\""), 4u);
  EXPECT_TRUE(contains(page, ">cuda @ h100 (1 step)</text>"));
  EXPECT_TRUE(contains(page, ">cpu @ dev (0 steps)</text>"));
  EXPECT_EQ(count_of(page, "class=\"step\""), 1u);
  EXPECT_TRUE(contains(page, "<title>step +20."));
  EXPECT_EQ(count_of(page, "<circle"), 15u + 15u + 15u + 2u);  // every run of every series
  // A point's hover: its run's time, label, versions, median and noise.
  EXPECT_TRUE(contains(page, "<title>cuda @ h100\n2026-11-16T03:00:00Z\nlabel: nightly 16\ntorch 2.11.0\nopbench 0.6.1\nmedian 0.6"));
  EXPECT_TRUE(contains(page, "noise 0.40 %</title>"));
  EXPECT_FALSE(contains(page, "src="));  // nothing fetched
}

TEST(HistoryPage, NoSeriesIsSaid) {
  EXPECT_TRUE(contains(history_page({}, {}), "No run in the history matches."));
}

TEST(HistoryPage, TextIsEscaped) {
  History h = planted_history();
  h.runs[0].label = "<script>alert(1)</script>";
  std::string page = history_page(h, cuts_of(h));
  EXPECT_FALSE(contains(page, "<script>alert"));
  EXPECT_TRUE(contains(page, "&lt;script&gt;alert(1)"));
}

// ---- in a browser ----------------------------------------------------------

struct Image {
  size_t width = 0, height = 0;
  std::vector<uint8_t> rgb;  // 3 bytes a pixel, row by row
  uint32_t at(size_t x, size_t y) const {
    const uint8_t* p = &rgb[3 * (y * width + x)];
    return uint32_t{p[0]} << 16 | uint32_t{p[1]} << 8 | p[2];
  }
};

uint32_t big_endian(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 | uint32_t(uint8_t(s[at + 2])) << 8 | uint8_t(s[at + 3]);
}

// A PNG of 8-bit RGB or RGBA, not interlaced (what Chromium writes); empty when not.
Image decode_png(const std::string& png) {
  Image img;
  if (png.size() < 8 || png.compare(1, 3, "PNG") != 0) return img;
  std::string idat;
  int channels = 0;
  for (size_t at = 8; at + 8 <= png.size();) {
    uint32_t length = big_endian(png, at);
    std::string type = png.substr(at + 4, 4);
    if (type == "IHDR") {
      img.width = big_endian(png, at + 8), img.height = big_endian(png, at + 12);
      if (png[at + 16] != 8 || png[at + 20] != 0) return {};
      channels = png[at + 17] == 2 ? 3 : png[at + 17] == 6 ? 4 : 0;
      if (!channels) return {};
    } else if (type == "IDAT") {
      idat += png.substr(at + 8, length);
    }
    at += 12 + length;
  }
  const size_t stride = img.width * channels;
  std::vector<uint8_t> raw((stride + 1) * img.height);
  uLongf size = raw.size();
  if (uncompress(raw.data(), &size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK) return {};
  std::vector<uint8_t> pixels(stride * img.height), previous(stride, 0);
  for (size_t y = 0; y < img.height; ++y) {  // PNG's five row filters
    const uint8_t filter = raw[y * (stride + 1)];
    const uint8_t* in = &raw[y * (stride + 1) + 1];
    uint8_t* out = &pixels[y * stride];
    for (size_t i = 0; i < stride; ++i) {
      int a = i >= size_t(channels) ? out[i - channels] : 0, b = previous[i], c = i >= size_t(channels) ? previous[i - channels] : 0;
      int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
      int predictor = filter == 1 ? a : filter == 2 ? b : filter == 3 ? (a + b) / 2
                    : filter == 4 ? (pa <= pb && pa <= pc ? a : pb <= pc ? b : c) : 0;
      out[i] = static_cast<uint8_t>(in[i] + predictor);
    }
    std::copy(out, out + stride, previous.begin());
  }
  for (size_t i = 0; i < img.width * img.height; ++i)
    for (int k = 0; k < 3; ++k) img.rgb.push_back(pixels[i * channels + k]);
  return img;
}

// Whether a `side` x `side` square of exactly `colour` is drawn: a legend
// swatch (14 px), which no line (2 px) or point (7 px) of the chart makes.
bool has_square(const Image& img, uint32_t colour, size_t side) {
  for (size_t y = 0; y + side <= img.height; ++y)
    for (size_t x = 0; x + side <= img.width; ++x) {
      bool all = true;
      for (size_t dy = 0; dy < side && all; ++dy)
        for (size_t dx = 0; dx < side && all; ++dx) all = img.at(x + dx, y + dy) == colour;
      if (all) return true;
    }
  return false;
}

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
    if (std::system((std::string("command -v ") + name + " >/dev/null 2>&1").c_str()) == 0) return name;
  return "";
}

TEST(HistoryPageInBrowser, TheScreenshotShowsTheChartsAndTheirLegends) {
  std::string program = find_chromium();
  if (program.empty()) GTEST_SKIP() << "no chromium installed (scripts/setup.sh installs it): the page is not opened";
  TempDir dir;
  History h = planted_history();
  write_text(dir.file("history.html"), history_page(h, cuts_of(h)));
  std::string shot = dir.file("history.png");
  std::string command = "timeout 120 " + program + " --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir=" +
                        dir.file("profile") + " --screenshot=" + shot + " --window-size=900,1300 --hide-scrollbars file://" +
                        dir.file("history.html") + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
  Image img = decode_png(read_text(shot));
  ASSERT_EQ(img.width, 900u) << "no screenshot, or not a PNG of 8-bit RGB(A)";
  size_t drawn = 0;
  for (size_t i = 0; i < img.width * img.height; ++i) drawn += img.at(i % img.width, i / img.width) != 0xffffff;
  EXPECT_GT(drawn, img.width * img.height / 50) << "a blank page";
  for (const char* backend : {"cpu", "cuda"}) {
    uint32_t colour = std::stoul(series_colour(backend, 0).substr(1), nullptr, 16);
    EXPECT_TRUE(has_square(img, colour, 12)) << "no legend swatch for " << backend;
  }
  EXPECT_FALSE(has_square(img, 0x123456, 12));  // the search finds only what is drawn
  if (const char* keep = std::getenv("OPBENCH_KEEP_SCREENSHOT")) write_text(keep, read_text(shot));
}

}  // namespace
}  // namespace opbench
