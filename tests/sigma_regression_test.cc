// SigmaHQ's own regression data: every rule under corpus/sigma-regression,
// run on its EVTX sample, matches (info.yml's match_count is the least
// number of matches SigmaHQ expects: a sample may hold several matching
// events), and the sample decodes to the events its JSON export lists.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/text.h"
#include "reader/evtx_format.h"
#include "record/event_record.h"
#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/file_system.h"
#include "test_util.h"

namespace exhunt {
namespace {

namespace fs = std::filesystem;

// Rule id -> rule file, for every SigmaHQ rule folder.
std::map<std::string, std::string> RulesById(const std::string& sigma_root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(sigma_root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::string p = it->path().string();
    if (!it->is_regular_file() || !EndsWithIgnoreCase(p, ".yml")) continue;
    std::string text = testing::ReadAll(p);
    size_t at = text.find("\nid: ");
    if (text.rfind("id: ", 0) == 0) at = 0;
    if (at == std::string::npos) continue;
    size_t start = text.find("id: ", at) + 4;
    size_t end = text.find_first_of("\r\n", start);
    out[std::string(Trim(text.substr(start, end - start)))] = p;
  }
  return out;
}

// EventRecordIDs of the JSON events of a test folder.
std::set<uint64_t> ExpectedRecordIds(const fs::path& dir) {
  std::set<uint64_t> ids;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    std::string text = testing::ReadAll(e.path().string());
    for (size_t at = 0; (at = text.find("\"EventRecordID\":", at)) != std::string::npos; ++at) {
      uint64_t id = std::strtoull(text.c_str() + at + 16, nullptr, 10);
      ids.insert(id);
    }
  }
  return ids;
}

TEST(SigmaRegression, EveryLoadedRuleMatchesItsOwnSamples) {
  EXHUNT_REQUIRE_SHARED(regression, "corpus/sigma-regression/rules");
  EXHUNT_REQUIRE_SHARED(sigma, "rules-thirdparty/sigma");
  auto rules_by_id = RulesById(sigma);
  ASSERT_GT(rules_by_id.size(), 3000u);
  size_t tests = 0, passed = 0;
  std::vector<std::string> not_loaded, no_rule;
  for (const auto& entry : fs::recursive_directory_iterator(regression)) {
    if (entry.path().filename() != "info.yml") continue;
    const fs::path dir = entry.path().parent_path();
    YAML::Node info = YAML::LoadFile(entry.path().string());
    std::string id = info["rule_metadata"][0]["id"].as<std::string>();
    for (const auto& t : info["regression_tests_info"]) {
      if (t["type"].as<std::string>("") != "evtx") continue;
      std::string evtx = (dir / fs::path(t["path"].as<std::string>()).filename()).string();
      if (!fs::exists(evtx)) continue;
      ++tests;
      SCOPED_TRACE(dir.string());
      auto rule_path = rules_by_id.find(id);
      if (rule_path == rules_by_id.end()) {
        no_rule.push_back(id);
        continue;
      }
      RuleSet rules;
      rules.AddText(testing::ReadAll(rule_path->second), rule_path->second);
      if (rules.rules().empty()) {
        not_loaded.push_back(rules.errors().empty() ? rule_path->second : rules.errors()[0].status.message());
        continue;
      }
      const Rule& rule = *rules.rules()[0];
      ASSERT_TRUE(rule.AppliesTo(LogType::kEvtx)) << rule_path->second;
      // Decode the sample and run the rule on every event.
      std::string bytes = testing::ReadAll(evtx);
      EvtxChunkDecoder decoder;
      EventXml xml;
      EventRecord record;
      std::set<uint64_t> decoded;
      size_t matches = 0;
      DecodeEvtxChunks(
          bytes, 0, SIZE_MAX, decoder, xml,
          [&](const EventXml& event, const EvtxRecordInfo&, size_t) {
            record.Reset(event);
            uint64_t rid = 0;
            ParseUint(record.Field("EventRecordID").value_or(""), &rid);
            decoded.insert(rid);
            if (rule.Matches(record)) ++matches;
          },
          [&](std::string problem, bool) { ADD_FAILURE() << problem; });
      const size_t least = std::max<size_t>(1, t["match_count"].as<size_t>(1));
      EXPECT_GE(matches, least) << rule_path->second;
      EXPECT_EQ(decoded, ExpectedRecordIds(dir));
      if (matches >= least) ++passed;
    }
  }
  std::cout << tests << " regression samples: " << passed << " matched as SigmaHQ says, " << not_loaded.size()
            << " rules not loaded, " << no_rule.size() << " rules not found\n";
  for (const auto& n : not_loaded) std::cout << "  not loaded: " << n << "\n";
  for (const auto& n : no_rule) std::cout << "  no rule: " << n << "\n";
  EXPECT_GT(tests, 150u);
  EXPECT_EQ(passed + not_loaded.size(), tests);
  EXPECT_TRUE(no_rule.empty());
}

// The same samples through the whole scan: every SigmaHQ Windows rule
// loaded at once, events found by discovery, offered by the event rule
// index and the literal prefilter. Each sample must still yield a finding of
// its own rule: the prefilter and the index may only drop what cannot match.
TEST(SigmaRegression, EveryRuleFiresThroughTheScanWithAllRulesLoaded) {
  EXHUNT_REQUIRE_SHARED(regression, "corpus/sigma-regression/rules");
  EXHUNT_REQUIRE_SHARED(windows_rules, "rules-thirdparty/sigma/rules/windows");
  auto files = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(files.get(), windows_rules).ok());
  ScanResult r = testing::ScanWithRules(rules, regression);
  std::set<std::pair<std::string, std::string>> found;  // (folder of the sample, rule id)
  for (const auto& f : r.findings)
    found.insert({fs::path(f.source.path).parent_path().string(), f.rule->id});
  size_t samples = 0;
  for (const auto& entry : fs::recursive_directory_iterator(regression)) {
    if (entry.path().filename() != "info.yml") continue;
    std::string id = YAML::LoadFile(entry.path().string())["rule_metadata"][0]["id"].as<std::string>();
    bool loaded = false;
    for (const auto& rule : rules.rules()) loaded = loaded || rule->id() == id;
    if (!loaded) continue;  // the first test lists rules that do not load
    ++samples;
    std::string folder = fs::relative(entry.path().parent_path(), regression).string();
    EXPECT_TRUE(found.count({folder, id})) << id << " did not fire on " << folder;
  }
  EXPECT_GT(samples, 150u);
}

}  // namespace
}  // namespace exhunt
