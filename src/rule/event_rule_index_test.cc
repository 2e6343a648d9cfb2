#include "rule/event_rule_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace exhunt {
namespace {

std::string Rule(const std::string& id, const std::string& logsource) {
  return "title: t\nid: " + id + "\nlogsource:\n" + logsource + "detection:\n  k:\n    - 'x'\n  condition: k\nlevel: high\n";
}

TEST(EventRuleIndex, OffersEachEventTheRulesOfItsChannelAndId) {
  RuleSet set;
  set.AddText(Rule("sysmon.proc", "  product: windows\n  category: process_creation\n"), "a");  // Sysmon 1, 4688
  set.AddText(Rule("security.any", "  product: windows\n  service: security\n"), "b");
  set.AddText(Rule("windows.any", "  product: windows\n"), "c");
  set.AddText(Rule("sysmon.file", "  product: windows\n  category: file_event\n"), "d");  // Sysmon 11
  ASSERT_TRUE(set.errors().empty());
  std::vector<unsigned> all;
  std::map<std::string, unsigned> by_id;
  for (unsigned r = 0; r < set.rules().size(); ++r) {
    all.push_back(r);
    by_id[set.rules()[r]->id()] = r;
  }
  EventRuleIndex index(set, all);
  auto set_name = [&](unsigned r) { return set.rules()[r]->id(); };
  auto ids = [&](std::string_view channel, std::optional<uint32_t> event) {
    std::vector<unsigned> out;
    index.RulesFor(channel, event, &out);
    std::set<std::string> names;
    for (unsigned r : out) names.insert(set.rules()[r]->id());
    EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
    return names;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(ids("Microsoft-Windows-Sysmon/Operational", 1), (S{"sysmon.proc", "windows.any"}));
  EXPECT_EQ(ids("microsoft-windows-sysmon/operational", 11), (S{"sysmon.file", "windows.any"}));  // any case
  EXPECT_EQ(ids("Microsoft-Windows-Sysmon/Operational", 3), (S{"windows.any"}));
  EXPECT_EQ(ids("Security", 4688), (S{"sysmon.proc", "security.any", "windows.any"}));
  EXPECT_EQ(ids("Security", 4624), (S{"security.any", "windows.any"}));
  EXPECT_EQ(ids("Security", std::nullopt), (S{"security.any", "windows.any"}));
  EXPECT_EQ(ids("System", 7045), (S{"windows.any"}));

  // Every set RulesFor can give for a channel or ID the rules name, once.
  std::set<S> known;
  for (const auto& set : index.KnownRuleSets()) {
    S names;
    for (unsigned r : set) names.insert(set_name(r));
    EXPECT_TRUE(known.insert(names).second);
  }
  EXPECT_EQ(known, (std::set<S>{{"sysmon.proc", "windows.any"},
                                {"sysmon.file", "windows.any"},
                                {"windows.any"},
                                {"sysmon.proc", "security.any", "windows.any"},
                                {"security.any", "windows.any"}}));
}

}  // namespace
}  // namespace exhunt
