// What every detection says about itself, whatever its kind: Sigma rules
// on records, YARA rules on file bytes, IOC sets on names and addresses,
// exposure checks on builds. Findings, verdicts and reporters read only
// this, never the engine object behind it.
//
// A RuleInfo is immutable once its rule is loaded; findings share it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exhunt {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);
// "info"/"informational", "low", ... ; nullopt if unknown.
std::optional<Severity> ParseSeverity(std::string_view name);

// What a finding says about the host. kNone: the rule does not say (a user
// rule without `outcome:`); its findings are listed but do not move the
// verdict.
enum class Outcome { kNone, kProbe, kAttempt, kExploit, kCompromise };
std::string_view OutcomeName(Outcome o);
std::optional<Outcome> ParseOutcome(std::string_view name);

enum class RuleKind { kSigma, kYara, kIoc, kBaseline, kExposure };
std::string_view RuleKindName(RuleKind k);

struct RuleInfo {
  RuleKind kind = RuleKind::kSigma;
  std::string id, title, description;
  std::string name;    // a Sigma rule's `name:`, by which correlation rules may refer to it
  std::string origin;  // file the rule came from ("builtin:sigma/...", a user path)
  Severity severity = Severity::kMedium;
  Outcome outcome = Outcome::kNone;
  std::vector<std::string> cves;    // "CVE-2021-26855"
  std::vector<std::string> attack;  // ATT&CK technique ids, "T1190"
  // Names the verdict combinations refer to (finding/verdict.h), e.g.
  // "proxylogon.ssrf_success": what this rule's hit means in a chain.
  std::vector<std::string> marks;

  bool HasCve(std::string_view cve) const;
  bool HasMark(std::string_view mark) const;
};

}  // namespace exhunt
