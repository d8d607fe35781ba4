// Shapes as suite files write them: "64x1024x128".
#include "model/shape.h"

#include <gtest/gtest.h>

#include <string>

#include "model/error.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::contains;

// The message of the UsageError that parse_shape throws for `text`, or a
// test failure when it accepts it.
std::string shape_error(const std::string& text) {
  try {
    Shape s = parse_shape(text);
    ADD_FAILURE() << "parse_shape accepted '" << text << "' as " << format_shape(s);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(ParseShape, ReadsEveryDimensionInOrder) {
  EXPECT_EQ(parse_shape("64x1024x128"), (Shape{64, 1024, 128}));
  EXPECT_EQ(parse_shape("1000000"), (Shape{1000000}));
  EXPECT_EQ(parse_shape("1"), (Shape{1}));
  EXPECT_EQ(parse_shape("3x1x2"), (Shape{3, 1, 2}));
}

TEST(ParseShape, AcceptsUpToEightDimensions) {
  EXPECT_EQ(parse_shape("1x2x3x4x5x6x7x8"), (Shape{1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(ParseShape, AcceptsExactlyTwoToTheFortyElements) {
  EXPECT_EQ(element_count(parse_shape("1099511627776")), kMaxElements);
  EXPECT_EQ(element_count(parse_shape("1048576x1048576")), kMaxElements);
}

TEST(ParseShape, RejectsMalformedTextNamingIt) {
  for (const char* text : {"64xx3", "0x5", "-1", "abc", "x", "5x", "x5", "1e5", " 5", "5 ", "+5", "0", "5x0", "5,3",
                           "5X3", "0x10", "1.5", "5x-2"}) {
    SCOPED_TRACE(text);
    std::string message = shape_error(text);
    EXPECT_TRUE(contains(message, "'" + std::string(text) + "'"));
  }
}

TEST(ParseShape, RejectsEmptyText) { EXPECT_TRUE(contains(shape_error(""), "empty")); }

TEST(ParseShape, SaysWhichDimensionIsWrong) {
  EXPECT_TRUE(contains(shape_error("0x5"), "'0' must be at least 1"));
  EXPECT_TRUE(contains(shape_error("64xx3"), "empty dimension"));
  EXPECT_TRUE(contains(shape_error("4xabc"), "'abc'"));
}

TEST(ParseShape, RejectsADimensionTooLargeForSixtyFourBits) {
  std::string message = shape_error("99999999999999999999");
  EXPECT_TRUE(contains(message, "99999999999999999999"));
  EXPECT_TRUE(contains(message, "too large"));
}

TEST(ParseShape, RejectsMoreThanTwoToTheFortyElements) {
  EXPECT_TRUE(contains(shape_error("100000x100000x100000x100000"), "100000x100000x100000x100000"));
  EXPECT_TRUE(contains(shape_error("1099511627777"), "1099511627777"));
  EXPECT_TRUE(contains(shape_error("1048576x1048577"), "1048576x1048577"));
}

TEST(ParseShape, RejectsNineDimensions) {
  std::string message = shape_error("1x1x1x1x1x1x1x1x1");
  EXPECT_TRUE(contains(message, "1x1x1x1x1x1x1x1x1"));
  EXPECT_TRUE(contains(message, "dimensions"));
}

TEST(FormatShape, RoundTripsThroughParseShape) {
  for (const char* text : {"64x1024x128", "1000000", "1", "1x2x3x4x5x6x7x8", "100000x64x2"}) {
    EXPECT_EQ(format_shape(parse_shape(text)), text);
  }
  Shape shape{7, 1, 3};
  EXPECT_EQ(parse_shape(format_shape(shape)), shape);
}

TEST(FormatShape, ScalarIsEmptyText) { EXPECT_EQ(format_shape({}), ""); }

TEST(ElementCount, IsTheProductOfTheDimensions) {
  EXPECT_EQ(element_count({64, 1024, 128}), 64 * 1024 * 128);
  EXPECT_EQ(element_count({5}), 5);
  EXPECT_EQ(element_count({3, 1, 2}), 6);
  EXPECT_EQ(element_count({}), 1);  // a scalar
}

}  // namespace
}  // namespace opbench
