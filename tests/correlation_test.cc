// Sigma correlation rules end to end: event_count, value_count, temporal and
// temporal_ordered over Windows events (a JSON export read by the scan),
// with group-by, aliases, timespan and generate; and what is refused.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "rule/correlation_rule.h"
#include "test_util.h"

namespace exhunt::testing {
namespace {

// One Security event in evtx_dump's JSON shape.
std::string Event(int id, const std::string& time, uint64_t record, const std::string& ip, const std::string& user) {
  return fmt::format(
      R"({{"Event":{{"System":{{"Provider":{{"#attributes":{{"Name":"Microsoft-Windows-Security-Auditing"}}}},)"
      R"("EventID":{},"TimeCreated":{{"#attributes":{{"SystemTime":"{}"}}}},"EventRecordID":{},)"
      R"("Channel":"Security","Computer":"EXCH01"}},"EventData":{{"IpAddress":"{}","TargetUserName":"{}",)"
      R"("LogonType":3}}}}}})",
      id, time, record, ip, user);
}

std::string At(int minute, int second) { return fmt::format("2021-03-02T10:{:02}:{:02}.000Z", minute, second); }

const char* kBaseRules = R"(title: Failed network logon
id: 7d0c6a3e-0001-4a5e-9a31-5f3c2b1d0001
name: failed_logon
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625, LogonType: 3}
  condition: selection
level: low
---
title: Successful network logon
id: 7d0c6a3e-0002-4a5e-9a31-5f3c2b1d0002
name: good_logon
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624, LogonType: 3}
  condition: selection
level: low
)";

struct Outcome {
  ScanResult result;
  std::vector<const Finding*> Of(const std::string& rule) const {
    std::vector<const Finding*> out;
    for (const auto& f : result.findings)
      if (f.rule->id == rule) out.push_back(&f);
    return out;
  }
};

Outcome Scan(const std::string& correlation, const std::vector<std::string>& events) {
  MemoryScan m;
  m.rules.AddText(std::string(kBaseRules) + "---\n" + correlation, "correlation_test.yml");
  for (const auto& e : m.rules.errors()) ADD_FAILURE() << e.status.message();
  std::string jsonl;
  for (const auto& e : events) jsonl += e + "\n";
  m.Add("export/security.jsonl", jsonl);
  return {m.Run()};
}

std::string Evidence(const Finding& f, const std::string& key) {
  for (const auto& [k, v] : f.evidence)
    if (k == key) return v;
  return "";
}

TEST(Correlation, EventCountFiresOncePerBurstPerGroupAndHidesItsBaseRule) {
  std::vector<std::string> events;
  uint64_t rec = 1;
  // 25 failures from one address in 2 minutes, 5 from another, then 25
  // more from the first an hour later (a second burst).
  for (int i = 0; i < 25; ++i)
    events.push_back(Event(4625, fmt::format("2021-03-02T10:{:02}:{:02}.000Z", i / 12, (i * 5) % 60), rec++,
                           "203.0.113.5", "administrator"));
  for (int i = 0; i < 5; ++i) events.push_back(Event(4625, At(1, i), rec++, "198.51.100.7", "bob"));
  for (int i = 0; i < 25; ++i) events.push_back(Event(4625, fmt::format("2021-03-02T11:30:{:02}.000Z", i), rec++, "203.0.113.5", "administrator"));
  Outcome r = Scan(R"(title: Password guessing from one address
id: 7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010
level: high
outcome: attempt
correlation:
  type: event_count
  rules: failed_logon
  group-by: [IpAddress]
  timespan: 5m
  condition: {gte: 20}
)", events);
  auto hits = r.Of("7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010");
  ASSERT_EQ(hits.size(), 2u);
  for (const Finding* f : hits) {
    EXPECT_EQ(Evidence(*f, "IpAddress"), "203.0.113.5");
    EXPECT_EQ(Evidence(*f, "events"), "20 (>= 20)");
    EXPECT_EQ(f->source.kind, SourceRef::Kind::kOffset);
    EXPECT_EQ(f->source.path, "export/security.jsonl");
  }
  // The 20th failure of each burst closes its window.
  EXPECT_EQ(FormatIsoTime(*hits[0]->time), "2021-03-02T10:01:35.000Z");
  EXPECT_EQ(FormatIsoTime(*hits[1]->time), "2021-03-02T11:30:19.000Z");
  // Without generate: true the base rule raises nothing of its own.
  EXPECT_TRUE(r.Of("7d0c6a3e-0001-4a5e-9a31-5f3c2b1d0001").empty());
  ASSERT_EQ(r.result.hosts.size(), 1u);
  EXPECT_EQ(r.result.hosts[0].verdict, Verdict::kAttempted);
}

