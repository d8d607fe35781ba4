#include "execution/rounds.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "model/stats.h"

namespace opbench {

SamplerSettings round_share(const SamplerSettings& settings, int rounds) {
  SamplerSettings s = settings;
  const double n = rounds;
  auto share = [&](size_t count) { return std::max<size_t>(1, static_cast<size_t>(std::ceil(count / n))); };
  s.min_samples = share(settings.min_samples);
  s.max_samples = share(settings.max_samples);
  s.min_time_s = settings.min_time_s / n;
  s.max_time_s = settings.max_time_s / n;
  return s;
}

Cell merged_rounds(std::vector<Cell> rounds) {
  for (Cell& c : rounds)
    if (!c.ok()) return std::move(c);
  Cell merged = std::move(rounds.front());
  // Each round's share of the samples, kept: their spread is the cell's own noise (level_spread).
  if (rounds.size() > 1) merged.round_samples = {merged.samples_ms.size()};
  for (size_t r = 1; r < rounds.size(); ++r) {
    const Cell& c = rounds[r];
    merged.round_samples.push_back(c.samples_ms.size());
    merged.samples_ms.insert(merged.samples_ms.end(), c.samples_ms.begin(), c.samples_ms.end());
    if (merged.phases && c.phases) *merged.phases += *c.phases;
    merged.stop = c.stop;
    if (c.imprecise() && !merged.imprecise()) merged.check = c.check;
  }
  merged.stats = summarize(merged.samples_ms);
  return merged;
}

namespace {

Cell failed(const std::string& backend, const std::string& error) {
  Cell c;
  c.backend = backend;
  c.error = error;
  return c;
}

}  // namespace

void RoundsExecutor::run(const Experiment& e, const std::vector<Backend*>& backends, const RunSettings& settings,
                         const CellEvents& events, bool keep_inputs) {
  // Each group's share of `backends`: indices into it, in its order.
  std::vector<std::vector<size_t>> members(groups_.size());
  for (size_t i = 0; i < backends.size(); ++i) {
    const std::string& name = backends[i]->info().name;
    auto it = std::find_if(groups_.begin(), groups_.end(), [&](const BackendGroup& g) {
      return std::find(g.names.begin(), g.names.end(), name) != g.names.end();
    });
    if (it == groups_.end()) throw std::logic_error("backend " + name + " is in no group of the run");
    members[static_cast<size_t>(it - groups_.begin())].push_back(i);
  }
  std::vector<size_t> forward;
  for (size_t g = 0; g < groups_.size(); ++g)
    if (!members[g].empty()) forward.push_back(g);

  RunSettings round = settings;
  round.sampler = round_share(settings.sampler, rounds_);
  std::vector<std::vector<Cell>> cells(backends.size());
  std::vector<bool> started(backends.size(), false), done(backends.size(), false);
  auto stop = [&] { return events.stop && events.stop(); };
  for (int r = 0; r < rounds_; ++r) {
    std::vector<size_t> order = forward;
    if (r % 2 == 1) std::reverse(order.begin(), order.end());
    for (size_t g : order) {
      if (stop()) return;  // unfinished cells are dropped: a resume runs them again
      BackendGroup& group = groups_[g];
      std::vector<Backend*> running;
      std::vector<size_t> index;  // into `backends`
      for (size_t i : members[g])
        if (!done[i]) running.push_back(backends[i]), index.push_back(i);
      if (running.empty()) continue;
      CellEvents inner;
      inner.stop = events.stop;
      inner.prepared = events.prepared;
      inner.started = [&](size_t k) {
        schedule_.push_back(std::to_string(r + 1) + " " + running[k]->info().name);
        if (!started[index[k]] && events.started) events.started(index[k]);
        started[index[k]] = true;
      };
      inner.finished = [&](size_t k, Cell cell) {
        // A failure needs no more rounds: it would fail again.
        if (!cell.ok() || r + 1 == rounds_) done[index[k]] = true;
        cells[index[k]].push_back(std::move(cell));
      };
      if (!group.error.empty() || !group.executor) {
        for (size_t k = 0; k < running.size(); ++k) {
          inner.started(k);
          inner.finished(k, failed(running[k]->info().name, group.error));
        }
      } else {
        try {
          const bool keep = forward.size() == 1 && (r + 1 < rounds_ || keep_inputs);
          group.executor->run(e, running, round, inner, keep);
        } catch (const std::exception& ex) {
          // Its worker cannot start (its plug-in does not load): its cells
          // fail, the other versions run on.
          for (size_t k = 0; k < running.size(); ++k)
            if (cells[index[k]].size() <= static_cast<size_t>(r) && !done[index[k]]) {
              inner.started(k);
              inner.finished(k, failed(running[k]->info().name, ex.what()));
            }
        }
      }
      if (stop()) return;
    }
  }
  for (size_t i = 0; i < backends.size(); ++i)
    if (!cells[i].empty() && events.finished) events.finished(i, merged_rounds(std::move(cells[i])));
}

}  // namespace opbench
