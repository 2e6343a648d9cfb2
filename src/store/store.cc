#include "store/store.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "base/json_writer.h"
#include "base/text.h"
#include "report/exposure_report.h"
#include "report/json_records.h"
#include "report/jsonl_replay.h"
#include "store/sql.h"

namespace exhunt {

namespace {

// The schema of docs/STORE.md. Times are ISO-8601 UTC text (they sort);
// lists are JSON arrays; every row that a report reads back keeps its
// JSONL record in `record`.
constexpr std::string_view kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scans (
  id {ID}, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL, source TEXT NOT NULL,
  roots TEXT NOT NULL, files BIGINT, log_files BIGINT, bytes BIGINT, records BIGINT, seconds DOUBLE PRECISION,
  record TEXT);
CREATE TABLE IF NOT EXISTS hosts (id {ID}, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS host_scans (
  id {ID}, scan_id BIGINT NOT NULL REFERENCES scans(id), host_id BIGINT NOT NULL REFERENCES hosts(id),
  verdict TEXT NOT NULL, first_finding TEXT, last_finding TEXT,
  critical BIGINT, high BIGINT, medium BIGINT, low BIGINT, info BIGINT, events BIGINT, findings_total BIGINT,
  build TEXT, exposure_answer TEXT, reasons TEXT, record TEXT);
CREATE INDEX IF NOT EXISTS host_scans_by_host ON host_scans (host_id, scan_id);
CREATE TABLE IF NOT EXISTS findings (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), rule TEXT NOT NULL, title TEXT,
  severity TEXT NOT NULL, outcome TEXT, cves TEXT, time TEXT, path TEXT, position BIGINT, log TEXT,
  client TEXT, user_agent TEXT, user_name TEXT, url TEXT, file TEXT, sha256 TEXT, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS findings_by_host_scan ON findings (host_scan_id);
CREATE TABLE IF NOT EXISTS events (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), time TEXT, severity TEXT NOT NULL,
  outcome TEXT, source TEXT, log TEXT, rules TEXT, cves TEXT, client TEXT, user_agent TEXT, url TEXT,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_host_scan ON events (host_scan_id);
CREATE TABLE IF NOT EXISTS coverage (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), family TEXT NOT NULL, files BIGINT,
  bytes BIGINT, first TEXT, last TEXT, gaps BIGINT);
CREATE TABLE IF NOT EXISTS windows (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), campaign TEXT NOT NULL, first TEXT,
  last TEXT, covered BIGINT, exposed BIGINT, missing TEXT);
CREATE TABLE IF NOT EXISTS exposure (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), cve TEXT NOT NULL, aka TEXT,
  status TEXT, open BIGINT, fixing_update TEXT, kb TEXT, mitigated_by TEXT);
CREATE TABLE IF NOT EXISTS skipped (
  id {ID}, host_scan_id BIGINT NOT NULL REFERENCES host_scans(id), path TEXT, reason TEXT, bytes BIGINT,
  record TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS errors (
  id {ID}, scan_id BIGINT NOT NULL REFERENCES scans(id), host_scan_id BIGINT REFERENCES host_scans(id),
  host TEXT, path TEXT, message TEXT, record TEXT NOT NULL);
)SQL";

std::string NowIso() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return FormatIsoTime(TimeMs(ms.count()));
}

SqlValue Text(std::string_view s) { return ValidUtf8Text(s); }
SqlValue OptTime(const std::optional<TimeMs>& t) {
  return t ? SqlValue(FormatIsoTime(*t)) : std::nullopt;
}
std::string JsonList(const std::vector<std::string>& values) {
  JsonWriter w;
  w.StringArray(values);
  return w.Take();
}
std::string KeyOf(const std::vector<std::pair<std::string, std::string>>& keys, std::string_view key) {
  for (const auto& [k, v] : keys)
    if (k == key) return v;
  return "";
}
SqlValue OptKey(const std::vector<std::pair<std::string, std::string>>& keys, std::string_view key) {
  std::string v = KeyOf(keys, key);
  return v.empty() ? std::nullopt : Text(v);
}

