// Sigma's expand modifier: %placeholders% replaced by the values a site
// configures; a placeholder without values refuses its rule by name.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "record/event_record.h"
#include "rule/rule_set.h"
#include "test_util.h"

namespace exhunt::testing {
namespace {

const char* kRule = R"(title: Machine account from an unexpected host
id: 1f0e2d3c-0000-4000-8000-000000000001
logsource: {product: windows, service: security}
detection:
  selection:
    EventID: 4624
    TargetUserName|expand: '%dc_machine_accounts%'
  filter:
    IpAddress|expand: '%dc_addresses%'
  condition: selection and not filter
)";

TEST(SigmaExpand, PlaceholdersBecomeTheConfiguredValues) {
  MemoryScan m;
  auto ph = ParseSigmaPlaceholders("dc_machine_accounts: ['DC01$', 'DC02$']\n'%dc_addresses%': 10.0.0.10\n", "ph.yml");
  ASSERT_TRUE(ph.ok()) << ph.status().message();
  m.rules.SetSigmaPlaceholders(ph.value());
  m.rules.AddText(kRule, "expand.yml");
  for (const auto& e : m.rules.errors()) ADD_FAILURE() << e.status.message();
  auto event = [](int record, const std::string& user, const std::string& ip) {
    return R"({"Event":{"System":{"EventID":4624,"Channel":"Security","EventRecordID":)" + std::to_string(record) +
           R"(,"TimeCreated":{"#attributes":{"SystemTime":"2021-03-02T10:00:00.000Z"}}},"EventData":{"TargetUserName":")" +
           user + R"(","IpAddress":")" + ip + R"("}}})";
  };
  // DC02$ from elsewhere: a hit; DC01$ from the DC: filtered; a user: no.
  m.Add("export/security.jsonl", event(1, "DC02$", "203.0.113.8") + "\n" + event(2, "DC01$", "10.0.0.10") + "\n" +
                                     event(3, "alice", "203.0.113.8") + "\n");
  ScanResult r = m.Run();
  std::vector<uint64_t> offsets;
  for (const auto& f : r.findings)
    if (f.rule->id == "1f0e2d3c-0000-4000-8000-000000000001") offsets.push_back(f.source.position);
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0], 0u);  // the first event of the export
}

TEST(SigmaExpand, APlaceholderWithoutValuesIsRefusedByName) {
  RuleSet rules;
  rules.AddText(kRule, "expand.yml");
  auto errors = rules.errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].status.message().find("placeholder %dc_machine_accounts% has no configured values"),
            std::string::npos)
      << errors[0].status.message();
  EXPECT_TRUE(rules.rules().empty());
}

TEST(SigmaExpand, SigmaHQsPlaceholderRulesLoadOnceTheirPlaceholdersAreConfigured) {
  EXHUNT_REQUIRE_SHARED(dir, "rules-thirdparty/sigma/rules-placeholder/windows");
  // Every placeholder SigmaHQ's rules use, each given one value.
  std::set<std::string> names;
  const std::regex placeholder("%([A-Za-z0-9_.-]+)%");
  size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".yml") continue;
    ++files;
    const std::string text = ReadAll(e.path().string());
    if (text.find("|expand") == std::string::npos) continue;
    for (std::sregex_iterator it(text.begin(), text.end(), placeholder), end; it != end; ++it) names.insert((*it)[1]);
  }
  ASSERT_GT(files, 5u);
  ASSERT_GT(names.size(), 3u);
  auto fs = NewPosixFileSystem();
  RuleSet without;
  ASSERT_TRUE(without.AddDirectory(fs.get(), dir, RuleSet::Files::kSigma).ok());
  size_t refused_for_placeholders = 0;
  for (const auto& e : without.errors())
    refused_for_placeholders += e.status.message().find("has no configured values") != std::string::npos;
  EXPECT_GT(refused_for_placeholders, 3u);
  std::string yaml;
  for (const auto& n : names) yaml += n + ": ['value-of-" + n + "']\n";
  auto ph = ParseSigmaPlaceholders(yaml, "all.yml");
  ASSERT_TRUE(ph.ok()) << ph.status().message();
  RuleSet with;
  with.SetSigmaPlaceholders(ph.value());
  ASSERT_TRUE(with.AddDirectory(fs.get(), dir, RuleSet::Files::kSigma).ok());
  for (const auto& e : with.errors())
    EXPECT_EQ(e.status.message().find("has no configured values"), std::string::npos) << e.status.message();
  EXPECT_EQ(with.rules().size(), without.rules().size() + refused_for_placeholders);
}

}  // namespace
}  // namespace exhunt::testing
