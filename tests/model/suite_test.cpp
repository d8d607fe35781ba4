// Suites: the built-in ones against the reference's list, and suite files.
#include "model/suite.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/error.h"
#include "model/ops.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::contains;
using test_text::usage_error;

std::vector<std::string> lines_of(const std::vector<Experiment>& experiments) {
  std::vector<std::string> lines;
  for (const Experiment& e : experiments) lines.push_back(e.line());
  return lines;
}

// A file in the test's temporary folder, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_((std::filesystem::temp_directory_path() /
               (std::to_string(::getpid()) + "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name() +
                "_" + name))
                  .string()) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(LoadSuite, DefaultHasTheReferences91Experiments) {
  EXPECT_EQ(load_suite("default").experiments.size(), 91u);
  EXPECT_EQ(load_suite("default").name, "default");
}

TEST(LoadSuite, DefaultEqualsTheReferenceFileLineByLine) {
  const std::string path = OPBENCH_SHARED_DIR "/reference/experiments.txt";
  std::ifstream file(path);
  if (!file) GTEST_SKIP() << "no reference list at " << path;
  std::vector<std::string> reference;
  for (std::string line; std::getline(file, line);)
    if (!line.empty() && line[0] != '#') reference.push_back(line);
  ASSERT_EQ(reference.size(), 91u);

  std::vector<std::string> ours = lines_of(load_suite("default").experiments);
  ASSERT_EQ(ours.size(), reference.size());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_EQ(ours[i], reference[i]) << "experiment " << i + 1;
}

// Every op is in a quick suite: the collectives, which need several
// processes, in their own.
TEST(LoadSuite, QuickCoversEveryOp) {
  Suite quick = load_suite("quick"), collectives = load_suite("collectives-quick");
  EXPECT_EQ(quick.name, "quick");
  std::set<std::string> ops, collective_ops;
  for (const Experiment& e : quick.experiments) ops.insert(e.op);
  for (const Experiment& e : collectives.experiments) collective_ops.insert(e.op);
  for (const OpSpec& op : all_ops())
    EXPECT_TRUE((op.collective ? collective_ops : ops).count(op.name)) << op.name << " is not in its quick suite";
}

// The quick suites are generated: each op's own lines (OpSpec::quick), in
// the op table's order, each parsed as a suite line is.
TEST(LoadSuite, QuickIsEveryOpsOwnLinesInTableOrder) {
  for (bool collectives : {false, true}) {
    std::vector<std::string> expected, got;
    for (const OpSpec& op : all_ops())
      if (op.collective == collectives)
        for (const std::string& line : op.quick) expected.push_back(parse_experiment(line).line());
    for (const Experiment& e : load_suite(collectives ? "collectives-quick" : "quick").experiments)
      got.push_back(e.line());
    EXPECT_EQ(got, expected);
  }
}

// The op table in the seed's order (`opbench list`, the quick suite), with
// the ops opbench adds in their alphabetical places, Copy, then the collectives.
TEST(OpTable, KeepsTheSeedsOrder) {
  std::vector<std::string> names;
  for (const OpSpec& op : all_ops()) names.push_back(op.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Argmax", "BCE", "Concat", "Conv1d", "Conv2d", "Gather", "GELU", "LayerNorm", "LeakyReLU",
                       "Linear", "MatMul", "PReLU", "ReLU", "RMSNorm", "ScaledDotProductAttention", "Scatter",
                       "ScatterSum", "ScatterMax", "SeLU", "Sigmoid", "Softmax", "Softplus", "Sort", "Sum", "SumAll",
                       "Copy", "AllReduce", "AllGather", "ReduceScatter", "Broadcast", "AllToAll"}));
}

// GELU and RMSNorm, the ops beyond the reference's, are timed by the
// extended suite at the default suite's activation and LayerNorm sizes.
TEST(LoadSuite, ExtendedTimesGeluAndRmsNorm) {
  std::multiset<std::string> ops;
  for (const Experiment& e : load_suite("extended").experiments) ops.insert(e.op);
  EXPECT_EQ(ops.count("GELU"), 2u);
  EXPECT_EQ(ops.count("RMSNorm"), 2u);
}

TEST(LoadSuite, EveryBuiltInExperimentValidatesAndRoundTrips) {
  for (const std::string& name : builtin_suite_names()) {
    Suite suite = load_suite(name);
    EXPECT_FALSE(suite.experiments.empty()) << name;
    for (const Experiment& e : suite.experiments) {
      SCOPED_TRACE(name + ": " + e.line());
      EXPECT_NO_THROW(e.spec().validate(e));
      EXPECT_EQ(parse_experiment(e.line()).line(), e.line());
      for (int64_t d : e.spec().output_shape(e)) EXPECT_GT(d, 0);
    }
  }
}

TEST(LoadSuite, UnknownNameThatIsNoFileIsAnErrorNamingIt) {
  std::string message = usage_error([] { load_suite("no_such_suite_xyz"); });
  EXPECT_TRUE(contains(message, "'no_such_suite_xyz'"));
  EXPECT_TRUE(contains(message, "default"));  // says what exists
}

TEST(LoadSuite, ReadsASuiteFile) {
  TempFile file("mine.txt", "# my suite\nReLU dim1=1000\n\nSum dim1=4x5 axis=-1  # a comment\n");
  Suite suite = load_suite(file.path());
  EXPECT_EQ(suite.name, file.path());
  EXPECT_EQ(lines_of(suite.experiments), (std::vector<std::string>{"ReLU dim1=1000", "Sum dim1=4x5 axis=-1"}));
}