std::string One(const std::vector<SqlRow>& rows) { return rows.empty() || !rows[0][0] ? "" : *rows[0][0]; }

class Writer final : public StoreWriter {
 public:
  Writer(SqlConnection& sql, int64_t scan) : sql_(sql), scan_(scan) {}
  ~Writer() override {
    // A writer dropped without End (the scan failed): what is open is not kept.
    if (in_transaction_) sql_.Exec("ROLLBACK");
  }

  void OnFinding(const Finding& f) override {
    if (!Enter(f.host)) return;
    std::vector<std::string> cves = f.rule->cves;
    Run("INSERT INTO findings (host_scan_id, rule, title, severity, outcome, cves, time, path, position, log, client, "
        "user_agent, user_name, url, file, sha256, record) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,"
        "$15,$16,$17)",
        {SqlInt(uint64_t(host_scan_)), Text(f.rule->id), Text(f.rule->title),
         std::string(SeverityName(f.rule->severity)), std::string(OutcomeName(f.rule->outcome)),
         Text(JsonList(cves)), OptTime(f.time), Text(f.source.path),
         f.source.kind == SourceRef::Kind::kFile ? std::nullopt : SqlInt(f.source.position),
         std::string(LogTypeName(f.log_type)), OptKey(f.keys, "client"), OptKey(f.keys, "user_agent"),
         OptKey(f.keys, "user"), OptKey(f.keys, "url"), OptKey(f.keys, "file"), OptKey(f.keys, "sha256"),
         Text(FindingJson(f))});
  }

  void OnHost(const HostReport& h) override {
    if (!Enter(h.host)) return;
    const std::string record = HostJson(h);
    std::optional<std::string> build, answer;
    if (h.exposure) {
      if (h.exposure->build) build = h.exposure->build->ToString();
      answer = ExposureAnswer(*h.exposure);
    }
    const auto& s = h.by_severity;
    Run("UPDATE host_scans SET verdict=$1, first_finding=$2, last_finding=$3, critical=$4, high=$5, medium=$6, "
        "low=$7, info=$8, events=$9, findings_total=$10, build=$11, exposure_answer=$12, reasons=$13, record=$14 "
        "WHERE id=$15",
        {std::string(VerdictName(h.verdict)), OptTime(h.first), OptTime(h.last), SqlInt(s[4]), SqlInt(s[3]),
         SqlInt(s[2]), SqlInt(s[1]), SqlInt(s[0]), SqlInt(h.timeline.size()), SqlInt(h.findings_total),
         build ? Text(*build) : std::nullopt, answer ? Text(*answer) : std::nullopt, Text(Join(h.reasons, "\n")),
         Text(record), SqlInt(uint64_t(host_scan_))});
    for (const auto& e : h.timeline) {
      std::vector<std::string> ids, cves;
      for (const auto& r : e.rules) {
        ids.push_back(r->id);
        for (const auto& c : r->cves)
          if (std::find(cves.begin(), cves.end(), c) == cves.end()) cves.push_back(c);
      }
      Run("INSERT INTO events (host_scan_id, time, severity, outcome, source, log, rules, cves, client, user_agent, "
          "url, record) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
          {SqlInt(uint64_t(host_scan_)), OptTime(e.time), std::string(SeverityName(e.severity)),
           std::string(OutcomeName(e.outcome)), Text(e.source.ToString()), std::string(LogTypeName(e.log_type)),
           Text(JsonList(ids)), Text(JsonList(cves)), OptKey(e.keys, "client"), OptKey(e.keys, "user_agent"),
           OptKey(e.keys, "url"), Text(EventJson(h.host, e))});
    }
    for (const auto& [family, c] : h.families) {
      Run("INSERT INTO coverage (host_scan_id, family, files, bytes, first, last, gaps) VALUES ($1,$2,$3,$4,$5,$6,$7)",
          {SqlInt(uint64_t(host_scan_)), Text(family), SqlInt(c.files), SqlInt(c.bytes), OptTime(c.first),
           OptTime(c.last), SqlInt(c.spans.empty() ? 0 : c.spans.size() - 1)});
    }
    for (const auto& w : h.windows) {
      Run("INSERT INTO windows (host_scan_id, campaign, first, last, covered, exposed, missing) VALUES "
          "($1,$2,$3,$4,$5,$6,$7)",
          {SqlInt(uint64_t(host_scan_)), Text(w.campaign), FormatIsoTime(w.window.first),
           FormatIsoTime(w.window.last), SqlInt(w.covered ? 1 : 0), SqlInt(w.not_exposed ? 0 : 1),
           Text(JsonList(w.missing))});
    }
    if (h.exposure) {
      for (const auto& c : h.exposure->cves) {
        Run("INSERT INTO exposure (host_scan_id, cve, aka, status, open, fixing_update, kb, mitigated_by) VALUES "
            "($1,$2,$3,$4,$5,$6,$7,$8)",
            {SqlInt(uint64_t(host_scan_)), Text(c.cve), Text(c.aka), std::string(CveStatusName(c.status)),
             SqlInt(IsOpen(c.status) ? 1 : 0), Text(c.fixing_update), Text(c.fix_kb),
             c.mitigated_by.empty() ? std::nullopt : Text(c.mitigated_by)});
      }
    }
    for (const auto& f : h.skipped) {
      Run("INSERT INTO skipped (host_scan_id, path, reason, bytes, record) VALUES ($1,$2,$3,$4,$5)",
          {SqlInt(uint64_t(host_scan_)), Text(f.path), Text(f.reason), SqlInt(f.size), Text(SkippedJson(h.host, f))});
    }
  }

