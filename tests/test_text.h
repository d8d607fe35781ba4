#pragma once
// Assertions on text that the core's tests share: a message that holds a
// part, and the message of the UsageError a call throws.
#include <gtest/gtest.h>

#include <string>

#include "model/error.h"

namespace opbench::test_text {

inline ::testing::AssertionResult contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

// The message of the UsageError that `f` throws, or a failure when none.
template <typename F>
std::string usage_error(F f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

}  // namespace opbench::test_text
