#include "reader/event_offer.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "reader/event_json.h"

namespace exhunt {
namespace {

std::string Rule(const std::string& id, const std::string& logsource, const std::string& detection) {
  return "title: t\nid: " + id + "\nlogsource:\n  product: windows\n" + logsource + "detection:\n" + detection +
         "level: high\n";
}

// Rules, their event prefilter and offer, and one worker's scratch (empty
// until an event's database grows it); events go in as JSON exports.
struct Harness {
  RuleSet rules;
  std::unique_ptr<Prefilter> pf;
  std::unique_ptr<EventRuleOffer> offer;
  HsScratch hs;
  EventRuleOffer::Scratch scratch;
  EventJsonParser parser;
  EventXml xml;
  EventRecord record;

  explicit Harness(const std::vector<std::string>& rule_texts) {
    for (size_t i = 0; i < rule_texts.size(); ++i) rules.AddText(rule_texts[i], "rule" + std::to_string(i));
    EXPECT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
    auto built = Prefilter::Build(rules.Covers(LogType::kEvtx), LogType::kEvtx);
    EXPECT_TRUE(built.ok()) << built.status().message();
    pf = std::move(built.value());
    offer = std::make_unique<EventRuleOffer>(rules, *pf);
  }
  // The ids of the rules offered the event; every rule that matches it must be one.
  std::set<std::string> Offered(const std::string& json) {
    std::string why;
    EXPECT_TRUE(parser.Parse(json, &xml, &why)) << why;
    record.Reset(xml);
    std::set<std::string> ids;
    for (unsigned r : offer->Offered(record, hs, scratch)) ids.insert(rules.rules()[r]->id());
    for (const auto& rule : rules.rules()) {
      if (rule->Matches(record)) EXPECT_TRUE(ids.count(rule->id())) << json;
    }
    return ids;
  }
  // The ids of the rules offered the event that match it.
  std::set<std::string> Matched(const std::string& json) {
    std::set<std::string> ids;
    for (const auto& id : Offered(json)) {
      for (const auto& rule : rules.rules())
        if (rule->id() == id && rule->Matches(record)) ids.insert(id);
    }
    return ids;
  }
};

using S = std::set<std::string>;

// Events of three kinds of source: Security 4672 offered through a
// database of its one rule's literal, process creation through the
// prefilter's whole database (its rules need nine tenths of the literals),
// Security 4624 with no scan at all (no rule with a literal). Every rule
// that matches an event is offered it, and only the rules of its source
// whose literals it holds are.
TEST(EventRuleOffer, EachSourceIsScannedForItsOwnRulesLiterals) {
  Harness h({Rule("proc.mimikatz", "  category: process_creation\n",
                  "  sel:\n    CommandLine|contains: 'sekurlsa::'\n  condition: sel\n"),
             Rule("proc.homoglyph", "  category: process_creation\n",
                  "  sel:\n    CommandLine|contains:\n      - \"\\u0410\"\n      - \"\\u0430\"\n  condition: sel\n"),
             Rule("proc.dump", "  category: process_creation\n",
                  "  sel:\n    CommandLine|contains|all:\n      - 'procdump'\n      - ' -ma '\n  condition: sel\n"),
             Rule("proc.tools", "  category: process_creation\n",
                  "  sel:\n    Image|endswith:\n      - '\\psexec.exe'\n      - '\\paexec.exe'\n      - '\\nc64.exe'\n"
                  "      - '\\plink.exe'\n      - '\\rclone.exe'\n      - '\\adfind.exe'\n      - '\\7za.exe'\n"
                  "      - '\\ngrok.exe'\n      - '\\chisel.exe'\n      - '\\wce.exe'\n  condition: sel\n"),
             Rule("logon.network", "  service: security\n",
                  "  sel:\n    EventID: 4624\n    LogonType: 3\n  condition: sel\n"),
             Rule("privileges.debug", "  service: security\n",
                  "  sel:\n    EventID: 4672\n    PrivilegeList|contains: 'SeDebugPrivilege'\n  condition: sel\n")});
  // Scratch made for the whole database, as a worker's that also reads text logs.
  ASSERT_TRUE(h.pf->AllocScratch(&h.hs).ok());
  auto offered = [&](const std::string& json) { return h.Offered(json); };
  const std::string sysmon = R"({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, )";
  const std::string security = R"({"Channel": "Security", )";
  for (int round = 0; round < 2; ++round) {  // the second round finds every source's database made
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "mimikatz.exe sekurlsa::logonpasswords"})"), S{"proc.mimikatz"});
    EXPECT_EQ(offered(sysmon + "\"CommandLine\": \"\xD0\x90"
                               "dobe.exe /update\"}"),
              S{"proc.homoglyph"});
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "procdump -ma lsass.exe"})"), S{"proc.dump"});
    EXPECT_EQ(offered(sysmon + R"("CommandLine": "procdump -accepteula"})"), S{});  // " -ma " missing
    EXPECT_EQ(offered(security + R"("EventID": 4688, "NewProcessName": "C:\\x.exe", "CommandLine": "x sekurlsa::"})"),
              S{"proc.mimikatz"});
    EXPECT_EQ(offered(security + R"("EventID": 4672, "PrivilegeList": "SeDebugPrivilege"})"), S{"privileges.debug"});
    // The 4672 database holds SeDebugPrivilege alone: the others' literals are not hits there.
    EXPECT_EQ(offered(security + R"("EventID": 4672, "PrivilegeList": "sekurlsa:: procdump -ma )"
                                 "\xD0\x90"
                                 R"("})"),
              S{});
    EXPECT_EQ(offered(security + R"("EventID": 4624, "LogonType": "3"})"), S{"logon.network"});
    EXPECT_EQ(offered(security + R"("EventID": 4624, "LogonType": "2", "X": "SeDebugPrivilege sekurlsa::"})"),
              S{"logon.network"});  // offered (no literal), does not match
    EXPECT_EQ(offered(R"({"Channel": "System", "EventID": 7036, "param1": "sekurlsa::"})"), S{});
  }
  // The worker's scratch still serves the prefilter's own database.
  EXPECT_EQ(hs_scan(
                h.pf->database(), "sekurlsa::", 10, 0, h.hs.get(),
                [](unsigned, unsigned long long, unsigned long long, unsigned, void*) { return 0; }, nullptr),
            HS_SUCCESS);
}

