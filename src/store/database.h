#pragma once
// The little of SQL that the history needs, over SQLite and PostgreSQL
// alike: statements with bound parameters ($1, $2, ...; never text pasted
// into SQL), rows read by column, transactions. store.cpp writes the schema
// and its queries once against this; each database has one file
// (sqlite_database.cpp, postgres_database.cpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace opbench {

// A bound value: NULL, an integer, a float or text.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual bool null(int column) const = 0;
  virtual int64_t integer(int column) const = 0;
  virtual double real(int column) const = 0;  // NULL: nan
  virtual std::string text(int column) const = 0;
};

// A failure of the database itself (cannot open, damaged file, server down,
// a statement refused), with the database's own reason.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Database {
 public:
  virtual ~Database() = default;
  // Runs a statement; calls `row` for each row it returns. Throws StoreError.
  void run(const std::string& sql, const std::vector<SqlValue>& values = {},
           const std::function<void(const SqlRow&)>& row = {}) {
    execute(sql, values, row);
  }
  // A transaction that holds the database's write lock from its start, so
  // that two writers queue instead of failing half-way.
  virtual void begin_writing() = 0;
  virtual void commit() { run("COMMIT"); }
  virtual void rollback() = 0;  // never throws
  // The column type of a table's own integer key.
  virtual std::string key_column() const = 0;
  virtual bool table_exists(const std::string& name) = 0;
  // Where it is, for messages ("~/.opbench/history.sqlite", "postgresql://host/db").
  virtual std::string where() const = 0;

 protected:
  virtual void execute(const std::string& sql, const std::vector<SqlValue>& values,
                       const std::function<void(const SqlRow&)>& row) = 0;
};

std::unique_ptr<Database> open_sqlite(const std::string& path);
// `url`: a libpq connection URI (postgresql://user@host:port/dbname).
std::unique_ptr<Database> open_postgres(const std::string& url);

}  // namespace opbench
