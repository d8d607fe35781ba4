#pragma once
// Several result files as the reference publishes them: the average and the
// detailed document, each with the seed's preamble (what every column means)
// and the machines grouped under a heading by kind, each under its bold line;
// the runs of one host merge into one section (report/machines.h).
#include <string>
#include <utility>
#include <vector>

#include "model/result.h"
#include "report/markdown.h"

namespace opbench {

// The seed's headings: machines whose backends ran on Apple's GPU, on a CUDA
// GPU, or on no GPU at all.
enum class MachineKind { apple_silicon, cuda_gpu, cpu };
MachineKind machine_kind(const RunRecord& record);
std::string kind_heading(MachineKind kind);  // "Apple Silicon", "CUDA GPUs", "CPUs"

// The machines' indexes under each kind, kinds in the seed's order (Apple
// Silicon, CUDA GPUs, CPUs), machines in the order given; empty kinds left out.
std::vector<std::pair<MachineKind, std::vector<size_t>>> group_machines(const std::vector<RunRecord>& records);

// A short name for a machine, for a chart's axis or a page's menu: its GPU
// (without the memory) where it has one, else its CPU. A name that repeats
// gets what tells its section apart ("NVIDIA H200 (host b)", "AMD EPYC 7B13
// (threads 1)"), or " #2", " #3"... where nothing does, so each keeps its own.
std::vector<std::string> machine_labels(const std::vector<RunRecord>& records);

// Every record with the same rows: the union of all records' experiments (by
// name, in the order they first appear). An experiment a record lacks is
// there with no cells, so its row (and its op's average) prints nan.
std::vector<RunRecord> align_experiments(std::vector<RunRecord> records);

// The experiments of an aligned record that the machine ran; an op it never
// ran keeps its empty rows (nan).
RunRecord ran_experiments(RunRecord aligned);
// A machine's average table in a merged report: each op averaged over the
// experiments that machine ran, so files of different suites still merge.
TableData machine_average(const RunRecord& aligned);

// The preamble's bullets: each backend column that appears, then each speedup
// column, in the seed's order, in the seed's words ("`cpu`: torch framework
// with cpu backend", "`cuda/cpu speedup`: runtime speedup of cuda compared to cpu").
std::vector<std::pair<std::string, std::string>> column_legend(const std::vector<RunRecord>& records);

// The records' experiments of `pass`; records without any are left out, but
// for a record with no experiment at all, which the forward pass keeps (its
// document shows it as it always did). shows_pass: whether a record is kept.
std::vector<RunRecord> of_pass(const std::vector<RunRecord>& records, Pass pass);
bool shows_pass(const RunRecord& record, Pass pass);

enum class DocumentKind { average, detailed };
// The whole document. Records need not share a suite or an opbench version.
std::string merged_document(const std::vector<RunRecord>& records, DocumentKind kind);

}  // namespace opbench
