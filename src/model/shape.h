#pragma once
// Shapes as the reference writes them: "64x1024x128".
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace opbench {

using Shape = std::vector<int64_t>;

// Largest element count opbench accepts for one tensor; far above any real
// benchmark, far below the point where byte counts overflow 64 bits.
inline constexpr int64_t kMaxElements = int64_t{1} << 40;
inline constexpr size_t kMaxRank = 8;

// Parses "AxBxC". Every dimension is a positive decimal integer; the element
// count must not exceed kMaxElements. Throws UsageError naming `text`.
Shape parse_shape(std::string_view text);

std::string format_shape(const Shape& shape);

// Product of the dimensions (1 for a scalar shape).
int64_t element_count(const Shape& shape);

}  // namespace opbench
