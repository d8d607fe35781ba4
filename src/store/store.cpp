#include "store/store.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "format/json.h"
#include "model/error.h"
#include "model/text.h"

namespace opbench {

namespace {

using nlohmann::json;

// The tables, as docs/history.md documents them. KEY is the database's own
// integer key type; every figure is a double, every count a 64-bit integer.
const char* const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs (id KEY, digest TEXT NOT NULL UNIQUE, created TEXT NOT NULL, stored TEXT NOT NULL,"
    " label TEXT NOT NULL, opbench_version TEXT NOT NULL, suite TEXT NOT NULL, machine TEXT NOT NULL,"
    " hostname TEXT NOT NULL, cpu TEXT NOT NULL, cores BIGINT NOT NULL, memory_bytes BIGINT NOT NULL, os TEXT NOT NULL,"
    " versions TEXT NOT NULL, settings TEXT NOT NULL, backends TEXT NOT NULL, source TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cells (run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    " op TEXT NOT NULL, name TEXT NOT NULL, line TEXT NOT NULL, pass TEXT NOT NULL, dtype TEXT NOT NULL,"
    " backend TEXT NOT NULL, verdict TEXT NOT NULL, error TEXT NOT NULL, mean DOUBLE PRECISION,"
    " median DOUBLE PRECISION, min DOUBLE PRECISION, max DOUBLE PRECISION, stddev DOUBLE PRECISION,"
    " noise DOUBLE PRECISION, count BIGINT NOT NULL, samples TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS cells_run ON cells (run_id)",
    "CREATE INDEX IF NOT EXISTS runs_created ON runs (created)",
};

// The experiment line's dtype= (float32 when it has none).
std::string dtype_of(const std::string& line) {
  size_t at = line.find(" dtype=");
  if (at == std::string::npos) return "float32";
  size_t begin = at + 7;
  return line.substr(begin, line.find(' ', begin) - begin);
}

std::string versions_text(const std::string& versions_json) {
  std::string out;
  try {
    const json versions = json::parse(versions_json);  // kept: items() refers into it
    for (const auto& item : versions.items())
      out += (out.empty() ? "" : ", ") + item.key() + " " + item.value().get<std::string>();
  } catch (const json::exception&) {
  }
  return out;
}

// "(k, k+1, ...)" for `values`, appended to `bound`.
std::string placeholders(const std::vector<std::string>& values, std::vector<SqlValue>& bound) {
  std::string sql = "(";
  for (const std::string& v : values) {
    bound.push_back(v);
    sql += (sql.size() > 1 ? ", $" : "$") + std::to_string(bound.size());
  }
  return sql + ")";
}

void insert_cell(Database& db, int64_t run, const ExperimentRecord& e, const Cell& c) {
  const bool timed = c.ok();
  auto figure = [&](double v) -> SqlValue { return timed ? SqlValue(v) : SqlValue(); };
  db.run("INSERT INTO cells (run_id, op, name, line, pass, dtype, backend, verdict, error, mean, median, min, max,"
         " stddev, noise, count, samples) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
         {run, e.op, e.name, e.line, pass_text(e.pass), dtype_of(e.line), c.backend, verdict_text(c.check.verdict),
          c.not_applicable ? "n/a: " + c.error : c.error, figure(c.stats.mean), figure(c.stats.median),
          figure(c.stats.min), figure(c.stats.max), figure(c.stats.stddev), figure(c.stats.noise),
          static_cast<int64_t>(timed ? c.stats.count : 0), timed ? json(c.samples_ms).dump() : std::string("[]")});
}

}  // namespace

std::string machine_fingerprint(const RunRecord& r) {
  std::string text = r.machine.cpu + "|" + std::to_string(r.machine.cores) + "|" + std::to_string(r.machine.memory_bytes) +
                     "|" + r.machine.hostname;
  for (const BackendRecord& b : r.backends) text += "|" + b.device;
  return digest_hex(text).substr(0, 12);
}

Store::Store(const std::string& location) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) {
#ifdef OPBENCH_HAS_POSTGRES
    db_ = open_postgres(location);
#else
    throw UsageError("--store " + location +
                     ": this opbench was built without PostgreSQL (libpq-dev was missing when it was configured)");
#endif
  } else {
    std::filesystem::path parent = std::filesystem::path(location).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    db_ = open_sqlite(location);
  }
  create_or_check_schema();
}

