#include "report/reporter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "finding/verdict.h"
#include "report/json_records.h"

#include <algorithm>

namespace exhunt {
namespace {

std::shared_ptr<RuleInfo> Rule(const std::string& id, Severity s) {
  auto r = std::make_shared<RuleInfo>();
  r->id = id;
  r->title = "Title of " + id;
  r->severity = s;
  r->outcome = Outcome::kExploit;
  r->cves = {"CVE-2021-26855"};
  r->attack = {"T1190"};
  return r;
}

Finding At(std::shared_ptr<RuleInfo> rule, uint64_t line, std::string value = "v") {
  Finding f;
  f.rule = std::move(rule);
  f.host = "EXCH01";
  f.time = ParseIsoTime("2021-03-03T06:49:43.699Z");
  f.source = {"logs/a.LOG", SourceRef::Kind::kLine, line};
  f.log_type = LogType::kHttpProxy;
  f.evidence = {{"AnchorMailbox", std::move(value)}};
  return f;
}

// Four findings on three lines: line 7 is seen by two rules.
std::vector<Finding> Findings() {
  auto high = Rule("r.high", Severity::kHigh);
  auto critical = Rule("r.critical", Severity::kCritical);
  std::vector<Finding> v = {At(high, 7, "ServerInfo~a]@x:444/\x1b[31m"), At(critical, 7), At(high, 9),
                            At(Rule("r.low", Severity::kLow), 8, "a,\"b\"")};
  v[3].keys = {{"client", "=cmd|' /C calc'!A0"}, {"user_agent", "python-requests/2.25.1"}};
  v[0].keys = v[1].keys = {{"client", "203.0.113.7"}, {"url", "/ecp/y.js"}};
  v[2].keys = {{"client", "203.0.113.7"}};
  v[2].evidence = {{"AnchorMailbox", std::string(500, 'A') + "\xc3\xa9" + std::string(100, 'B')}};
  std::sort(v.begin(), v.end(), FindingBefore);
  return v;
}

HostReport Host(const std::vector<Finding>& findings) {
  std::vector<const Finding*> refs;
  for (const auto& f : findings) refs.push_back(&f);
  HostCoverage cov;
  AddToCoverage(&cov.by_kind[LogType::kHttpProxy], 2048, ParseIsoTime("2021-03-01"), ParseIsoTime("2021-03-04"),
                {{*ParseIsoTime("2021-03-01"), *ParseIsoTime("2021-03-04")}});
  cov.by_family["httpproxy/ecp"] = cov.by_kind[LogType::kHttpProxy];
  return JudgeHost("EXCH01", refs, cov);
}

std::string Report(ReportFormat format, size_t max_events = 200, bool colour = false) {
  std::ostringstream out;
  ReportOptions options;
  options.format = format;
  options.max_events = max_events;
  options.colour = colour;
  auto rep = NewReporter(options, out);
  auto findings = Findings();
  rep->Begin(ScanInfo{{"/x/EXCH01"}});
  for (const auto& f : findings) rep->OnFinding(f);
  rep->OnHost(Host(findings));
  rep->OnError({"logs/b.LOG", "line 3: 1 record with NUL bytes skipped"});
  rep->End(ScanStats{1, 1, 2048, 10, 3, 0.5});
  return out.str();
}

TEST(JsonRecords, FindingAndSourceKinds) {
  Finding f = At(Rule("r.high", Severity::kHigh), 7);
  EXPECT_EQ(
      FindingJson(f),
      R"({"type":"finding","rule":"r.high","title":"Title of r.high","severity":"high","cves":["CVE-2021-26855"],)"
      R"("attack":["T1190"],"host":"EXCH01","time":"2021-03-03T06:49:43.699Z","source":{"path":"logs/a.LOG","line":7},)"
      R"("evidence":{"AnchorMailbox":"v"},"outcome":"exploit","log":"httpproxy"})");
  f.source.kind = SourceRef::Kind::kRecord;
  EXPECT_NE(FindingJson(f).find(R"("source":{"path":"logs/a.LOG","record":7})"), std::string::npos);
  f.source.kind = SourceRef::Kind::kFile;
  EXPECT_NE(FindingJson(f).find(R"("source":{"path":"logs/a.LOG"})"), std::string::npos);
}

TEST(JsonlReporter, StreamsFindingsHostEventsErrorsThenStats) {
  std::string all = Report(ReportFormat::kJsonl);
  std::istringstream lines(all);
  std::vector<std::string> types;
  for (std::string l; std::getline(lines, l);) types.push_back(l.substr(9, l.find('"', 9) - 9));
  EXPECT_EQ(types, (std::vector<std::string>{"finding", "finding", "finding", "finding", "host", "event", "event",
                                             "event", "error", "stats"}));
  EXPECT_NE(all.find(R"("coverage":{"httpproxy":{"files":1,"bytes":2048,"first":"2021-03-01T00:00:00.000Z")"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(R"("events":3,"findings_total":4)"), std::string::npos) << all;
  // One event per line: the line seen by two rules counts once, at its highest severity.
  EXPECT_NE(all.find(R"("findings":{"critical":1,"high":1,"medium":0,"low":1,"info":0})"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("rules":["r.critical","r.high"])"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("attackers":{"client":[{"value":"203.0.113.7","events":2,)"), std::string::npos) << all;
  EXPECT_NE(all.find(R"("next_steps":["1. )"), std::string::npos) << all;
  EXPECT_NE(all.find(R"({"type":"stats","files":1,"log_files":1,"bytes":2048,"records":10,"candidates":3,"seconds":0.500})"),
            std::string::npos);
  EXPECT_NE(all.find(R"(\u001b[31m)"), std::string::npos);  // escape bytes stay escaped
}

TEST(TextReporter, VerdictWhyAttackerNextStepsTimelineThenCoverage) {
  std::string text = Report(ReportFormat::kText);
  EXPECT_EQ(text.rfind("exhunt ", 0), 0u);
  EXPECT_NE(text.find("1 host, 1 log files, 0 other files, 2.0 KB"), std::string::npos) << text;
  size_t verdict = text.find("EXCH01: ATTEMPTED");
  size_t why = text.find("  - only attempts");
  size_t attacker = text.find("  attacker:\n    addresses        203.0.113.7 (2 events");
  size_t steps = text.find("  next steps:\n    1. ");
  size_t timeline = text.find("  timeline: 3 events from 4 findings (1 critical, 1 high, 0 medium, 1 low, 0 info)");
  size_t coverage = text.find("  logs read (per family");
  size_t errors = text.find("errors (1):");
  for (size_t at : {verdict, why, attacker, steps, timeline, coverage, errors}) ASSERT_NE(at, std::string::npos) << text;
  EXPECT_LT(verdict, why);
  EXPECT_LT(why, attacker);
  EXPECT_LT(attacker, steps);
  EXPECT_LT(steps, timeline);
  EXPECT_LT(timeline, coverage);
  EXPECT_LT(coverage, errors);
  // Line 7: one event, both rules under it.
  size_t line7 = text.find("logs/a.LOG:7\n");
  ASSERT_NE(line7, std::string::npos);
  EXPECT_LT(text.find("Title of r.critical", line7), text.find("logs/a.LOG:8", line7));
  EXPECT_LT(text.find("Title of r.high", line7), text.find("logs/a.LOG:8", line7));
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // no colour when not asked, no escapes from evidence
  // A long value is cut on a character boundary with a visible marker.
  EXPECT_NE(text.find(std::string(200, 'A') + "…[+"), std::string::npos);
}

TEST(TextReporter, ColourOnlyWhenAskedAndNeverFromEvidence) {
  std::string text = Report(ReportFormat::kText, 200, true);
  EXPECT_NE(text.find("\x1b[1;33mEXCH01: ATTEMPTED\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[1;31mCRITICAL"), std::string::npos);
  EXPECT_EQ(text.find("\x1b[31m\n"), std::string::npos);
  EXPECT_EQ(text.find("/\x1b[31m"), std::string::npos);  // the evidence's escape is not passed through
}

TEST(TextReporter, ListsAtMostMaxEventsAndSaysHowManyMore) {
  std::string text = Report(ReportFormat::kText, 1);
  EXPECT_NE(text.find("logs/a.LOG:7"), std::string::npos);
  EXPECT_EQ(text.find("logs/a.LOG:9"), std::string::npos);
  EXPECT_NE(text.find("... and 2 more events (use --format jsonl or csv for all)"), std::string::npos);
}

TEST(TextReporter, ShortenNeverCutsInsideACharacter) {
  EXPECT_EQ(ShortenForTerminal("short", 10), "short");
  std::string cut = ShortenForTerminal("ab\xc3\xa9" "cd", 3);  // the é spans bytes 2..3
  EXPECT_EQ(cut, "ab…[+4 bytes]");
  std::string escaped = ShortenForTerminal("a\x1b[31mzzzz", 2);  // ESC becomes U+FFFD (3 bytes)
  EXPECT_EQ(escaped.rfind("a…[+", 0), 0u) << escaped;
}

TEST(CsvReporter, TimesketchColumnsOneRowPerEventAndNoFormulas) {
  std::string csv = Report(ReportFormat::kCsv);
  EXPECT_EQ(csv.rfind("message,datetime,timestamp_desc,timestamp,host,severity,verdict,rules,", 0), 0u) << csv;
  size_t rows = 0;
  for (size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 4u);  // header + 3 events
  EXPECT_NE(csv.find("[critical] Title of r.critical; Title of r.high,2021-03-03T06:49:43.699Z,Event Recorded,"
                     "1614754183699000,EXCH01,critical,attempted,r.critical r.high,"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(",'=cmd|' /C calc'!A0,"), std::string::npos) << csv;  // neutralised, not a formula
  EXPECT_NE(csv.find("\"AnchorMailbox=a,\"\"b\"\"\""), std::string::npos) << csv;
}

TEST(HtmlReporter, EveryStringFromTheEvidenceIsInertMarkup) {
  // What an attacker can put in a log or a rule title: markup, a script
  // end tag, terminal escapes (colour, OSC 8 hyperlink), a spreadsheet
  // formula, line ends and bytes that are not UTF-8.
  const std::string hostile = "\"><img src=x onerror=alert(1)></script><script>alert(2)</script>"
                              "\x1b[31m\x1b]8;;http://evil/\x07link=HYPERLINK(\"http://evil\",\"x\")\n\xff\xfe";
  auto rule = Rule("r.<b>bold</b>", Severity::kHigh);
  rule->title = hostile;
  std::vector<Finding> findings = {At(rule, 3, hostile)};
  findings[0].host = "EXCH01\"><script>alert(3)</script>";
  findings[0].keys = {{"client", hostile}, {"user_agent", hostile}, {"url", hostile}};
  std::ostringstream out;
  ReportOptions options;
  options.format = ReportFormat::kHtml;
  auto rep = NewReporter(options, out);
  rep->Begin(ScanInfo{{"/x"}});
  for (const auto& f : findings) rep->OnFinding(f);
  std::vector<const Finding*> refs = {&findings[0]};
  rep->OnHost(JudgeHost(findings[0].host, refs, HostCoverage{}));
  rep->OnError({hostile, hostile, findings[0].host});
  rep->End(ScanStats{});
  const std::string html = out.str();
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_EQ(html.find("<b>bold"), std::string::npos);
  EXPECT_EQ(html.find("\x1b"), std::string::npos);
  EXPECT_EQ(html.find("\x07"), std::string::npos);
  EXPECT_EQ(html.find("\xff"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;alert(2)"),
            std::string::npos);
  EXPECT_NE(html.find("\xEF\xBF\xBD[31m\xEF\xBF\xBD]8;;http://evil/\xEF\xBF\xBDlink=HYPERLINK(&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("EXCH01&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"), std::string::npos);
  // One script element: the page's own.
  size_t scripts = 0;
  for (size_t p = html.find("<script"); p != std::string::npos; p = html.find("<script", p + 1)) ++scripts;
  EXPECT_EQ(scripts, 1u);
}

}  // namespace
}  // namespace exhunt
