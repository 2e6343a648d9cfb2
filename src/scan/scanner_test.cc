#include "scan/scanner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <mutex>

#include "base/text.h"
#include "source/memory_file_system.h"
#include "test_util.h"

namespace exhunt {
namespace {

const std::string kIisHeader = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: " +
                               std::string(KindOf(LogType::kIisW3c).default_fields) + "\r\n";
const std::string kShell =
    "2021-03-04 01:02:03 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - 203.0.113.7 antSword/v2.1 - 200 0 0 40\r\n";
const std::string kProxyLog = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_1.LOG";
const std::string kInstallLogging = "Program Files/Microsoft/Exchange Server/V15/Logging/";

// Counts how often each path is opened.
class CountingFileSystem final : public FileSystem {
 public:
  explicit CountingFileSystem(FileSystem* base) : base_(base) {}
  Result<std::unique_ptr<MappedFile>> Open(const std::string& path) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++opens[path];
    return base_->Open(path);
  }
  Status List(const std::string& dir, std::vector<DirEntry>* out) override { return base_->List(dir, out); }
  Result<FileInfo> Stat(const std::string& path) override { return base_->Stat(path); }
  std::map<std::string, int> opens;

 private:
  FileSystem* base_;
  std::mutex mu_;
};

// Records the order of calls.
class OrderSink final : public ScanSink {
 public:
  void OnFinding(const Finding& f) override { calls.push_back("finding " + f.host); }
  void OnHost(const HostReport& h) override { calls.push_back("host " + h.host); }
  void OnError(const ScanError& e) override { calls.push_back("error " + e.path); }
  void End(const ScanStats&) override { calls.push_back("end"); }
  std::vector<std::string> calls;
};

// Scans `roots` of `fs` with the built-in rules.
ScanResult ScanRoots(FileSystem* fs, std::vector<std::string> roots, ScanOptions o = {}) {
  RuleSet rules;
  rules.AddBuiltin();
  o.roots = std::move(roots);
  Scanner scanner(fs, &rules, o);
  EXPECT_TRUE(scanner.Prepare().ok());
  return scanner.Scan();
}

TEST(Scanner, HostsStreamOneAfterAnother) {
  MemoryFileSystem fs;
  fs.AddFile("/c/A/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell);
  std::string damaged = kShell;
  damaged[40] = '\0';  // a candidate record with a NUL byte: reported, skipped
  fs.AddFile("/c/A/inetpub/logs/LogFiles/W3SVC1/u_ex2.log", kIisHeader + damaged);
  fs.AddFile("/c/B/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell + kShell);
  RuleSet rules;
  rules.AddBuiltin();
  ScanOptions o;
  o.roots = {"/c/A", "/c/B"};
  o.threads = 2;
  Scanner scanner(&fs, &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  OrderSink sink;
  ScanStats stats = scanner.Run(sink);
  // Runs of the same call collapsed: every finding of A, then A, then B's.
  std::vector<std::string> got;
  size_t findings_a = 0, findings_b = 0;
  for (const auto& c : sink.calls) {
    findings_a += c == "finding A";
    findings_b += c == "finding B";
    if (got.empty() || got.back() != c) got.push_back(c);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"finding A", "host A", "error inetpub/logs/LogFiles/W3SVC1/u_ex2.log",
                                           "finding B", "host B"}));
  EXPECT_GT(findings_a, 0u);
  EXPECT_EQ(findings_b, 2 * findings_a);  // B has the shell twice, A once (and a damaged file)
  EXPECT_EQ(stats.files, 3u);
  EXPECT_EQ(sink.calls.back(), "host B");  // End is the caller's
}

TEST(Scanner, NoEvidenceFileIsOpenedTwiceAndExposureUsesTheLogHeads) {
  MemoryFileSystem mem;
  std::string proxy =
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
      "#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: " +
      std::string(KindOf(LogType::kHttpProxy).default_fields) + "\r\n";
  mem.AddFile("/c/EXCH01/" + kProxyLog, proxy);
  mem.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell);
  // Known by its place, gzip by its bytes: unpacked from the scan's one open.
  mem.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex2.log",
              testing::Pack("raw", "gzip", {{"data", kIisHeader + kShell}}));
  CountingFileSystem fs(&mem);
  RuleSet rules;
  rules.AddBuiltin();
  auto table = ExposureTable::LoadBuiltin().value();
  ScanOptions o;
  o.roots = {"/c/EXCH01"};
  o.exposure_table = table.get();
  Scanner scanner(&fs, &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  ASSERT_EQ(r.hosts.size(), 1u);
  ASSERT_TRUE(r.hosts[0].exposure);
  ASSERT_TRUE(r.hosts[0].exposure->build);
  EXPECT_EQ(r.hosts[0].exposure->build->ToString(), "15.1.2176.2");
  EXPECT_EQ(r.hosts[0].exposure->build_name, table->Find(*ParseBuild("15.1.2176.2"))->release_name);
  for (const auto& [path, n] : fs.opens) EXPECT_EQ(n, 1) << path << " opened " << n << " times";
  EXPECT_EQ(fs.opens.count("/c/EXCH01/" + kProxyLog), 1u);
  std::set<std::string> found;
  for (const auto& f : r.findings) found.insert(f.source.path);
  EXPECT_TRUE(found.count("inetpub/logs/LogFiles/W3SVC1/u_ex2.log"));
}

TEST(Scanner, RootsGivenOneHostNameAreOneHost) {
  MemoryFileSystem fs;
  fs.AddFile("/c/part1/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell);
  fs.AddFile("/c/part2/inetpub/logs/LogFiles/W3SVC1/u_ex2.log", kIisHeader + kShell);
  RuleSet rules;
  rules.AddBuiltin();
  ScanOptions o;
  o.roots = {"/c/part1", "/c/part2"};
  o.host = "EXCH01";
  Scanner scanner(&fs, &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].host, "EXCH01");
  EXPECT_EQ(r.hosts[0].coverage[LogType::kIisW3c].files, 2u);
  o.roots = {"/c/part1"};
  Scanner one(&fs, &rules, o);
  ASSERT_TRUE(one.Prepare().ok());
  size_t per_root = one.Scan().findings.size();
  EXPECT_GT(per_root, 0u);
  EXPECT_EQ(r.findings.size(), 2 * per_root);
}

TEST(Scanner, FindingsOverThePerRuleLimitAreCountedNotKept) {
  MemoryFileSystem fs;
  std::string log = kIisHeader;
  for (int i = 0; i < 30; ++i) log += kShell;
  fs.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", log);
  RuleSet rules;
  rules.AddBuiltin();
  ScanOptions o;
  o.roots = {"/c/EXCH01"};
  o.max_findings_per_rule = 4;
  Scanner scanner(&fs, &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  std::map<std::string, int> listed;
  for (const auto& f : r.findings) ++listed[f.rule->id];
  ASSERT_FALSE(listed.empty());
  for (const auto& [rule, n] : listed) {
    EXPECT_EQ(n, 4) << rule;
    EXPECT_EQ(r.hosts[0].unlisted.at(rule), 26u) << rule;
  }
  // The 4 listed lines are 4 events whatever the number of rules on each;
  // unlisted findings cannot be joined into events and count one each.
  uint64_t total = 0;
  for (auto n : r.hosts[0].by_severity) total += n;
  EXPECT_EQ(total, 4u + 26u * listed.size());
  EXPECT_EQ(r.hosts[0].timeline.size(), 4u);
  EXPECT_EQ(r.hosts[0].timeline[0].rules.size(), listed.size());
}

// Past the per-rule limit, the findings kept are the first in evidence
// order (files in the host's order, lines in the file), on any number of
// threads and however the chunks of a large file are shared out: the same
// evidence lists the same findings, and the earliest are never lost.
TEST(Scanner, TheFindingsKeptPastTheLimitAreTheFirstInTheEvidence) {
  MemoryFileSystem fs;
  // Two logs of 3,000 attack lines each, one second apart, each line naming its number.
  auto log = [](int day) {
    std::string text = kIisHeader;
    for (int i = 0; i < 3000; ++i) {
      char line[256];
      std::snprintf(line, sizeof line,
                    "2021-03-%02d %02d:%02d:%02d 10.0.0.5 POST /aspnet_client/shell.aspx n=%d 443 - 203.0.113.7 "
                    "antSword/v2.1 - 200 0 0 40\r\n",
                    day, i / 3600, i / 60 % 60, i % 60, i);
      text += line;
    }
    return text;
  };
  fs.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", log(4));
  fs.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", log(5));
  RuleSet rules;
  rules.AddBuiltin();
  auto kept = [&](unsigned threads, size_t chunk_bytes) {
    ScanOptions o;
    o.roots = {"/c/EXCH01"};
    o.threads = threads;
    o.max_findings_per_rule = 1000;
    o.chunk_bytes = chunk_bytes;
    o.split_threshold = chunk_bytes;
    Scanner scanner(&fs, &rules, o);
    EXPECT_TRUE(scanner.Prepare().ok());
    ScanResult r = scanner.Scan();
    std::map<std::string, std::vector<std::string>> out;  // rule -> places kept
    for (const auto& f : r.findings) out[f.rule->id].push_back(f.source.ToString());
    for (const auto& [rule, places] : out) EXPECT_EQ(r.hosts[0].unlisted.at(rule), 6000u - 1000u) << rule;
    return out;
  };
  auto one = kept(1, size_t(1) << 30);
  ASSERT_FALSE(one.empty());
  for (const auto& [rule, places] : one) {
    ASSERT_EQ(places.size(), 1000u) << rule;
    // The first log's lines 3..1002 (1 and 2 are the header), in order.
    for (size_t i = 0; i < places.size(); ++i)
      EXPECT_EQ(places[i], "inetpub/logs/LogFiles/W3SVC1/u_ex210304.log:" + std::to_string(i + 3)) << rule;
  }
  for (int round = 0; round < 3; ++round) EXPECT_EQ(kept(2, 16 << 10), one) << "round " << round;
}

TEST(Scanner, AnUnreadableFileIsAnErrorAndTheRestIsScanned) {
  MemoryFileSystem mem;
  mem.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell);
  mem.AddFile("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex2.log", kIisHeader + kShell);
  FaultyFileSystem fs(&mem);
  fs.unreadable.insert("/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex2.log");
  ScanResult r = ScanRoots(&fs, {"/c/EXCH01"});
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, "inetpub/logs/LogFiles/W3SVC1/u_ex2.log");
  EXPECT_FALSE(r.findings.empty());
  EXPECT_EQ(r.stats.files, 1u);
}

