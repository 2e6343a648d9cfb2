// Fleets: many hosts in one scan give each host exactly what a scan of that
// host alone gives, plus the fleet summary; the fleet folder is told from a
// single host's triage folder; a host list names hosts explicitly.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "fleet_generator.h"
#include "source/fleet_layout.h"
#include "test_util.h"

namespace exhunt::testing {
namespace {

std::string HostOf(const std::string& line) {
  size_t at = line.find("\"host\":\"");
  if (at == std::string::npos) return "";
  at += 8;
  return line.substr(at, line.find('"', at) - at);
}

// The records of each host: findings, host record, events, skipped, errors.
std::map<std::string, std::vector<std::string>> ByHost(const std::string& jsonl) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& line : Lines(jsonl)) {
    if (line.starts_with("{\"type\":\"stats\"") || line.starts_with("{\"type\":\"fleet\"")) continue;
    out[HostOf(line)].push_back(line);
  }
  return out;
}

TEST(Fleet, EachHostOfAFleetScanIsWhatAScanOfThatHostAloneSays) {
  const std::string dir = Dir("fleet");
  gen::FleetOptions f;
  f.out = dir + "/FLEET";
  f.hosts = gen::FleetProfiles().size();
  f.seed = 7;
  auto fleet = gen::GenerateFleet(f);
  ASSERT_TRUE(fleet.ok()) << fleet.status().message();

  CliRun all = Exhunt("scan '" + f.out + "' --format jsonl --threads 2");
  ASSERT_EQ(all.status, 1) << all.err;
  EXPECT_NE(all.err.find("a fleet of " + std::to_string(f.hosts) + " hosts"), std::string::npos) << all.err;
  auto fleet_records = ByHost(all.out);
  std::map<std::string, size_t> verdicts;
  for (const auto& h : fleet.value()) {
    SCOPED_TRACE(h.host + " (" + h.profile + ")");
    CliRun one = Exhunt("scan '" + f.out + "/" + h.host + "' --format jsonl --threads 2");
    ASSERT_NE(one.status, 2) << one.err;
    auto alone = ByHost(one.out);
    ASSERT_EQ(alone.count(h.host), 1u);
    // Findings, host record (verdict, coverage, windows, exposure), events,
    // skipped files and errors: the same, record for record.
    EXPECT_EQ(fleet_records[h.host], alone[h.host]);
    std::string verdict;
    for (const auto& line : alone[h.host])
      if (line.starts_with("{\"type\":\"host\""))
        verdict = line.substr(line.find("\"verdict\":\"") + 11, line.find('"', line.find("\"verdict\":\"") + 11) -
                                                                    line.find("\"verdict\":\"") - 11);
    EXPECT_EQ(verdict, h.verdict);
    verdicts[h.verdict]++;
  }
  // The fleet record sums the hosts up.
  std::string summary;
  for (const auto& line : Lines(all.out))
    if (line.starts_with("{\"type\":\"fleet\"")) summary = line;
  ASSERT_FALSE(summary.empty());
  EXPECT_NE(summary.find("\"hosts\":" + std::to_string(f.hosts)), std::string::npos) << summary;
  for (const auto& [verdict, n] : verdicts)
    EXPECT_NE(summary.find("\"" + verdict + "\":" + std::to_string(n)), std::string::npos) << verdict << " " << summary;
  // Every host is open to ProxyLogon (all run 2016 CU19 RTM).
  EXPECT_NE(summary.find("\"CVE-2021-26855\":" + std::to_string(f.hosts)), std::string::npos) << summary;
}

