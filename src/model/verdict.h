#pragma once
// What the check said of a cell's output, what it compared the output with,
// and their words in files.
#include <cstdint>
#include <string>

namespace opbench {

enum class Verdict {
  none,       // no check recorded: the cell failed before its output was compared
  skipped,    // not compared (--no-check)
  passed,     // within the op's tolerance
  imprecise,  // above the tolerance, within what precision loss explains: timed, its time marked
  wrong,      // anything else: never timed
};

// The words of result.json's "check.status". A wrong output is "failed", as in
// files written before "imprecise" existed, so older readers still see it untimed.
inline std::string verdict_text(Verdict v) {
  switch (v) {
    case Verdict::none:
      return "";
    case Verdict::skipped:
      return "skipped";
    case Verdict::passed:
      return "passed";
    case Verdict::imprecise:
      return "imprecise";
    case Verdict::wrong:
      return "failed";
  }
  return "";
}

// The inverse of verdict_text; a word it does not know (a later version's) is none.
inline Verdict verdict_from_text(const std::string& text) {
  for (Verdict v : {Verdict::skipped, Verdict::passed, Verdict::imprecise, Verdict::wrong})
    if (text == verdict_text(v)) return v;
  return Verdict::none;
}

// What the check held the output against: its shape, its values being finite
// (where either failed, the check went no further), or the reference, whole
// or at sampled positions (large shapes, model/check.h's expected_result).
struct CheckScope {
  enum class Kind { nothing, shape, finiteness, reference };
  Kind kind = Kind::nothing;
  int64_t sampled_elements = 0;  // reference: elements compared; 0: all of them

  bool sampled() const { return kind == Kind::reference && sampled_elements > 0; }
  bool operator==(const CheckScope&) const = default;
};

// The words of result.json's "check.against", of the notes and tooltips:
// "", "shape", "finiteness", "reference", "reference at 4096 sampled elements".
std::string scope_text(const CheckScope& scope);
// The inverse; throws UsageError naming any other text.
CheckScope scope_from_text(const std::string& text);

}  // namespace opbench
