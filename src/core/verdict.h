#pragma once
// What the check said of a cell's output, and its words in files.
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

}  // namespace opbench
