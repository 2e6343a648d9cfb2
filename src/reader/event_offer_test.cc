#include "reader/event_offer.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "reader/event_json.h"

namespace exhunt {
namespace {

std::string Rule(const std::string& id, const std::string& logsource, const std::string& detection) {
  return "title: t\nid: " + id + "\nlogsource:\n  product: windows\n" + logsource + "detection:\n" + detection +
         "level: high\n";
}

// Events of three sources, each offered through a database of its own
// rules' literals (Security 4672), the prefilter's whole database (process
// creation: most of its literals) or no scan at all (Security 4624: no rule
// with a literal). Every rule that matches an event is offered it, and
// only the rules of its source whose literals it holds are.
TEST(EventRuleOffer, EachSourceIsScannedForItsOwnRulesLiterals) {
  RuleSet rules;
  rules.AddText(Rule("proc.mimikatz", "  category: process_creation\n",
                     "  sel:\n    CommandLine|contains: 'sekurlsa::'\n  condition: sel\n"),
                "a");
  rules.AddText(Rule("proc.homoglyph", "  category: process_creation\n",
                     "  sel:\n    CommandLine|contains:\n      - \"\\u0410\"\n      - \"\\u0430\"\n  condition: sel\n"),
                "b");
  rules.AddText(Rule("proc.dump", "  category: process_creation\n",
                     "  sel:\n    CommandLine|contains|all:\n      - 'procdump'\n      - ' -ma '\n  condition: sel\n"),
                "c");
  rules.AddText(Rule("logon.network", "  service: security\n",
                     "  sel:\n    EventID: 4624\n    LogonType: 3\n  condition: sel\n"),
                "d");
  rules.AddText(Rule("privileges.debug", "  service: security\n",
                     "  sel:\n    EventID: 4672\n    PrivilegeList|contains: 'SeDebugPrivilege'\n  condition: sel\n"),
                "e");
  ASSERT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  auto pf = Prefilter::Build(rules.Covers(LogType::kEvtx), LogType::kEvtx);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  EventRuleOffer offer(rules, *pf.value());
  HsScratch hs;
  ASSERT_TRUE(pf.value()->AllocScratch(&hs).ok());
  EventRuleOffer::Scratch scratch;
  EventJsonParser parser;
  EventXml xml;
  EventRecord record;
  auto offered = [&](const std::string& json) {
    std::string why;
    EXPECT_TRUE(parser.Parse(json, &xml, &why)) << why;
    record.Reset(xml);
    std::set<std::string> ids;
    for (unsigned r : offer.Offered(record, hs, scratch)) ids.insert(rules.rules()[r]->id());
    for (unsigned r = 0; r < rules.rules().size(); ++r) {
      if (rules.rules()[r]->Matches(record)) EXPECT_TRUE(ids.count(rules.rules()[r]->id())) << json;
    }
    return ids;
  };
  using S = std::set<std::string>;
  const std::string sysmon = R"({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, )";
  const std::string security = R"({"Channel": "Security", )";
  for (int round = 0; round < 2; ++round) {  // the second round finds every source's database made
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "mimikatz.exe sekurlsa::logonpasswords"})"), S{"proc.mimikatz"});
    EXPECT_EQ(offered(sysmon + "\"CommandLine\": \"\xD0\x90" "dobe.exe /update\"}"), S{"proc.homoglyph"});
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "procdump -ma lsass.exe"})"), S{"proc.dump"});
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "procdump -accepteula"})"), S{});  // " -ma " missing
    EXPECT_EQ(offered(security + R"("EventID": 4688, "NewProcessName": "C:\\x.exe", "CommandLine": "x sekurlsa::"})"),
              S{"proc.mimikatz"});
    EXPECT_EQ(offered(security + R"("EventID": 4672, "PrivilegeList": "SeDebugPrivilege"})"), S{"privileges.debug"});
    // The 4672 database holds SeDebugPrivilege alone: the others' literals are not hits there.
    EXPECT_EQ(offered(security + R"("EventID": 4672, "PrivilegeList": "sekurlsa:: procdump -ma )"
                                 "\xD0\x90" R"("})"),
              S{});
    EXPECT_EQ(offered(security + R"("EventID": 4624, "LogonType": "3"})"), S{"logon.network"});
    EXPECT_EQ(offered(security + R"("EventID": 4624, "LogonType": "2", "X": "SeDebugPrivilege sekurlsa::"})"),
              S{"logon.network"});  // offered (no literal), does not match
    EXPECT_EQ(offered(R"({"Channel": "System", "EventID": 7036, "param1": "sekurlsa::"})"), S{});
  }
  // The worker's scratch still serves the prefilter's own database.
  EXPECT_EQ(hs_scan(pf.value()->database(), "sekurlsa::", 10, 0, hs.get(),
                    [](unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 0; }, nullptr),
            HS_SUCCESS);
}

