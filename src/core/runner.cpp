#include "core/runner.h"

#include <chrono>
#include <cmath>
#include <new>

#include "core/check.h"
#include "core/ops.h"

namespace opbench {

namespace {

bool all_finite(const HostTensor& t) {
  if (t.dtype != DType::Float32) return true;
  for (float v : t.f32)
    if (!std::isfinite(v)) return false;
  return true;
}

// The check run, on poisoned memory: the op must produce the expected shape,
// finite values (every op here gives finite results on its inputs), and agree
// with the reference. Returns the check; a shape or NaN failure also fails it.
CheckRecord checked_run(PreparedOp& op, const Experiment& e, const std::vector<HostTensor>& inputs,
                        const RefTensor* expected) {
  Shape shape = find_op(e.op).output_shape(e);
  op.poison(static_cast<size_t>(element_count(shape)) * 8);
  op.run();
  HostTensor out = op.output();
  op.release_output();
  if (out.shape != shape)
    return {"failed", INFINITY, "shape " + format_shape(out.shape) + " instead of " + format_shape(shape), "shape"};
  if (!all_finite(out)) return {"failed", INFINITY, "non-finite values in the result", "finiteness"};
  if (!expected) return {"skipped", 0, "", ""};
  CheckResult r = check_output(e, inputs, out, *expected);
  std::string against = expected->dense() ? "reference"
                                          : "reference at " + std::to_string(expected->positions.size()) + " sampled elements";
  return {r.passed ? "passed" : "failed", r.error, r.detail, against};
}

// Frameworks append stack traces to their messages: keep the first line.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

Cell run_cell(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs, const RefTensor* expected,
              const SamplerSettings& settings) {
  Cell cell;
  cell.backend = backend.info().name;
  try {
    std::unique_ptr<PreparedOp> op = backend.prepare(e, inputs);
    cell.check = checked_run(*op, e, inputs, expected);
    if (cell.wrong()) return cell;
    Measurement m = measure(*op, settings);
    cell.samples_ms = std::move(m.samples_ms);
    cell.stats = m.stats;
    cell.stop = m.stop;
  } catch (const std::bad_alloc&) {
    cell.error = "out of memory";
  } catch (const std::exception& ex) {
    cell.error = first_line(ex.what());
  } catch (...) {
    cell.error = "unknown failure";
  }
  return cell;
}

namespace {

// Inputs and reference of one experiment; a failure to make them becomes
// every cell's error.
struct Prepared {
  std::vector<HostTensor> inputs;
  RefTensor expected;
  bool has_expected = false;
  std::string error;
};

Prepared prepare_experiment(const Experiment& e, const RunSettings& settings) {
  Prepared p;
  try {
    p.inputs = make_inputs(e, settings.seed);
    if (settings.check) {
      p.expected = expected_result(e, p.inputs);
      p.has_expected = true;
    }
  } catch (const std::bad_alloc&) {
    p.error = "out of memory while generating the inputs or the reference";
  }
  return p;
}

}  // namespace

void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer) {
  auto start = std::chrono::steady_clock::now();
  size_t total = experiments.size() * backends.size(), index = 0;
  for (const Experiment& e : experiments) {
    ExperimentRecord rec{e.op, e.name(), e.line(), {}};
    Prepared p = prepare_experiment(e, record.settings);
    for (Backend* backend : backends) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      observer.cell_started(index++, total, e, backend->info().name, elapsed);
      if (!p.error.empty()) {
        Cell failed;
        failed.backend = backend->info().name;
        failed.error = p.error;
        rec.cells.push_back(failed);
        continue;
      }
      rec.cells.push_back(
          run_cell(*backend, e, p.inputs, p.has_expected ? &p.expected : nullptr, record.settings.sampler));
    }
    record.experiments.push_back(std::move(rec));
    observer.experiment_finished(record);
  }
}

}  // namespace opbench
