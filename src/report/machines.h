#pragma once
// The machines of a report: the runs of one host merged into one section, and
// what tells a section apart from the others (its host, its suite, the
// settings it was measured with), for its bold line, its label and compare's
// header.
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"

namespace opbench {

// The same host: the CPU, its cores, the memory and the hostname agree (a file
// that records no hostname is a host of its own), and so do the GPUs where
// both runs ran on one.
bool same_host(const RunRecord& a, const RunRecord& b);

// What a run was measured with, in a reader's words, each a setting of its
// own: "pass forward", "dtype float32", "threads 4" ("threads default"),
// "timing wall", "warm caches", "memory reused", "GPU wait poll", "GPU
// threads anywhere", "seed 0", sampling limits, "outputs checked".
std::vector<std::string> measured_with(const RunRecord& record);

// The runs as report sections: the runs of one host (same_host) with the same
// suite, opbench version and settings, whose backends differ, become one
// record with the columns of them all (its cells, versions and peaks the
// union; its machine, settings and creation time the first run's). Runs that
// cannot share a table (a backend twice, other settings) stay apart. Sections
// in the order of their first runs; `runs[i]`: the indexes of section i's runs.
struct MachineSections {
  std::vector<RunRecord> records;
  std::vector<std::vector<size_t>> runs;
};
MachineSections machine_sections(const std::vector<RunRecord>& records);

// What tells each section apart, "" where nothing does: "host h100b" where
// another section is the same model on another host; "suite quick" and
// "opbench 0.6.0" where another section of the same host differs in them; each
// setting of measured_with in which any two sections differ; and, for two
// sections of one host that differ in nothing else, "run of <created>".
std::vector<std::string> distinctions(const std::vector<RunRecord>& sections);

// Each section's bold line: the seed's description, then " - " and its
// distinction where it has one.
std::vector<std::string> section_lines(const std::vector<RunRecord>& sections);

// How many hosts the sections are on (two runs of one host are one machine).
size_t host_count(const std::vector<RunRecord>& sections);

}  // namespace opbench
