#pragma once
// Small text helpers that the reports share.
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace opbench {

// Current UTC time, ISO 8601 ("2026-11-25T19:40:00Z"): a record's `created`,
// which sorts as text in time order.
inline std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

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

// A stable 64-bit digest of `text` (FNV-1a) as 16 hex digits: the same text
// gives the same digest in every build and on every machine (a history
// record's identity, a plug-in's file name).
inline std::string digest_hex(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace opbench
