#include "finding/verdict.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "rule/builtin_rules.h"

namespace exhunt {

const std::vector<CampaignWindow>& CampaignWindows() {
  // Main exploitation waves, from first reported in-the-wild use to the
  // point where published scanning and mass exploitation had been running
  // for months. Sources: Volexity (ProxyLogon from 2021-01-06), Orange Tsai /
  // mass scanning from 2021-08-05 (ProxyShell), GTSC (ProxyNotShell seen
  // 2022-08), CrowdStrike (OWASSRF 2022-12).
  static const std::vector<CampaignWindow> windows = {
      {"ProxyLogon", DaysFromCivil(2021, 1, 6) * 86400000LL, DaysFromCivil(2021, 4, 30) * 86400000LL},
      {"ProxyShell", DaysFromCivil(2021, 8, 5) * 86400000LL, DaysFromCivil(2021, 12, 31) * 86400000LL},
      {"ProxyNotShell/OWASSRF", DaysFromCivil(2022, 8, 1) * 86400000LL, DaysFromCivil(2023, 3, 31) * 86400000LL},
  };
  return windows;
}

Result<VerdictRules> VerdictRules::Parse(std::string_view yaml, const std::string& origin) {
  VerdictRules out;
  try {
    YAML::Node doc = YAML::Load(std::string(yaml));
    const YAML::Node list = doc["combinations"];
    if (!list || !list.IsSequence()) return Status::InvalidArgument(origin + ": no 'combinations' list");
    for (const auto& c : list) {
      VerdictCombination v;
      v.id = c["id"] ? c["id"].as<std::string>() : "";
      std::string verdict = c["verdict"] ? c["verdict"].as<std::string>() : "";
      if (verdict == "compromised")
        v.verdict = Verdict::kCompromised;
      else
        return Status::InvalidArgument(origin + ": " + v.id + ": verdict must be 'compromised'");
      if (!c["sequence"] || !c["sequence"].IsSequence() || c["sequence"].size() < 2)
        return Status::InvalidArgument(origin + ": " + v.id + ": a sequence needs two marks or more");
      for (const auto& m : c["sequence"]) v.sequence.push_back(m.as<std::string>());
      v.reason = c["reason"] ? c["reason"].as<std::string>() : v.id;
      if (v.id.empty()) return Status::InvalidArgument(origin + ": a combination has no id");
      out.combinations_.push_back(std::move(v));
    }
  } catch (const YAML::Exception& e) {
    return Status::Corrupt(origin + ": YAML: " + e.what());
  }
  return out;
}

const VerdictRules& VerdictRules::Builtin() {
  static const VerdictRules rules = [] {
    VerdictRules all;
    for (const auto& f : BuiltinRuleFiles()) {
      if (f.path.rfind("verdict/", 0) != 0) continue;
      auto parsed = Parse(f.content, "builtin:" + std::string(f.path));
      // The built-in files are checked by tests; a broken one is a build defect.
      if (!parsed.ok()) __builtin_trap();
      for (auto& c : parsed.value().combinations_) all.combinations_.push_back(std::move(c));
    }
    return all;
  }();
  return rules;
}

namespace {

// The findings that satisfy a combination, or empty: the earliest finding
// of the first step, then for each later step its latest finding, each no
// earlier than the one before (a finding without a time fits anywhere).
std::vector<const Finding*> MatchSequence(const VerdictCombination& c, const std::vector<const Finding*>& findings) {
  std::vector<const Finding*> chosen;
  for (size_t step = 0; step < c.sequence.size(); ++step) {
    const Finding* pick = nullptr;
    for (const Finding* f : findings) {
      if (!f->rule->HasMark(c.sequence[step])) continue;
      if (!pick) {
        pick = f;
      } else if (f->time && pick->time) {
        if (step == 0 ? *f->time < *pick->time : *f->time > *pick->time) pick = f;
      }
    }
    if (!pick) return {};
    if (!chosen.empty() && chosen.back()->time && pick->time && *chosen.back()->time > *pick->time) return {};
    chosen.push_back(pick);
  }
  return chosen;
}

std::string FillReason(std::string text, const std::vector<const Finding*>& chosen) {
  for (size_t i = chosen.size(); i-- > 0;) {
    std::string key = "{" + std::to_string(i + 1) + "}";
    for (size_t p; (p = text.find(key)) != std::string::npos;)
      text.replace(p, key.size(), chosen[i]->source.ToString());
  }
  return text;
}

}  // namespace

HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const std::map<LogType, Coverage>& coverage, const std::optional<ExposureAssessment>& exposure,
                     const ExposureTable* table, const VerdictRules& rules) {
  HostReport r;
  r.host = host;
  r.coverage = coverage;
  r.exposure = exposure;
  const Finding* compromise = nullptr;
  for (const Finding* f : findings) {
    r.by_severity[size_t(f->rule->severity)]++;
    for (const auto& cve : f->rule->cves) r.by_cve[cve]++;
    if (f->time) {
      if (!r.first || *f->time < *r.first) r.first = f->time;
      if (!r.last || *f->time > *r.last) r.last = f->time;
    }
    if (f->rule->outcome == Outcome::kCompromise && !compromise) compromise = f;
  }
  // Weigh traces by the build in force when they happened.
  std::vector<std::string> weights;
  if (exposure && table) {
    std::map<Build, std::vector<CveExposure>> cache;
    std::optional<Build> exposed_build, fixed_build;
    std::optional<TimeMs> first_exposed, first_after_fix;
    for (const Finding* f : findings) {
      if (!f->time || f->rule->cves.empty() || f->rule->outcome == Outcome::kProbe) continue;
      auto b = BuildAt(*exposure, *f->time);
      if (!b || !table->Find(*b)) continue;
      auto it = cache.find(*b);
      if (it == cache.end()) it = cache.emplace(*b, table->Evaluate(*b)).first;
      const std::string& cve = f->rule->cves[0];
      for (const auto& c : it->second) {
        if (c.cve != cve) continue;
        if (c.status == CveStatus::kFixed) {
          ++r.traces_after_fix;
          if (!first_after_fix || *f->time < *first_after_fix) first_after_fix = f->time, fixed_build = b;
        } else if (IsOpen(c.status)) {
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
      weights.push_back(std::to_string(r.traces_after_fix) +
                        " trace(s) came when the logs show a build fixed for their CVE (" + fixed_build->ToString() +
                        "): attempts against a patched server weigh less");
  }
  std::vector<const Finding*> chain;
  const VerdictCombination* combination = nullptr;
  if (!compromise) {
    for (const auto& c : rules.combinations()) {
      chain = MatchSequence(c, findings);
      if (!chain.empty()) {
        combination = &c;
        break;
      }
    }
  }
  if (compromise) {
    r.verdict = Verdict::kCompromised;
    r.reasons.push_back("success trace: " + compromise->rule->title + " (" + compromise->source.ToString() + ")");
  } else if (combination) {
    r.verdict = combination->verdict;
    r.reasons.push_back(FillReason(combination->reason, chain));
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
