// opbench compare: what changed between two runs, and whether it is real.
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "format/json.h"
#include "model/error.h"
#include "model/text.h"
#include "report/compare.h"

namespace opbench::cli {

const CommandSpec kCompareSpec = {
    "compare",
    "opbench compare BASE NEW [options]   or   opbench compare BASE... -- NEW... [options]",
    "Compares two result files, e.g. before and after an upgrade: per experiment and backend, both mean times,\n"
    "new/base, the p-value of a two-sided Mann-Whitney U test on the two sets of samples (exact for up to 20\n"
    "samples a side without ties, else the normal approximation with tie correction), and the change. A change\n"
    "is real when p < alpha AND new/base (the Hodges-Lehmann ratio) is off 1 by more than --min-effect and by more\n"
    "than either cell moved on its own while it was timed (the spread of the medians of its rounds, or of its\n"
    "samples' thirds) AND the medians moved its way: 'slower' (new/base > 1) or 'faster' (< 1); else 'same'.\n"
    "'untested' where the samples are too few for any difference to reach p < alpha (3 and 3 samples:\n"
    "p >= 0.1), so more samples are needed (--min-samples). Last, the geometric mean of new/base over every cell\n"
    "with a time in both. Exit status: 0, or 3 with --fail-above when a cell is significantly slower by more\n"
    "than its threshold.\n\n"
    "One run a side, the test compares samples: it sees the noise within a run, not the drift between runs of the\n"
    "same program (other processes, memory layout, clocks), which on a busy machine is larger. Several runs a side\n"
    "(BASE files, then --, then NEW files; 4 or more a side for p < 0.05), the test compares the runs' means, so\n"
    "that drift counts as noise and a re-run is not called a change.",
    {
        {"alpha", "P", "significance level of the test (default: 0.05)"},
        {"min-effect", "FRACTION", "smallest change that counts: new/base off 1 by more than this, 0.05 = 5% (default: 0.05)"},
        {"fail-above", "FRACTION", "exit 3 when a cell is significantly slower by more than this, 0.10 = 10% (for CI)"},
    }};

int compare_command(const Args& args) {
  const std::vector<std::string>& files = args.positional();
  auto split = std::find(files.begin(), files.end(), "--");
  std::vector<std::string> base_paths(files.begin(), split), new_paths;
  if (split != files.end()) new_paths.assign(split + 1, files.end());
  else if (base_paths.size() == 2) new_paths = {base_paths.back()}, base_paths.pop_back();
  if (base_paths.empty() || new_paths.empty() || (split == files.end() && files.size() != 2))
    throw UsageError("compare takes BASE and NEW result files, or several of each around -- (usage: " +
                     kCompareSpec.usage + ")");
  CompareSettings settings;
  settings.alpha = args.get_double("alpha", settings.alpha, 1e-300, 1);
  settings.min_effect = args.get_double("min-effect", settings.min_effect, 0, 100);
  double fail_above = args.get_double("fail-above", -1, 0, 1000);
  std::vector<RunRecord> base, next;
  for (const std::string& path : base_paths) base.push_back(read_result_file(path));
  for (const std::string& path : new_paths) next.push_back(read_result_file(path));

  std::cout << comparison_header(base_paths, base, new_paths, next) << "\n";
  Comparison comparison = compare_runs(base, next, settings);
  std::cout << render_comparison(comparison, settings);
  if (!args.has("fail-above")) return kExitOk;
  size_t regressions = 0;
  for (const CellComparison& c : comparison.cells)
    if (regressed(c, fail_above)) {
      if (!regressions++) std::cerr << "opbench compare: slower by more than " << fail_above * 100 << "%:\n";
      std::cerr << "  " << c.experiment << " on " << c.backend << ": new/base " << formatted("%.3f", c.ratio)
                << " (p = " << formatted("%.2g", c.p) << ")\n";
    }
  return regressions ? kExitRegression : kExitOk;
}

}  // namespace opbench::cli
