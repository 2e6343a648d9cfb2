// Golden tests on the third-party log samples in ../shared/corpus/logs, read
// at run time. Every sample must be recognised as the right log type, parse
// without error records, and yield exactly the findings listed here.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include "scan/scanner.h"
#include "source/discovery.h"
#include "test_util.h"

namespace exhunt::testing {
namespace {

struct Expected {
  LogType type;
  // Coverage start: the earlier of the first and the last record (rows are
  // not always in time order), ISO; "" if not checked.
  std::string first;
  uint64_t records;
};

// Type, first record time and data-line count of every sample, from reading the files.
const std::map<std::string, Expected>& ExpectedFiles() {
  static const std::map<std::string, Expected> m = {
      {"exchange-format-examples/extracted/AgentLog20220913-1.LOG",
       {LogType::kExchangeCsv, "2022-09-13T14:38:59.177Z", 2}},
      {"exchange-format-examples/extracted/Autodiscover__HttpProxy_2023010919-1.LOG",
       {LogType::kHttpProxy, "2023-01-09T19:00:00.130Z", 1}},
      {"exchange-format-examples/extracted/ECPActivity_11500_20230111-1.LOG",
       {LogType::kEcpActivity, "2023-01-10T00:47:12.020Z", 2}},
      {"exchange-format-examples/extracted/ECPServer20230111-1.LOG",
       {LogType::kEcpServer, "2023-01-11T00:02:33.966Z", 1}},
      {"exchange-format-examples/extracted/Eas__HttpProxy_2023011116-1.LOG",
       {LogType::kHttpProxy, "2023-01-11T16:06:06.997Z", 1}},
      {"exchange-format-examples/extracted/Ecp__HttpProxy_2023010611-1.LOG",
       {LogType::kHttpProxy, "2023-01-06T11:47:32.435Z", 1}},
      {"exchange-format-examples/extracted/Ews_2023010616-1.LOG",
       {LogType::kExchangeCsv, "2023-01-06T16:00:06.410Z", 1}},
      {"exchange-format-examples/extracted/Ews__HttpProxy_2023010601-1.LOG", {LogType::kHttpProxy, "", 0}},
      {"exchange-format-examples/extracted/MSGTRKMS2022091915-1.LOG", {LogType::kExchangeCsv, "", 0}},
      {"exchange-format-examples/extracted/Mapi__HttpProxy_2023010601-1.LOG",
       {LogType::kHttpProxy, "2023-01-06T01:00:04.124Z", 0}},
      {"exchange-format-examples/extracted/Owa__HttpProxy_2023010602-1.LOG",
       {LogType::kHttpProxy, "2023-01-06T02:20:32.841Z", 1}},
      {"exchange-format-examples/extracted/PowerShell__HttpProxy_2023011116-1.LOG",
       {LogType::kHttpProxy, "2023-01-11T16:01:44.205Z", 0}},
      {"exchange-format-examples/extracted/RECV2023011116-1.LOG",
       {LogType::kExchangeCsv, "2023-01-11T15:59:51.433Z", 0}},
      {"exchange-format-examples/extracted/Rps_Cmdlet_2023011116-1.LOG",
       {LogType::kExchangeCsv, "2023-01-11T01:01:19.898Z", 0}},
      {"exchange-format-examples/extracted/RpcHttp__HttpProxy_2023010708-1.LOG",
       {LogType::kHttpProxy, "2023-01-07T08:39:45.725Z", 1}},
      {"exchange-format-examples/extracted/audit20230111-1.LOG",
       {LogType::kExchangeCsv, "2023-01-11T15:56:33.189Z", 0}},
      {"iis-benign-plaso/iis10.log", {LogType::kIisW3c, "2021-04-01T00:00:21.000Z", 1}},
      {"iis-benign-plaso/iis10_cookies.log", {LogType::kIisW3c, "2021-04-01T00:00:21.000Z", 3}},
      {"iis-benign-plaso/iis10_edge_cases.log", {LogType::kIisW3c, "2022-01-01T00:01:24.000Z", 15}},
      {"iis-benign-plaso/iis6.log", {LogType::kIisW3c, "2013-07-30T00:00:00.000Z", 0}},
      {"iis-benign-plaso/iis7_owa.log", {LogType::kIisW3c, "2015-01-01T22:16:03.000Z", 3}},
      {"iis-benign-plaso/iis7_sqli.log", {LogType::kIisW3c, "2015-10-16T13:01:02.000Z", 2}},
      {"iis-benign-plaso/iis_without_date.log", {LogType::kIisW3c, "2013-07-30T00:00:00.000Z", 0}},
      {"crossline-yara-pitfall/fp.log", {LogType::kIisW3c, "2022-09-29T10:11:12.000Z", 2}},
      {"crossline-yara-pitfall/fp2.log", {LogType::kIisW3c, "2022-09-29T10:11:12.000Z", 2}},
      {"crossline-yara-pitfall/mixed.log", {LogType::kIisW3c, "2022-09-29T10:11:12.000Z", 2}},
      {"crossline-yara-pitfall/only.log", {LogType::kIisW3c, "2022-09-29T10:11:12.000Z", 1}},
  };
  return m;
}

TEST(CorpusGolden, EverySampleIsRecognised) {
  EXHUNT_REQUIRE_SHARED(kCorpus, "corpus/logs");
  auto fs = NewPosixFileSystem();
  DiscoveredTree tree = Discover(fs.get(), kCorpus);
  EXPECT_TRUE(tree.errors.empty());
  std::map<std::string, LogType> found;
  for (const auto& f : tree.logs) found[f.rel_path] = f.type;
  for (const auto& [path, exp] : ExpectedFiles()) {
    ASSERT_TRUE(found.count(path)) << path << " was not recognised as a log";
    EXPECT_EQ(LogTypeName(found[path]), LogTypeName(exp.type)) << path;
  }
}

// One test per sample file: it scans alone, without error records, and its
// first record's time is read through the header.
class CorpusFile : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusFile, ParsesWithoutErrors) {
  EXHUNT_REQUIRE_SHARED(kCorpus, "corpus/logs");
  const Expected& exp = ExpectedFiles().at(GetParam());
  ScanResult r = ScanPath(kCorpus + "/" + GetParam());
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].path << ": " << r.errors[0].message;
  EXPECT_EQ(r.stats.files, 1u);
  ASSERT_EQ(r.hosts.size(), 1u);
  ASSERT_EQ(r.hosts[0].coverage.size(), 1u);
  const Coverage& cov = r.hosts[0].coverage.begin()->second;
  EXPECT_EQ(r.hosts[0].coverage.begin()->first, exp.type);
  if (!exp.first.empty()) {
    ASSERT_TRUE(cov.first) << "no record time read";
    EXPECT_EQ(FormatIsoTime(*cov.first), exp.first);
  }
  if (exp.records) {
    EXPECT_EQ(r.stats.records, exp.records);
  }
}

