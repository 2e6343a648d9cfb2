#include "rule/rule_set.h"

#include <gtest/gtest.h>

#include "source/memory_file_system.h"

namespace exhunt {
namespace {

const char* kRuleA =
    "title: A\nid: t.a\nlogsource:\n  product: exchange\n  service: httpproxy\n"
    "detection:\n  s:\n    UrlStem: /x\n  condition: s\n";
const char* kRuleB =
    "title: B\nid: t.b\nlogsource:\n  category: webserver\n"
    "detection:\n  s:\n    cs-uri-stem|contains: /y\n  condition: s\n";

TEST(RuleSet, BuiltinRulesAreTheSigmaFilesOnly) {
  RuleSet rules;
  rules.AddBuiltin();
  EXPECT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  EXPECT_EQ(rules.rules().size(), 36u);  // rules/sigma/**.yml; rules/verdict is not Sigma
  for (const auto& r : rules.rules()) EXPECT_EQ(r->origin().rfind("builtin:sigma/", 0), 0u) << r->origin();
}

TEST(RuleSet, SeveralDocumentsDuplicatesAndBadRules) {
  RuleSet rules;
  rules.AddText(std::string(kRuleA) + "---\n" + kRuleB + "---\n" + kRuleA + "---\ntitle: broken\n", "f.yml");
  ASSERT_EQ(rules.rules().size(), 2u);
  ASSERT_EQ(rules.errors().size(), 2u);
  EXPECT_NE(rules.errors()[0].status.message().find("duplicate rule id t.a"), std::string::npos);
  EXPECT_EQ(rules.errors()[1].origin, "f.yml#4");
}

TEST(RuleSet, CoversOnlyTheRulesThatReadAKind) {
  RuleSet rules;
  rules.AddText(std::string(kRuleA) + "---\n" + kRuleB, "f.yml");
  auto proxy = rules.Covers(LogType::kHttpProxy);
  ASSERT_EQ(proxy.size(), 1u);
  EXPECT_EQ(proxy[0].rule, 0u);
  ASSERT_TRUE(proxy[0].literals);
  EXPECT_EQ((*proxy[0].literals)[0].text, "/x");
  auto iis = rules.Covers(LogType::kIisW3c);
  ASSERT_EQ(iis.size(), 1u);
  EXPECT_EQ(iis[0].rule, 1u);
  EXPECT_TRUE(rules.Covers(LogType::kEcpServer).empty());
}

TEST(RuleSet, DirectoriesLoadInNameOrderAndSkipOtherFiles) {
  MemoryFileSystem fs;
  fs.AddFile("/r/b/2.yml", kRuleB);
  fs.AddFile("/r/a/1.yaml", kRuleA);
  fs.AddFile("/r/a/readme.txt", "not a rule");
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(&fs, "/r").ok());
  ASSERT_EQ(rules.rules().size(), 2u);
  EXPECT_EQ(rules.rules()[0]->id(), "t.a");
  EXPECT_FALSE(rules.AddDirectory(&fs, "/missing").ok());
}

}  // namespace
}  // namespace exhunt
