#include "report/reporter.h"

#include <gtest/gtest.h>

#include <sstream>

#include "report/json_records.h"

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

HostReport Host() {
  HostReport h;
  h.host = "EXCH01";
  h.verdict = Verdict::kAttempted;
  h.by_severity[size_t(Severity::kHigh)] = 3;
  h.reasons = {"why"};
  h.coverage[LogType::kHttpProxy] = Coverage{2, 2048, ParseIsoTime("2021-03-01"), ParseIsoTime("2021-03-04")};
  return h;
}

std::string Report(ReportFormat format, size_t max_per_rule = 20) {
  std::ostringstream out;
  auto rep = NewReporter({format, max_per_rule}, out);
  auto high = Rule("r.high", Severity::kHigh);
  rep->Begin(ScanInfo{{"/x/EXCH01"}});
  rep->OnFinding(At(high, 7, "ServerInfo~a]@x:444/\x1b[31m"));
  rep->OnFinding(At(high, 9));
  rep->OnFinding(At(Rule("r.low", Severity::kLow), 8, "a,\"b\""));
  rep->OnHost(Host());
  rep->OnError({"logs/b.LOG", "line 3: 1 record with NUL bytes skipped"});
  rep->End(ScanStats{1, 2048, 10, 3, 0.5});
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

TEST(JsonlReporter, StreamsFindingsHostErrorsThenStats) {
  std::istringstream lines(Report(ReportFormat::kJsonl));
  std::vector<std::string> types;
  for (std::string l; std::getline(lines, l);) types.push_back(l.substr(0, l.find(',')));
  EXPECT_EQ(types, (std::vector<std::string>{R"({"type":"finding")", R"({"type":"finding")", R"({"type":"finding")",
                                             R"({"type":"host")", R"({"type":"error")", R"({"type":"stats")"}));
  std::string all = Report(ReportFormat::kJsonl);
  EXPECT_NE(all.find(R"("coverage":{"httpproxy":{"files":2,"bytes":2048,"first":"2021-03-01T00:00:00.000Z")"),
            std::string::npos);
  EXPECT_NE(all.find(R"({"type":"stats","files":1,"bytes":2048,"records":10,"candidates":3,"seconds":0.500})"),
            std::string::npos);
  EXPECT_NE(all.find(R"(\u001b[31m)"), std::string::npos);  // escape bytes stay escaped
}

TEST(TextReporter, SummaryFirstThenFindingsByRuleMostSevereFirst) {
  std::string text = Report(ReportFormat::kText);
  EXPECT_EQ(text.rfind("exhunt ", 0), 0u);
  EXPECT_NE(text.find("1 host, 1 log files, 2.0 KB"), std::string::npos) << text;
  size_t verdict = text.find("EXCH01: ATTEMPTED");
  size_t high = text.find("[HIGH] Title of r.high (2 findings)");
  size_t low = text.find("[LOW] Title of r.low (1 finding)");
  size_t errors = text.find("errors (1):");
  ASSERT_NE(verdict, std::string::npos);
  ASSERT_NE(high, std::string::npos);
  ASSERT_NE(low, std::string::npos);
  EXPECT_LT(verdict, high);
  EXPECT_LT(high, low);
  EXPECT_LT(low, errors);
  EXPECT_NE(text.find("logs/a.LOG:7"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);  // no terminal escapes from evidence
  EXPECT_NE(text.find("httpproxy"), std::string::npos);
}

TEST(TextReporter, ListsAtMostMaxPerRuleAndSaysHowManyMore) {
  std::string text = Report(ReportFormat::kText, 1);
  EXPECT_NE(text.find("logs/a.LOG:7"), std::string::npos);
  EXPECT_EQ(text.find("logs/a.LOG:9"), std::string::npos);
  EXPECT_NE(text.find("... and 1 more (use --format jsonl for all)"), std::string::npos);
}

TEST(CsvReporter, HeaderAndOneQuotedRowPerFinding) {
  std::string csv = Report(ReportFormat::kCsv);
  EXPECT_EQ(csv.rfind("host,severity,rule,title,cves,attack,outcome,time,path,line,evidence\r\n", 0), 0u);
  EXPECT_NE(csv.find("EXCH01,low,r.low,Title of r.low,CVE-2021-26855,T1190,exploit,2021-03-03T06:49:43.699Z,"
                     "logs/a.LOG,8,\"AnchorMailbox=a,\"\"b\"\"\"\r\n"),
            std::string::npos)
      << csv;
  size_t rows = 0;
  for (size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 4u);
}

}  // namespace
}  // namespace exhunt
