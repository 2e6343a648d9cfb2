#include "rule/rule_info.h"

#include <algorithm>

#include "base/text.h"

namespace exhunt {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (EqualsIgnoreCase(name, "info") || EqualsIgnoreCase(name, "informational")) return Severity::kInfo;
  if (EqualsIgnoreCase(name, "low")) return Severity::kLow;
  if (EqualsIgnoreCase(name, "medium")) return Severity::kMedium;
  if (EqualsIgnoreCase(name, "high")) return Severity::kHigh;
  if (EqualsIgnoreCase(name, "critical")) return Severity::kCritical;
  return std::nullopt;
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kNone:
      return "none";
    case Outcome::kProbe:
      return "probe";
    case Outcome::kAttempt:
      return "attempt";
    case Outcome::kExploit:
      return "exploit";
    case Outcome::kCompromise:
      return "compromise";
  }
  return "attempt";
}

std::optional<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kNone, Outcome::kProbe, Outcome::kAttempt, Outcome::kExploit, Outcome::kCompromise})
    if (name == OutcomeName(o)) return o;
  return std::nullopt;
}

std::string_view RuleKindName(RuleKind k) {
  switch (k) {
    case RuleKind::kSigma:
      return "sigma";
    case RuleKind::kYara:
      return "yara";
    case RuleKind::kIoc:
      return "ioc";
    case RuleKind::kBaseline:
      return "baseline";
    case RuleKind::kExposure:
      return "exposure";
  }
  return "sigma";
}

bool RuleInfo::HasCve(std::string_view cve) const { return std::find(cves.begin(), cves.end(), cve) != cves.end(); }

bool RuleInfo::HasMark(std::string_view mark) const {
  return std::find(marks.begin(), marks.end(), mark) != marks.end();
}

}  // namespace exhunt