TEST(LoadSuite, ErrorsInASuiteFileNameTheFileAndLine) {
  TempFile file("bad.txt", "ReLU dim1=1000\nSum dim1=4x5 axis=5\n");
  std::string message = usage_error([&] { load_suite(file.path()); });
  EXPECT_TRUE(contains(message, file.path() + ":2:"));
  EXPECT_TRUE(contains(message, "axis=5"));
}

TEST(LoadSuite, EndlessInputIsRefusedAtTheBound) {
  for (const char* endless : {"/dev/zero", "/dev/urandom"}) {
    std::string message = usage_error([&] { load_suite(endless); });
    EXPECT_TRUE(contains(message, std::string(endless) + ": more than 16 MiB, too large for a suite file"));
  }
}

TEST(LoadSuite, ADirectoryIsNamedAsOne) {
  std::string dir = std::filesystem::temp_directory_path().string();
  EXPECT_TRUE(contains(usage_error([&] { load_suite(dir); }), dir + ": is a directory, not a suite file"));
}

TEST(ParseSuite, SkipsCommentsAndBlankLines) {
  std::vector<Experiment> parsed =
      parse_suite("# heading\n\n   \nReLU dim1=8 # why\n\t# indented comment\nSigmoid dim1=4x4\n", "text");
  EXPECT_EQ(lines_of(parsed), (std::vector<std::string>{"ReLU dim1=8", "Sigmoid dim1=4x4"}));
}

TEST(ParseSuite, ReadsWindowsLineEndingsAndNoFinalNewline) {
  EXPECT_EQ(lines_of(parse_suite("ReLU dim1=8\r\n\r\nSigmoid dim1=4\r\nSumAll dim1=3", "text")),
            (std::vector<std::string>{"ReLU dim1=8", "Sigmoid dim1=4", "SumAll dim1=3"}));
}

TEST(ParseSuite, ErrorsCarrySourceLineAndTheBadText) {
  const std::string text = "# comment\nReLU dim1=8\n\nFoo dim1=3\n";
  std::string message = usage_error([&] { parse_suite(text, "my.txt"); });
  EXPECT_TRUE(contains(message, "my.txt:4:"));
  EXPECT_TRUE(contains(message, "'Foo'"));

  message = usage_error([] { parse_suite("ReLU dim1=8x0\n", "s.txt"); });
  EXPECT_TRUE(contains(message, "s.txt:1:"));
  EXPECT_TRUE(contains(message, "8x0"));

  message = usage_error([] { parse_suite("ReLU dim1=8\nMatMul dim1=2x3 dim2=4x5\n", "s.txt"); });
  EXPECT_TRUE(contains(message, "s.txt:2:"));
  EXPECT_TRUE(contains(message, "MatMul dim1=2x3 dim2=4x5"));
}

TEST(ParseSuite, AHugeLineIsQuotedAtMost200Characters) {
  std::string line = "ReLU dim1=" + std::string(1'000'000, '7');
  std::string message = usage_error([&] { parse_suite(line + "\n", "big.txt"); });
  EXPECT_LT(message.size(), 1000u) << message.substr(0, 2000);
  EXPECT_TRUE(contains(message, "big.txt:1:"));
  EXPECT_TRUE(contains(message, "'ReLU dim1=777"));
  EXPECT_TRUE(contains(message, "(1000010 bytes)"));  // says how much was left out
}

TEST(ParseSuite, BinaryBytesAreShownEscaped) {
  const char text[] = "Re\0LU\x1b[2J\xff dim1=4\n";
  std::string message = usage_error([&] { parse_suite(std::string(text, sizeof text - 1), "bin.txt"); });
  EXPECT_TRUE(contains(message, "bin.txt:1:"));
  EXPECT_TRUE(contains(message, "unknown op 'Re\\x00LU\\x1B[2J\\xFF'")) << message;
  for (char c : message) EXPECT_TRUE(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) << message;
  // Well-formed UTF-8 is shown as it is; a stray byte of it is escaped.
  message = usage_error([] { parse_suite("ReLU dim1=4 µ=1\n", "utf8.txt"); });
  EXPECT_TRUE(contains(message, "'µ'")) << message;
  message = usage_error([] { parse_suite("ReLU dim1=4 \xb5=1\n", "cut.txt"); });
  EXPECT_TRUE(contains(message, "'\\xB5'")) << message;
}

TEST(Quoted, IsIdempotentOnWhatItPrints) {
  std::string once = printable(std::string("a\0b\n\xc3", 5));
  EXPECT_EQ(once, "a\\x00b\\x0A\\xC3");
  EXPECT_EQ(printable(once), once);
  EXPECT_EQ(quote(std::string(kQuoteLimit, 'x')), "'" + std::string(kQuoteLimit, 'x') + "'");
  EXPECT_EQ(quote(std::string(kQuoteLimit + 1, 'x')), "'" + std::string(kQuoteLimit, 'x') + "...' (201 bytes)");
}

TEST(ParseSuite, EmptySuiteIsAnError) {
  EXPECT_TRUE(contains(usage_error([] { parse_suite("", "empty.txt"); }), "empty.txt"));
  std::string message = usage_error([] { parse_suite("# nothing but comments\n\n", "comments.txt"); });
  EXPECT_TRUE(contains(message, "comments.txt"));
  EXPECT_TRUE(contains(message, "no experiments"));
}

}  // namespace
}  // namespace opbench
