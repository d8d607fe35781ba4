#include "execution/worker_protocol.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "execution/worker_process.h"
#include "format/json.h"
#include "model/error.h"

namespace opbench {

using nlohmann::json;

std::string request_message(const Experiment& e, const std::vector<std::string>& backends, bool keep_inputs) {
  json request{{"line", e.line()}, {"backends", backends}};
  if (keep_inputs) request["keep_inputs"] = true;
  return request.dump() + "\n";
}

Cell read_cell(const json& message, const std::string& backend) {
  Cell cell;
  try {
    cell = cell_from_json(message, "worker");
  } catch (const UsageError&) {
    cell = failed_cell(backend, "the worker sent an unreadable cell");
  }
  cell.backend = backend;
  return cell;
}


double phase_seconds(const json& prepared, const char* key) {
  const json* v = prepared.is_object() && prepared.contains(key) ? &prepared.at(key) : nullptr;
  double s = v && v->is_number() ? v->get<double>() : 0;
  return std::isfinite(s) && s > 0 ? s : 0;
}


int serve_worker(const std::vector<std::string>& backends, const RunSettings& settings, int in_fd, int out_fd) {
  auto send = [&](const std::string& text) {
    if (!write_all(out_fd, text + "\n")) std::_Exit(3);  // opbench is gone: nobody to measure for
  };
  std::vector<std::unique_ptr<Backend>> all = create_backends();
  std::vector<Backend*> mine;
  for (const std::string& name : backends) {
    auto it = std::find_if(all.begin(), all.end(), [&](const auto& b) { return b->info().name == name; });
    if (it == all.end()) {
      send(json{{"fatal", "backend '" + name + "' is not in this build"}}.dump());
      return 1;
    }
    if (std::string reason = (*it)->unavailable_reason(); !reason.empty()) {
      send(json{{"fatal", "backend '" + name + "' is not available: " + reason}}.dump());
      return 1;
    }
    (*it)->set_threads(settings.threads);
    if (settings.memory) (*it)->count_memory();
    mine.push_back(it->get());
  }
  send(R"({"ready":true})");

  std::FILE* in = fdopen(in_fd, "r");
  if (!in) return 1;
  KeptInputs kept;  // an experiment's inputs, for its twin of the other pass next
  char* buffer = nullptr;
  size_t capacity = 0;
  ssize_t length;
  while ((length = getline(&buffer, &capacity, in)) > 0) {
    json request = json::parse(std::string(buffer, static_cast<size_t>(length)));
    Experiment e = parse_experiment(request.at("line").get<std::string>());
    std::vector<Backend*> chosen;
    for (const json& item : request.at("backends")) {
      std::string name = item.get<std::string>();
      auto it = std::find_if(mine.begin(), mine.end(), [&](Backend* b) { return b->info().name == name; });
      if (it == mine.end()) throw std::runtime_error("asked for backend '" + name + "', which this worker lacks");
      chosen.push_back(*it);
    }
    CellEvents events;
    events.prepared = [&](double inputs_s, double reference_s) {
      send(json{{"prepared", {{"inputs_s", inputs_s}, {"reference_s", reference_s}}}}.dump());
    };
    events.started = [&](size_t i) { send(json{{"started", chosen[i]->info().name}}.dump()); };
    events.finished = [&](size_t, Cell cell) { send(json{{"cell", cell}}.dump()); };
    const json* keep = request.contains("keep_inputs") ? &request.at("keep_inputs") : nullptr;
    run_experiment(e, chosen, settings, events, &kept, keep && keep->is_boolean() && keep->get<bool>());
    send(R"({"done":true})");
  }
  std::free(buffer);
  std::fclose(in);
  return 0;
}

}  // namespace opbench
