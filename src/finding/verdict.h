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

// A campaign a "no-evidence" verdict must rule out (rules/verdict/
// campaigns.yml): when it was exploited at large, the CVE whose fix closes
// a host's exposure to it, and the evidence families that would show it.
struct CampaignPhase {
  std::string name;
  TimeMs start = 0, end = 0;
};
struct Campaign {
  std::string id, name;
  std::string entry_cve;
  TimeMs start = 0, end = 0;  // end: the last millisecond of the end day
  std::vector<CampaignPhase> phases;
  std::vector<std::string> evidence;  // family patterns (FamilyMatches)
};

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
  const std::vector<Campaign>& campaigns() const { return campaigns_; }

 private:
  std::vector<VerdictCombination> combinations_;
  std::vector<Campaign> campaigns_;
};

// The window of `campaign` in which this host was exposed, as far as the
// exposure plane can tell, checked against the host's coverage.
WindowCheck CheckWindow(const Campaign& campaign, const HostCoverage& coverage,
                        const std::optional<ExposureAssessment>& exposure, const ExposureTable* table);

// Joins the findings of one host (in report order) with its log coverage
// and, when known, its exposure over time. Without a trace, the host is
// no-evidence only if every campaign window it was exposed in is covered.
HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const HostCoverage& coverage,
                     const std::optional<ExposureAssessment>& exposure = {}, const ExposureTable* table = nullptr,
                     const VerdictRules& rules = VerdictRules::Builtin());

}  // namespace exhunt