  void OnError(const ScanError& e) override {
    // A host's errors follow its host record, in its transaction.
    // An error of another host ends the current host's transaction; one of
    // the scan as a whole joins whatever transaction is open.
    const bool of_current = !e.host.empty() && e.host == host_;
    if (!of_current && !e.host.empty()) Commit();
    Run("INSERT INTO errors (scan_id, host_scan_id, host, path, message, record) VALUES ($1,$2,$3,$4,$5,$6)",
        {SqlInt(uint64_t(scan_)), of_current ? SqlInt(uint64_t(host_scan_)) : std::nullopt,
         e.host.empty() ? std::nullopt : Text(e.host), Text(e.path), Text(e.message), Text(ErrorJson(e))});
  }

  void End(const ScanStats& stats) override {
    Commit();
    Run("UPDATE scans SET finished=$1, status='complete', files=$2, log_files=$3, bytes=$4, records=$5, seconds=$6, "
        "record=$7 WHERE id=$8",
        {NowIso(), SqlInt(stats.files), SqlInt(stats.log_files), SqlInt(stats.bytes), SqlInt(stats.records),
         std::to_string(stats.seconds), StatsJson(stats), SqlInt(uint64_t(scan_))});
  }

  Status status() const override { return status_; }
  int64_t scan_id() const override { return scan_; }

 private:
  // Makes `host` the host being written: commits the one before, opens a
  // transaction and the host's row (its verdict follows with its record).
  bool Enter(const std::string& host) {
    if (!status_.ok()) return false;
    if (in_transaction_ && host == host_) return true;
    Commit();
    if (!status_.ok()) return false;
    Begin();
    host_ = host;
    Run("INSERT INTO hosts (name) VALUES ($1) ON CONFLICT (name) DO NOTHING", {Text(host)});
    auto id = Query("SELECT id FROM hosts WHERE name=$1", {Text(host)});
    if (!status_.ok()) return false;
    auto row = Query("INSERT INTO host_scans (scan_id, host_id, verdict) VALUES ($1,$2,'pending') RETURNING id",
                     {SqlInt(uint64_t(scan_)), One(id)});
    if (!status_.ok()) return false;
    host_scan_ = std::stoll(One(row));
    return true;
  }
  void Begin() {
    if (in_transaction_ || !status_.ok()) return;
    Status s = sql_.Exec("BEGIN");
    if (!s.ok()) status_ = s;
    in_transaction_ = s.ok();
  }
  void Commit() {
    if (!in_transaction_) return;
    in_transaction_ = false;
    host_.clear();
    if (!status_.ok()) {
      sql_.Exec("ROLLBACK");
      return;
    }
    Status s = sql_.Exec("COMMIT");
    if (!s.ok()) status_ = s;
  }
  std::vector<SqlRow> Query(const std::string& q, const std::vector<SqlValue>& params) {
    if (!status_.ok()) return {};
    auto r = sql_.Query(q, params);
    if (!r.ok()) {
      status_ = r.status();
      return {};
    }
    return std::move(r.value());
  }
  void Run(const std::string& q, const std::vector<SqlValue>& params) { Query(q, params); }