Store::~Store() = default;
Store::Store(Store&&) noexcept = default;

std::string Store::where() const { return db_->where(); }

void Store::create_or_check_schema() {
  auto newer = [&](int64_t version) {
    return UsageError(db_->where() + ": the store's schema is version " + std::to_string(version) +
                      ", newer than this opbench's version " + std::to_string(kStoreSchemaVersion) +
                      ": use a newer opbench, or another --store");
  };
  int64_t version = 0;
  auto read_version = [&] {
    db_->run("SELECT MAX(version) FROM schema_version", {}, [&](const SqlRow& r) { version = r.null(0) ? 0 : r.integer(0); });
  };
  if (db_->table_exists("schema_version")) {
    read_version();
    if (version > kStoreSchemaVersion) throw newer(version);
    if (version == kStoreSchemaVersion) return;
  }
  // Created under the write lock: two first runs at once create it once.
  db_->begin_writing();
  try {
    for (std::string sql : kSchema) {
      if (size_t at = sql.find(" KEY,"); at != std::string::npos) sql.replace(at + 1, 3, db_->key_column());
      db_->run(sql);
    }
    read_version();
    if (version > kStoreSchemaVersion) throw newer(version);
    if (version == 0) db_->run("INSERT INTO schema_version (version) VALUES ($1)", {int64_t{kStoreSchemaVersion}});
    db_->commit();
  } catch (...) {
    db_->rollback();
    throw;
  }
}

bool Store::append(const RunRecord& r, const std::string& source) {
  // The same record gives the same digest, so a run imported twice (or
  // imported after its run stored it) is stored once.
  const std::string digest = digest_hex(to_json(r));
  const json settings = r.settings;
  json backends = json::array();
  for (const BackendRecord& b : r.backends) backends.push_back({{"name", b.info.name}, {"device", b.device}});
  db_->begin_writing();
  try {
    bool stored = false;
    db_->run("SELECT 1 FROM runs WHERE digest = $1", {digest}, [&](const SqlRow&) { stored = true; });
    if (stored) {
      db_->rollback();
      return false;
    }
    int64_t id = 0;
    db_->run("INSERT INTO runs (digest, created, stored, label, opbench_version, suite, machine, hostname, cpu, cores,"
             " memory_bytes, os, versions, settings, backends, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
             " $11, $12, $13, $14, $15, $16) RETURNING id",
             {digest, r.created, utc_now(), r.label, r.opbench_version, r.suite, machine_fingerprint(r), r.machine.hostname,
              r.machine.cpu, int64_t{r.machine.cores}, static_cast<int64_t>(r.machine.memory_bytes), r.machine.os,
              json(r.versions).dump(), settings.dump(), backends.dump(), source},
             [&](const SqlRow& row) { id = row.integer(0); });
    for (const ExperimentRecord& e : r.experiments)
      for (const Cell& c : e.cells) insert_cell(*db_, id, e, c);
    db_->commit();
  } catch (...) {
    db_->rollback();
    throw;
  }
  return true;
}

size_t Store::run_count() {
  size_t n = 0;
  db_->run("SELECT COUNT(*) FROM runs", {}, [&](const SqlRow& r) { n = static_cast<size_t>(r.integer(0)); });
  return n;
}