// Events that each name a new channel (an attacker's file can): the task's
// cache of sources stays bounded, and the worker's scratch is grown once
// per database, not once per source.
TEST(EventRuleOffer, ANewChannelPerEventKeepsTheCacheBounded) {
  Harness h({Rule("any.keyword", "", "  keywords:\n    - 'evil-tool.exe'\n  condition: keywords\n"),
             Rule("privileges.debug", "  service: security\n",
                  "  sel:\n    EventID: 4672\n    PrivilegeList|contains: 'SeDebugPrivilege'\n  condition: sel\n")});
  auto offered = [&](const std::string& json) { return h.Offered(json); };
  EXPECT_EQ(offered(R"({"Channel": "Attacker-first", "EventID": 1, "X": "evil-tool.exe"})"), S{"any.keyword"});
  hs_scratch_t* grown = h.hs.get();  // from none: grown for the first database
  ASSERT_NE(grown, nullptr);
  for (int i = 0; i < 1000; ++i) {
    const std::string channel = "Attacker-" + std::to_string(i);
    EXPECT_EQ(offered(R"({"Channel": ")" + channel + R"(", "EventID": 4672, "X": "SeDebugPrivilege"})"), S{});
    EXPECT_EQ(offered(R"({"Channel": ")" + channel + R"(", "EventID": 1, "X": "evil-tool.exe"})"), S{"any.keyword"});
    ASSERT_LE(h.scratch.sources.size(), EventRuleOffer::Scratch::kMaxSources);
  }
  EXPECT_EQ(h.hs.get(), grown);
  EXPECT_EQ(offered(R"({"Channel": "Security", "EventID": 4672, "PrivilegeList": "SeDebugPrivilege"})"),
            S{"privileges.debug"});
}

// A caseless regex matches letters of other scripts in either case (RE2
// folds Unicode), where the prefilter's caseless literals fold ASCII only:
// its literal must not be of such letters, or the event is never offered.
TEST(EventRuleOffer, ACaselessRegexOfOtherLettersIsOfferedEitherCase) {
  Harness h({Rule("regex.flag", "  category: process_creation\n",
                  "  sel:\n    CommandLine|re|i: '\u0437\u0430\u043f\u0443\u0441\u043a-[0-9]+'\n  condition: sel\n"),
             Rule("regex.inline", "  category: process_creation\n",
                  "  sel:\n    CommandLine|re: '(?i)\u00e9tape-\u00e9largie'\n  condition: sel\n")});
  auto matched = [&](const std::string& command_line) {
    return h.Matched(R"({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1, "CommandLine": ")" +
                     command_line + "\"}");
  };
  // "запуск-42" and "ЗАПУСК-42"; "étape-élargie" and "ÉTAPE-ÉLARGIE".
  EXPECT_EQ(matched("x \xD0\xB7\xD0\xB0\xD0\xBF\xD1\x83\xD1\x81\xD0\xBA-42"), S{"regex.flag"});
  EXPECT_EQ(matched("x \xD0\x97\xD0\x90\xD0\x9F\xD0\xA3\xD0\xA1\xD0\x9A-42"), S{"regex.flag"});
  EXPECT_EQ(matched("x \xC3\xA9tape-\xC3\xA9largie"), S{"regex.inline"});
  EXPECT_EQ(matched("x \xC3\x89TAPE-\xC3\x89LARGIE"), S{"regex.inline"});
  EXPECT_EQ(matched("x etape-elargie 42"), S{});
}

}  // namespace
}  // namespace exhunt
