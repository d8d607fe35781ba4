#include "model/verdict.h"

#include <charconv>

#include "model/error.h"

namespace opbench {

namespace {
constexpr const char* kWords[] = {"", "shape", "finiteness", "reference"};  // in Kind's order
const std::string kSampledPrefix = "reference at ", kSampledSuffix = " sampled elements";
}  // namespace

std::string scope_text(const CheckScope& scope) {
  if (scope.sampled()) return kSampledPrefix + std::to_string(scope.sampled_elements) + kSampledSuffix;
  return kWords[static_cast<int>(scope.kind)];
}

CheckScope scope_from_text(const std::string& text) {
  for (int k = 0; k < 4; ++k)
    if (text == kWords[k]) return {static_cast<CheckScope::Kind>(k), 0};
  std::string_view rest(text);
  if (rest.starts_with(kSampledPrefix) && rest.ends_with(kSampledSuffix)) {
    rest = rest.substr(kSampledPrefix.size(), rest.size() - kSampledPrefix.size() - kSampledSuffix.size());
    int64_t n = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), n);
    if (ec == std::errc() && end == rest.data() + rest.size() && n > 0) return {CheckScope::Kind::reference, n};
  }
  throw UsageError(quote(text) + " is not one of shape, finiteness, reference, reference at N sampled elements");
}

}  // namespace opbench
