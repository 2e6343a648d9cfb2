// Findings, coverage and per-host results: what a scan produces.
//
// These are plain values. A Finding points to the kind-neutral RuleInfo of
// the rule that fired (Sigma, YARA, IOC or exposure alike) and names its
// source generically; reporters turn findings into text, JSONL or CSV and
// nothing downstream re-reads evidence.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "base/time_span.h"
#include "exposure/assessment.h"
#include "rule/rule_info.h"
#include "source/discovery.h"
#include "source/evidence_kind.h"

namespace exhunt {

// Where in the evidence a finding was made.
struct SourceRef {
  enum class Kind {
    kLine,    // a text log: 1-based line of the record's first byte
    kRecord,  // an event log: the record id (EventRecordID)
    kOffset,  // a file's bytes: byte offset of the match
    kFile,    // the file itself (a name, a hash)
  };
  std::string path;  // relative to the scan root, '/'-separated
  Kind kind = Kind::kLine;
  uint64_t position = 0;  // line, record id or offset, by kind

  // "path:line", "path#record", "path@offset" or "path".
  std::string ToString() const;
};

struct Finding {
  std::shared_ptr<const RuleInfo> rule;
  std::string host;
  std::optional<TimeMs> time;
  SourceRef source;
  LogType log_type = LogType::kUnknown;
  std::vector<std::pair<std::string, std::string>> evidence;  // field -> value, rule order
  // What ties this record to others of the same intrusion, by key name
  // (kCorrelationKeys), taken from the record whatever fields the rule named.
  std::vector<std::pair<std::string, std::string>> keys;
};

// The correlation keys a finding may carry, in display order: client
// address, user agent, account, URL path, request id, ECP canary, file path.
inline constexpr std::string_view kCorrelationKeys[] = {"client", "user_agent", "user", "url",
                                                        "request_id", "canary", "file", "sha256"};

// Report order: host, time, path, position, rule.
bool FindingBefore(const Finding& a, const Finding& b);

// One event of a host's timeline: one record (a log line) with every rule
// that fired on it, so that a line seen by three rules is one event and
// counts once in the severity totals (finding/timeline.h builds them).
struct TimelineEvent {
  std::optional<TimeMs> time;
  SourceRef source;
  LogType log_type = LogType::kUnknown;
  Severity severity = Severity::kInfo;  // the highest of its rules
  Outcome outcome = Outcome::kNone;     // the strongest of its rules
  std::vector<std::shared_ptr<const RuleInfo>> rules;
  std::vector<std::pair<std::string, std::string>> keys;      // correlation keys
  std::vector<std::pair<std::string, std::string>> evidence;  // every rule's fields, first value each
};

// Who the attacker looked like, from the events whose rules state an
// outcome: per correlation key (client, user_agent, user, url, file) the
// values seen, most events first, each with its first and last time.
struct AttackerValue {
  std::string value;
  uint64_t events = 0;
  std::optional<TimeMs> first, last;
};
struct AttackerSummary {
  std::map<std::string, std::vector<AttackerValue>> by_key;
  std::map<std::string, uint64_t> more;  // values past kMaxAttackerValues, by key
  bool empty() const { return by_key.empty(); }
};
constexpr size_t kMaxAttackerValues = 25;

// What the logs of one family (or one kind) cover for one host, inside the
// scan window.
struct Coverage {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::optional<TimeMs> first, last;
  // Stretches with records no more than a day apart (base/time_span.h).
  std::vector<TimeSpan> spans;
  // Stretches not kept past kMaxCoverageSpans: what they covered does not
  // count (coverage only ever errs towards "not covered").
  uint64_t spans_dropped = 0;
};
constexpr size_t kMaxCoverageSpans = 4096;
// Adds a file's facts to a coverage, keeping at most kMaxCoverageSpans.
void AddToCoverage(Coverage* c, uint64_t bytes, std::optional<TimeMs> first, std::optional<TimeMs> last,
                   const std::vector<TimeSpan>& spans);

// Everything a verdict knows about the logs of one host.
struct HostCoverage {
  std::map<LogType, Coverage> by_kind;
  std::map<std::string, Coverage> by_family;  // EvidenceFamily(): "httpproxy/ecp", "iis/w3svc1"
  std::optional<TimeMs> since, until;         // the scan window (--since/--until)
};

// One campaign window checked against a host's coverage.
struct WindowCheck {
  std::string campaign;  // "ProxyLogon"
  TimeSpan window;       // what the logs had to cover
  // Why the window ends where it does (the exposure plane's say), one
  // sentence; "" for the campaign's own window.
  std::string exposure;
  bool not_exposed = false;  // the logs show a fixed build before the campaign began
  bool covered = false;
  std::vector<std::string> missing;                     // evidence families without any log
  std::vector<std::pair<std::string, TimeSpan>> gaps;   // family, stretch without records
  bool outside_scan_window = false;                     // --since/--until cut the window
  // Families outside the campaign's evidence with records inside the window
  // (event logs, mostly): read for its traces, but they cannot stand in for
  // the logs of the requests themselves.
  std::vector<std::string> also_read;
};



enum class Verdict { kCompromised, kAttempted, kNoEvidence, kInsufficientEvidence };
std::string_view VerdictName(Verdict v);

struct HostReport {
  std::string host;
  Verdict verdict = Verdict::kNoEvidence;
  std::array<uint64_t, 5> by_severity{};  // events, indexed by Severity (a line under three rules counts once)
  std::map<std::string, uint64_t> by_cve;
  std::optional<TimeMs> first, last;  // of findings
  std::map<LogType, Coverage> coverage;
  std::map<std::string, Coverage> families;
  // Families a verdict asks for (campaign evidence) or an Exchange server
  // keeps, with no log at all here.
  std::vector<std::string> absent_families;
  // Findings dropped because the known-good baseline knows the file's hash.
  uint64_t known_good_findings = 0;
  std::vector<WindowCheck> windows;
  // Evidence-like files that were not read: all counted, the first
  // kMaxSkippedListed listed.
  std::vector<SkippedFile> skipped;
  std::map<std::string, uint64_t> skipped_by_reason;
  // Findings of rules that state no outcome: listed, not weighed.
  uint64_t unjudged_findings = 0;
  // The findings as events (one per record, time order) and who did it.
  std::vector<TimelineEvent> timeline;
  AttackerSummary attackers;
  uint64_t findings_total = 0;  // rule hits, before merging into events
  // Why the verdict is what it is, one sentence each.
  std::vector<std::string> reasons;
  // Patch and mitigation state, when the evidence shows a build.
  std::optional<ExposureAssessment> exposure;
  // Traces set against the build the logs show in force at their time:
  // hits while that build was open to the trace's CVE weigh more than
  // attempts after the fix was installed.
  uint64_t traces_while_exposed = 0, traces_after_fix = 0;
  // Findings over the per-rule limit: counted in the totals, not listed.
  std::map<std::string, uint64_t> unlisted;
};

constexpr size_t kMaxSkippedListed = 1000;

struct ScanStats {
  uint64_t files = 0;      // every file read, of any plane
  uint64_t log_files = 0;  // of them, logs
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t candidates = 0;  // records parsed and evaluated
  double seconds = 0;
  uint64_t peak_rss = 0;  // bytes, the process's own peak resident set at the end
};

}  // namespace exhunt