TEST(Scanner, TwoRootsWithOneFolderNameAreTwoHosts) {
  MemoryFileSystem fs;
  fs.AddFile("/cases/a/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader + kShell);
  fs.AddFile("/cases/b/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", kIisHeader);
  ScanResult r = ScanRoots(&fs, {"/cases/a/EXCH01", "/cases/b/EXCH01/"});
  ASSERT_EQ(r.hosts.size(), 2u);
  EXPECT_EQ(r.hosts[0].host, "a/EXCH01");
  EXPECT_EQ(r.hosts[1].host, "b/EXCH01");
  EXPECT_NE(r.hosts[0].verdict, r.hosts[1].verdict);
}

TEST(Scanner, Utf16CrAndCompressedLogsAreRead) {
  MemoryFileSystem fs;
  const std::string dir = "/c/EXCH01/inetpub/logs/LogFiles/W3SVC1/";
  fs.AddFile(dir + "u_ex1.log", kIisHeader + kShell);
  fs.AddFile(dir + "u_ex2.log.gz", testing::Pack("raw", "gzip", {{"data", kIisHeader + kShell}}));
  // Known by its place, gzip by its bytes: unpacked from the scan's one open.
  fs.AddFile(dir + "u_ex3.log", testing::Pack("raw", "gzip", {{"data", kIisHeader + kShell}}));
  // The same log as PowerShell's Out-File writes it (UTF-16LE), with and
  // without a byte-order mark, and with CR alone ending its lines.
  std::string utf16;
  for (char c : kIisHeader + kShell) utf16 += std::string(1, c) + std::string(1, '\0');
  fs.AddFile(dir + "u_ex4.log", "\xff\xfe" + utf16);
  fs.AddFile(dir + "u_ex5.log", utf16);
  std::string cr = kIisHeader + kShell;  // CRLF line ends become CR alone
  cr.erase(std::remove(cr.begin(), cr.end(), '\n'), cr.end());
  fs.AddFile(dir + "u_ex6.log", cr);
  // Zip magic and nothing after it: listed, not dropped.
  fs.AddFile("/c/EXCH01/" + kInstallLogging + "HttpProxy/Owa/HttpProxy_1.LOG.zip", "PK\x03\x04...");
  fs.AddFile("/c/EXCH01/Users/x/holiday.jpg.gz", "\x1f\x8b");  // nothing like evidence
  ScanOptions o;
  o.unpack_dir = testing::Dir("scanner-packed");
  ScanResult r = ScanRoots(&fs, {"/c/EXCH01"}, o);
  ASSERT_EQ(r.hosts.size(), 1u);
  const HostReport& h = r.hosts[0];
  EXPECT_TRUE(h.skipped.empty());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].path, kInstallLogging + "HttpProxy/Owa/HttpProxy_1.LOG.zip");
  EXPECT_EQ(r.errors[0].message.rfind("compressed (zip) log cannot be unpacked", 0), 0u) << r.errors[0].message;
  // The shell line is found in each copy, on its own line number.
  std::map<std::string, std::set<uint64_t>> found;
  for (const auto& f : r.findings) found[f.source.path].insert(f.source.position);
  for (const char* name : {"u_ex1.log", "u_ex2.log.gz", "u_ex3.log", "u_ex4.log", "u_ex5.log", "u_ex6.log"})
    EXPECT_EQ(found["inetpub/logs/LogFiles/W3SVC1/" + std::string(name)], (std::set<uint64_t>{3})) << name;
  EXPECT_EQ(h.coverage.at(LogType::kIisW3c).files, 6u);
  EXPECT_EQ(r.stats.log_files, 6u);
  EXPECT_EQ(r.stats.files, 7u);  // and the picture, checked as a file
}

