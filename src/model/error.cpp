#include "model/error.h"

#include <cstdio>

namespace opbench {

namespace {

// The length of the well-formed UTF-8 character at text[at], or 0 when the
// bytes there are not one (a stray continuation byte, a cut sequence).
size_t utf8_length(std::string_view text, size_t at) {
  unsigned char lead = static_cast<unsigned char>(text[at]);
  size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i)
    if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return 0;
  return length;
}

std::string escaped_byte(unsigned char byte) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02X", byte);
  return buf;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    unsigned char byte = static_cast<unsigned char>(text[at]);
    if (byte >= 0x20 && byte < 0x7F) {
      out += text[at++];
    } else if (size_t length = byte >= 0x80 ? utf8_length(text, at) : 0) {
      out.append(text.substr(at, length));
      at += length;
    } else {
      out += escaped_byte(byte);
      ++at;
    }
  }
  return out;
}

std::string quote(std::string_view text) {
  // Appended, not "'" + ...: GCC 12 warns falsely (-Wrestrict) on a literal plus a temporary string.
  std::string out = "'";
  out += printable(text.substr(0, kQuoteLimit));
  if (text.size() <= kQuoteLimit) return out += "'";
  return out += "...' (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace opbench
