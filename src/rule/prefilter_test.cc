#include "rule/prefilter.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "test_util.h"

namespace exhunt {
namespace {

TEST(Prefilter, LiteralsAreSharedBetweenRulesAndCaselessUnlessCased) {
  std::vector<RuleCover> covers = {
      {0, std::vector<PrefilterLiteral>{{"/shell.aspx", false, false}}, {}},
      {3, std::vector<PrefilterLiteral>{{"/shell.aspx", false, false}, {"Cased", true, false}}, {}},
  };
  auto pf = Prefilter::Build(covers, LogType::kIisW3c);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const Prefilter& p = *pf.value();
  ASSERT_EQ(p.literal_count(), Prefilter::kFirstRuleLiteral + 2);
  EXPECT_EQ(p.RulesFor(Prefilter::kFirstRuleLiteral), (std::vector<unsigned>{0, 3}));
  EXPECT_EQ(p.RulesFor(Prefilter::kFirstRuleLiteral + 1), (std::vector<unsigned>{3}));
  EXPECT_EQ(p.applicable_rules(), (std::vector<unsigned>{0, 3}));
  EXPECT_TRUE(p.unfiltered_rules().empty());
  auto hits = testing::PrefilterHits(p, "GET /SHELL.ASPX cased Cased");
  EXPECT_TRUE(hits.count({Prefilter::kFirstRuleLiteral, 15}));
  EXPECT_TRUE(hits.count({Prefilter::kFirstRuleLiteral + 1, 27}));
  EXPECT_FALSE(hits.count({Prefilter::kFirstRuleLiteral + 1, 21}));  // "cased" is not "Cased"
}

TEST(Prefilter, DirectiveMarkersAreAlwaysThere) {
  auto pf = Prefilter::Build({}, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok());
  auto hits = testing::PrefilterHits(*pf.value(), "#Fields: a\n#Date: b\n#Software: c\n");
  EXPECT_TRUE(hits.count({Prefilter::kFieldsDirective, 8}));
  EXPECT_TRUE(hits.count({Prefilter::kDateDirective, 17}));
  EXPECT_TRUE(hits.count({Prefilter::kCommentLine, 12}));  // "\n#" before #Date
  EXPECT_TRUE(hits.count({Prefilter::kCommentLine, 21}));
}

TEST(Prefilter, RulesWithoutCoverReadEveryRecord) {
  std::vector<RuleCover> covers = {{0, std::nullopt, {}},
                                   {1, std::vector<PrefilterLiteral>{{"abc", false, false}}, {}}};
  auto pf = Prefilter::Build(covers, LogType::kIisW3c);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf.value()->unfiltered_rules(), std::vector<unsigned>{0});
}

TEST(Prefilter, ARegexVectorscanRefusesFallsBackToItsRequiredLiteral) {
  // A back-reference: RE2 and vectorscan refuse it, the literal "VirtualDirectory" remains.
  std::vector<RuleCover> covers = {{2, std::vector<PrefilterLiteral>{{"(a)\\1VirtualDirectory", false, true}}, {}}};
  auto pf = Prefilter::Build(covers, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const auto& lit = pf.value()->literals()[Prefilter::kFirstRuleLiteral];
  EXPECT_FALSE(lit.regex);
  EXPECT_EQ(lit.text, "VirtualDirectory");
  EXPECT_TRUE(
      testing::PrefilterHits(*pf.value(), "x ResetOABVirtualDirectory y").count({Prefilter::kFirstRuleLiteral, 26}));
}

TEST(Prefilter, ARegexWithoutAnyLiteralMakesItsRuleUnfiltered) {
  std::vector<RuleCover> covers = {{5, std::vector<PrefilterLiteral>{{"(a|b)\\1", false, true}}, {}}};
  auto pf = Prefilter::Build(covers, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf.value()->unfiltered_rules(), std::vector<unsigned>{5});
}

// A database of some rules' literals reports what the whole database
// reports for those rules, under the same ids, and nothing of the others:
// cover literals and the requirement literals the scan answers alike.
TEST(Prefilter, ADatabaseOfSomeRulesFindsTheirLiteralsUnderTheSameIds) {
  std::vector<RuleCover> covers = {
      {0, std::vector<PrefilterLiteral>{{"mimikatz", false, false}}, {{{"sekurlsa", false, false}}}},
      {1, std::vector<PrefilterLiteral>{{"procdump", false, false}}, {}},
      {2, std::nullopt, {}},
      {3, std::vector<PrefilterLiteral>{{"Mimikatz", true, false}, {"comsvcs", false, false}}, {}}};
  auto pf = Prefilter::Build(covers, LogType::kEvtx);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const Prefilter& p = *pf.value();
  const std::string raw = "MIMIKATZ sekurlsa::logonpasswords\nprocdump -ma lsass\ncomsvcs.dll Mimikatz";
  auto rules_hit = [&](const std::set<std::pair<unsigned, size_t>>& hits, std::set<unsigned>* requirements) {
    std::set<unsigned> out;
    for (auto [id, end] : hits) {
      for (unsigned r : p.RulesFor(id)) out.insert(r);
      if (int req = p.RequirementOf(id); req >= 0) requirements->insert(unsigned(req));
    }
    return out;
  };
  std::set<unsigned> all_required, some_required;
  const std::set<unsigned> all = rules_hit(testing::PrefilterHits(p, raw), &all_required);
  EXPECT_EQ(all, (std::set<unsigned>{0, 1, 3}));

  const std::vector<uint8_t> rules_0_and_2 = {1, 0, 1};
  std::vector<unsigned> ids = p.LiteralsOf(rules_0_and_2);
  ASSERT_EQ(ids.size(), 2u);  // "mimikatz" and the requirement "sekurlsa"
  auto db = p.CompileLiterals(ids);
  ASSERT_TRUE(db.ok()) << db.status().message();
  EXPECT_EQ(rules_hit(testing::PrefilterHits(db.value().get(), raw), &some_required), std::set<unsigned>{0});
  EXPECT_EQ(some_required, all_required);  // sekurlsa answered as by the whole database
  EXPECT_EQ(testing::PrefilterHits(db.value().get(), "procdump comsvcs").size(), 0u);

  // Rule 3 alone: its cased literal stays cased.
  ids = p.LiteralsOf(std::vector<uint8_t>{0, 0, 0, 1});
  ASSERT_EQ(ids.size(), 2u);
  db = p.CompileLiterals(ids);
  ASSERT_TRUE(db.ok());
  std::set<unsigned> none;
  EXPECT_TRUE(rules_hit(testing::PrefilterHits(db.value().get(), "MIMIKATZ"), &none).empty());
  EXPECT_EQ(rules_hit(testing::PrefilterHits(db.value().get(), "Mimikatz"), &none), std::set<unsigned>{3});
  // A rule without literals needs none; an id that is no literal is refused.
  EXPECT_TRUE(p.LiteralsOf(std::vector<uint8_t>{0, 0, 1}).empty());
  EXPECT_FALSE(p.CompileLiterals(std::vector<unsigned>{999}).ok());
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

TEST(Prefilter, RequirementsRuleOutLinesMissingALiteralOfEverySet) {
  // Rule 1 needs ("autodiscover.json") and ("@" or "%40") and ("/powershell" or "/mapi/nspi").
  RuleCover c{1,
              std::vector<PrefilterLiteral>{{"autodiscover.json", false, false}},
              {{{"autodiscover.json", false, false}},
               {{"@", false, false}, {"%40", false, false}},
               {{"/powershell", false, false}, {"/mapi/nspi", true, false}}}};
  RuleCover plain{2, std::vector<PrefilterLiteral>{{"x", false, false}}, {}};
  auto pf = Prefilter::Build({c, plain}, LogType::kIisW3c);
  ASSERT_TRUE(pf.ok());
  HsScratch scratch;
  ASSERT_TRUE(pf.value()->AllocScratch(&scratch).ok());
  EXPECT_TRUE(pf.value()->has_requirements(1));
  EXPECT_FALSE(pf.value()->has_requirements(2));
  auto may = [&](unsigned rule, const std::string& line) {
    Prefilter::LineMemo memo;
    pf.value()->StartLine(&memo);
    return pf.value()->MayMatch(rule, line, &memo);
  };
  EXPECT_TRUE(may(1, "GET /autodiscover/autodiscover.json?@x.com/PowerShell 200"));
  EXPECT_TRUE(may(1, "GET /AUTODISCOVER/AUTODISCOVER.JSON?a%40b/mapi/nspi 200"));
  EXPECT_FALSE(may(1, "GET /autodiscover/autodiscover.json?@x.com/MAPI/NSPI 200"));  // that one is cased
  EXPECT_FALSE(may(1, "GET /autodiscover/autodiscover.json/v1.0/a@b.com?Protocol=EWS 200"));
  EXPECT_FALSE(may(1, "GET /owa/ 200"));
  EXPECT_TRUE(may(2, "anything"));  // no requirements: always a candidate
  EXPECT_TRUE(may(7, "anything"));  // unknown rule
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

// A one-byte literal beside longer ones (a vectorscan database with
// HS_FLAG_SINGLEMATCH lost "@" here once; the ProxyShell vectors caught it).
TEST(Prefilter, OneByteRequirementLiteralsAreFoundBesideLongerOnes) {
  std::vector<std::vector<PrefilterLiteral>> sets = {{{"/autodiscover.json", false, false}},
                                                     {{"@", false, false}, {"%40", false, false}},
                                                     {{"/powershell", false, false},
                                                      {"/mapi/nspi", false, false},
                                                      {"/EWS", false, false},
                                                      {"X-Rps-CAT", false, false}},
                                                     {{"200", false, false}}};
  auto pf = Prefilter::Build({RuleCover{0, std::vector<PrefilterLiteral>{{"/autodiscover.json", false, false}}, sets}},
                             LogType::kIisW3c);
  ASSERT_TRUE(pf.ok());
  std::string line =
      "2021-08-12 10:00:01 10.0.0.5 POST /autodiscover/autodiscover.json a=dsxvu@fnsso.flq/powershell/"
      "?X-Rps-CAT=VgEAVAdXaW5kb3dz 443 - 198.51.100.4 python-requests/2.26.0 - 200 0 0 120";
  Prefilter::LineMemo memo;
  pf.value()->StartLine(&memo);
  EXPECT_TRUE(pf.value()->MayMatch(0, line, &memo));
  pf.value()->StartLine(&memo);
  EXPECT_FALSE(pf.value()->MayMatch(0, "POST /autodiscover/autodiscover.json a=dsxvu/powershell 200", &memo));
}


// An event is scanned whole: a one- or two-byte literal would hit nearly every
// event and rule out nothing, so its rule reads every event instead; text
// lines keep such literals.
TEST(Prefilter, OnEventsAOneOrTwoByteLiteralLeavesItsRuleUnfiltered) {
  // Two bytes pick events out when one is of a non-ASCII character (a
  // Cyrillic look-alike letter, as SigmaHQ's homoglyph rules list them) or
  // a caret or backtick (DOSfuscation): those rules stay filtered.
  std::vector<RuleCover> covers = {
      {0, std::vector<PrefilterLiteral>{{"0", false, false}}, {}},
      {1, std::vector<PrefilterLiteral>{{"10", false, false}, {"abcdef", false, false}}, {}},
      {2, std::vector<PrefilterLiteral>{{"abc", false, false}}, {}},
      {3, std::vector<PrefilterLiteral>{{"\xD0\x90", false, false}, {"^^", false, false}, {"`e", false, false}}, {}},
      {4, std::vector<PrefilterLiteral>{{"^", false, false}}, {}}};
  auto events = Prefilter::Build(covers, LogType::kEvtx);
  ASSERT_TRUE(events.ok()) << events.status().message();
  EXPECT_EQ(events.value()->unfiltered_rules(), (std::vector<unsigned>{0, 1, 4}));
  std::set<unsigned> hit;
  for (auto [id, end] : testing::PrefilterHits(*events.value(), "C:\\Windows\\\xD0\x90" "dobe.exe"))
    for (unsigned r : events.value()->RulesFor(id)) hit.insert(r);
  EXPECT_EQ(hit, std::set<unsigned>{3});
  auto lines = Prefilter::Build(covers, LogType::kIisW3c);
  ASSERT_TRUE(lines.ok());
  EXPECT_TRUE(lines.value()->unfiltered_rules().empty());
}

// Records scanned one at a time (events): requirement literals of four bytes
// or more are in the database, and the scan's hits answer them; shorter ones
// are searched for, once per record. A new record forgets both.
TEST(Prefilter, ScannedRequirementsAreAnsweredByTheScanOrSearchedOncePerRecord) {
  RuleCover c{0, std::vector<PrefilterLiteral>{{"powershell", false, false}},
              {{{"powershell", false, false}}, {{"-ep", false, false}}, {{"bypass", false, false}, {"hidden", false, false}}}};
  auto pf = Prefilter::Build({c}, LogType::kEvtx);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const Prefilter& p = *pf.value();
  ASSERT_TRUE(p.has_requirements(0));
  Prefilter::EventMemo memo;
  // What an event reader does: one scan, its hits noted, then the rule asked.
  auto scan = [&](const std::string& raw) {
    p.NextRecord(&memo);
    for (auto [id, end] : testing::PrefilterHits(p, raw))
      if (int req = p.RequirementOf(id); req >= 0) memo.hit[size_t(req)] = memo.stamp;
    return p.MayMatchScanned(0, raw, &memo);
  };
  EXPECT_TRUE(scan("powershell -EP x\n-WindowStyle Hidden"));
  EXPECT_TRUE(p.MayMatchScanned(0, "", &memo));  // the same record: answered from the memo
  EXPECT_FALSE(scan("powershell -ep x"));        // neither bypass nor hidden
  EXPECT_FALSE(scan("powershell bypass"));       // no -ep
  EXPECT_TRUE(scan("POWERSHELL -ep BYPASS"));
  // Without the scan's hits the long literals count as absent: they are never searched for.
  p.NextRecord(&memo);
  EXPECT_FALSE(p.MayMatchScanned(0, "powershell -ep bypass", &memo));
}

}  // namespace
}  // namespace exhunt
