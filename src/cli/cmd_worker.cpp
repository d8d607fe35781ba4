// opbench worker: the process that runs cells for `opbench run` (see
// execution/worker_protocol.h). Not for people: `opbench --help` does not list it.
#include "cli/commands.h"
#include "execution/worker_protocol.h"
#include "format/json.h"
#include "model/error.h"

namespace opbench::cli {

const CommandSpec kWorkerSpec = {
    "worker",
    "opbench worker --backends LIST --settings JSON",
    "Runs cells for `opbench run`, which starts it: experiments come on standard input, cells go out on\n"
    "file descriptor 3, one JSON object a line. Not meant to be started by hand.",
    {
        {"backends", "LIST", "the backends to make"},
        {"settings", "JSON", "the run settings, as the result file writes them"},
    }};

int worker_command(const Args& args) {
  if (!args.has("backends") || !args.has("settings")) throw UsageError("needs --backends and --settings");
  nlohmann::json given = nlohmann::json::parse(args.get("settings"), nullptr, /*allow_exceptions=*/false);
  if (given.is_discarded()) throw UsageError("--settings: not JSON: " + quote(args.get("settings")));
  RunSettings settings = settings_from_json(given, "--settings");
  return serve_worker(split_list(args.get("backends"), "backends"), settings, 0, 3);
}

}  // namespace opbench::cli
