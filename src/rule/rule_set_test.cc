#include "rule/rule_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "rule/yara_rule.h"
#include "source/memory_file_system.h"

namespace exhunt {
namespace {

const char* kRuleA =
    "title: A\nid: t.a\nlogsource:\n  product: exchange\n  service: httpproxy\n"
    "detection:\n  s:\n    UrlStem: /x\n  condition: s\n";
const char* kRuleB =
    "title: B\nid: t.b\nlogsource:\n  category: webserver\n"
    "detection:\n  s:\n    cs-uri-stem|contains: /y\n  condition: s\n";

// Every rule file under rules/sigma, rules/yara and rules/iocs loads, and nothing else
// (rules/verdict and rules/exposure are data, not rules).
// MD5 and SHA-1 of every file cost more than SHA-256 on this machine's
// CPUs; they are computed only when a loaded rule may read them.
TEST(RuleSet, FileDigestsBeyondSha256OnlyWhenARuleMayReadThem) {
  RuleSet builtin;
  builtin.AddBuiltin();
  EXPECT_FALSE(builtin.FileDigestsNeeded().md5);
  EXPECT_FALSE(builtin.FileDigestsNeeded().sha1);

  RuleSet md5_ioc;
  md5_ioc.AddIocText("900150983cd24fb0d6963f7d28e17f72;90;abc\n", "hashes.txt", IocListKind::kHash);
  EXPECT_TRUE(md5_ioc.FileDigestsNeeded().md5);
  EXPECT_FALSE(md5_ioc.FileDigestsNeeded().sha1);
  RuleSet sha1_ioc;
  sha1_ioc.AddIocText("a9993e364706816aba3e25717850c26c9cd0d89d;90;abc\n", "hashes.txt", IocListKind::kHash);
  EXPECT_TRUE(sha1_ioc.FileDigestsNeeded().sha1);

  RuleSet yara_md5;
  yara_md5.AddYaraText("rule r { condition: md5 == \"900150983cd24fb0d6963f7d28e17f72\" }", "r.yar");
  EXPECT_TRUE(yara_md5.FileDigestsNeeded().md5);
  RuleSet yara_meta;
  yara_meta.AddYaraText(
      "import \"hash\"\n// md5 in a comment\nrule r {\n meta:\n  md5 = \"x\"\n strings:\n  $a = \"md5\"\n"
      " condition: $a and hash.md5(0, filesize) == \"y\" }",
      "r.yar");
  ASSERT_TRUE(yara_meta.errors().empty()) << yara_meta.errors()[0].status.message();
  EXPECT_FALSE(yara_meta.FileDigestsNeeded().md5);

  RuleSet sigma;
  sigma.AddText("title: t\nid: f.sha1\nlevel: high\nlogsource:\n  product: exhunt\n  category: file\n"
                "detection:\n  s:\n    SHA1: a9993e364706816aba3e25717850c26c9cd0d89d\n  condition: s\n",
                "f.yml");
  ASSERT_TRUE(sigma.errors().empty()) << sigma.errors()[0].status.message();
  EXPECT_TRUE(sigma.FileDigestsNeeded().sha1);
  EXPECT_FALSE(sigma.FileDigestsNeeded().md5);
}

TEST(RuleSet, MayReadIdentifierErrsTowardsYes) {
  EXPECT_TRUE(MayReadIdentifier("rule r { condition: md5 == \"x\" }", "md5"));
  EXPECT_TRUE(MayReadIdentifier("rule r { condition: md5!=\"\" }", "md5"));
  EXPECT_TRUE(MayReadIdentifier("rule r { strings: $a = /md5/ condition: $a }", "md5"));  // a regex: yes
  EXPECT_FALSE(MayReadIdentifier("rule r { meta: md5 = \"x\" condition: true }", "md5"));
  EXPECT_FALSE(MayReadIdentifier("rule r { strings: $a = \"md5 \\\" md5\" condition: $a }", "md5"));
  EXPECT_FALSE(MayReadIdentifier("/* md5 */ rule r { condition: hash . md5(0, 1) == \"\" } // md5", "md5"));
  EXPECT_FALSE(MayReadIdentifier("rule md5sum { condition: true }", "md5"));
}

TEST(RuleSet, BuiltinRulesAreTheSigmaYaraAndIocFiles) {
  RuleSet rules;
  rules.AddBuiltin();
  EXPECT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  size_t sigma_files = 0, yara_rules = 0;
  const std::filesystem::path root = std::filesystem::path(EXHUNT_SOURCE_DIR) / "rules";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root / "sigma"))
    sigma_files += e.path().extension() == ".yml";  // one rule per file
  for (const auto& e : std::filesystem::recursive_directory_iterator(root / "yara")) {
    if (e.path().extension() != ".yar") continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) yara_rules += line.rfind("rule ", 0) == 0;  // not "private rule"
  }
  size_t ioc_lines = 0;  // IOC entries: the lines that are neither empty nor comments
  for (const auto& e : std::filesystem::recursive_directory_iterator(root / "iocs")) {
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) ioc_lines += !line.empty() && line[0] != '#';
  }
  ASSERT_GT(sigma_files, 30u);
  ASSERT_GT(yara_rules, 10u);
  ASSERT_GT(ioc_lines, 10u);
  size_t sigma = 0, yara = 0, ioc_entries = 0;
  for (const auto& r : rules.rules()) {
    if (r->info()->kind == RuleKind::kSigma) {
      ++sigma;
      EXPECT_EQ(r->origin().rfind("builtin:sigma/", 0), 0u) << r->origin();
    } else if (r->info()->kind == RuleKind::kIoc) {
      ioc_entries += dynamic_cast<const IocRule&>(*r).size();
      EXPECT_EQ(r->origin().rfind("builtin:iocs/", 0), 0u) << r->origin();
    } else {
      EXPECT_EQ(r->info()->kind, RuleKind::kYara) << r->id();
      ++yara;
      EXPECT_EQ(r->origin().rfind("builtin:yara/", 0), 0u) << r->origin();
    }
  }
  EXPECT_EQ(sigma, sigma_files);
  EXPECT_EQ(yara, yara_rules);
  EXPECT_EQ(ioc_entries, ioc_lines);
  EXPECT_EQ(rules.yara_sources().size(), 1u);
}

