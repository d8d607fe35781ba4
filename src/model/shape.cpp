#include "model/shape.h"

#include <charconv>

#include "model/error.h"

namespace opbench {

namespace {

[[noreturn]] void bad_shape(std::string_view text, const std::string& why) {
  throw UsageError("malformed shape " + quote(text) + ": " + why);
}

int64_t parse_dimension(std::string_view text, std::string_view part) {
  if (part.empty()) bad_shape(text, "empty dimension");
  int64_t value = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
  if (ec == std::errc::result_out_of_range) bad_shape(text, "dimension " + quote(part) + " is too large");
  if (ec != std::errc() || end != part.data() + part.size())
    bad_shape(text, "dimension " + quote(part) + " is not a positive integer");
  if (value <= 0) bad_shape(text, "dimension " + quote(part) + " must be at least 1");
  return value;
}

}  // namespace

Shape parse_shape(std::string_view text) {
  if (text.empty()) bad_shape(text, "empty");
  Shape shape;
  int64_t count = 1;
  size_t start = 0;
  while (true) {
    size_t x = text.find('x', start);
    std::string_view part = text.substr(start, x == std::string_view::npos ? std::string_view::npos : x - start);
    int64_t dim = parse_dimension(text, part);
    if (shape.size() == kMaxRank) bad_shape(text, "more than " + std::to_string(kMaxRank) + " dimensions");
    if (dim > kMaxElements / count)
      bad_shape(text, "more than 2^40 elements");
    count *= dim;
    shape.push_back(dim);
    if (x == std::string_view::npos) break;
    start = x + 1;
  }
  return shape;
}

std::string format_shape(const Shape& shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += 'x';
    out += std::to_string(shape[i]);
  }
  return out;
}

int64_t element_count(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

}  // namespace opbench
