// End-to-end: generate server trees with planted attack chains, scan them
// and check every planted trace is found and nothing else reaches medium.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "evtx_oracle.h"
#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "test_util.h"
#include "tree_generator.h"

namespace exhunt::testing {
namespace {

std::string TempDir(const std::string& name) {
  const char* base = getenv("TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/exhunt-e2e-" + std::to_string(getpid()) + "/" + name;
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(system(cmd.c_str()), 0);
  return dir;
}

struct Outcome {
  gen::GenResult truth;
  ScanResult scan;
  std::string root;  // the generated tree
};

Outcome GenerateAndScan(const std::string& name, std::vector<std::string> scenarios, double hours, TimeMs start,
                        ScanOptions options = {}, bool event_logs = false) {
  gen::GenOptions g;
  g.event_logs = event_logs;
  g.out = TempDir(name) + "/EXCH01";
  g.seed = 7;
  g.start = start;
  g.hours = hours;
  g.requests_per_hour = 4000;
  g.scenarios = std::move(scenarios);
  auto truth = gen::GenerateTree(g);
  EXPECT_TRUE(truth.ok()) << truth.status().message();
  return {truth.value(), ScanPath(g.out, options), g.out};
}

void ExpectExactlyThePlantedTraces(const Outcome& o) {
  std::set<std::tuple<std::string, uint64_t, std::string>> found;
  for (const auto& f : o.scan.findings) found.insert({f.source.path, f.source.position, f.rule->id});
  std::set<std::pair<std::string, uint64_t>> planted_lines;
  for (const auto& t : o.truth.traces) {
    EXPECT_TRUE(found.count({t.path, t.line, t.rule}))
        << t.scenario << ": " << t.rule << " not found at " << t.path << ":" << t.line;
    planted_lines.insert({t.path, t.line});
  }
  for (const auto& f : o.scan.findings) {
    if (planted_lines.count({f.source.path, f.source.position})) continue;
    EXPECT_LT(f.rule->severity, Severity::kMedium)
        << "benign traffic reached " << SeverityName(f.rule->severity) << ": " << f.rule->id << " at " << f.source.path
        << ":" << f.source.position;
  }
  EXPECT_TRUE(o.scan.errors.empty()) << o.scan.errors[0].path << ": " << o.scan.errors[0].message;
}

// Removes the generated trees when the test binary ends.
class TempCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    const char* base = getenv("TMPDIR");
    std::string cmd = "rm -rf '" + std::string(base ? base : "/tmp") + "/exhunt-e2e-" + std::to_string(getpid()) + "'";
    if (system(cmd.c_str()) != 0) fprintf(stderr, "could not remove temporary trees\n");
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempCleanup);

const TimeMs kMarch2021 = DaysFromCivil(2021, 3, 1) * 86400000LL;

TEST(EndToEnd, EveryScenarioFoundAndNothingElseReachesMedium) {
  Outcome o = GenerateAndScan("all", gen::ScenarioNames(), 12, kMarch2021);
  EXPECT_GT(o.truth.traces.size(), 40u);
  ExpectExactlyThePlantedTraces(o);
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  EXPECT_EQ(o.scan.hosts[0].verdict, Verdict::kCompromised);
  EXPECT_GT(o.scan.stats.records, 40000u);
}

// The same with Windows event logs of our own making: the chains' events in
// MSExchange Management, Application and Sysmon are found by the built-in
// Windows rules, the benign events (including look-alikes of the attackers'
// cmdlets and Exchange app pools compiling views) stay below medium, and
// evtxexport reads every generated file as exhunt does.
TEST(EndToEnd, EventLogsOfTheChainsFoundAndReadAlikeByEvtxexport) {
  Outcome o = GenerateAndScan("evtx", {"proxylogon", "proxyshell"}, 12, kMarch2021, {}, true);
  size_t in_event_logs = 0;
  for (const auto& t : o.truth.traces) in_event_logs += t.path.find("winevt/Logs/") != std::string::npos;
  EXPECT_EQ(in_event_logs, 9u);  // 5 of ProxyLogon, 4 of ProxyShell
  ExpectExactlyThePlantedTraces(o);
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  EXPECT_EQ(o.scan.hosts[0].verdict, Verdict::kCompromised);
  EXPECT_GT(o.scan.hosts[0].coverage.at(LogType::kEvtx).files, 4u);
  CompareWithEvtxexport(o.root + "/Windows/System32/winevt/Logs");
}

struct VerdictCase {
  const char* scenario;
  Verdict verdict;
};

class ScenarioVerdicts : public ::testing::TestWithParam<VerdictCase> {};

TEST_P(ScenarioVerdicts, EachChainAloneGivesItsVerdict) {
  Outcome o = GenerateAndScan(GetParam().scenario, {GetParam().scenario}, 4, kMarch2021);
  ExpectExactlyThePlantedTraces(o);
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  EXPECT_EQ(VerdictName(o.scan.hosts[0].verdict), VerdictName(GetParam().verdict));
}

INSTANTIATE_TEST_SUITE_P(Chains, ScenarioVerdicts,
                         ::testing::Values(VerdictCase{"proxylogon", Verdict::kCompromised},
                                           VerdictCase{"proxyshell", Verdict::kCompromised},
                                           VerdictCase{"proxynotshell", Verdict::kCompromised},
                                           VerdictCase{"owassrf", Verdict::kCompromised},
                                           VerdictCase{"scanners", Verdict::kAttempted},
                                           VerdictCase{"patched", Verdict::kAttempted}),
                         [](const auto& info) { return std::string(info.param.scenario); });

TEST(EndToEnd, BenignTrafficBeforeTheCampaignsIsInsufficientEvidence) {
  // Eight clean hours in December 2020 say nothing about 2021 and later.
  Outcome o = GenerateAndScan("benign", {}, 8, DaysFromCivil(2020, 12, 28) * 86400000LL);
  EXPECT_TRUE(o.scan.findings.empty()) << o.scan.findings[0].rule->id << " at " << o.scan.findings[0].source.path << ":"
                                       << o.scan.findings[0].source.position;
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  const HostReport& h = o.scan.hosts[0];
  EXPECT_EQ(h.verdict, Verdict::kInsufficientEvidence);
  ASSERT_EQ(h.windows.size(), 4u);
  for (const auto& w : h.windows) EXPECT_FALSE(w.covered) << w.campaign;
  EXPECT_EQ(h.reasons.size(), 4u);
}

// A quiet server logging every day from 2021-01-01 to 2023-04-10: its logs
// cover every campaign window, even with the RTM build (open to everything,
// so each window runs to the end of the evidence).
Outcome QuietServer(const std::string& name, double hours, double heartbeat_hours, ScanOptions options = {}) {
  gen::GenOptions g;
  g.out = TempDir(name) + "/EXCH01";
  g.seed = 11;
  g.start = DaysFromCivil(2021, 1, 1) * 86400000LL;
  g.hours = hours;
  g.requests_per_hour = 0.05;
  g.heartbeat_hours = heartbeat_hours;
  auto truth = gen::GenerateTree(g);
  EXPECT_TRUE(truth.ok()) << truth.status().message();
  auto table = ExposureTable::LoadBuiltin().value();
  options.exposure_table = table.get();
  return {truth.value(), ScanPath(g.out, options), g.out};
}

TEST(EndToEnd, BenignLogsAcrossEveryWindowAreNoEvidence) {
  Outcome o = QuietServer("quiet", 24 * 830, 12);
  EXPECT_TRUE(o.scan.findings.empty());
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  const HostReport& h = o.scan.hosts[0];
  for (const auto& r : h.reasons) SCOPED_TRACE(r);
  EXPECT_EQ(h.verdict, Verdict::kNoEvidence) << (h.reasons.empty() ? "" : h.reasons[0]);
  for (const auto& w : h.windows) {
    EXPECT_TRUE(w.covered) << w.campaign;
    EXPECT_NE(w.exposure.find("still open"), std::string::npos) << w.campaign << ": " << w.exposure;
  }
  ASSERT_TRUE(h.families.count("httpproxy/ecp"));
  EXPECT_EQ(h.families.at("httpproxy/ecp").spans.size(), 1u);
}

TEST(EndToEnd, SinceLeavingOutAWindowMakesTheSameServerInsufficient) {
  ScanOptions since;
  since.since = DaysFromCivil(2022, 1, 1) * 86400000LL;
  Outcome o = QuietServer("quiet-since", 24 * 830, 12, since);
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  const HostReport& h = o.scan.hosts[0];
  EXPECT_EQ(h.verdict, Verdict::kInsufficientEvidence);
  for (const auto& w : h.windows) {
    bool before = w.campaign == "ProxyLogon" || w.campaign == "ProxyShell";
    EXPECT_EQ(w.covered, !before) << w.campaign;
    if (before) {
      EXPECT_TRUE(w.outside_scan_window) << w.campaign;
    }
  }
  // Coverage itself starts where the scan window does.
  EXPECT_EQ(FormatIsoTime(*h.families.at("httpproxy/ecp").first).substr(0, 10), "2022-01-01");
}

TEST(EndToEnd, AQuietServerWithoutDailyRecordsIsInsufficientEvidence) {
  // The same server with probes only every 60 hours: days without a record.
  Outcome o = QuietServer("sparse", 24 * 830, 60);
  ASSERT_EQ(o.scan.hosts.size(), 1u);
  EXPECT_EQ(o.scan.hosts[0].verdict, Verdict::kInsufficientEvidence);
  EXPECT_GT(o.scan.hosts[0].families.at("httpproxy/ecp").spans.size(), 100u);
}

TEST(EndToEnd, BenignLogsStartingAfterTheWindowsAreInsufficientEvidence) {
  Outcome o = GenerateAndScan("late", {}, 4, DaysFromCivil(2024, 5, 1) * 86400000LL);
  EXPECT_TRUE(o.scan.findings.empty());
  EXPECT_EQ(o.scan.hosts[0].verdict, Verdict::kInsufficientEvidence);
  ASSERT_FALSE(o.scan.hosts[0].reasons.empty());
  EXPECT_NE(o.scan.hosts[0].reasons[0].find("ProxyLogon"), std::string::npos);
}

TEST(EndToEnd, SinceAndUntilLimitTheWindow) {
  ScanOptions only_before;
  only_before.until = kMarch2021 + 3600000;  // the chains are planted hours later
  Outcome o = GenerateAndScan("window", {"proxylogon"}, 12, kMarch2021, only_before);
  for (const auto& f : o.scan.findings) EXPECT_LE(*f.time, kMarch2021 + 3600000);
  EXPECT_TRUE(o.scan.findings.empty());
}

TEST(EndToEnd, CommandLineJsonlAndExitCodes) {
  gen::GenOptions g;
  g.out = TempDir("cli") + "/EXCH01";
  g.start = kMarch2021;
  g.hours = 2;
  g.scenarios = {"proxylogon"};
  ASSERT_TRUE(gen::GenerateTree(g).ok());
  std::string out = g.out + ".jsonl";
  std::string cmd = std::string(EXHUNT_BINARY) + " scan --format jsonl --quiet -o '" + out + "' '" + g.out + "'";
  int status = system(cmd.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);  // critical findings >= default --fail-on medium
  std::ifstream in(out);
  std::string line;
  std::map<std::string, int> types;
  while (std::getline(in, line)) {
    ASSERT_EQ(line.rfind("{\"type\":\"", 0), 0u) << line;
    types[line.substr(9, line.find('"', 9) - 9)]++;
  }
  EXPECT_GT(types["finding"], 5);
  EXPECT_EQ(types["host"], 1);
  EXPECT_EQ(types["stats"], 1);
  std::string quiet_cmd =
      std::string(EXHUNT_BINARY) + " scan --quiet --fail-on critical --since 2022-01-01 '" + g.out + "' > /dev/null";
  EXPECT_EQ(WEXITSTATUS(system(quiet_cmd.c_str())), 0);
  std::string bad = std::string(EXHUNT_BINARY) + " scan --format xml '" + g.out + "' 2>/dev/null";
  EXPECT_EQ(WEXITSTATUS(system(bad.c_str())), 2);
  std::string missing = std::string(EXHUNT_BINARY) + " scan /no/such/path 2>/dev/null";
  EXPECT_EQ(WEXITSTATUS(system(missing.c_str())), 2);
}

std::string RunCapture(const std::string& cmd, int* status) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  size_t n;
  while (p && (n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = p ? pclose(p) : -1;
  if (status) *status = WEXITSTATUS(rc);
  return out;
}

TEST(EndToEnd, ScanHostRecordCarriesExposure) {
  gen::GenOptions g;
  g.out = TempDir("exposure") + "/EXCH01";
  g.start = kMarch2021;
  g.hours = 1;
  g.build = "15.1.2176.9";  // CU19 with the March 2021 update, before ProxyShell's
  ASSERT_TRUE(gen::GenerateTree(g).ok());
  std::string out = RunCapture(std::string(EXHUNT_BINARY) + " scan --format jsonl --quiet '" + g.out + "'", nullptr);
  size_t host = out.find("{\"type\":\"host\"");
  ASSERT_NE(host, std::string::npos);
  std::string line = out.substr(host, out.find('\n', host) - host);
  EXPECT_NE(line.find("\"exposure\":{\"build\":\"15.1.2176.9\""), std::string::npos) << line;
  EXPECT_NE(line.find("\"cve\":\"CVE-2021-26855\",\"aka\":\"ProxyLogon / HAFNIUM\",\"status\":\"fixed\""),
            std::string::npos);
  EXPECT_NE(line.find("\"cve\":\"CVE-2021-34473\",\"aka\":\"ProxyShell\",\"status\":\"vulnerable\""),
            std::string::npos);
  EXPECT_NE(line.find("\"build_source\":\"ExSetup.exe version resource"), std::string::npos);
}

struct MitigationCase {
  const char* mitigation;
  const char* eomt_state;
  const char* pns_state;
};

class GeneratedMitigations : public ::testing::TestWithParam<MitigationCase> {};

TEST_P(GeneratedMitigations, ExposureCommandReadsTheTreesIisConfig) {
  gen::GenOptions g;
  g.out = TempDir(std::string("mit-") + GetParam().mitigation) + "/EXCH01";
  g.start = kMarch2021;
  g.hours = 0.2;
  g.mitigation = GetParam().mitigation;
  ASSERT_TRUE(gen::GenerateTree(g).ok());
  int status = 0;
  std::string out = RunCapture(std::string(EXHUNT_BINARY) + " exposure --format jsonl '" + g.out + "'", &status);
  EXPECT_EQ(status, 1);  // 15.1.2176.2 is open
  EXPECT_EQ(out.rfind("{\"type\":\"exposure\",\"host\":\"EXCH01\"", 0), 0u) << out;
  EXPECT_NE(out.find("{\"name\":\"EOMT ProxyLogon cookie rules\",\"cves\":[\"CVE-2021-26855\"],\"state\":\"" +
                     std::string(GetParam().eomt_state) + "\""),
            std::string::npos);
  EXPECT_NE(out.find("{\"name\":\"EOMTv2/EEMS ProxyNotShell rule\",\"cves\":[\"CVE-2022-41040\"],\"state\":\"" +
                     std::string(GetParam().pns_state) + "\""),
            std::string::npos)
      << out.substr(out.find("mitigations"));
}

INSTANTIATE_TEST_SUITE_P(Exposure, GeneratedMitigations,
                         ::testing::Values(MitigationCase{"none", "absent", "absent"},
                                           MitigationCase{"eomt", "in force", "absent"},
                                           MitigationCase{"eomtv2", "absent", "in force"},
                                           MitigationCase{"eomtv2-old", "absent", "insufficient"},
                                           MitigationCase{"eomtv2-cleared", "absent", "overridden"}),
                         [](const auto& info) {
                           std::string n = info.param.mitigation;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(EndToEnd, ExposureCommandBuildAndCheckTable) {
  int status = 0;
  std::string out = RunCapture(std::string(EXHUNT_BINARY) + " exposure --build 15.01.2176.002", &status);
  EXPECT_EQ(status, 1);
  EXPECT_NE(out.find("Exchange Server 2016 CU19"), std::string::npos);
  EXPECT_NE(out.find("install Exchange Server 2016 CU19 Mar21SU (KB5000871), build 15.1.2176.9"), std::string::npos);
  RunCapture(std::string(EXHUNT_BINARY) + " exposure --build 15.2.2562.17 > /dev/null", &status);
  EXPECT_EQ(status, 1);  // SE RTM without Jun26SU: CVE-2026-42897 open
  RunCapture(std::string(EXHUNT_BINARY) + " exposure --build 15.2.2562.46 > /dev/null", &status);
  EXPECT_EQ(status, 0);  // SE Aug26SU: nothing open (Extended Protection is configuration, not open)
  out = RunCapture(std::string(EXHUNT_BINARY) + " exposure --check-table", &status);
  EXPECT_EQ(status, 0) << out;
  RunCapture(std::string(EXHUNT_BINARY) + " exposure --build banana 2>/dev/null", &status);
  EXPECT_EQ(status, 2);
}

TEST(Demo, BundledExampleTreeIsCompromised) {
  std::string root = std::string(EXHUNT_SOURCE_DIR) + "/examples/EXCH01";
  ScanResult r = ScanPath(root);
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].host, "EXCH01");
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
  EXPECT_TRUE(r.errors.empty());
  // The example's ground truth sits beside it; every planted trace is found.
  std::ifstream truth(root + ".truth.json");
  ASSERT_TRUE(truth.good());
  std::stringstream ss;
  ss << truth.rdbuf();
  std::string json = ss.str();
  size_t traces = 0;
  for (size_t pos = json.find("\"rule\":\""); pos != std::string::npos; pos = json.find("\"rule\":\"", pos + 1)) {
    ++traces;
    size_t start = pos + 8;
    std::string rule = json.substr(start, json.find('"', start) - start);
    bool found = false;
    for (const auto& f : r.findings) found = found || f.rule->id == rule;
    EXPECT_TRUE(found) << rule;
  }
  EXPECT_GT(traces, 10u);
}

}  // namespace
}  // namespace exhunt::testing