TEST(Correlation, ValueCountCountsDistinctValuesAndGenerateKeepsTheBaseFindings) {
  std::vector<std::string> events;
  uint64_t rec = 1;
  // A spray: one address tries 12 accounts once each; another tries one
  // account 30 times.
  for (int i = 0; i < 12; ++i) events.push_back(Event(4625, At(2, i * 3), rec++, "192.0.2.44", fmt::format("user{}", i)));
  for (int i = 0; i < 30; ++i) events.push_back(Event(4625, At(3, i), rec++, "192.0.2.45", "alice"));
  Outcome r = Scan(R"(title: Password spray
id: 7d0c6a3e-0011-4a5e-9a31-5f3c2b1d0011
level: high
correlation:
  type: value_count
  rules: [failed_logon]
  group-by: [IpAddress]
  timespan: 10m
  generate: true
  condition: {field: TargetUserName, gte: 10}
)", events);
  auto hits = r.Of("7d0c6a3e-0011-4a5e-9a31-5f3c2b1d0011");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(Evidence(*hits[0], "IpAddress"), "192.0.2.44");
  EXPECT_EQ(Evidence(*hits[0], "distinct TargetUserName"), "10 (>= 10)");
  EXPECT_EQ(r.Of("7d0c6a3e-0001-4a5e-9a31-5f3c2b1d0001").size(), 42u);
}

const char* kTemporal = R"(title: Logon succeeded after failures
id: 7d0c6a3e-0012-4a5e-9a31-5f3c2b1d0012
level: high
correlation:
  type: {}
  rules: [failed_logon, good_logon]
  group-by: [source]
  aliases:
    source:
      failed_logon: IpAddress
      good_logon: IpAddress
  timespan: 10m
)";

TEST(Correlation, TemporalNeedsEveryRuleInTheWindowAndTemporalOrderedTheirOrder) {
  std::vector<std::string> events = {
      // 203.0.113.9: failure, then success 2 minutes later.
      Event(4625, At(10, 0), 1, "203.0.113.9", "svc"),
      Event(4624, At(12, 0), 2, "203.0.113.9", "svc"),
      // 203.0.113.10: success first, failure after.
      Event(4624, At(20, 0), 3, "203.0.113.10", "svc"),
      Event(4625, At(21, 0), 4, "203.0.113.10", "svc"),
      // 203.0.113.11: failure and success 30 minutes apart.
      Event(4625, At(30, 0), 5, "203.0.113.11", "svc"),
      Event(4624, "2021-03-02T11:00:00.000Z", 6, "203.0.113.11", "svc"),
  };
  auto groups = [](const Outcome& r, const std::string& id) {
    std::set<std::string> out;
    for (const Finding* f : r.Of(id)) out.insert(Evidence(*f, "source"));
    return out;
  };
  const std::string id = "7d0c6a3e-0012-4a5e-9a31-5f3c2b1d0012";
  Outcome any = Scan(fmt::format(fmt::runtime(kTemporal), "temporal"), events);
  EXPECT_EQ(groups(any, id), (std::set<std::string>{"203.0.113.9", "203.0.113.10"}));
  Outcome ordered = Scan(fmt::format(fmt::runtime(kTemporal), "temporal_ordered"), events);
  EXPECT_EQ(groups(ordered, id), (std::set<std::string>{"203.0.113.9"}));
  ASSERT_EQ(ordered.Of(id).size(), 1u);
  EXPECT_EQ(Evidence(*ordered.Of(id)[0], "window"), "2021-03-02T10:10:00.000Z .. 2021-03-02T10:12:00.000Z");
  EXPECT_EQ(Evidence(*ordered.Of(id)[0], "first event"), "export/security.jsonl@0");
}

