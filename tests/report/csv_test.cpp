// CSV export: a row per experiment and backend, every statistic, quoted as RFC 4180 asks.
#include "report/csv.h"

#include <gtest/gtest.h>

#include "report_fixtures.h"

namespace opbench {
namespace {

using namespace opbench::testing;

// Splits one CSV record (no line breaks inside fields in these tests).
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"')
      out.back() += '"', ++i;
    else if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted)
      out.emplace_back();
    else if (c != '\r')
      out.back() += c;
  }
  return out;
}

TEST(Csv, AHeaderThenARowPerCell) {
  std::vector<std::string> lines = lines_of(csv_report({cpu_machine(), cuda_machine()}, {"a.json", "b.json"}));
  ASSERT_EQ(lines.size(), 1u + 8 + 8);
  EXPECT_EQ(
      lines[0],
      "source,machine,experiment,op,line,backend,status,mean_ms,median_ms,min_ms,max_ms,stddev_ms,noise,count,stop,"
      "timing,cache,check,check_error,check_against,error,gb_per_s,gflop_per_s,peak_share,check_tolerance,"
      "minor_faults_per_call,user_ms_per_call,system_ms_per_call\r");
  for (const std::string& line : lines) EXPECT_EQ(fields(line).size(), 28u) << line;
}

TEST(Csv, EveryStatisticOfATimedCell) {
  RunRecord r = cpu_machine();
  std::vector<std::string> row = fields(lines_of(csv_report({r}, {"runs/epyc.json"}))[2]);
  const Cell& c = r.experiments[0].cells[1];
  EXPECT_EQ(row[0], "runs/epyc.json");
  EXPECT_EQ(row[1], r.description());  // holds a comma: quoted
  EXPECT_EQ(row[2], "Argmax / dim=64x1024x128 axi=0");
  EXPECT_EQ(row[3], "Argmax");
  EXPECT_EQ(row[4], "Argmax dim1=64x1024x128 axis=0");
  EXPECT_EQ(row[5], "cpu");
  EXPECT_EQ(row[6], "ok");
  EXPECT_EQ(std::stod(row[7]), c.stats.mean);  // full precision
  EXPECT_EQ(std::stod(row[8]), c.stats.median);
  EXPECT_EQ(std::stod(row[9]), c.stats.min);
  EXPECT_EQ(std::stod(row[10]), c.stats.max);
  EXPECT_EQ(std::stod(row[11]), c.stats.stddev);
  EXPECT_EQ(std::stod(row[12]), c.stats.noise);
  EXPECT_EQ(row[13], "8");
  EXPECT_EQ(row[14], "noise");
  EXPECT_EQ(row[15], "wall");
  EXPECT_EQ(row[16], "warm");
  EXPECT_EQ(row[17], "passed");
  EXPECT_EQ(std::stod(row[18]), 1e-7);
  EXPECT_EQ(row[19], "reference");
  EXPECT_EQ(row[20], "");
  EXPECT_GT(std::stod(row[21]), 0);  // GB/s and GFLOP/s from the op's definition
  EXPECT_GT(std::stod(row[22]), 0);
  EXPECT_EQ(row[23], "");  // no calibrated peak
  EXPECT_EQ(std::stod(row[24]), 1e-4);
  EXPECT_EQ(row[25], "");  // a file of an older version: no host cost
}

TEST(Csv, HostCostPerCall) {
  RunRecord r = cpu_machine();
  r.experiments[0].cells[1].host = HostCost{31250.5, 40.25, 12.5};
  std::vector<std::string> row = fields(lines_of(csv_report({r}, {"runs/epyc.json"}))[2]);
  EXPECT_EQ(row[25], "31250.5");
  EXPECT_EQ(row[26], "40.25");
  EXPECT_EQ(row[27], "12.5");
}

