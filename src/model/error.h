#pragma once
// Errors that opbench reports to the user as one line.
#include <stdexcept>
#include <string>
#include <string_view>

namespace opbench {

// Bad input from the user (command line, suite file, result file): reported
// before any benchmark runs, as one line naming the offending text, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The most characters of offending text an error quotes: a 1 MB suite line
// must not make a 1 MB error line.
inline constexpr size_t kQuoteLimit = 200;

// `text` as an error line quotes it: in single quotes, at most kQuoteLimit
// bytes of it (then "..." and its length), escaped as printable() does.
// (Not named `quoted`: for a std::string, lookup would find std::quoted.)
std::string quote(std::string_view text);

// `text` with every byte that a terminal would not show as a character (a
// control byte such as NUL, a newline or an escape, a byte of broken UTF-8)
// written as \xNN, so that a message stays one readable line. Idempotent.
std::string printable(std::string_view text);

}  // namespace opbench