// An HttpProxy row with the given columns set (others empty).
std::string ProxyRow(const std::map<std::string, std::string>& set) {
  std::string row;
  bool first = true;
  for (auto name : Split(KindOf(LogType::kHttpProxy).default_fields, ',')) {
    if (!first) row += ',';
    first = false;
    auto it = set.find(std::string(name));
    if (it != set.end()) row += it->second;
  }
  return row + "\n";
}

TEST(Scanner, AStrayQuoteCostsItsRowAloneAndIsReported) {
  std::map<std::string, std::string> ssrf = {{"DateTime", "2021-03-03T06:49:43.699Z"},
                                             {"UrlStem", "/ecp/y.js"},
                                             {"AnchorMailbox", "ServerInfo~a]@ex01.corp.local:444/mapi/emsmdb/?#"},
                                             {"UserAgent", "python-requests/2.25.1"},
                                             {"HttpStatus", "200"}};
  std::string log = "#Log-type: HttpProxy Logs\n#Fields: " + std::string(KindOf(LogType::kHttpProxy).default_fields) +
                    "\n" + ProxyRow(ssrf);
  auto opened = ssrf;
  opened["UserAgent"] = "\"python-requests/2.25.1 broken";  // opens a quote
  log += ProxyRow(opened);
  for (int i = 0; i < 3; ++i) log += ProxyRow(ssrf);
  auto closing = ssrf;
  closing["UserAgent"] = "python-requests/2.25.1 stray\" quote";  // closes it four lines later
  log += ProxyRow(closing);
  MemoryFileSystem fs;
  fs.AddFile("/c/EXCH01/" + kProxyLog, log);
  ScanResult r = ScanRoots(&fs, {"/c/EXCH01"});
  std::set<uint64_t> lines;
  for (const auto& f : r.findings) lines.insert(f.source.position);
  EXPECT_EQ(lines, (std::set<uint64_t>{3, 4, 5, 6, 7, 8})) << r.findings.size();
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].message, "line 4: 1 record with an unterminated quote read as single lines");
}

}  // namespace
}  // namespace exhunt
