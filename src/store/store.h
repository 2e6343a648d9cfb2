// The store of record: every scan of every host, kept in SQLite (a file,
// the default) or PostgreSQL (a server a team shares), one schema for both
// (docs/STORE.md). A scan is written as it streams: its row first, marked
// "running", then each host's findings, host record, timeline, coverage,
// exposure, skipped files and errors in one transaction, so that a scan
// killed mid-way leaves every host it finished whole and no host in part.
// A re-scan adds a scan; nothing is ever overwritten.
//
// Reports read the store back (Replay) as the JSONL records each row keeps
// beside its columns, so that `exhunt report` renders through the same
// reporters as a live scan and never re-reads evidence.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "finding/scan_sink.h"

namespace exhunt {

class SqlConnection;

// A sink that writes one scan into the store. Status() tells whether every
// write succeeded; after the first failure nothing more is written.
class StoreWriter : public ScanSink {
 public:
  virtual Status status() const = 0;
  virtual int64_t scan_id() const = 0;
};

struct StoredScan {
  int64_t id = 0;
  std::string started, finished;  // ISO times; finished is empty while running or when cut off
  std::string status;             // "complete", or "running" (in progress, or interrupted)
  std::string source;             // "scan" or "import"
  std::string roots;  // a JSON array
  std::vector<std::pair<std::string, std::string>> verdicts;  // host, verdict
};

struct ReplayQuery {
  std::string host;                   // only this host ("": all)
  std::optional<int64_t> scan;        // only this scan (else each host's newest)
};

class Store {
 public:
  // "postgresql://…", "postgres://…" or "host=… dbname=…" is PostgreSQL;
  // anything else is a SQLite file (created if missing). The schema is
  // created if missing; a store of a newer schema is refused.
  static Result<std::unique_ptr<Store>> Open(const std::string& target);
  ~Store();

  // source: "scan" or "import"; roots: what was scanned (or imported).
  Result<std::unique_ptr<StoreWriter>> NewScan(const std::string& source, const std::vector<std::string>& roots);
  // Each host's newest stored results (or one scan's), host by host in
  // name order, to `sink` (Begin and End included).
  Status Replay(const ReplayQuery& query, ScanSink& sink);
  // Every scan, oldest first.
  Result<std::vector<StoredScan>> Scans();
  std::string_view engine() const;
  SqlConnection& sql() { return *sql_; }

 private:
  explicit Store(std::unique_ptr<SqlConnection> sql);
  std::unique_ptr<SqlConnection> sql_;
};

bool IsPostgresTarget(const std::string& target);

// The schema version this build writes (docs/STORE.md).
constexpr int kStoreSchemaVersion = 1;

}  // namespace exhunt
