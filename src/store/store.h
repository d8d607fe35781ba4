#pragma once
// The history of runs: every run's record appended to a store (a SQLite file
// by default, or a PostgreSQL server a team shares), and series of a cell's
// level across runs read back. Schema and method: docs/history.md.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/changepoint.h"
#include "model/history.h"
#include "model/result.h"
#include "store/database.h"

namespace opbench {

// The version of the tables this opbench writes; a store of a newer one is refused.
inline constexpr int kStoreSchemaVersion = 1;

// What `opbench history` shows; empty lists mean every one.
struct HistoryQuery {
  std::vector<std::string> ops, backends, machines;  // machines: a hostname or a fingerprint
  std::string since, until;                           // UTC, ISO 8601 prefixes; empty: no bound
};

// The machine a series belongs to: a short fingerprint of its CPU, cores,
// memory, hostname and GPUs, the same for every run on one machine.
std::string machine_fingerprint(const RunRecord& record);

class Store {
 public:
  // Opens (creating when new) the store at `location`: a file path, or a
  // postgresql:// (or postgres://) URL. Throws StoreError; UsageError for a
  // store of a newer schema, naming both versions.
  explicit Store(const std::string& location);
  ~Store();
  Store(Store&&) noexcept;
  // Adds a run in one transaction: it is there whole or not at all. `source`
  // says where it came from (a result file's path). Returns false when the
  // store already holds this very run (the same record), which is left as is.
  bool append(const RunRecord& record, const std::string& source);
  History read(const HistoryQuery& query);
  size_t run_count();
  std::string where() const;

 private:
  void create_or_check_schema();
  std::unique_ptr<Database> db_;
};

// The store the command line names: --no-store gives none, else --store,
// else $OPBENCH_STORE ("off": none), else ~/.opbench/history.sqlite.
std::optional<std::string> store_location(bool no_store, const std::string& store_option);

}  // namespace opbench

namespace opbench {

// A series' key: machine, experiment line, pass, backend.
std::string series_key(const std::string& machine, const std::string& line, const std::string& pass,
                       const std::string& backend);

// A cell of a new run slower than its series' level (the gate of
// `opbench run --fail-on-regression`).
struct Regression {
  std::string cell;  // "MatMul / dim=64x64 dim=64x64 on cpu"
  LevelChange change;
  double ms = 0;     // the new run's level
};
// The cells of `record` (not yet in `history`) that are slower than the level
// their series had by more than `fraction` and by more than kBeyondNoise
// standard errors. A cell with no series yet is no regression.
std::vector<Regression> regressions(const History& history, const RunRecord& record, double fraction);

}  // namespace opbench
