#pragma once
// Errors that opbench reports to the user as one line.
#include <stdexcept>
#include <string>

namespace opbench {

// Bad input from the user (command line, suite file, result file): reported
// before any benchmark runs, as one line naming the offending text, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace opbench
