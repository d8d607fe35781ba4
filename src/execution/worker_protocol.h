#pragma once
// The messages between opbench and its worker processes (isolation.h), and
// the worker's side of them (`opbench worker`).
//
// The parent sends one experiment at a time on the worker's standard input:
//
//   {"line": "ReLU dim1=8x8", "backends": ["cpu", "mlx_cpu"]}
//   {"line": "ReLU dim1=8x8", "backends": ["cpu"], "keep_inputs": true}
//
// The worker makes the inputs and the reference once, as run_experiment
// does in process (with "keep_inputs", the next experiment has the same
// inputs: the worker keeps them for it, KeptInputs), and answers on file
// descriptor 3, one JSON object a line:
//
//   {"ready": true}                  once, when its backends are made
//   {"fatal": "why"}                 instead of ready: it cannot serve at all
//   {"prepared": {"inputs_s": 1.2, "reference_s": 3.4}}
//                                    the inputs and the reference are made
//   {"started": "cpu"}               a cell starts
//   {"cell": {...}}                  the finished cell, as the result file holds it
//   {"done": true}                   every cell of the experiment is sent
//
// Its standard output and error go to the parent, which passes them on to its
// own standard error (worker_process.h).
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "execution/runner.h"

namespace opbench {

// The request for `e`'s cells on `backends` (names), with its newline.
std::string request_message(const Experiment& e, const std::vector<std::string>& backends, bool keep_inputs);

// The cell a "cell" message carries, as `backend`'s; one the parent cannot
// read is that backend's failure.
Cell read_cell(const nlohmann::json& message, const std::string& backend);

// A phase's seconds from a "prepared" message (`key`: "inputs_s" or
// "reference_s"); a value that is not a time counts as none (it only feeds
// the "where the time went" line).
double phase_seconds(const nlohmann::json& prepared, const char* key);

// The worker's side (`opbench worker`): makes `backends` (names), then serves
// requests from `in_fd` until it closes, answering on `out_fd`. Returns the
// exit code.
int serve_worker(const std::vector<std::string>& backends, const RunSettings& settings, int in_fd, int out_fd);

}  // namespace opbench
