// The history in a SQLite file: WAL mode (readers never wait for a writer),
// a busy timeout (a second writer waits for the first instead of failing),
// and each run in one transaction (a killed append leaves the run absent).
#include <sqlite3.h>

#include <cctype>
#include <cmath>

#include "store/database.h"

namespace opbench {
namespace {

// How long a writer waits for another's transaction: a run's append takes
// well under a second, so this only runs out when something is stuck.
constexpr int kBusyTimeoutMs = 30000;

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &statement_, nullptr) != SQLITE_OK)
      throw StoreError(sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  void bind(const std::vector<SqlValue>& values) {
    for (size_t i = 0; i < values.size(); ++i) {
      int at = static_cast<int>(i + 1), rc = SQLITE_OK;
      const SqlValue& v = values[i];
      if (std::holds_alternative<int64_t>(v)) rc = sqlite3_bind_int64(statement_, at, std::get<int64_t>(v));
      else if (std::holds_alternative<double>(v) && std::isfinite(std::get<double>(v))) rc = sqlite3_bind_double(statement_, at, std::get<double>(v));
      else if (std::holds_alternative<std::string>(v)) {
        const std::string& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(statement_, at, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      } else rc = sqlite3_bind_null(statement_, at);  // NULL, and a nan or infinite figure
      if (rc != SQLITE_OK) throw StoreError(sqlite3_errmsg(db_));
    }
  }
  bool step() {
    int rc = sqlite3_step(statement_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(sqlite3_errmsg(db_));
  }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

class Row : public SqlRow {
 public:
  explicit Row(sqlite3_stmt* s) : s_(s) {}
  bool null(int c) const override { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  int64_t integer(int c) const override { return sqlite3_column_int64(s_, c); }
  double real(int c) const override { return null(c) ? NAN : sqlite3_column_double(s_, c); }
  std::string text(int c) const override {
    const unsigned char* t = sqlite3_column_text(s_, c);
    return t ? std::string(reinterpret_cast<const char*>(t), sqlite3_column_bytes(s_, c)) : std::string();
  }

 private:
  sqlite3_stmt* s_;
};

// "$1" (PostgreSQL's parameters, which store.cpp writes) as SQLite's "?1".
std::string sqlite_parameters(std::string sql) {
  for (size_t i = 0; i + 1 < sql.size(); ++i)
    if (sql[i] == '$' && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) sql[i] = '?';
  return sql;
}

class SqliteDatabase : public Database {
 public:
  explicit SqliteDatabase(const std::string& path) : path_(path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      throw StoreError(path + ": " + why);
    }
    sqlite3_busy_timeout(db_, kBusyTimeoutMs);
    sqlite3_extended_result_codes(db_, 1);
    try {
      run("PRAGMA journal_mode=WAL");
      run("PRAGMA synchronous=NORMAL");  // in WAL mode: durable at each checkpoint, consistent always
      run("PRAGMA foreign_keys=ON");
    } catch (const StoreError& e) {
      sqlite3_close(db_);
      throw StoreError(path + ": " + e.what());
    }
  }
  ~SqliteDatabase() override { sqlite3_close(db_); }

  void execute(const std::string& sql, const std::vector<SqlValue>& values,
               const std::function<void(const SqlRow&)>& row) override {
    Statement s(db_, sqlite_parameters(sql));
    s.bind(values);
    Row r(s.get());
    while (s.step())
      if (row) row(r);
  }
  void begin_writing() override { run("BEGIN IMMEDIATE"); }
  void rollback() override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }
  std::string key_column() const override { return "INTEGER PRIMARY KEY"; }
  bool table_exists(const std::string& name) override {
    bool found = false;
    run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1", {name}, [&](const SqlRow&) { found = true; });
    return found;
  }
  std::string where() const override { return path_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path) { return std::make_unique<SqliteDatabase>(path); }

}  // namespace opbench
