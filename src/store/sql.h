// The one thing the store asks of a database: run SQL with parameters and
// give rows back. Two backends implement it, SQLite (a file, the default)
// and PostgreSQL (a server a team shares); everything else about the store
// (schema, what a scan writes, what a report reads) is written once, in
// store.cc, against this interface.
//
// Statements use $1, $2, ... for parameters, numbered in order of first use
// (both engines read that form). Values travel as text or NULL; each engine
// converts them to the column's type.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace exhunt {

using SqlValue = std::optional<std::string>;  // nullopt is NULL
using SqlRow = std::vector<SqlValue>;

inline SqlValue SqlInt(uint64_t v) { return std::to_string(v); }

class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Statements without parameters, several at once (schema).
  virtual Status Exec(std::string_view sql) = 0;
  // One statement; the rows it returns (none for most writes).
  virtual Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) = 0;
  // How the engine spells an auto-numbered key column.
  virtual std::string_view IdColumn() const = 0;
  // "sqlite" or "postgresql".
  virtual std::string_view Engine() const = 0;
};

// A SQLite file, created if it does not exist (its folder must).
Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path);
// A PostgreSQL connection string ("postgresql://user@host:port/db" or
// "host=... dbname=...").
Result<std::unique_ptr<SqlConnection>> OpenPostgres(const std::string& conninfo);

}  // namespace exhunt
