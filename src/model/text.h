#pragma once
// Small text helpers that the reports share.
#include <cstdio>
#include <string>

namespace opbench {

// One number through a printf pattern: formatted("%.2f", 1.5) == "1.50".
inline std::string formatted(const char* pattern, double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, pattern, x);
  return buf;
}

// Without the spaces at either end: the seed pads its cells and op labels.
inline std::string trimmed(const std::string& text) {
  size_t start = text.find_first_not_of(' '), end = text.find_last_not_of(' ');
  return start == std::string::npos ? "" : text.substr(start, end - start + 1);
}

}  // namespace opbench
