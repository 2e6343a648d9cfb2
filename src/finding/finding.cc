#include "finding/finding.h"

#include <algorithm>
#include <map>

namespace exhunt {

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kCompromised: return "compromised";
    case Verdict::kAttempted: return "attempted";
    case Verdict::kNoEvidence: return "no-evidence";
    case Verdict::kInsufficientEvidence: return "insufficient-evidence";
  }
  return "no-evidence";
}

const std::vector<CampaignWindow>& CampaignWindows() {
  // Main exploitation waves, from first reported in-the-wild use to the
  // point where published scanning and mass exploitation had been running
  // for months. Sources: Volexity (ProxyLogon from 2021-01-06), Orange Tsai /
  // mass scanning from 2021-08-05 (ProxyShell), GTSC (ProxyNotShell seen
  // 2022-08), CrowdStrike (OWASSRF 2022-12).
  static const std::vector<CampaignWindow> windows = {
      {"ProxyLogon", DaysFromCivil(2021, 1, 6) * 86400000LL, DaysFromCivil(2021, 4, 30) * 86400000LL},
      {"ProxyShell", DaysFromCivil(2021, 8, 5) * 86400000LL, DaysFromCivil(2021, 12, 31) * 86400000LL},
      {"ProxyNotShell/OWASSRF", DaysFromCivil(2022, 8, 1) * 86400000LL,
       DaysFromCivil(2023, 3, 31) * 86400000LL},
  };
  return windows;
}

namespace {

bool HasCve(const Finding& f, std::string_view cve) {
  const auto& c = f.rule->cves();
  return std::find(c.begin(), c.end(), cve) != c.end();
}

}  // namespace

HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const std::map<LogType, Coverage>& coverage, const std::optional<ExposureAssessment>& exposure,
                     const ExposureTable* table) {
  HostReport r;
  r.host = host;
  r.coverage = coverage;
  r.exposure = exposure;
  const Finding* compromise = nullptr;
  const Finding* ssrf_exploit = nullptr;
  const Finding* vdir_change = nullptr;
  for (const Finding* f : findings) {
    r.by_severity[size_t(f->rule->severity())]++;
    for (const auto& cve : f->rule->cves()) r.by_cve[cve]++;
    if (f->time) {
      if (!r.first || *f->time < *r.first) r.first = f->time;
      if (!r.last || *f->time > *r.last) r.last = f->time;
    }
    if (f->rule->outcome() == Outcome::kCompromise && !compromise) compromise = f;
    if (f->rule->outcome() == Outcome::kExploit && HasCve(*f, "CVE-2021-26855") &&
        (!ssrf_exploit || (f->time && ssrf_exploit->time && *f->time < *ssrf_exploit->time)))
      ssrf_exploit = f;
    if (HasCve(*f, "CVE-2021-27065") && (!vdir_change || (f->time && vdir_change->time && *f->time > *vdir_change->time)))
      vdir_change = f;
  }
  // Weigh traces by the build in force when they happened.
  std::vector<std::string> weights;
  if (exposure && table) {
    std::map<Build, std::vector<CveExposure>> cache;
    std::optional<Build> exposed_build, fixed_build;
    std::optional<TimeMs> first_exposed, first_after_fix;
    for (const Finding* f : findings) {
      if (!f->time || f->rule->cves().empty() || f->rule->outcome() == Outcome::kProbe) continue;
      auto b = BuildAt(*exposure, *f->time);
      if (!b || !table->Find(*b)) continue;
      auto it = cache.find(*b);
      if (it == cache.end()) it = cache.emplace(*b, table->Evaluate(*b)).first;
      const std::string& cve = f->rule->cves()[0];
      for (const auto& c : it->second) {
        if (c.cve != cve) continue;
        if (c.status == CveStatus::kFixed) {
          ++r.traces_after_fix;
          if (!first_after_fix || *f->time < *first_after_fix) first_after_fix = f->time, fixed_build = b;
        } else if (c.status == CveStatus::kVulnerable || c.status == CveStatus::kNoFix ||
                   c.status == CveStatus::kFixedInLaterCu) {
          ++r.traces_while_exposed;
          if (!first_exposed || *f->time < *first_exposed) first_exposed = f->time, exposed_build = b;
        }
      }
    }
    if (r.traces_while_exposed)
      weights.push_back(std::to_string(r.traces_while_exposed) + " trace(s) hit the server while its build (" +
                          exposed_build->ToString() + " from " + FormatIsoTime(*first_exposed).substr(0, 10) +
                          ") was open to their CVE");
    if (r.traces_after_fix)
      weights.push_back(std::to_string(r.traces_after_fix) + " trace(s) came when the logs show a build fixed for their CVE (" +
                          fixed_build->ToString() + "): attempts against a patched server weigh less");
  }
  if (compromise) {
    r.verdict = Verdict::kCompromised;
    r.reasons.push_back("success trace: " + compromise->rule->title() + " (" + compromise->path + ":" +
                        std::to_string(compromise->line) + ")");
  } else if (ssrf_exploit && vdir_change &&
             (!ssrf_exploit->time || !vdir_change->time || *ssrf_exploit->time <= *vdir_change->time)) {
    r.verdict = Verdict::kCompromised;
    r.reasons.push_back("SSRF to ECP succeeded (" + ssrf_exploit->path + ":" + std::to_string(ssrf_exploit->line) +
                        ") and was followed by a virtual-directory change (" + vdir_change->path + ":" +
                        std::to_string(vdir_change->line) + ")");
  } else if (!findings.empty()) {
    r.verdict = Verdict::kAttempted;
    r.reasons.push_back("only attempts, probes or unconfirmed exploitation were seen");
  } else {
    std::optional<TimeMs> first;
    for (const auto& [type, cov] : coverage)
      if (cov.first && (!first || *cov.first < *first)) first = cov.first;
    if (!first) {
      r.verdict = Verdict::kInsufficientEvidence;
      r.reasons.push_back("no Exchange or IIS log with a readable time was found");
    } else {
      r.verdict = Verdict::kNoEvidence;
      for (const auto& w : CampaignWindows()) {
        if (*first > w.end) {
          r.verdict = Verdict::kInsufficientEvidence;
          r.reasons.push_back("logs start " + FormatIsoTime(*first).substr(0, 10) + ", after the " +
                              std::string(w.name) + " exploitation window (" + FormatIsoTime(w.start).substr(0, 10) +
                              " to " + FormatIsoTime(w.end).substr(0, 10) + ")");
        }
      }
      if (r.verdict == Verdict::kNoEvidence)
        r.reasons.push_back("logs from " + FormatIsoTime(*first).substr(0, 10) +
                            " on cover every exploitation window and hold no trace");
    }
  }
  for (auto& w : weights) r.reasons.push_back(std::move(w));
  return r;
}

}  // namespace exhunt
