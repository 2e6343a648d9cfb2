// Verdicts: one host's findings joined with its log coverage and exposure.
//
// What makes a host compromised is data, not code: a finding whose rule
// has `outcome: compromise`, or a combination of findings declared in
// rules/verdict/*.yml by the marks rules carry (an SSRF answered 200 and
// then a virtual-directory change). The combinations are parsed once and
// are immutable afterwards.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "exposure/assessment.h"
#include "finding/finding.h"

namespace exhunt {

// A period in which a campaign was exploited at large. Logs that start
// after a window closed cannot show that campaign's traces.
struct CampaignWindow {
  std::string_view name;
  TimeMs start, end;
};
const std::vector<CampaignWindow>& CampaignWindows();

// A chain of marks that proves compromise when it appears in order.
struct VerdictCombination {
  std::string id;
  Verdict verdict = Verdict::kCompromised;
  std::vector<std::string> sequence;  // marks, in time order
  std::string reason;                 // "{1}", "{2}": the findings of steps 1, 2
};

class VerdictRules {
 public:
  // The combinations of rules/verdict/*.yml compiled into the binary.
  static const VerdictRules& Builtin();
  // From one YAML text (tests, user files).
  static Result<VerdictRules> Parse(std::string_view yaml, const std::string& origin);
  const std::vector<VerdictCombination>& combinations() const { return combinations_; }

 private:
  std::vector<VerdictCombination> combinations_;
};

// Joins the findings of one host (in report order) with its log coverage
// and, when known, its exposure over time.
HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const std::map<LogType, Coverage>& coverage,
                     const std::optional<ExposureAssessment>& exposure = {}, const ExposureTable* table = nullptr,
                     const VerdictRules& rules = VerdictRules::Builtin());

}  // namespace exhunt
