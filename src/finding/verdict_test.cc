#include "finding/verdict.h"

#include <gtest/gtest.h>

#include "rule/rule_set.h"
#include "rule/sigma_rule.h"

namespace exhunt {
namespace {

std::shared_ptr<const SigmaRule> Rule(const std::string& outcome, const std::string& cve) {
  std::string yaml =
      "title: t\nid: r." + outcome + "\nlevel: high\noutcome: " + outcome + "\ntags:\n  - cve." + cve +
      "\nlogsource:\n  product: exchange\n  service: httpproxy\ndetection:\n  s:\n    A: 1\n  condition: s\n";
  return SigmaRule::Parse(yaml, "t").value();
}

Finding At(std::shared_ptr<const SigmaRule> rule, const std::string& time) {
  Finding f;
  f.rule = rule->info();
  f.time = ParseIsoTime(time);
  f.source.path = "p";
  f.source.position = 1;
  return f;
}

TimeMs T(const std::string& iso) { return *ParseIsoTime(iso); }

// Coverage of one family by stretches of records.
void Cover(HostCoverage* c, const std::string& family, std::vector<TimeSpan> spans) {
  LogType kind = LogTypeFromName(family.substr(0, family.find('/')));
  for (const auto& s : spans) {
    AddToCoverage(&c->by_family[family], 1000, s.first, s.last, {s});
    AddToCoverage(&c->by_kind[kind], 1000, s.first, s.last, {s});
  }
}

// HttpProxy ECP and IIS logs from 2021-01-01 to 2023-06-30 without a day-long gap.
HostCoverage FullCoverage() {
  HostCoverage c;
  Cover(&c, "httpproxy/ecp", {{T("2021-01-01"), T("2023-06-30")}});
  Cover(&c, "iis/w3svc1", {{T("2021-01-01"), T("2023-06-30")}});
  return c;
}

const WindowCheck* Window(const HostReport& r, const std::string& campaign) {
  for (const auto& w : r.windows)
    if (w.campaign == campaign) return &w;
  return nullptr;
}

TEST(Verdict, CompromiseAndAttemptNeedTracesOfThatOutcome) {
  auto attempt = At(Rule("attempt", "2021-26855"), "2021-03-03T06:00:00Z");
  auto compromise = At(Rule("compromise", "2021-27065"), "2021-03-03T07:00:00Z");
  HostCoverage cov = FullCoverage();
  EXPECT_EQ(JudgeHost("h", {&attempt}, cov).verdict, Verdict::kAttempted);
  EXPECT_EQ(JudgeHost("h", {&attempt}, cov).reasons.size(), 1u);  // every window covered
  HostReport short_logs = JudgeHost("h", {&attempt}, {});
  EXPECT_EQ(short_logs.verdict, Verdict::kAttempted);
  ASSERT_EQ(short_logs.reasons.size(), 2u);
  EXPECT_NE(short_logs.reasons[1].find("a success there cannot be ruled out"), std::string::npos)
      << short_logs.reasons[1];
  EXPECT_EQ(JudgeHost("h", {&attempt, &compromise}, cov).verdict, Verdict::kCompromised);
  EXPECT_EQ(JudgeHost("h", {}, cov).verdict, Verdict::kNoEvidence);
  EXPECT_EQ(JudgeHost("h", {}, {}).verdict, Verdict::kInsufficientEvidence);
}

TEST(Verdict, ARuleWithoutOutcomeListsFindingsButDoesNotMoveTheVerdict) {
  std::string yaml =
      "title: admin logons\nid: user.admin\nlevel: high\nlogsource:\n  product: exchange\n  service: "
      "httpproxy\ndetection:\n  s:\n    A: 1\n  condition: s\n";
  auto rule = SigmaRule::Parse(yaml, "t").value();
  EXPECT_EQ(rule->info()->outcome, Outcome::kNone);
  auto plain = At(rule, "2021-03-03T06:00:00Z");
  HostReport r = JudgeHost("h", {&plain}, FullCoverage());
  EXPECT_EQ(r.verdict, Verdict::kNoEvidence);
  EXPECT_EQ(r.unjudged_findings, 1u);
  EXPECT_EQ(r.by_severity[size_t(Severity::kHigh)], 1u);
  EXPECT_NE(r.reasons.back().find("state no outcome"), std::string::npos) << r.reasons.back();
  auto attempt = At(Rule("attempt", "2021-26855"), "2021-03-03T06:00:00Z");
  EXPECT_EQ(JudgeHost("h", {&plain, &attempt}, FullCoverage()).verdict, Verdict::kAttempted);
}

TEST(Verdict, TwoRecordsYearsApartCoverNoWindow) {
  // One IIS record on 2020-12-01 and one on 2023-06-01: the logs start before
  // and end after every window, but nothing in between was logged.
  HostCoverage cov;
  Cover(&cov, "iis/w3svc1", {{T("2020-12-01T10:00:00Z"), T("2020-12-01T10:00:00Z")},
                             {T("2023-06-01T10:00:00Z"), T("2023-06-01T10:00:00Z")}});
  HostReport r = JudgeHost("h", {}, cov);
  EXPECT_EQ(r.verdict, Verdict::kInsufficientEvidence);
  ASSERT_EQ(r.windows.size(), 4u);
  for (const auto& w : r.windows) EXPECT_FALSE(w.covered) << w.campaign;
  const WindowCheck* pl = Window(r, "ProxyLogon");
  ASSERT_TRUE(pl);
  EXPECT_EQ(pl->missing, std::vector<std::string>{"httpproxy/ecp"});
  ASSERT_EQ(pl->gaps.size(), 1u);
  EXPECT_EQ(pl->gaps[0].first, "iis");
  EXPECT_EQ(pl->gaps[0].second, (TimeSpan{T("2021-01-06"), T("2021-04-30") + kDayMs - 1}));
  EXPECT_NE(r.reasons[0].find("ProxyLogon window 2021-01-06 to 2021-04-30 is not covered: no httpproxy/ecp logs; "
                              "iis has no records 2021-01-06 to 2021-04-30"),
            std::string::npos)
      << r.reasons[0];
}

// Event logs show what an attacker did after the way in (cmdlets, crashes,
// processes, files), never the requests that were the way in: they cannot
// make a window covered, and the report says they were read for it.
TEST(Verdict, EventLogsAcrossAWindowDoNotStandInForTheWebLogs) {
  HostCoverage cov;
  Cover(&cov, "evtx/msexchange management", {{T("2020-06-01"), T("2023-06-30")}});
  Cover(&cov, "evtx/application", {{T("2021-02-01"), T("2021-03-31")}});
  HostReport r = JudgeHost("h", {}, cov);
  EXPECT_EQ(r.verdict, Verdict::kInsufficientEvidence);
  const WindowCheck* pl = Window(r, "ProxyLogon");
  ASSERT_TRUE(pl);
  EXPECT_FALSE(pl->covered);
  EXPECT_EQ(pl->also_read, (std::vector<std::string>{"evtx/application", "evtx/msexchange management"}));
  EXPECT_EQ(Window(r, "ProxyShell")->also_read, std::vector<std::string>{"evtx/msexchange management"});
  ASSERT_EQ(r.reasons.size(), 4u);
  EXPECT_NE(r.reasons[0].find("no httpproxy/ecp logs; no iis logs; evtx/application, evtx/msexchange management "
                              "cover part of it and were read for the campaign's later traces"),
            std::string::npos)
      << r.reasons[0];
  // With the web logs there, the same event logs change nothing.
  Cover(&cov, "httpproxy/ecp", {{T("2021-01-01"), T("2023-06-30")}});
  Cover(&cov, "iis/w3svc1", {{T("2021-01-01"), T("2023-06-30")}});
  EXPECT_EQ(JudgeHost("h", {}, cov).verdict, Verdict::kNoEvidence);
}

TEST(Verdict, ADayLongGapInOneWindowMakesItInsufficient) {
  HostCoverage cov = FullCoverage();
  cov.by_family["iis/w3svc1"].spans = {{T("2021-01-01"), T("2021-08-31")}, {T("2021-09-03"), T("2023-06-30")}};
  HostReport r = JudgeHost("h", {}, cov);
  EXPECT_EQ(r.verdict, Verdict::kInsufficientEvidence);
  EXPECT_TRUE(Window(r, "ProxyLogon")->covered);
  EXPECT_FALSE(Window(r, "ProxyShell")->covered);
  EXPECT_TRUE(Window(r, "ProxyNotShell")->covered);
  ASSERT_EQ(r.reasons.size(), 1u);
  EXPECT_NE(r.reasons[0].find("ProxyShell window 2021-08-05 to 2021-12-31 is not covered: iis has no records "
                              "2021-08-31 to 2021-09-03"),
            std::string::npos)
      << r.reasons[0];
}

TEST(Verdict, LogsStartingAfterTheWindowsAreInsufficient) {
  HostCoverage cov;
  Cover(&cov, "httpproxy/ecp", {{T("2023-06-01"), T("2023-06-30")}});
  Cover(&cov, "iis/w3svc1", {{T("2023-06-01"), T("2023-06-30")}});
  HostReport late = JudgeHost("h", {}, cov);
  EXPECT_EQ(late.verdict, Verdict::kInsufficientEvidence);
  EXPECT_EQ(late.reasons.size(), 4u);  // every campaign window closed before the logs start
}

TEST(Verdict, TheScanWindowIsWhatIsCovered) {
  HostCoverage cov = FullCoverage();
  cov.since = T("2022-01-01");
  for (auto* m : {&cov.by_family, })
    for (auto& [f, c] : *m) c.spans = ClipSpans(c.spans, *cov.since, INT64_MAX);
  HostReport r = JudgeHost("h", {}, cov);
  EXPECT_EQ(r.verdict, Verdict::kInsufficientEvidence);
  EXPECT_FALSE(Window(r, "ProxyLogon")->covered);
  EXPECT_TRUE(Window(r, "ProxyLogon")->outside_scan_window);
  EXPECT_TRUE(Window(r, "OWASSRF")->covered);
  EXPECT_NE(r.reasons[0].find("outside --since/--until"), std::string::npos) << r.reasons[0];
}

TEST(Verdict, TheExposurePlaneNarrowsOrWidensTheWindow) {
  auto table = ExposureTable::LoadBuiltin().value();
  HostCoverage cov;
  Cover(&cov, "httpproxy/ecp", {{T("2021-01-01"), T("2021-03-31")}});
  Cover(&cov, "iis/w3svc1", {{T("2021-01-01"), T("2021-03-31")}});
  // The logs show the March 2021 update (fixed for CVE-2021-26855) from 2021-03-06.
  ExposureAssessment a = AssessBuild(*table, *ParseBuild("15.1.2176.9"), false);
  BuildEvidence before{"HttpProxy log header", "x", *ParseBuild("15.1.2176.2"), false, "", {}, {}};
  before.first_seen = T("2021-01-01");
  before.seen = T("2021-03-05T23:00:00Z");
  BuildEvidence after = before;
  after.build = *ParseBuild("15.1.2176.9");
  after.first_seen = T("2021-03-06");
  after.seen = T("2021-03-31");
  a.evidence = {before, after};
  HostReport r = JudgeHost("h", {}, cov, a, table.get());
  const WindowCheck* pl = Window(r, "ProxyLogon");
  ASSERT_TRUE(pl);
  EXPECT_TRUE(pl->covered) << (pl->gaps.empty() ? "" : pl->gaps[0].first);
  EXPECT_EQ(pl->window.last, T("2021-03-06"));
  EXPECT_NE(pl->exposure.find("15.1.2176.9"), std::string::npos) << pl->exposure;
  // Later campaigns are not covered by logs that end in March 2021.
  EXPECT_EQ(r.verdict, Verdict::kInsufficientEvidence);
  EXPECT_FALSE(Window(r, "ProxyShell")->covered);

  // Still on the RTM build: the ProxyLogon window runs to the end of the evidence.
  HostCoverage long_cov;
  Cover(&long_cov, "httpproxy/ecp", {{T("2021-01-01"), T("2024-01-31")}});
  Cover(&long_cov, "iis/w3svc1", {{T("2021-01-01"), T("2021-12-31")}, {T("2022-03-01"), T("2024-01-31")}});
  ExposureAssessment open = AssessBuild(*table, *ParseBuild("15.1.2176.2"), false);
  HostReport still = JudgeHost("h", {}, long_cov, open, table.get());
  const WindowCheck* w = Window(still, "ProxyLogon");
  EXPECT_EQ(w->window.last, T("2024-01-31"));
  EXPECT_FALSE(w->covered);  // the IIS gap in early 2022 lies inside the widened window
  EXPECT_NE(w->exposure.find("still open to CVE-2021-26855"), std::string::npos) << w->exposure;
  // Logs that show a build fixed for ProxyShell (2016 CU20 Apr21SU) from
  // May 2021: the host was never exposed in the ProxyShell window.
  ExposureAssessment patched = AssessBuild(*table, *ParseBuild("15.1.2242.8"), false);
  BuildEvidence fixed{"HttpProxy log header", "x", *ParseBuild("15.1.2242.8"), false, "", {}, {}};
  fixed.first_seen = T("2021-05-01");
  fixed.seen = T("2024-01-31");
  patched.evidence = {fixed};
  HostReport spared = JudgeHost("h", {}, long_cov, patched, table.get());
  const WindowCheck* ps = Window(spared, "ProxyShell");
  EXPECT_TRUE(ps->not_exposed);
  EXPECT_TRUE(ps->covered);
  EXPECT_NE(ps->exposure.find("before the campaign began"), std::string::npos) << ps->exposure;
  // The fix came after ProxyLogon's window closed: that window stays whole.
  EXPECT_EQ(Window(spared, "ProxyLogon")->window.last, T("2021-04-30") + kDayMs - 1);
  EXPECT_TRUE(Window(spared, "ProxyLogon")->covered);
}

TEST(Verdict, TracesAreWeighedByTheBuildInForceAtTheirTime) {
  auto table = ExposureTable::LoadBuiltin().value();
  ExposureAssessment a;
  BuildEvidence before{"HttpProxy/Rps_Http log header", "x", *ParseBuild("15.1.2176.2"), false, "", {}, {}};
  before.first_seen = ParseIsoTime("2021-03-01T00:00:00Z");
  before.seen = ParseIsoTime("2021-03-05T23:00:00Z");
  BuildEvidence after = before;
  after.build = *ParseBuild("15.1.2176.9");  // Mar21SU
  after.first_seen = ParseIsoTime("2021-03-06T00:00:00Z");
  after.seen = ParseIsoTime("2021-03-20T23:00:00Z");
  a.evidence = {before, after};
  auto rule = Rule("attempt", "2021-26855");
  auto early = At(rule, "2021-03-03T06:00:00Z");
  auto late = At(rule, "2021-03-10T06:00:00Z");
  auto later = At(rule, "2021-03-12T06:00:00Z");
  HostReport r = JudgeHost("h", {&early, &late, &later}, {}, a, table.get());
  EXPECT_EQ(r.traces_while_exposed, 1u);
  EXPECT_EQ(r.traces_after_fix, 2u);
  EXPECT_EQ(r.verdict, Verdict::kAttempted);
  // The last two reasons weigh the traces: up while exposed, down after the fix.
  ASSERT_GE(r.reasons.size(), 3u);
  const std::string& up = r.reasons[r.reasons.size() - 2];
  const std::string& down = r.reasons.back();
  EXPECT_NE(up.find("(15.1.2176.2 from 2021-03-03) was open to their CVE: they weigh more"), std::string::npos) << up;
  EXPECT_NE(down.find("fixed for their CVE (15.1.2176.9): attempts against a patched server weigh less"),
            std::string::npos)
      << down;
  EXPECT_EQ(BuildAt(a, *ParseIsoTime("2021-03-25T00:00:00Z"))->ToString(), "15.1.2176.9");
  EXPECT_FALSE(BuildAt(a, *ParseIsoTime("2021-02-01T00:00:00Z")));
}

std::shared_ptr<const SigmaRule> Marked(const std::string& id, const std::string& mark) {
  std::string yaml = "title: t\nid: " + id + "\nlevel: high\noutcome: exploit\nmarks:\n  - " + mark +
                     "\nlogsource:\n  product: exchange\n  service: httpproxy\ndetection:\n  s:\n    A: 1\n"
                     "  condition: s\n";
  return SigmaRule::Parse(yaml, "t").value();
}

TEST(Verdict, ACombinationOfMarksInTimeOrderIsACompromise) {
  auto ssrf = Marked("r.ssrf", "proxylogon.ssrf_success");
  auto vdir = Marked("r.vdir", "proxylogon.vdir_change");
  auto early_ssrf = At(ssrf, "2021-03-03T06:00:00Z");
  auto later_vdir = At(vdir, "2021-03-03T06:05:00Z");
  later_vdir.source.position = 7;
  HostCoverage cov;
  HostReport r = JudgeHost("h", {&early_ssrf, &later_vdir}, cov);
  EXPECT_EQ(r.verdict, Verdict::kCompromised);
  ASSERT_FALSE(r.reasons.empty());
  EXPECT_EQ(r.reasons[0], "SSRF to ECP succeeded (p:1) and was followed by a virtual-directory change (p:7)");
  // The change came first: the SSRF after it did not cause it.
  auto early_vdir = At(vdir, "2021-03-03T05:00:00Z");
  EXPECT_EQ(JudgeHost("h", {&early_vdir, &early_ssrf}, cov).verdict, Verdict::kAttempted);
  // One step alone is not enough.
  EXPECT_EQ(JudgeHost("h", {&early_ssrf}, cov).verdict, Verdict::kAttempted);
}

TEST(Verdict, BuiltinCombinationsNameMarksThatBuiltinRulesCarry) {
  const auto& combos = VerdictRules::Builtin().combinations();
  ASSERT_FALSE(combos.empty());
  RuleSet rules;
  rules.AddBuiltin();
  for (const auto& c : combos)
    for (const auto& mark : c.sequence) {
      bool carried = false;
      for (const auto& r : rules.rules()) carried = carried || r->info()->HasMark(mark);
      EXPECT_TRUE(carried) << c.id << ": no built-in rule carries mark " << mark;
    }
}

TEST(Verdict, CombinationFilesAreChecked) {
  EXPECT_FALSE(VerdictRules::Parse("combinations: []\nx: [", "f").ok());
  EXPECT_FALSE(VerdictRules::Parse("other: 1\n", "f").ok());
  EXPECT_FALSE(
      VerdictRules::Parse("combinations:\n  - id: a\n    verdict: attempted\n    sequence: [x, y]\n", "f").ok());
  EXPECT_FALSE(
      VerdictRules::Parse("combinations:\n  - id: a\n    verdict: compromised\n    sequence: [x]\n", "f").ok());
  auto ok = VerdictRules::Parse("combinations:\n  - id: a\n    verdict: compromised\n    sequence: [x, y]\n", "f");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value().combinations()[0].sequence, (std::vector<std::string>{"x", "y"}));
}

}  // namespace
}  // namespace exhunt
