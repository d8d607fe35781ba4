#pragma once
// Which pass of an op a cell times: the forward call alone (the seed's
// tables), or one training step, the forward call and the gradients of its
// output with respect to its float inputs. A type, turned into words only
// where a file, a line or a table is written.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opbench {

enum class Pass { forward, backward };

inline std::string pass_text(Pass p) { return p == Pass::backward ? "backward" : "forward"; }

// The inverse of pass_text; nullopt for any other word.
inline std::optional<Pass> pass_from_text(std::string_view text) {
  if (text == "forward") return Pass::forward;
  if (text == "backward") return Pass::backward;
  return std::nullopt;
}

// The heading a pass's tables stand under where both passes are printed.
inline std::string pass_heading(Pass p) {
  return p == Pass::backward ? "Backward pass (forward + gradients)" : "Forward pass";
}

}  // namespace opbench
