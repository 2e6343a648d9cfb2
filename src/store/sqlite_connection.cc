// The SQLite backend: one file, statements prepared once and kept, WAL so
// that a reader (sqlite3, exhunt report) never waits for a scan, and a
// write that fails rolls back the host it belonged to.
#include <sqlite3.h>

#include <map>

#include "store/sql.h"

namespace exhunt {

namespace {

class SqliteConnection final : public SqlConnection {
 public:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}
  ~SqliteConnection() override {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
  }

  Status Exec(std::string_view sql) override {
    char* message = nullptr;
    if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string why = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      return Status::IoError("sqlite: " + why);
    }
    return Status::Ok();
  }

  Result<std::vector<SqlRow>> Query(const std::string& sql, const std::vector<SqlValue>& params) override {
    sqlite3_stmt* stmt = nullptr;
    auto it = statements_.find(sql);
    if (it != statements_.end()) {
      stmt = it->second;
    } else {
      if (sqlite3_prepare_v2(db_, sql.c_str(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
        return Status::IoError("sqlite: " + std::string(sqlite3_errmsg(db_)));
      statements_.emplace(sql, stmt);
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
      int rc = params[i] ? sqlite3_bind_text(stmt, int(i + 1), params[i]->data(), int(params[i]->size()),
                                             SQLITE_TRANSIENT)
                         : sqlite3_bind_null(stmt, int(i + 1));
      if (rc != SQLITE_OK) return Status::IoError("sqlite: " + std::string(sqlite3_errmsg(db_)));
    }
    std::vector<SqlRow> rows;
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Status s = Status::IoError("sqlite: " + std::string(sqlite3_errmsg(db_)));
        sqlite3_reset(stmt);
        return s;
      }
      SqlRow row;
      for (int c = 0, n = sqlite3_column_count(stmt); c < n; ++c) {
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
          continue;
        }
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
        row.emplace_back(std::string(text ? text : "", size_t(sqlite3_column_bytes(stmt, c))));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  std::string_view IdColumn() const override { return "INTEGER PRIMARY KEY"; }
  std::string_view Engine() const override { return "sqlite"; }

 private:
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*> statements_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> OpenSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Status::IoError(path + ": " + why);
  }
  sqlite3_busy_timeout(db, 30000);
  auto conn = std::make_unique<SqliteConnection>(db);
  // WAL: readers see the last committed host while a scan writes the next.
  Status s = conn->Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  if (!s.ok()) return Status::IoError(path + ": " + s.message());
  return std::unique_ptr<SqlConnection>(std::move(conn));
}

}  // namespace exhunt
