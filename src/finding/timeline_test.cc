#include "finding/timeline.h"

#include <gtest/gtest.h>

#include "rule/sigma_rule.h"

namespace exhunt {
namespace {

std::shared_ptr<const RuleInfo> Rule(const std::string& id, const std::string& level, const std::string& outcome) {
  std::string yaml = "title: " + id + "\nid: " + id + "\nlevel: " + level +
                     (outcome.empty() ? "" : "\noutcome: " + outcome) +
                     "\nlogsource:\n  category: webserver\ndetection:\n  s:\n    A: 1\n  condition: s\n";
  return SigmaRule::Parse(yaml, "t").value()->info();
}

Finding At(std::shared_ptr<const RuleInfo> rule, const std::string& time, uint64_t line, const std::string& ip,
           const std::string& ua) {
  Finding f;
  f.rule = std::move(rule);
  f.time = ParseIsoTime(time);
  f.source.path = "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";
  f.source.position = line;
  f.keys = {{"client", ip}, {"user_agent", ua}, {"url", "/ecp/y.js"}};
  f.evidence = {{"cs-uri-stem", "/ecp/y.js"}};
  return f;
}

TEST(Timeline, OneLineUnderSeveralRulesIsOneEvent) {
  auto high = Rule("r.high", "high", "attempt");
  auto critical = Rule("r.critical", "critical", "compromise");
  auto low = Rule("r.low", "low", "probe");
  Finding a = At(high, "2021-03-03T06:49:43Z", 7, "203.0.113.7", "python-requests/2.25.1");
  Finding b = At(critical, "2021-03-03T06:49:43Z", 7, "203.0.113.7", "python-requests/2.25.1");
  b.evidence.emplace_back("sc-status", "200");
  Finding c = At(low, "2021-03-03T07:00:00Z", 9, "198.51.100.4", "zgrab/0.x");
  auto events = BuildTimeline({&a, &b, &c});
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].rules.size(), 2u);
  EXPECT_EQ(events[0].severity, Severity::kCritical);
  EXPECT_EQ(events[0].outcome, Outcome::kCompromise);
  EXPECT_EQ(events[0].evidence.size(), 2u);  // cs-uri-stem once, sc-status
  EXPECT_EQ(events[1].source.position, 9u);
}

TEST(Timeline, AttackersAreCountedPerEventWithFirstAndLastSeen) {
  auto attempt = Rule("r.a", "high", "attempt");
  auto other = Rule("r.b", "medium", "attempt");
  auto plain = Rule("user.plain", "high", "");  // no outcome: not the attacker's
  Finding a = At(attempt, "2021-03-03T06:00:00Z", 1, "203.0.113.7", "python-requests/2.25.1");
  Finding a2 = At(other, "2021-03-03T06:00:00Z", 1, "203.0.113.7", "python-requests/2.25.1");
  Finding b = At(attempt, "2021-03-05T08:00:00Z", 5, "203.0.113.7", "curl/7.68");
  Finding c = At(attempt, "2021-03-04T01:00:00Z", 3, "198.51.100.4", "curl/7.68");
  Finding admin = At(plain, "2021-03-06T01:00:00Z", 8, "10.0.0.9", "Mozilla/5.0");
  auto events = BuildTimeline({&a, &a2, &c, &b, &admin});
  AttackerSummary s = SummarizeAttackers(events);
  const auto& clients = s.by_key.at("client");
  ASSERT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients[0].value, "203.0.113.7");
  EXPECT_EQ(clients[0].events, 2u);  // two events, three findings
  EXPECT_EQ(FormatIsoTime(*clients[0].first), "2021-03-03T06:00:00.000Z");
  EXPECT_EQ(FormatIsoTime(*clients[0].last), "2021-03-05T08:00:00.000Z");
  EXPECT_EQ(clients[1].value, "198.51.100.4");
  EXPECT_EQ(s.by_key.at("user_agent")[0].value, "curl/7.68");
  EXPECT_EQ(s.by_key.at("url")[0].events, 3u);
}

}  // namespace
}  // namespace exhunt