std::vector<std::string> AllSamples() {
  std::vector<std::string> v;
  for (const auto& [p, e] : ExpectedFiles()) v.push_back(p);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Logs, CorpusFile, ::testing::ValuesIn(AllSamples()), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
});

TEST(CorpusGolden, FindingsOverTheWholeCorpus) {
  EXHUNT_REQUIRE_SHARED(kCorpus, "corpus/logs");
  ScanResult r = ScanPath(kCorpus);
  std::multiset<std::string> got;
  for (const auto& f : r.findings)
    got.insert(f.source.path + ":" + std::to_string(f.source.position) + " " + f.rule->id);
  // The crossline fixtures: the ProxyNotShell line is a medium finding where
  // it was answered 200 (only.log, mixed.log), whatever its neighbours;
  // the 401 and 500 lines are low; the 404/200 neighbours are nothing.
  // The zgrab export-tool fetch in the Ecp HttpProxy sample is a probe.
  std::multiset<std::string> want = {
      "crossline-yara-pitfall/fp.log:1 exchange.proxynotshell.protocol_powershell_failed",
      "crossline-yara-pitfall/fp.log:1 exchange.scanner.autodiscover_probe",
      "crossline-yara-pitfall/fp2.log:1 exchange.proxynotshell.protocol_powershell_failed",
      "crossline-yara-pitfall/fp2.log:1 exchange.scanner.autodiscover_probe",
      "crossline-yara-pitfall/mixed.log:2 exchange.proxynotshell.protocol_powershell",
      "crossline-yara-pitfall/mixed.log:2 exchange.scanner.autodiscover_probe",
      "crossline-yara-pitfall/only.log:2 exchange.proxynotshell.protocol_powershell",
      "crossline-yara-pitfall/only.log:2 exchange.scanner.autodiscover_probe",
      "exchange-format-examples/extracted/Ecp__HttpProxy_2023010611-1.LOG:6 exchange.scanner.exporttool_fingerprint",
  };
  EXPECT_EQ(got, want);
  EXPECT_TRUE(r.errors.empty());
}

}  // namespace
}  // namespace exhunt::testing

namespace exhunt::testing {
namespace {

// The plaso IIS samples hold records from 2013, 2015, 2021-04-01 and
// 2022-01-01 (read from the files): they start before every window, but no
// record lies inside the ProxyShell or ProxyNotShell window, so the host is
// not clean, whatever the first record's date.
TEST(CorpusGolden, IisSamplesWithNothingInsideTheWindowsAreInsufficient) {
  EXHUNT_REQUIRE_SHARED(kCorpus, "corpus/logs");
  ScanResult r = ScanPath(kCorpus + "/iis-benign-plaso");
  ASSERT_EQ(r.hosts.size(), 1u);
  const HostReport& h = r.hosts[0];
  EXPECT_TRUE(r.findings.empty());
  EXPECT_EQ(h.verdict, Verdict::kInsufficientEvidence);
  const Coverage& iis = h.families.at("iis");
  EXPECT_EQ(FormatIsoTime(*iis.first), "2013-07-30T00:00:00.000Z");
  ASSERT_EQ(h.windows.size(), 4u);
  for (const auto& w : h.windows) {
    EXPECT_FALSE(w.covered) << w.campaign;
    if (w.campaign == "ProxyShell" || w.campaign == "ProxyNotShell") {
      ASSERT_EQ(w.gaps.size(), 1u) << w.campaign;
      EXPECT_EQ(w.gaps[0].second, w.window) << w.campaign << ": the whole window is a gap";
    }
    if (w.campaign == "ProxyLogon") {
      EXPECT_EQ(w.missing, std::vector<std::string>{"httpproxy/ecp"});
    }
  }
}

}  // namespace
}  // namespace exhunt::testing
