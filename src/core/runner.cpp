#include "core/runner.h"

#include <chrono>
#include <cmath>
#include <new>

#include "core/ops.h"

namespace opbench {

namespace {

bool all_finite(const HostTensor& t) {
  if (t.dtype != DType::Float32) return true;
  for (float v : t.f32)
    if (!std::isfinite(v)) return false;
  return true;
}

// The check run: the op ran, produced the expected shape and only finite
// values (every op here gives finite results on its inputs).
std::string check_ran(PreparedOp& op, const Experiment& e) {
  op.run();
  HostTensor out = op.output();
  op.release_output();
  Shape expected = find_op(e.op).output_shape(e);
  if (out.shape != expected)
    return "check run gave shape " + format_shape(out.shape) + " instead of " + format_shape(expected);
  if (!all_finite(out)) return "check run gave non-finite values";
  return "";
}

}  // namespace

Cell run_cell(Backend& backend, const Experiment& e, const std::vector<HostTensor>& inputs,
              const SamplerSettings& settings) {
  Cell cell;
  cell.backend = backend.info().name;
  try {
    std::unique_ptr<PreparedOp> op = backend.prepare(e, inputs);
    cell.error = check_ran(*op, e);
    if (!cell.ok()) return cell;
    Measurement m = measure(*op, settings);
    cell.samples_ms = std::move(m.samples_ms);
    cell.stats = m.stats;
    cell.stop = m.stop;
  } catch (const std::bad_alloc&) {
    cell.error = "out of memory";
  } catch (const std::exception& ex) {
    std::string what = ex.what();
    cell.error = what.substr(0, what.find('\n'));  // frameworks append stack traces
  } catch (...) {
    cell.error = "unknown failure";
  }
  return cell;
}

void run_experiments(const std::vector<Experiment>& experiments, const std::vector<Backend*>& backends,
                     RunRecord& record, RunObserver& observer) {
  auto start = std::chrono::steady_clock::now();
  size_t total = experiments.size() * backends.size(), index = 0;
  for (const Experiment& e : experiments) {
    ExperimentRecord rec{e.op, e.name(), e.line(), {}};
    std::vector<HostTensor> inputs;
    std::string input_error;
    try {
      inputs = make_inputs(e, record.settings.seed);
    } catch (const std::bad_alloc&) {
      input_error = "out of memory while generating inputs";
    }
    for (Backend* backend : backends) {
      double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      observer.cell_started(index++, total, e, backend->info().name, elapsed);
      if (!input_error.empty()) {
        rec.cells.push_back(Cell{backend->info().name, input_error, {}, {}, {}});
        continue;
      }
      rec.cells.push_back(run_cell(*backend, e, inputs, record.settings.sampler));
    }
    record.experiments.push_back(std::move(rec));
    observer.experiment_finished(record);
  }
}

}  // namespace opbench