  SqlConnection& sql_;
  int64_t scan_;
  std::string host_;
  int64_t host_scan_ = 0;
  bool in_transaction_ = false;
  Status status_;
};

}  // namespace

bool IsPostgresTarget(const std::string& target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://") ||
         (target.find("dbname=") != std::string::npos && target.find('/') == std::string::npos);
}

Store::Store(std::unique_ptr<SqlConnection> sql) : sql_(std::move(sql)) {}
Store::~Store() = default;
std::string_view Store::engine() const { return sql_->Engine(); }

Result<std::unique_ptr<Store>> Store::Open(const std::string& target) {
  auto sql = IsPostgresTarget(target) ? OpenPostgres(target) : OpenSqlite(target);
  if (!sql.ok()) return sql.status();
  std::string schema(kSchema);
  for (size_t p; (p = schema.find("{ID}")) != std::string::npos;) schema.replace(p, 4, sql.value()->IdColumn());
  std::unique_ptr<Store> store(new Store(std::move(sql.value())));
  auto version = store->sql_->Query("SELECT value FROM meta WHERE key='schema_version'", {});
  if (version.ok() && !version->empty()) {
    const std::string v = One(version.value());
    if (v != std::to_string(kStoreSchemaVersion))
      return Status::Unsupported("the store has schema version " + v + "; this exhunt reads version " +
                                 std::to_string(kStoreSchemaVersion));
    return store;
  }
  Status s = store->sql_->Exec("BEGIN");
  if (s.ok()) s = store->sql_->Exec(schema);
  if (s.ok()) {
    auto r = store->sql_->Query(
        "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING",
        {std::to_string(kStoreSchemaVersion)});
    if (!r.ok()) s = r.status();
  }
  if (s.ok()) s = store->sql_->Exec("COMMIT");
  if (!s.ok()) {
    store->sql_->Exec("ROLLBACK");
    return s;
  }
  return store;
}

Result<std::unique_ptr<StoreWriter>> Store::NewScan(const std::string& source, const std::vector<std::string>& roots) {
  auto row = sql_->Query("INSERT INTO scans (started, status, source, roots) VALUES ($1,'running',$2,$3) RETURNING id",
                         {NowIso(), Text(source), Text(JsonList(roots))});
  if (!row.ok()) return row.status();
  return std::unique_ptr<StoreWriter>(new Writer(*sql_, std::stoll(One(row.value()))));
}