History Store::read(const HistoryQuery& q) {
  std::vector<SqlValue> bound;
  std::string where = " WHERE 1 = 1";
  if (!q.machines.empty()) {
    std::string list = placeholders(q.machines, bound);
    where += " AND (r.hostname IN " + list + " OR r.machine IN " + placeholders(q.machines, bound) + ")";
  }
  if (!q.since.empty()) bound.push_back(q.since), where += " AND r.created >= $" + std::to_string(bound.size());
  // An ISO prefix as the upper bound takes in the whole of it: "2026-12" is every run of December.
  const std::string until = q.until + "\x7f";
  if (!q.until.empty()) bound.push_back(until), where += " AND r.created <= $" + std::to_string(bound.size());

  History h;
  std::unordered_map<int64_t, size_t> run_index;
  db_->run("SELECT r.id, r.created, r.label, r.opbench_version, r.suite, r.hostname, r.machine, r.versions FROM runs r" +
               where + " ORDER BY r.created, r.id",
           bound, [&](const SqlRow& row) {
             run_index[row.integer(0)] = h.runs.size();
             h.runs.push_back({row.integer(0), row.text(1), row.text(2), row.text(3), row.text(4), row.text(5), row.text(6),
                               versions_text(row.text(7))});
           });
  if (!q.ops.empty()) where += " AND c.op IN " + placeholders(q.ops, bound);
  if (!q.backends.empty()) where += " AND c.backend IN " + placeholders(q.backends, bound);
  std::unordered_map<std::string, size_t> series_index;
  db_->run("SELECT c.run_id, c.op, c.name, c.line, c.pass, c.backend, c.mean, c.median, c.min, c.max, c.stddev,"
           " c.noise, c.count FROM cells c JOIN runs r ON r.id = c.run_id" + where +
               " AND c.median IS NOT NULL AND c.median > 0",
           bound, [&](const SqlRow& row) {
             auto run = run_index.find(row.integer(0));
             if (run == run_index.end()) return;  // appended between the two queries
             const HistoryRun& hr = h.runs[run->second];
             std::string line = row.text(3), pass = row.text(4), backend = row.text(5);
             std::string key = series_key(hr.machine, line, pass, backend);
             auto [it, added] = series_index.try_emplace(key, h.series.size());
             if (added) h.series.push_back({hr.machine, hr.hostname, row.text(1), row.text(2), line, pass, backend, {}, {}});
             HistorySeries& s = h.series[it->second];
             Stats stats;
             stats.mean = row.real(6), stats.median = row.real(7), stats.min = row.real(8), stats.max = row.real(9);
             stats.stddev = row.real(10), stats.noise = row.real(11), stats.count = static_cast<size_t>(row.integer(12));
             s.runs.push_back(run->second);
             s.points.push_back(cell_level(stats));
           });
  // Each series in time order: sorted here, cheaper than the database
  // sorting every cell of every run (and mostly in order already).
  for (HistorySeries& s : h.series) {
    std::vector<size_t> order(s.runs.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s.runs[a] < s.runs[b]; });
    HistorySeries sorted = s;
    for (size_t i = 0; i < order.size(); ++i) sorted.runs[i] = s.runs[order[i]], sorted.points[i] = s.points[order[i]];
    s = std::move(sorted);
  }
  return h;
}

std::string series_key(const std::string& machine, const std::string& line, const std::string& pass,
                       const std::string& backend) {
  return machine + '\n' + line + '\n' + pass + '\n' + backend;
}

std::vector<Regression> regressions(const History& history, const RunRecord& record, double fraction) {
  std::unordered_map<std::string, const HistorySeries*> by_key;
  for (const HistorySeries& s : history.series) by_key[series_key(s.machine, s.line, s.pass, s.backend)] = &s;
  const std::string machine = machine_fingerprint(record);
  std::vector<Regression> out;
  for (const ExperimentRecord& e : record.experiments)
    for (const Cell& c : e.cells) {
      auto it = by_key.find(series_key(machine, e.line, pass_text(e.pass), c.backend));
      SeriesPoint now = cell_level(c.stats);
      if (!c.ok() || it == by_key.end() || !(now.value > 0)) continue;
      LevelChange change = change_from_level(it->second->points, now);
      if (change.change > fraction && change.z > kBeyondNoise) out.push_back({e.label() + " on " + c.backend, change, now.value});
    }
  return out;
}

std::optional<std::string> store_location(bool no_store, const std::string& store_option) {
  if (no_store) return std::nullopt;
  if (!store_option.empty()) return store_option;
  if (const char* env = std::getenv("OPBENCH_STORE"); env && *env) {
    if (std::string(env) == "off") return std::nullopt;
    return std::string(env);
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.opbench/history.sqlite";
}

}  // namespace opbench
