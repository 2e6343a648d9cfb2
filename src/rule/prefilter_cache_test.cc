#include "rule/prefilter_cache.h"

#include <gtest/gtest.h>

#include <set>

#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "test_util.h"

namespace exhunt {
namespace {

TEST(PrefilterCache, TheBuiltInDatabasesAreCurrentAndFoundForEveryKind) {
  RuleSet rules;
  rules.AddBuiltin();
  PrefilterCache cache(BuiltinPrefilterDatabases());
  EXPECT_EQ(cache.size(), EvidenceKinds().size());
  const std::string sample =
      "#Fields: date time cs-uri-stem\n2021-03-03 06:00:00 POST /owa/auth/x.aspx ServerInfo~a]@x:444/ecp/y 200\n"
      "2021-03-03 06:00:01 GET /autodiscover/autodiscover.json a=b@c/powershell 104.140.114.110 antSword/v2.1\n";
  for (const auto& kind : EvidenceKinds()) {
    auto cached = Prefilter::Build(rules.Covers(kind.type), kind.type, &cache);
    auto compiled = Prefilter::Build(rules.Covers(kind.type), kind.type);
    ASSERT_TRUE(cached.ok() && compiled.ok()) << kind.name;
    EXPECT_TRUE(cached.value()->from_cache()) << kind.name << ": the build-time database is stale";
    EXPECT_FALSE(compiled.value()->from_cache());
    EXPECT_EQ(cached.value()->cache_key(), compiled.value()->cache_key());
    EXPECT_EQ(testing::PrefilterHits(*cached.value(), sample), testing::PrefilterHits(*compiled.value(), sample))
        << kind.name;
  }
}

TEST(PrefilterCache, OtherRulesAndBrokenEntriesCompile) {
  RuleSet rules;
  rules.AddText(
      "title: t\nid: t.x\nlogsource:\n  category: webserver\ndetection:\n  s:\n    cs-uri-stem: /x\n"
      "  condition: s\n",
      "t");
  PrefilterCache cache(BuiltinPrefilterDatabases());
  auto pf = Prefilter::Build(rules.Covers(LogType::kIisW3c), LogType::kIisW3c, &cache);
  ASSERT_TRUE(pf.ok());
  EXPECT_FALSE(pf.value()->from_cache());
  // An entry under the right key whose bytes are not a database is not used.
  const PrefilterCacheEntry broken[] = {{pf.value()->cache_key(), "not a database"}};
  PrefilterCache bad(broken);
  EXPECT_EQ(bad.Find(pf.value()->cache_key()), nullptr);
  auto again = Prefilter::Build(rules.Covers(LogType::kIisW3c), LogType::kIisW3c, &bad);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value()->from_cache());
  EXPECT_TRUE(testing::PrefilterHits(*again.value(), "GET /x 200").count({Prefilter::kFirstRuleLiteral, 6}));
}

TEST(PrefilterCache, KeysDependOnEveryPatternAndFlag) {
  EXPECT_EQ(PrefilterCacheKey({"a", "b"}, {1, 2}), PrefilterCacheKey({"a", "b"}, {1, 2}));
  EXPECT_NE(PrefilterCacheKey({"a", "b"}, {1, 2}), PrefilterCacheKey({"a", "b"}, {1, 3}));
  EXPECT_NE(PrefilterCacheKey({"a", "b"}, {1, 2}), PrefilterCacheKey({"ab"}, {1}));
  EXPECT_NE(PrefilterCacheKey({"a", "b"}, {1, 2}), PrefilterCacheKey({"b", "a"}, {2, 1}));
}

}  // namespace
}  // namespace exhunt