TEST(Fleet, AHostListNamesTheHostsAndAMissingOneIsAnErrorNotASilentGap) {
  const std::string dir = Dir("hosts-from");
  const std::string example = std::string(EXHUNT_SOURCE_DIR) + "/examples/EXCH01";
  Write(dir + "/hosts.txt", "# name <TAB> path\nmail-a\t" + example + "\n\nmail-b\t" + example +
                                "\nmail-c\tmissing/EXCH09\n");
  CliRun r = Exhunt("scan --hosts-from '" + dir + "/hosts.txt' --format jsonl --quiet");
  ASSERT_EQ(r.status, 1) << r.err;
  auto hosts = ByHost(r.out);
  EXPECT_TRUE(hosts.count("mail-a"));
  EXPECT_TRUE(hosts.count("mail-b"));
  EXPECT_NE(r.out.find("\"host\":\"mail-a\",\"verdict\":\"compromised\""), std::string::npos);
  EXPECT_NE(r.out.find("\"host\":\"mail-b\",\"verdict\":\"compromised\""), std::string::npos);
  EXPECT_NE(r.out.find("listed host not scanned"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("missing/EXCH09: no such file or directory"), std::string::npos) << r.err;
}

TEST(FleetLayout, AFleetFolderIsToldFromOneHostsTriageFolder) {
  MemoryFileSystem fs;
  // Two servers' drives side by side, and a stray note.
  fs.AddFile("/fleet/EXCH01/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", "#Fields: date\n");
  fs.AddFile("/fleet/EXCH02/Program Files/Microsoft/Exchange Server/V15/Bin/ExSetup.exe", "MZ");
  fs.AddFile("/fleet/EXCH03/C/Windows/System32/winevt/Logs/Security.evtx", "ElfFile");
  fs.AddFile("/fleet/notes.txt", "which servers");
  EXPECT_TRUE(LooksLikeFleet(&fs, "/fleet"));
  std::vector<ScanError> problems;
  auto members = FleetMembers(&fs, "/fleet", &problems);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].name, "EXCH01");
  EXPECT_EQ(members[2].path, "/fleet/EXCH03");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].path, "notes.txt");
  // One host each: a drive, a triage folder with its drive letters, a
  // single host beside nothing else.
  EXPECT_FALSE(LooksLikeFleet(&fs, "/fleet/EXCH01"));
  fs.AddFile("/triage/C/Windows/System32/winevt/Logs/Security.evtx", "ElfFile");
  fs.AddFile("/triage/D/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_1.LOG", "#Fields: x\n");
  EXPECT_FALSE(LooksLikeFleet(&fs, "/triage"));
  fs.AddFile("/lonely/EXCH01/inetpub/logs/x.log", "");
  EXPECT_FALSE(LooksLikeFleet(&fs, "/lonely"));
}

TEST(FleetLayout, VelociraptorCollectionsAreNamedAfterTheHostTheyRecord) {
  MemoryFileSystem fs;
  // Collections copied out of Velociraptor: an offline collector's folder
  // with its client_info.json, and the server's own layout for a client.
  fs.AddFile("/hunt/F.CQ1/client_info.json", R"({"ClientId":"C.1","Hostname":"MAIL-EU-01","OS":"windows"})");
  fs.AddFile("/hunt/F.CQ1/uploads/auto/C%3A/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log", "#Fields: date\n");
  fs.AddFile("/hunt/C.2f3e/collections/F.CQ2/uploads/auto/C%3A/Windows/System32/winevt/Logs/System.evtx", "ElfFile");
  // An offline collector's zip.
  fs.AddFile("/hunt/Collection-EXCH09-2024-05-01T10_00_00Z.zip", std::string("PK\x03\x04", 4) + std::string(60, '\0'));
  EXPECT_TRUE(LooksLikeFleet(&fs, "/hunt"));
  std::vector<ScanError> problems;
  auto members = FleetMembers(&fs, "/hunt", &problems);
  ASSERT_EQ(members.size(), 3u);
  EXPECT_EQ(members[0].name, "C.2f3e");
  EXPECT_EQ(members[1].name, "EXCH09");
  EXPECT_EQ(members[2].name, "MAIL-EU-01");
  EXPECT_EQ(members[2].path, "/hunt/F.CQ1");
  EXPECT_TRUE(problems.empty());
}

}  // namespace
}  // namespace exhunt::testing

namespace exhunt::testing {
namespace {

// Hosts of one small log each finish while the next are still being
// started: every host is reported once, in the order given, whole.
TEST(Fleet, ManyTinyHostsAreEachReportedOnceInOrder) {
  MemoryFileSystem fs;
  RuleSet rules;
  rules.AddBuiltin();
  ScanOptions o;
  o.threads = 2;
  const int hosts = 300;
  for (int i = 0; i < hosts; ++i) {
    const std::string root = "/fleet/H" + std::to_string(1000 + i);
    fs.AddFile(root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log",
               IisFile({"2021-03-02 10:00:00 10.0.0.5 POST /ecp/y.js - 443 - 104.248.49.97 python-requests/2.25.1 - "
                        "200 0 0 12"}));
    o.roots.push_back(root);
  }
  Scanner scanner(&fs, &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  ASSERT_EQ(r.hosts.size(), size_t(hosts));
  for (int i = 0; i < hosts; ++i) EXPECT_EQ(r.hosts[size_t(i)].host, "H" + std::to_string(1000 + i));
  // Each host's findings came before its host record and name it.
  std::map<std::string, size_t> findings;
  for (const auto& f : r.findings) findings[f.host]++;
  ASSERT_EQ(findings.size(), size_t(hosts));
  for (const auto& [host, n] : findings) EXPECT_EQ(n, findings.begin()->second) << host;
  EXPECT_GT(findings.begin()->second, 0u);
  EXPECT_EQ(r.stats.files, uint64_t(hosts));
}

}  // namespace
}  // namespace exhunt::testing