// Events that each name a new channel (an attacker's file can): the task's
// cache of sources stays bounded, and the worker's scratch is grown once
// per database, not once per source.
TEST(EventRuleOffer, ANewChannelPerEventKeepsTheCacheBounded) {
  RuleSet rules;
  rules.AddText(Rule("any.keyword", "", "  keywords:\n    - 'evil-tool.exe'\n  condition: keywords\n"), "a");
  rules.AddText(Rule("privileges.debug", "  service: security\n",
                     "  sel:\n    EventID: 4672\n    PrivilegeList|contains: 'SeDebugPrivilege'\n  condition: sel\n"),
                "b");
  ASSERT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  auto pf = Prefilter::Build(rules.Covers(LogType::kEvtx), LogType::kEvtx);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  EventRuleOffer offer(rules, *pf.value());
  HsScratch hs;
  EventRuleOffer::Scratch scratch;
  EventJsonParser parser;
  EventXml xml;
  EventRecord record;
  auto offered = [&](const std::string& json) {
    std::string why;
    EXPECT_TRUE(parser.Parse(json, &xml, &why)) << why;
    record.Reset(xml);
    std::set<std::string> ids;
    for (unsigned r : offer.Offered(record, hs, scratch)) ids.insert(rules.rules()[r]->id());
    return ids;
  };
  using S = std::set<std::string>;
  EXPECT_EQ(offered(R"({"Channel": "Attacker-first", "EventID": 1, "X": "evil-tool.exe"})"), S{"any.keyword"});
  hs_scratch_t* grown = hs.get();  // from none: grown for the first database
  ASSERT_NE(grown, nullptr);
  for (int i = 0; i < 1000; ++i) {
    const std::string channel = "Attacker-" + std::to_string(i);
    EXPECT_EQ(offered(R"({"Channel": ")" + channel + R"(", "EventID": 4672, "X": "SeDebugPrivilege"})"), S{});
    EXPECT_EQ(offered(R"({"Channel": ")" + channel + R"(", "EventID": 1, "X": "evil-tool.exe"})"), S{"any.keyword"});
    ASSERT_LE(scratch.sources.size(), EventRuleOffer::Scratch::kMaxSources);
  }
  EXPECT_EQ(hs.get(), grown);
  EXPECT_EQ(offered(R"({"Channel": "Security", "EventID": 4672, "PrivilegeList": "SeDebugPrivilege"})"),
            S{"privileges.debug"});
}

// A caseless regex matches letters of other scripts in either case (RE2
// folds Unicode), where the prefilter's caseless literals fold ASCII only:
// its literal must not be of such letters, or the event is never offered.
TEST(EventRuleOffer, ACaselessRegexOfOtherLettersIsOfferedEitherCase) {
  RuleSet rules;
  rules.AddText(Rule("regex.flag", "  category: process_creation\n",
                     "  sel:\n    CommandLine|re|i: '\u0437\u0430\u043f\u0443\u0441\u043a-[0-9]+'\n  condition: sel\n"),
                "a");
  rules.AddText(Rule("regex.inline", "  category: process_creation\n",
                     "  sel:\n    CommandLine|re: '(?i)\u00e9tape-\u00e9largie'\n  condition: sel\n"),
                "b");
  ASSERT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  auto pf = Prefilter::Build(rules.Covers(LogType::kEvtx), LogType::kEvtx);
  ASSERT_TRUE(pf.ok()) << pf.status().message();
  EventRuleOffer offer(rules, *pf.value());
  HsScratch hs;
  EventRuleOffer::Scratch scratch;
  EventJsonParser parser;
  EventXml xml;
  EventRecord record;
  auto matched = [&](const std::string& command_line) {
    std::string why;
    std::string json = R"({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "CommandLine": ")" +
                       command_line + "\"}";
    EXPECT_TRUE(parser.Parse(json, &xml, &why)) << why;
    record.Reset(xml);
    std::set<std::string> ids;
    for (unsigned r : offer.Offered(record, hs, scratch))
      if (rules.rules()[r]->Matches(record)) ids.insert(rules.rules()[r]->id());
    return ids;
  };
  using S = std::set<std::string>;
  // "запуск-42" and "ЗАПУСК-42"; "étape-élargie" and "ÉTAPE-ÉLARGIE".
  EXPECT_EQ(matched("x \xD0\xB7\xD0\xB0\xD0\xBF\xD1\x83\xD1\x81\xD0\xBA-42"), S{"regex.flag"});
  EXPECT_EQ(matched("x \xD0\x97\xD0\x90\xD0\x9F\xD0\xA3\xD0\xA1\xD0\x9A-42"), S{"regex.flag"});
  EXPECT_EQ(matched("x \xC3\xA9tape-\xC3\xA9largie"), S{"regex.inline"});
  EXPECT_EQ(matched("x \xC3\x89TAPE-\xC3\x89LARGIE"), S{"regex.inline"});
  EXPECT_EQ(matched("x etape-elargie 42"), S{});
}

}  // namespace
}  // namespace exhunt
