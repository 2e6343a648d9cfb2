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
#include "exposure/assessment.h"
#include "rule/rule_info.h"
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
};

// Report order: host, time, path, position, rule.
bool FindingBefore(const Finding& a, const Finding& b);

// What the logs of one family cover for one host.
struct Coverage {
  uint64_t files = 0;
  uint64_t bytes = 0;
  std::optional<TimeMs> first, last;
};

enum class Verdict { kCompromised, kAttempted, kNoEvidence, kInsufficientEvidence };
std::string_view VerdictName(Verdict v);

struct HostReport {
  std::string host;
  Verdict verdict = Verdict::kNoEvidence;
  std::array<uint64_t, 5> by_severity{};  // indexed by Severity
  std::map<std::string, uint64_t> by_cve;
  std::optional<TimeMs> first, last;  // of findings
  std::map<LogType, Coverage> coverage;
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

struct ScanStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t records = 0;
  uint64_t candidates = 0;  // records parsed and evaluated
  double seconds = 0;
};

}  // namespace exhunt
