#include "rule/prefilter.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace exhunt {
namespace {

// Every (literal id, end offset) vectorscan reports over `text`.
std::set<std::pair<unsigned, size_t>> Hits(const Prefilter& pf, const std::string& text) {
  HsScratch scratch;
  EXPECT_TRUE(pf.AllocScratch(&scratch).ok());
  std::set<std::pair<unsigned, size_t>> hits;
  hs_scan(
      pf.database(), text.data(), unsigned(text.size()), 0, scratch.get(),
      [](unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
        static_cast<std::set<std::pair<unsigned, size_t>>*>(ctx)->insert({id, size_t(to)});
        return 0;
      },
      &hits);
  return hits;
}

TEST(Prefilter, LiteralsAreSharedBetweenRulesAndCaselessUnlessCased) {
  std::vector<RuleCover> covers = {
      {0, std::vector<PrefilterLiteral>{{"/shell.aspx", false, false}}},
      {3, std::vector<PrefilterLiteral>{{"/shell.aspx", false, false}, {"Cased", true, false}}},
  };
  auto pf = Prefilter::Build(covers, LogType::kIisW3c);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const Prefilter& p = *pf.value();
  ASSERT_EQ(p.literal_count(), Prefilter::kFirstRuleLiteral + 2);
  EXPECT_EQ(p.RulesFor(Prefilter::kFirstRuleLiteral), (std::vector<unsigned>{0, 3}));
  EXPECT_EQ(p.RulesFor(Prefilter::kFirstRuleLiteral + 1), (std::vector<unsigned>{3}));
  EXPECT_EQ(p.applicable_rules(), (std::vector<unsigned>{0, 3}));
  EXPECT_TRUE(p.unfiltered_rules().empty());
  auto hits = Hits(p, "GET /SHELL.ASPX cased Cased");
  EXPECT_TRUE(hits.count({Prefilter::kFirstRuleLiteral, 15}));
  EXPECT_TRUE(hits.count({Prefilter::kFirstRuleLiteral + 1, 27}));
  EXPECT_FALSE(hits.count({Prefilter::kFirstRuleLiteral + 1, 21}));  // "cased" is not "Cased"
}

TEST(Prefilter, DirectiveMarkersAreAlwaysThere) {
  auto pf = Prefilter::Build({}, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok());
  auto hits = Hits(*pf.value(), "#Fields: a\n#Date: b\n#Software: c\n");
  EXPECT_TRUE(hits.count({Prefilter::kFieldsDirective, 8}));
  EXPECT_TRUE(hits.count({Prefilter::kDateDirective, 17}));
  EXPECT_TRUE(hits.count({Prefilter::kCommentLine, 12}));  // "\n#" before #Date
  EXPECT_TRUE(hits.count({Prefilter::kCommentLine, 21}));
}

TEST(Prefilter, RulesWithoutCoverReadEveryRecord) {
  std::vector<RuleCover> covers = {{0, std::nullopt}, {1, std::vector<PrefilterLiteral>{{"abc", false, false}}}};
  auto pf = Prefilter::Build(covers, LogType::kIisW3c);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf.value()->unfiltered_rules(), std::vector<unsigned>{0});
}

TEST(Prefilter, ARegexVectorscanRefusesFallsBackToItsRequiredLiteral) {
  // A back-reference: RE2 and vectorscan refuse it, the literal "VirtualDirectory" remains.
  std::vector<RuleCover> covers = {{2, std::vector<PrefilterLiteral>{{"(a)\\1VirtualDirectory", false, true}}}};
  auto pf = Prefilter::Build(covers, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  const auto& lit = pf.value()->literals()[Prefilter::kFirstRuleLiteral];
  EXPECT_FALSE(lit.regex);
  EXPECT_EQ(lit.text, "VirtualDirectory");
  EXPECT_TRUE(Hits(*pf.value(), "x ResetOABVirtualDirectory y").count({Prefilter::kFirstRuleLiteral, 26}));
}

TEST(Prefilter, ARegexWithoutAnyLiteralMakesItsRuleUnfiltered) {
  std::vector<RuleCover> covers = {{5, std::vector<PrefilterLiteral>{{"(a|b)\\1", false, true}}}};
  auto pf = Prefilter::Build(covers, LogType::kHttpProxy);
  ASSERT_TRUE(pf.ok());
  EXPECT_EQ(pf.value()->unfiltered_rules(), std::vector<unsigned>{5});
}

}  // namespace
}  // namespace exhunt
