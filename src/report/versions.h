#pragma once
// A run over several versions of a framework (opbench run --versions): the
// backends that are one backend at several versions, and the change from
// its oldest version to its newest, sized and tested as `opbench compare`
// sizes and tests two runs (report/compare.h: the Hodges-Lehmann ratio of the
// samples, the Mann-Whitney U test, a change beyond noise when p < alpha and
// the ratio is off 1 by more than min_effect and than either cell's own noise,
// the spread of its rounds).
#include <string>
#include <vector>

#include "report/compare.h"

namespace opbench {

struct VersionChange {
  std::string backend;         // "cpu"
  std::string oldest, newest;  // "cpu@torch-2.11.0", "cpu@torch-2.15.0"
  std::string header() const;  // "cpu 2.15.0/2.11.0 speedup"
};

// Each backend that ran at two versions or more, in column order.
std::vector<VersionChange> version_changes(const RunRecord& record);

// The newest version's cells against the oldest's, matched by experiment,
// named by the plain backend ("cpu"): compare_runs of the two as two runs.
Comparison compare_versions(const RunRecord& record, const VersionChange& change);

// What follows a version change beyond noise in the tables.
inline constexpr const char* kChangeMark = "!";

// The notes' list of changes beyond noise, largest first; empty when the run
// has no version change.
std::string version_change_notes(const RunRecord& record);

}  // namespace opbench
