#include "finding/verdict.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/text.h"
#include "base/time_span.h"
#include "base/yaml_load.h"
#include "finding/timeline.h"
#include "rule/builtin_rules.h"

namespace exhunt {

namespace {

Result<TimeMs> DateOf(const YAML::Node& node, const std::string& where, bool end_of_day) {
  std::string text = node ? node.as<std::string>() : "";
  auto t = ParseIsoTime(text);
  if (!t || text.size() != 10) return Status::InvalidArgument(where + ": dates are YYYY-MM-DD");
  return end_of_day ? *t + kDayMs - 1 : *t;
}

Status ParseCampaigns(const YAML::Node& list, const std::string& origin, std::vector<Campaign>* out) {
  if (!list.IsSequence()) return Status::InvalidArgument(origin + ": 'campaigns' must be a list");
  for (const auto& c : list) {
    Campaign k;
    k.id = c["id"] ? c["id"].as<std::string>() : "";
    if (k.id.empty()) return Status::InvalidArgument(origin + ": a campaign has no id");
    const std::string where = origin + ": " + k.id;
    k.name = c["name"] ? c["name"].as<std::string>() : k.id;
    k.entry_cve = c["entry"] ? c["entry"].as<std::string>() : "";
    if (k.entry_cve.rfind("CVE-", 0) != 0) return Status::InvalidArgument(where + ": 'entry' must name a CVE");
    auto start = DateOf(c["start"], where, false);
    auto end = DateOf(c["end"], where, true);
    if (!start.ok()) return start.status();
    if (!end.ok()) return end.status();
    k.start = start.value();
    k.end = end.value();
    if (k.end < k.start) return Status::InvalidArgument(where + ": ends before it starts");
    if (c["phases"]) {
      for (const auto& ph : c["phases"]) {
        auto ps = DateOf(ph["start"], where, false);
        auto pe = DateOf(ph["end"], where, true);
        if (!ps.ok()) return ps.status();
        if (!pe.ok()) return pe.status();
        k.phases.push_back({ph["name"] ? ph["name"].as<std::string>() : "", ps.value(), pe.value()});
      }
    }
    if (!c["evidence"] || !c["evidence"].IsSequence() || c["evidence"].size() == 0)
      return Status::InvalidArgument(where + ": 'evidence' must list the families that would show it");
    for (const auto& e : c["evidence"]) k.evidence.push_back(e.as<std::string>());
    out->push_back(std::move(k));
  }
  return Status::Ok();
}

}  // namespace

Result<VerdictRules> VerdictRules::Parse(std::string_view yaml, const std::string& origin) {
  VerdictRules out;
  try {
    YAML::Node doc = LoadYaml(yaml);
    const YAML::Node list = doc["combinations"];
    const YAML::Node campaigns = doc["campaigns"];
    if (!list && !campaigns) return Status::InvalidArgument(origin + ": no 'combinations' or 'campaigns' list");
    if (campaigns) {
      Status s = ParseCampaigns(campaigns, origin, &out.campaigns_);
      if (!s.ok()) return s;
    }
    if (list && !list.IsSequence()) return Status::InvalidArgument(origin + ": 'combinations' must be a list");
    for (const auto& c : list ? list : YAML::Node(YAML::NodeType::Sequence)) {
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
      for (auto& c : parsed.value().campaigns_) all.campaigns_.push_back(std::move(c));
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


namespace {

std::string Day(TimeMs t) { return FormatIsoTime(t).substr(0, 10); }
std::string Range(const TimeSpan& s) { return Day(s.first) + " to " + Day(s.last); }

// One sentence on a window the logs do not cover.
std::string UncoveredReason(const WindowCheck& w) {
  std::string text = w.campaign + " window " + Range(w.window) + " is not covered:";
  std::vector<std::string> parts;
  for (const auto& m : w.missing) parts.push_back("no " + m + " logs");
  std::map<std::string, std::vector<TimeSpan>> by_family;
  for (const auto& [family, gap] : w.gaps) by_family[family].push_back(gap);
  for (const auto& [family, gaps] : by_family) {
    std::string p = family + " has no records ";
    for (size_t i = 0; i < gaps.size() && i < 3; ++i) p += (i ? ", " : "") + Range(gaps[i]);
    if (gaps.size() > 3) p += " and in " + std::to_string(gaps.size() - 3) + " more gaps";
    parts.push_back(p);
  }
  for (size_t i = 0; i < parts.size(); ++i) text += (i ? "; " : " ") + parts[i];
  if (w.outside_scan_window) text += " (part of the window lies outside --since/--until)";
  if (!w.exposure.empty()) text += " (" + w.exposure + ")";
  if (!w.also_read.empty())
    text += "; " + Join(w.also_read, ", ") + " cover" + (w.also_read.size() == 1 ? "s" : "") +
            " part of it and were read for the campaign's later traces (commands, crashes, processes, files), but "
            "cannot show its requests";
  return text;
}

}  // namespace

WindowCheck CheckWindow(const Campaign& campaign, const HostCoverage& coverage,
                        const std::optional<ExposureAssessment>& exposure, const ExposureTable* table) {
  WindowCheck w;
  w.campaign = campaign.name;
  w.window = {campaign.start, campaign.end};
  std::optional<TimeMs> evidence_end;
  for (const auto& [kind, c] : coverage.by_kind)
    if (c.last && (!evidence_end || *c.last > *evidence_end)) evidence_end = c.last;
  if (exposure && table) {
    // The earliest time a log shows a build fixed for the entry CVE.
    std::optional<TimeMs> fixed_since;
    Build fixed_build;
    for (const auto& e : exposure->evidence) {
      if (!e.first_seen || e.cu_only || !table->Find(e.build)) continue;
      for (const auto& x : table->Evaluate(e.build))
        if (x.cve == campaign.entry_cve && x.status == CveStatus::kFixed && (!fixed_since || *e.first_seen < *fixed_since))
          fixed_since = e.first_seen, fixed_build = e.build;
    }
    const CveExposure* now = nullptr;
    for (const auto& x : exposure->cves)
      if (x.cve == campaign.entry_cve) now = &x;
    if (now && IsOpen(now->status)) {
      if (evidence_end && *evidence_end > w.window.last) w.window.last = *evidence_end;
      w.exposure = "the build in force" + (exposure->build ? " (" + exposure->build->ToString() + ")" : std::string()) +
                   " is still open to " + campaign.entry_cve + ", so the window runs to the end of the evidence";
    } else if (fixed_since) {
      if (*fixed_since <= campaign.start) {
        w.not_exposed = true;
        w.covered = true;
        w.exposure = "the logs show build " + fixed_build.ToString() + ", fixed for " + campaign.entry_cve + ", on " +
                     Day(*fixed_since) + ", before the campaign began";
        return w;
      }
      if (*fixed_since < w.window.last) {
        w.window.last = *fixed_since;
        w.exposure = "the window closes " + Day(*fixed_since) + ", when the logs first show build " +
                     fixed_build.ToString() + ", fixed for " + campaign.entry_cve;
      }
    }
  }
  if ((coverage.since && *coverage.since > w.window.first) || (coverage.until && *coverage.until < w.window.last))
    w.outside_scan_window = true;
  for (const auto& pattern : campaign.evidence) {
    std::vector<TimeSpan> spans;
    bool any = false;
    for (const auto& [family, c] : coverage.by_family) {
      if (!FamilyMatches(family, pattern)) continue;
      any = true;
      spans.insert(spans.end(), c.spans.begin(), c.spans.end());
    }
    if (!any) {
      w.missing.push_back(pattern);
      continue;
    }
    MergeSpans(&spans);
    for (const auto& gap : UncoveredParts(spans, w.window)) w.gaps.push_back({pattern, gap});
  }
  w.covered = w.missing.empty() && w.gaps.empty();
  // Event logs and other families the campaign's evidence does not list:
  // never coverage (a request to ECP or autodiscover is logged by the web
  // logs alone), but the report says they were read for the window.
  for (const auto& [family, c] : coverage.by_family) {
    bool listed = false;
    for (const auto& pattern : campaign.evidence) listed = listed || FamilyMatches(family, pattern);
    if (listed) continue;
    bool inside = false;
    for (const auto& span : c.spans) inside = inside || (span.first <= w.window.last && span.last >= w.window.first);
    if (inside) w.also_read.push_back(family);
  }
  return w;
}

HostReport JudgeHost(const std::string& host, const std::vector<const Finding*>& findings,
                     const HostCoverage& coverage, const std::optional<ExposureAssessment>& exposure,
                     const ExposureTable* table, const VerdictRules& rules) {
  HostReport r;
  r.host = host;
  r.coverage = coverage.by_kind;
  r.families = coverage.by_family;
  r.exposure = exposure;
  const Finding* compromise = nullptr;
  // Findings of rules that state no outcome are reported but not weighed.
  std::vector<const Finding*> judged;
  r.timeline = BuildTimeline(findings);
  r.attackers = SummarizeAttackers(r.timeline);
  r.findings_total = findings.size();
  for (const auto& e : r.timeline) r.by_severity[size_t(e.severity)]++;
  for (const Finding* f : findings) {
    for (const auto& cve : f->rule->cves) r.by_cve[cve]++;
    if (f->time) {
      if (!r.first || *f->time < *r.first) r.first = f->time;
      if (!r.last || *f->time > *r.last) r.last = f->time;
    }
    if (f->rule->outcome == Outcome::kNone) {
      ++r.unjudged_findings;
      continue;
    }
    judged.push_back(f);
    if (f->rule->outcome == Outcome::kCompromise && !compromise) compromise = f;
  }
  // Weigh traces by the build in force when they happened.
  std::vector<std::string> weights;
  if (exposure && table) {
    std::map<Build, std::vector<CveExposure>> cache;
    std::optional<Build> exposed_build, fixed_build;
    std::optional<TimeMs> first_exposed, first_after_fix;
    for (const Finding* f : judged) {
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
                        exposed_build->ToString() + " from " + Day(*first_exposed) +
                        ") was open to their CVE: they weigh more");
    if (r.traces_after_fix)
      weights.push_back(std::to_string(r.traces_after_fix) +
                        " trace(s) came when the logs show a build fixed for their CVE (" + fixed_build->ToString() +
                        "): attempts against a patched server weigh less");
  }
  for (const auto& c : rules.campaigns()) r.windows.push_back(CheckWindow(c, coverage, exposure, table));
  {
    // What an Exchange server keeps, and what the campaigns ask for.
    std::vector<std::string> expected = {"iis", "httpproxy", "ecp-server", "oabgenerator", "rps-http"};
    for (const auto& c : rules.campaigns())
      for (const auto& e : c.evidence)
        if (std::find(expected.begin(), expected.end(), e) == expected.end()) expected.push_back(e);
    for (const auto& e : expected) {
      bool present = false;
      for (const auto& [family, cov] : coverage.by_family) present = present || FamilyMatches(family, e);
      if (!present) r.absent_families.push_back(e);
    }
  }

  std::vector<const Finding*> chain;
  const VerdictCombination* combination = nullptr;
  if (!compromise) {
    for (const auto& c : rules.combinations()) {
      chain = MatchSequence(c, judged);
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
  } else if (!judged.empty()) {
    r.verdict = Verdict::kAttempted;
    r.reasons.push_back("only attempts, probes or unconfirmed exploitation were seen");
    // Attempts seen now do not rule out a success the logs do not reach.
    std::vector<std::string> open;
    for (const auto& w : r.windows)
      if (!w.covered) open.push_back(w.campaign + " " + Range(w.window));
    if (!open.empty()) {
      std::string list;
      for (size_t i = 0; i < open.size(); ++i) list += (i ? ", " : "") + open[i];
      r.reasons.push_back("the logs do not cover the " + list +
                          " window(s): a success there cannot be ruled out (see coverage)");
    }
  } else {
    bool any_time = false;
    for (const auto& [family, c] : coverage.by_family) any_time = any_time || !c.spans.empty();
    if (!any_time) {
      r.verdict = Verdict::kInsufficientEvidence;
      r.reasons.push_back(coverage.by_family.empty()
                              ? "no Exchange or IIS log was read"
                              : "no Exchange or IIS log record with a readable time lies inside the scan window");
    } else {
      r.verdict = Verdict::kNoEvidence;
      for (const auto& w : r.windows) {
        if (w.covered) continue;
        r.verdict = Verdict::kInsufficientEvidence;
        r.reasons.push_back(UncoveredReason(w));
      }
      if (r.verdict == Verdict::kNoEvidence) {
        std::string covered, spared;
        for (const auto& w : r.windows) {
          if (w.not_exposed)
            spared += (spared.empty() ? "" : "; ") + w.campaign + ": " + w.exposure;
          else
            covered += (covered.empty() ? "" : ", ") + w.campaign + " " + Range(w.window);
        }
        r.reasons.push_back(covered.empty()
                                ? "the host was not exposed during any campaign window and no trace was found"
                                : "logs of every family that would show them cover the windows in which the host "
                                  "was exposed (" +
                                      covered + ") and hold no trace");
        if (!spared.empty()) r.reasons.push_back("not exposed: " + spared);
      }
    }
  }
  if (r.unjudged_findings)
    r.reasons.push_back(std::to_string(r.unjudged_findings) +
                        " finding(s) of rules that state no outcome are listed but do not change the verdict");
  for (auto& w : weights) r.reasons.push_back(std::move(w));
  return r;
}

}  // namespace exhunt