TEST(Correlation, WhatCannotBeEvaluatedIsRefusedByName) {
  RuleSet rules;
  rules.AddText(std::string(kBaseRules) + R"(---
title: Unknown rule
id: 7d0c6a3e-0020-4a5e-9a31-5f3c2b1d0020
correlation: {type: event_count, rules: [no_such_rule], timespan: 5m, condition: {gte: 3}}
---
title: Only an upper bound
id: 7d0c6a3e-0021-4a5e-9a31-5f3c2b1d0021
correlation: {type: event_count, rules: [failed_logon], timespan: 5m, condition: {lt: 3}}
---
title: Bad timespan
id: 7d0c6a3e-0022-4a5e-9a31-5f3c2b1d0022
correlation: {type: event_count, rules: [failed_logon], timespan: soon, condition: {gte: 3}}
---
title: Value count without a field
id: 7d0c6a3e-0023-4a5e-9a31-5f3c2b1d0023
correlation: {type: value_count, rules: [failed_logon], timespan: 5m, condition: {gte: 3}}
---
title: Unknown type
id: 7d0c6a3e-0024-4a5e-9a31-5f3c2b1d0024
correlation: {type: sequence, rules: [failed_logon, good_logon], timespan: 5m}
)",
                "refused.yml");
  std::vector<std::string> messages;
  for (const auto& e : rules.errors()) messages.push_back(e.status.message());
  ASSERT_EQ(messages.size(), 5u) << ::testing::PrintToString(messages);
  auto said = [&](const std::string& what) {
    return std::any_of(messages.begin(), messages.end(),
                       [&](const std::string& m) { return m.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(said("names 'no_such_rule', which no loaded rule is called"));
  EXPECT_TRUE(said("only an upper bound"));
  EXPECT_TRUE(said("timespan must be like"));
  EXPECT_TRUE(said("needs condition.field"));
  EXPECT_TRUE(said("correlation type 'sequence'"));
  // Only the correlation whose rule is missing parsed; it takes no rule's
  // hits, so the base rules keep raising their own findings.
  EXPECT_EQ(rules.correlations().size(), 1u);
  EXPECT_FALSE(rules.FeedsOnly(0));
  EXPECT_TRUE(rules.CorrelationInputs(0).empty());
}

TEST(Correlation, TheWindowSlidesSoThatSpreadOutEventsNeverAddUp) {
  // 40 failures, one every 20 seconds: never 20 inside 5 minutes (15 at most).
  std::vector<std::string> events;
  for (int i = 0; i < 40; ++i)
    events.push_back(Event(4625, fmt::format("2021-03-02T10:{:02}:{:02}.000Z", (i * 20) / 60, (i * 20) % 60), uint64_t(i + 1),
                           "203.0.113.5", "administrator"));
  Outcome r = Scan(R"(title: Password guessing from one address
id: 7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010
correlation: {type: event_count, rules: failed_logon, group-by: [IpAddress], timespan: 5m, condition: {gte: 20}}
)", events);
  EXPECT_TRUE(r.Of("7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010").empty());
  // With a 7-minute span 20 fit (380 s from first to last): the first 20
  // make one window, the next 20 (380 s again) another.
  Outcome wider = Scan(R"(title: Password guessing from one address
id: 7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010
correlation: {type: event_count, rules: failed_logon, group-by: [IpAddress], timespan: 7m, condition: {gte: 20}}
)", events);
  auto hits = wider.Of("7d0c6a3e-0010-4a5e-9a31-5f3c2b1d0010");
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(Evidence(*hits[0], "window"), "2021-03-02T10:00:00.000Z .. 2021-03-02T10:06:20.000Z");
  EXPECT_EQ(Evidence(*hits[1], "window"), "2021-03-02T10:06:40.000Z .. 2021-03-02T10:13:00.000Z");
}

}  // namespace
}  // namespace exhunt::testing