TEST(Csv, NanAndWrongCellsSayWhy) {
  std::string csv = csv_report({cuda_machine(), apple_machine()}, {"h100.json", "mac.json"});
  std::vector<std::string> lines = lines_of(csv);
  std::vector<std::string> nan = fields(lines[8]), wrong = fields(lines[9 + 4 + 4 + 2]);
  EXPECT_EQ(nan[5], "cuda");
  EXPECT_EQ(nan[6], "nan");
  EXPECT_EQ(nan[7], "");
  EXPECT_EQ(nan[20], "out of memory");
  EXPECT_EQ(wrong[5], "mps");
  EXPECT_EQ(wrong[6], "wrong");
  EXPECT_EQ(wrong[7], "");
  EXPECT_EQ(wrong[17], "failed");
  EXPECT_EQ(wrong[20], "50% of elements differ");
}

TEST(Csv, AnImpreciseCellHasItsTimesAndSaysSo) {
  RunRecord r = cpu_machine();
  r.experiments[0].cells[1] = imprecise(r.experiments[0].cells[1]);
  std::vector<std::string> row = fields(lines_of(csv_report({r}, {"x.json"}))[2]);
  EXPECT_EQ(row[5], "cpu");
  EXPECT_EQ(row[6], "imprecise");
  EXPECT_EQ(std::stod(row[7]), r.experiments[0].cells[1].stats.mean);
  EXPECT_EQ(row[17], "imprecise");
  EXPECT_EQ(std::stod(row[18]), 0.0178);
  EXPECT_EQ(std::stod(row[24]), 1e-4);
}

TEST(Csv, QuotesWhatNeedsIt) {
  RunRecord r = cuda_machine();
  r.experiments[3].cells[1].error = "CUDA error: \"out of memory\", line 3";
  std::string csv = csv_report({r}, {"x.json"});
  EXPECT_TRUE(contains(csv, ",\"CUDA error: \"\"out of memory\"\", line 3\","));
  EXPECT_EQ(fields(lines_of(csv)[8])[20], "CUDA error: \"out of memory\", line 3");
}

// CSV injection (OWASP): text a spreadsheet would evaluate as a formula gets
// a leading ' and quotes; numbers, negative ones included, stay numbers.
TEST(Csv, FormulasAreNeutralisedAndNumbersStayNumbers) {
  RunRecord r = cuda_machine();
  r.experiments[3].cells[1].error = "=HYPERLINK(\"http://x\",\"y\")";
  r.experiments[0].name = "+cmd|' /C calc'!A0";
  r.experiments[0].line = "@SUM(1+1)";
  r.experiments[1].op = "-2+3";
  r.experiments[2].op = "\t=1";
  r.experiments[2].name = "\r=1";
  r.experiments[3].op = "-1.5";  // a number, though a text field
  std::string csv = csv_report({r}, {"=source.json"});
  std::vector<std::string> lines = lines_of(csv);
  EXPECT_EQ(fields(lines[8])[20], "'=HYPERLINK(\"http://x\",\"y\")");
  EXPECT_TRUE(contains(csv, ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","));
  EXPECT_EQ(fields(lines[1])[0], "'=source.json");
  EXPECT_EQ(fields(lines[1])[2], "'+cmd|' /C calc'!A0");
  EXPECT_EQ(fields(lines[1])[4], "'@SUM(1+1)");
  for (const std::string& line : lines) {
    std::vector<std::string> row = fields(line);
    if (row[3] == "'-2+3" || row[3] == "'\t=1" || row[3] == "-1.5") continue;
    EXPECT_TRUE(row[3].empty() || std::string("=+-@\t\r").find(row[3][0]) == std::string::npos) << line;
  }
  EXPECT_TRUE(contains(csv, ",'-2+3,") || contains(csv, ",\"'-2+3\",")) << csv;
  EXPECT_TRUE(contains(csv, ",\"'\r=1\",")) << csv;
  EXPECT_TRUE(contains(csv, ",-1.5,")) << csv;
}

}  // namespace
}  // namespace opbench