TEST(RuleSet, AYaraFileThatDoesNotCompileIsRefusedAloneAndTheOthersLoad) {
  MemoryFileSystem fs;
  fs.AddFile("/r/good.yar", "rule good_one { strings: $a = \"evil\" condition: $a }\n");
  fs.AddFile("/r/bad.yar", "rule broken { strings: $a = \"x\" condition: $b }\n");
  fs.AddFile("/r/externals.yar",
             "rule loki_names { condition: extension == \".aspx\" and filename contains \"shell\" and "
             "filetype == \"ASP\" and filepath contains \"\\\\\" and md5 != \"\" and owner == owner }\n");
  fs.AddFile("/r/include.yar", "include \"other.yar\"\nrule after_include { condition: true }\n");
  fs.AddFile("/r/note.txt", "not a rule");
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(&fs, "/r", RuleSet::Files::kYara).ok());
  std::set<std::string> ids;
  for (const auto& r : rules.rules()) ids.insert(r->id());
  EXPECT_EQ(ids, (std::set<std::string>{"good_one", "loki_names"}));
  ASSERT_EQ(rules.errors().size(), 2u);
  std::string messages = rules.errors()[0].status.message() + " | " + rules.errors()[1].status.message();
  EXPECT_NE(messages.find("/r/bad.yar: line 1"), std::string::npos) << messages;
  EXPECT_NE(messages.find("include \"other.yar\" is not supported"), std::string::npos) << messages;
  EXPECT_EQ(rules.yara_sources().size(), 2u);
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
