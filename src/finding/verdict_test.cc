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

TEST(Verdict, CompromiseAttemptAndCoverage) {
  auto attempt = At(Rule("attempt", "2021-26855"), "2021-03-03T06:00:00Z");
  auto compromise = At(Rule("compromise", "2021-27065"), "2021-03-03T07:00:00Z");
  std::map<LogType, Coverage> cov;
  cov[LogType::kHttpProxy].first = ParseIsoTime("2021-03-01");
  EXPECT_EQ(JudgeHost("h", {&attempt}, cov).verdict, Verdict::kAttempted);
  EXPECT_EQ(JudgeHost("h", {&attempt, &compromise}, cov).verdict, Verdict::kCompromised);
  EXPECT_EQ(JudgeHost("h", {}, cov).verdict, Verdict::kNoEvidence);
  cov[LogType::kHttpProxy].first = ParseIsoTime("2023-06-01");
  HostReport late = JudgeHost("h", {}, cov);
  EXPECT_EQ(late.verdict, Verdict::kInsufficientEvidence);
  EXPECT_EQ(late.reasons.size(), 3u);  // every campaign window closed before the logs start
  EXPECT_EQ(JudgeHost("h", {}, {}).verdict, Verdict::kInsufficientEvidence);
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
  ASSERT_GE(r.reasons.size(), 3u);
  EXPECT_NE(r.reasons[1].find("15.1.2176.2"), std::string::npos) << r.reasons[1];
  EXPECT_NE(r.reasons[2].find("15.1.2176.9"), std::string::npos) << r.reasons[2];
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
  std::map<LogType, Coverage> cov;
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
