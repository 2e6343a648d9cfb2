#include "exposure/assessment.h"

#include <algorithm>

namespace exhunt {

std::string_view MitigationStateName(MitigationState s) {
  switch (s) {
    case MitigationState::kInForce:
      return "in force";
    case MitigationState::kOverridden:
      return "overridden";
    case MitigationState::kInsufficient:
      return "insufficient";
    case MitigationState::kAbsent:
      return "absent";
    case MitigationState::kUnknown:
      return "unknown";
  }
  return "unknown";
}

ExposureAssessment AssessBuild(const ExposureTable& table, const Build& build, bool cu_only) {
  ExposureAssessment a;
  a.evidence.push_back({"given build", "", build, cu_only, cu_only ? "CU only" : "CU and security update", {}, {}});
  Decide(table, &a);
  return a;
}

void Decide(const ExposureTable& table, ExposureAssessment* a) {
  // Prefer what proves the security update level, and among equals the newest.
  const BuildEvidence* best = nullptr;
  auto rank = [](const BuildEvidence& e) {
    if (e.source == "given build") return 4;
    if (e.source == "ExSetup.exe version resource") return 3;
    return e.cu_only ? 1 : 2;
  };
  for (const auto& e : a->evidence) {
    if (!best || rank(e) > rank(*best) ||
        (rank(e) == rank(*best) && (e.build > best->build || (e.seen && best->seen && *e.seen > *best->seen))))
      best = &e;
  }
  if (!best) {
    a->notes.push_back("no build evidence found: exposure unknown");
    return;
  }
  a->build = best->build;
  a->cu_only = best->cu_only;
  const KnownBuild* known = table.Find(best->build);
  if (known) a->build_name = known->release_name;
  a->cu_line = table.CuLineOf(best->build);
  a->build_source = best->source + (best->where.empty() ? "" : " (" + best->where + ")");
  if (best->cu_only) {
    a->cves = table.EvaluateCuLine(best->build);
  } else if (!table.Find(best->build) && best->source != "given build" &&
             best->source != "ExSetup.exe version resource") {
    // Versions seen in logs and headers can lag the installed update (OWA's
    // own version stays below ExSetup's); judge them by their CU line.
    a->cves = table.EvaluateCuLine(best->build);
    a->notes.push_back(best->build.ToString() + " from " + best->source +
                       " is not a published build number; judged by its CU line only");
  } else {
    a->cves = table.Evaluate(best->build);
  }
  // OWA's version and the version in log headers can stay below the
  // installed update: a build there proves "fixed" but not "vulnerable".
  bool lagging = best->source != "given build" && best->source != "ExSetup.exe version resource" && !best->cu_only;
  if (lagging) {
    a->notes.push_back(best->source + " shows " + best->build.ToString() +
                       ": it proves the fixes it contains, but can lag the installed update");
    for (auto& c : a->cves) {
      if (c.status != CveStatus::kVulnerable) continue;
      c.status = CveStatus::kAmbiguous;
      c.detail +=
          " - unless the update is installed and " + best->source + " lags it: confirm with ExSetup.exe's version";
    }
  }
  // Mitigations never make a CVE fixed; they are shown beside its status.
  for (auto& c : a->cves) {
    if (c.status == CveStatus::kFixed) continue;
    for (const auto& m : a->mitigations) {
      if (std::find(m.cves.begin(), m.cves.end(), c.cve) == m.cves.end()) continue;
      if (m.state == MitigationState::kInForce) {
        c.mitigated_by = m.name;
        c.detail += c.status == CveStatus::kDependsOnConfiguration ? "; " + m.name + " is in force: protected"
                                                                   : "; mitigated by " + m.name + ", not fixed";
      } else if (c.status == CveStatus::kDependsOnConfiguration) {
        c.detail += "; " + m.name + " " + std::string(MitigationStateName(m.state)) + ": " + m.detail;
      }
    }
  }
}

std::optional<Build> BuildAt(const ExposureAssessment& a, TimeMs t) {
  const BuildEvidence* before = nullptr;
  for (const auto& e : a.evidence) {
    if (!e.seen || !e.first_seen || e.cu_only) continue;
    if (*e.first_seen <= t && t <= *e.seen + 3600000) return e.build;  // a log file spans up to an hour
    if (*e.seen <= t && (!before || *e.seen > *before->seen)) before = &e;
  }
  if (before) return before->build;
  return std::nullopt;
}

std::string StatusText(const CveExposure& e) {
  std::string s(CveStatusName(e.status));
  if (!e.mitigated_by.empty() && e.status != CveStatus::kDependsOnConfiguration)
    s += " (mitigated by " + e.mitigated_by + ", not fixed)";
  else if (!e.mitigated_by.empty())
    s += " (protected: " + e.mitigated_by + ")";
  return s;
}

}  // namespace exhunt
