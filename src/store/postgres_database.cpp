// The history in a PostgreSQL server, through libpq, for a team whose
// machines all report into one place. Values travel as bound parameters in
// text form; a run's append is one transaction.
#include <libpq-fe.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "store/database.h"

namespace opbench {
namespace {

// The server's message without its trailing newline, on one line.
std::string reason(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

std::string parameter_text(const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v)) return std::to_string(std::get<int64_t>(v));
  if (std::holds_alternative<double>(v)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", std::get<double>(v));
    return buf;
  }
  return std::get<std::string>(v);
}

bool is_null(const SqlValue& v) {
  return std::holds_alternative<std::monostate>(v) ||
         (std::holds_alternative<double>(v) && !std::isfinite(std::get<double>(v)));
}

class Row : public SqlRow {
 public:
  Row(PGresult* r, int row) : r_(r), row_(row) {}
  bool null(int c) const override { return PQgetisnull(r_, row_, c); }
  int64_t integer(int c) const override { return std::strtoll(PQgetvalue(r_, row_, c), nullptr, 10); }
  double real(int c) const override { return null(c) ? NAN : std::strtod(PQgetvalue(r_, row_, c), nullptr); }
  std::string text(int c) const override { return std::string(PQgetvalue(r_, row_, c), PQgetlength(r_, row_, c)); }

 private:
  PGresult* r_;
  int row_;
};

class PostgresDatabase : public Database {
 public:
  explicit PostgresDatabase(const std::string& url) : url_(url) {
    connection_ = PQconnectdb(url.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      std::string why = reason(PQerrorMessage(connection_));
      PQfinish(connection_);
      throw StoreError(shown_url() + ": " + why);
    }
    run("SET client_min_messages = warning");  // no NOTICE for CREATE TABLE IF NOT EXISTS
  }
  ~PostgresDatabase() override { PQfinish(connection_); }

  void execute(const std::string& sql, const std::vector<SqlValue>& values,
               const std::function<void(const SqlRow&)>& row) override {
    std::vector<std::string> texts;
    std::vector<const char*> pointers;
    texts.reserve(values.size());
    for (const SqlValue& v : values) {
      texts.push_back(is_null(v) ? "" : parameter_text(v));
      pointers.push_back(is_null(v) ? nullptr : texts.back().c_str());
    }
    PGresult* r = PQexecParams(connection_, sql.c_str(), static_cast<int>(values.size()), nullptr, pointers.data(),
                               nullptr, nullptr, 0);
    ExecStatusType status = PQresultStatus(r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      std::string why = reason(PQresultErrorMessage(r));
      if (why.empty()) why = reason(PQerrorMessage(connection_));
      PQclear(r);
      throw StoreError(why);
    }
    if (row)
      for (int i = 0, n = PQntuples(r); i < n; ++i) row(Row(r, i));
    PQclear(r);
  }
  // One writer at a time across every machine, as SQLite's lock gives: the
  // schema is created once, and runs get their ids in the order they land.
  void begin_writing() override {
    run("BEGIN");
    run("SELECT pg_advisory_xact_lock(7270726)");
  }
  void rollback() override { PQclear(PQexec(connection_, "ROLLBACK")); }
  std::string key_column() const override { return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"; }
  bool table_exists(const std::string& name) override {
    bool found = false;
    run("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1", {name},
        [&](const SqlRow&) { found = true; });
    return found;
  }
  std::string where() const override { return shown_url(); }

 private:
  // The URL without a password, for messages.
  std::string shown_url() const {
    size_t scheme = url_.find("://"), at = url_.find('@');
    if (scheme == std::string::npos || at == std::string::npos) return url_;
    size_t colon = url_.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return url_;
    return url_.substr(0, colon) + ":***" + url_.substr(at);
  }
  std::string url_;
  PGconn* connection_ = nullptr;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url) { return std::make_unique<PostgresDatabase>(url); }

}  // namespace opbench
