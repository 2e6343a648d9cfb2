// Bad input loses nothing: every damaged file or line is reported and
// skipped, and the rest of the evidence is still scanned.
#include <gtest/gtest.h>

#include "test_util.h"

namespace exhunt::testing {
namespace {

const std::string kAttack =
    "2021-03-04 01:02:03 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - 203.0.113.7 antSword/v2.1 - 200 0 0 40";
const std::string kBenign = "2021-03-04 01:02:04 10.0.0.5 GET /owa/ - 443 - 198.51.100.1 Mozilla/5.0 - 200 0 0 4";
const std::string kLog = "inetpub/logs/LogFiles/W3SVC1/u_ex210304.log";

TEST(DamagedInput, NulBytesSkipTheLineOnly) {
  MemoryScan scan;
  std::string bad = kAttack;
  bad[30] = '\0';
  scan.Add(kLog, IisFile({bad, kAttack}));
  ScanResult r = scan.Run();
  EXPECT_TRUE(RulesAt(r, kLog, 5).empty());
  EXPECT_TRUE(RulesAt(r, kLog, 6).count("exchange.webshell.request_success"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, kLog);
  EXPECT_NE(r.errors[0].message.find("line 5"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("NUL"), std::string::npos);
}

TEST(DamagedInput, TenMegabyteLineIsReportedAndSkipped) {
  MemoryScan scan;
  std::string huge = "2021-03-04 01:02:03 10.0.0.5 GET /aspnet_client/" + std::string(10 << 20, 'A') + ".aspx";
  scan.Add(kLog, IisFile({kBenign, huge, kAttack}));
  ScanResult r = scan.Run();
  EXPECT_TRUE(RulesAt(r, kLog, 7).count("exchange.webshell.request_success"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("line 6"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("without a line end"), std::string::npos);
}

TEST(DamagedInput, BrokenCsvQuotingIsReadAsALineAndReported) {
  MemoryScan scan;
  std::string path = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG";
  std::string file = HttpProxyFile({});
  // The broken row holds a prefilter literal, so it is parsed: damage is seen
  // where exhunt reads, and rows without any candidate literal are never parsed.
  file += "2021-03-03T06:49:43.699Z,\"unterminated ServerInfo~,15,1\r\n";
  file += CsvRow(kHttpProxyFields, {{"DateTime", "2021-03-03T06:49:44.000Z"},
                                    {"AnchorMailbox", "ServerInfo~a]@x:444/mapi/emsmdb/?#"},
                                    {"HttpStatus", "200"}}) +
          "\r\n";
  scan.Add(path, file);
  ScanResult r = scan.Run();
  EXPECT_TRUE(RulesAt(r, path, 7).count("exchange.proxylogon.ssrf_anchor_mailbox"));
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_NE(r.errors[0].message.find("unterminated quote"), std::string::npos) << r.errors[0].message;
}

TEST(DamagedInput, HeaderWithoutRowsTruncatedLastLineAndInvalidUtf8) {
  MemoryScan scan;
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210301.log", IisFile({}));
  std::string truncated =
      IisFile({kBenign}) + kAttack.substr(0, kAttack.size() - 12);  // no line end, cut before the status
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", truncated);
  std::string utf8 = kAttack;
  utf8.replace(utf8.find("antSword"), 8, "ant\xFF\xFEword");
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", IisFile({utf8}));
  ScanResult r = scan.Run();
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.stats.files, 3u);
  // The truncated last line is still read: the shell request had no status yet.
  EXPECT_TRUE(RulesAt(r, "inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", 6).count("exchange.webshell.request_looking"));
  EXPECT_TRUE(RulesAt(r, "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", 5).count("exchange.webshell.request_success"));
}

TEST(DamagedInput, UnreadableVanishingAndTruncatedFiles) {
  MemoryScan scan;
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210301.log", IisFile({kAttack}));
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", IisFile({kAttack}));
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", IisFile({kBenign, kBenign, kBenign, kAttack}));
  scan.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", IisFile({kAttack}));
  FaultyFileSystem faulty(&scan.fs);
  faulty.unreadable.insert(scan.root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210301.log");
  faulty.vanishing.insert(scan.root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log");
  faulty.truncated.insert(scan.root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log");
  ScanOptions o;
  o.roots = {scan.root};
  Scanner scanner(&faulty, &scan.rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_NE(r.errors[0].message.find("Permission denied"), std::string::npos);
  EXPECT_NE(r.errors[1].message.find("No such file"), std::string::npos);
  EXPECT_TRUE(RulesAt(r, "inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", 5).count("exchange.webshell.request_success"));
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
}

TEST(DamagedInput, MissingRootIsAnErrorRecordNotACrash) {
  MemoryScan scan;
  ScanOptions o;
  o.roots = {"/nowhere"};
  ScanResult r = scan.Run(o);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kInsufficientEvidence);
}

TEST(Headers, MidFileHeaderChangeAndBom) {
  MemoryScan scan;
  // Block 1 has no user-agent column; block 2 reorders columns. Fields resolve by name.
  std::string file =
      "\xEF\xBB\xBF#Software: Microsoft Internet Information Services 10.0\r\n"
      "#Fields: date time cs-method cs-uri-stem cs-uri-query sc-status\r\n"
      "2021-03-04 01:00:00 POST /aspnet_client/a.aspx - 200\r\n"
      "#Fields: date time sc-status cs-uri-stem cs-method cs-uri-query\r\n"
      "2021-03-04 01:00:01 404 /aspnet_client/b.aspx GET -\r\n";
  scan.Add(kLog, file);
  ScanResult r = scan.Run();
  EXPECT_TRUE(RulesAt(r, kLog, 3).count("exchange.webshell.request_success"));
  EXPECT_TRUE(RulesAt(r, kLog, 5).count("exchange.webshell.request_looking"));
  EXPECT_TRUE(r.errors.empty());
}

TEST(Headers, CsvMultiLineQuotedFieldAndOldBuildRows) {
  MemoryScan scan;
  std::string path = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG";
  std::string file =
      "#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n"
      "#Fields: DateTime,UrlStem,AuthenticatedUser,AnchorMailbox,HttpStatus,GenericErrors\r\n"
      "2021-03-03T06:49:43.699Z,/ecp/y.js,,ServerInfo~a]@x:444/mapi/emsmdb/?#,200,\"multi\r\nline, with comma\"\r\n"
      "2021-03-03T06:49:44.000Z,/ecp/z.js,,ServerInfo~b]@x:444/mapi/emsmdb/?#\r\n";
  scan.Add(path, file);
  ScanResult r = scan.Run();
  EXPECT_TRUE(RulesAt(r, path, 4).count("exchange.proxylogon.ssrf_anchor_mailbox"));
  EXPECT_TRUE(RulesAt(r, path, 6).count("exchange.proxylogon.ssrf_anchor_mailbox"));
  EXPECT_TRUE(r.errors.empty());
}

TEST(Limits, NoisyRuleFindingsAreCountedBeyondTheLimit) {
  MemoryScan scan;
  std::vector<std::string> lines(50, kAttack);
  scan.Add(kLog, IisFile(lines));
  ScanOptions o;
  o.max_findings_per_rule = 20;
  ScanResult r = scan.Run(o);
  size_t listed = 0;
  for (const auto& f : r.findings) listed += f.rule->id == "exchange.webshell.request_success";
  EXPECT_EQ(listed, 20u);
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].unlisted.at("exchange.webshell.request_success"), 30u);
  EXPECT_EQ(r.hosts[0].by_severity[size_t(Severity::kCritical)], 50u);  // every one counted
}

// A large file is split into chunks that run on different threads; the
// findings, their line numbers and the header in force must not change.
TEST(Chunking, SplitFileGivesTheSameFindingsAsWholeFile) {
  MemoryScan scan;
  std::string file = IisFile({});
  std::vector<uint64_t> attack_lines;
  uint64_t line = 5;
  for (int i = 0; i < 4000; ++i, ++line) {
    if (i == 1500) {  // a header change mid-file: later rows put sc-status first
      file +=
          "#Fields: sc-status date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
          "cs(User-Agent) cs(Referer) sc-substatus sc-win32-status time-taken\r\n";
      ++line;
    }
    bool attack = i % 397 == 0;
    std::string row = attack ? kAttack : kBenign;
    if (i >= 1500) row = "200 " + row.substr(0, row.size() - 11) + " 0 0 40";
    file += row + "\r\n";
    if (attack) attack_lines.push_back(line);
  }
  scan.Add(kLog, file);
  ScanResult whole = scan.Run();
  ScanOptions split;
  split.chunk_bytes = 4096;
  split.split_threshold = 8192;
  split.threads = 3;
  ScanResult parts = scan.Run(split);
  auto key = [](const ScanResult& r) {
    std::vector<std::string> v;
    for (const auto& f : r.findings)
      v.push_back(std::to_string(f.source.position) + f.rule->id + FormatIsoTime(*f.time));
    return v;
  };
  EXPECT_EQ(key(whole), key(parts));
  std::vector<uint64_t> lines;
  for (const auto& f : whole.findings)
    if (f.rule->id == "exchange.webshell.request_success") lines.push_back(f.source.position);
  EXPECT_EQ(lines, attack_lines);
  EXPECT_EQ(whole.stats.records, parts.stats.records);
  EXPECT_EQ(whole.stats.records, 4000u);
}

}  // namespace
}  // namespace exhunt::testing