Status Store::Replay(const ReplayQuery& query, ScanSink& sink) {
  // Which host results: each host's newest (or those of one scan).
  std::string select =
      "SELECT hs.id, h.name, hs.scan_id FROM host_scans hs JOIN hosts h ON h.id = hs.host_id WHERE hs.verdict <> "
      "'pending'";
  std::vector<SqlValue> params;
  if (query.scan) {
    params.push_back(SqlInt(uint64_t(*query.scan)));
    select += " AND hs.scan_id = $" + std::to_string(params.size());
  } else {
    select += " AND hs.id = (SELECT MAX(x.id) FROM host_scans x WHERE x.host_id = hs.host_id AND x.verdict <> 'pending')";
  }
  if (!query.host.empty()) {
    params.push_back(Text(query.host));
    select += " AND h.name = $" + std::to_string(params.size());
  }
  select += " ORDER BY h.name";
  auto hosts = sql_->Query(select, params);
  if (!hosts.ok()) return hosts.status();
  if (hosts->empty())
    return Status::NotFound(query.host.empty() ? "no finished host in the store" + std::string(query.scan ? " for that scan" : "")
                                               : "no stored results for host " + query.host);
  std::set<std::string> scans;
  std::vector<std::string> roots;
  for (const auto& h : hosts.value()) {
    scans.insert(*h[2]);
    roots.push_back(*h[1]);
  }
  sink.Begin(ScanInfo{roots});
  JsonlReplay replay(sink);
  Status problem;
  auto feed = [&](const std::string& q, const std::string& id) -> Status {
    auto rows = sql_->Query(q, {id});
    if (!rows.ok()) return rows.status();
    for (const auto& r : rows.value()) {
      if (!r[0]) continue;
      Status s = replay.Line(*r[0]);
      if (!s.ok() && problem.ok()) problem = s;
    }
    return Status::Ok();
  };
  for (const auto& h : hosts.value()) {
    const std::string& id = *h[0];
    for (const char* q : {"SELECT record FROM findings WHERE host_scan_id=$1 ORDER BY id",
                          "SELECT record FROM host_scans WHERE id=$1",
                          "SELECT record FROM events WHERE host_scan_id=$1 ORDER BY id",
                          "SELECT record FROM skipped WHERE host_scan_id=$1 ORDER BY id",
                          "SELECT record FROM errors WHERE host_scan_id=$1 ORDER BY id"}) {
      Status s = feed(q, id);
      if (!s.ok()) return s;
    }
  }
  // The errors of the scans as a whole, then their totals (one scan: its
  // own; several: summed).
  ScanStats total;
  for (const auto& scan : scans) {
    Status s = feed("SELECT record FROM errors WHERE scan_id=$1 AND host_scan_id IS NULL ORDER BY id", scan);
    if (!s.ok()) return s;
    auto stats = sql_->Query("SELECT record FROM scans WHERE id=$1", {scan});
    if (!stats.ok()) return stats.status();
    if (!stats->empty() && (*stats)[0][0]) {
      CollectingSink none;
      JsonlReplay one(none);
      if (one.Line(*(*stats)[0][0]).ok()) {
        ScanStats s1 = one.Finish();
        total.files += s1.files;
        total.log_files += s1.log_files;
        total.bytes += s1.bytes;
        total.records += s1.records;
        total.candidates += s1.candidates;
        total.seconds += s1.seconds;
        total.peak_rss = std::max(total.peak_rss, s1.peak_rss);
      }
    }
  }
  replay.Finish();
  sink.End(total);
  if (!problem.ok()) return Status::Corrupt("a stored record could not be read: " + problem.message());
  return Status::Ok();
}

Result<std::vector<StoredScan>> Store::Scans() {
  auto rows = sql_->Query("SELECT id, started, finished, status, source, roots FROM scans ORDER BY id", {});
  if (!rows.ok()) return rows.status();
  auto verdicts = sql_->Query(
      "SELECT hs.scan_id, h.name, hs.verdict FROM host_scans hs JOIN hosts h ON h.id = hs.host_id WHERE hs.verdict <> "
      "'pending' ORDER BY hs.scan_id, h.name",
      {});
  if (!verdicts.ok()) return verdicts.status();
  std::map<int64_t, std::vector<std::pair<std::string, std::string>>> by_scan;
  for (const auto& v : verdicts.value()) by_scan[std::stoll(*v[0])].emplace_back(*v[1], *v[2]);
  std::vector<StoredScan> out;
  for (const auto& r : rows.value()) {
    StoredScan s;
    s.id = std::stoll(*r[0]);
    s.started = r[1].value_or("");
    s.finished = r[2].value_or("");
    s.status = r[3].value_or("");
    s.source = r[4].value_or("");
    s.verdicts = by_scan[s.id];
    s.roots = r[5].value_or("[]");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace exhunt
