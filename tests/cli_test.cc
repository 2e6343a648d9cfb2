// The command line as scripts use it: every exit-status promise of the
// README, argument handling, and report output that fails loudly.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "test_util.h"

namespace exhunt::testing {
namespace {

std::map<std::string, int> RecordTypes(const std::string& jsonl) {
  std::map<std::string, int> types;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    EXPECT_EQ(line.rfind("{\"type\":\"", 0), 0u) << line;
    types[line.substr(9, line.find('"', 9) - 9)]++;
  }
  return types;
}

const std::string kIisHeader =
    "#Software: Microsoft Internet Information Services 10.0\n#Fields: date time s-ip cs-method cs-uri-stem "
    "cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status "
    "time-taken\n";
const std::string kBenign =
    "2021-03-04 01:02:03 10.0.0.5 GET /owa/ - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 40\n";
const std::string kShell =
    "2021-03-04 01:02:04 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - 203.0.113.7 antSword/v2.1 - 200 0 0 40\n";

std::string Example() { return std::string(EXHUNT_SOURCE_DIR) + "/examples/EXCH01"; }

TEST(Cli, NothingToScanIsAUsageErrorNotAClean) {
  std::string empty = Dir("empty");
  CliRun r = Exhunt("scan --quiet '" + empty + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("nothing was scanned"), std::string::npos) << r.err;

  // Files but no log: the file plane reads them, the verdict cannot be
  // no-evidence, and the user is told that no log was found.
  std::string prose = Dir("prose");
  Write(prose + "/notes.txt", "patch the server\n");
  Write(prose + "/data.bin", std::string("\0\1\2\3", 4));
  r = Exhunt("scan --quiet --format jsonl '" + prose + "'");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("no Exchange or IIS log was found under"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("only the 2 file(s) on disk were checked"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"verdict\":\"insufficient-evidence\""), std::string::npos) << r.out;

  // Logs whose gzip stream is damaged from its first bytes.
  std::string gz = Dir("gz");
  Write(gz + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log.gz", std::string("\x1f\x8b\x08\x00", 4) + "zz");
  Write(gz + "/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log.gz", std::string("\x1f\x8b\x08\x00", 4) + "zz");
  r = Exhunt("scan --quiet --format jsonl '" + gz + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("2 file(s) look like logs but could not be read"), std::string::npos) << r.err;
  auto types = RecordTypes(r.out);
  EXPECT_EQ(types["error"], 2);
  EXPECT_EQ(types["host"], 1);
  EXPECT_NE(r.out.find("u_ex210304.log.gz\",\"message\":\"compressed (gzip) log cannot be unpacked"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"verdict\":\"insufficient-evidence\""), std::string::npos);
}

TEST(Cli, NoRuleToRunIsAUsageError) {
  CliRun r = Exhunt("scan --quiet --no-builtin '" + Example() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--no-builtin needs --sigma"), std::string::npos) << r.err;
  std::string rules = Dir("norules");
  EXPECT_EQ(Exhunt("scan --quiet --no-builtin --sigma '" + rules + "' '" + Example() + "'").status, 2);
}

TEST(Cli, RulesCheckNamesYaraFilesEveryFileGoesToLibyaraFor) {
  std::string gated = Dir("yara-gated"), ungated = Dir("yara-ungated");
  Write(gated + "/a.yar", "rule ok { strings: $a = \"abcdef\" condition: $a }\n");
  Write(ungated + "/b.yar", "import \"math\"\nrule entropy { condition: math.entropy(0, filesize) > 7.0 }\n");
  CliRun r = Exhunt("rules check '" + gated + "'");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find(", 0 slow"), std::string::npos) << r.out;
  r = Exhunt("rules check '" + ungated + "'");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("every file goes to libyara (1 rule(s) may match a file whatever its bytes: " + ungated +
                       "/b.yar:entropy)"),
            std::string::npos)
      << r.out;
}

TEST(Cli, AnInvertedWindowIsAUsageError) {
  CliRun r = Exhunt("scan --quiet --since 2021-03-05 --until 2021-03-01 '" + Example() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("before --since"), std::string::npos) << r.err;
}

TEST(Cli, AnUnknownBuildIsNotNothingOpen) {
  EXPECT_EQ(Exhunt("exposure --build 15.9.9.9").status, 1);
  EXPECT_EQ(Exhunt("exposure --build 15.2.2562.46").status, 0);
}

TEST(Cli, SigmaTakesOneFolderAndEveryPathIsScanned) {
  std::string rules = Dir("sigma");
  Write(rules + "/admin.yml",
        "title: OWA root\nid: user.owa_root\nlevel: low\nlogsource:\n  category: webserver\ndetection:\n  s:\n"
        "    cs-uri-stem: /owa/\n  condition: s\n");
  std::string a = Dir("hosts/A"), b = Dir("hosts/B");
  Write(a + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kBenign);
  Write(b + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kShell);
  CliRun r = Exhunt("scan --quiet --format jsonl --sigma '" + rules + "' '" + a + "' '" + b + "'");
  EXPECT_EQ(RecordTypes(r.out)["host"], 2) << r.out << r.err;
  EXPECT_NE(r.out.find("\"host\":\"A\""), std::string::npos);
  EXPECT_NE(r.out.find("\"host\":\"B\",\"verdict\":\"compromised\""), std::string::npos) << r.out;
  EXPECT_EQ(r.status, 1);
}

TEST(Cli, ARuleWithoutOutcomeDoesNotMakeABenignHostAttempted) {
  std::string rules = Dir("plain");
  Write(rules + "/admin.yml",
        "title: OWA root\nid: user.owa_root\nlevel: high\nlogsource:\n  category: webserver\ndetection:\n  s:\n"
        "    cs-uri-stem: /owa/\n  condition: s\n");
  std::string host = Dir("benign/EXCH02");
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kBenign);
  CliRun r = Exhunt("scan --quiet --format jsonl --sigma '" + rules + "' '" + host + "'");
  EXPECT_EQ(RecordTypes(r.out)["finding"], 1) << r.out;
  EXPECT_EQ(r.out.find("\"verdict\":\"attempted\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"unjudged_findings\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"outcome\":\"none\""), std::string::npos) << r.out;
  EXPECT_EQ(r.status, 1);  // still a high finding for --fail-on
}

TEST(Cli, HostNamesOneServerOnly) {
  std::string a = Dir("two/A"), b = Dir("two/B");
  Write(a + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kBenign);
  Write(b + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kBenign);
  CliRun r = Exhunt("scan --quiet --host EXCH01 '" + a + "' '" + b + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--host names one server"), std::string::npos) << r.err;
  EXPECT_EQ(Exhunt("scan --quiet --host EXCH01 '" + a + "' > /dev/null").status, 0);
}

TEST(Cli, TheOutputNameChoosesTheFormat) {
  std::string dir = Dir("out");
  EXPECT_EQ(Exhunt("scan --quiet -o '" + dir + "/r.jsonl' '" + Example() + "'").status, 1);
  std::stringstream jsonl;
  jsonl << std::ifstream(dir + "/r.jsonl").rdbuf();
  EXPECT_EQ(RecordTypes(jsonl.str())["host"], 1);
  EXPECT_EQ(Exhunt("scan --quiet -o '" + dir + "/r.csv' '" + Example() + "'").status, 1);
  std::string first_line;
  std::getline(std::ifstream(dir + "/r.csv"), first_line);
  EXPECT_EQ(first_line.rfind("message,datetime,timestamp_desc,", 0), 0u) << first_line;
  // --format wins over the name.
  EXPECT_EQ(Exhunt("scan --quiet --format text -o '" + dir + "/t.jsonl' '" + Example() + "'").status, 1);
  std::string text;
  std::getline(std::ifstream(dir + "/t.jsonl"), text);
  EXPECT_EQ(text.rfind("exhunt ", 0), 0u) << text;
}

TEST(Cli, AReportThatCannotBeWrittenIsNeverZeroOrOne) {
  std::string missing_dir = Dir("gone") + "/no/such/dir/report.txt";
  CliRun r = Exhunt("scan --quiet -o '" + missing_dir + "' '" + Example() + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
  struct stat st;
  ASSERT_EQ(stat("/dev/full", &st), 0) << "Linux provides /dev/full: a device whose every write fails with ENOSPC";
  for (const char* format : {"text", "jsonl", "csv"}) {
    r = Exhunt("scan --quiet --format " + std::string(format) + " -o /dev/full '" + Example() + "'");
    EXPECT_EQ(r.status, 2) << format;
    EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << format << ": " << r.err;
    std::string cmd = std::string(EXHUNT_BINARY) + " scan --quiet --format " + format + " '" + Example() +
                      "' > /dev/full 2> /dev/null";
    int rc = system(cmd.c_str());
    EXPECT_EQ(WEXITSTATUS(rc), 2) << format << " to a full standard output";
  }
}

TEST(Cli, ADamagedFileIsAnErrorRecordNeverATwo) {
  std::string host = Dir("damaged/EXCH03");
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kShell);
  std::string broken = kShell;
  broken[30] = '\0';
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", kIisHeader + broken);
  CliRun r = Exhunt("scan --quiet --format jsonl '" + host + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(RecordTypes(r.out)["error"], 1) << r.out;
  // With no finding left, the damage alone gives 0.
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kBenign);
  r = Exhunt("scan --quiet --format jsonl '" + host + "'");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(RecordTypes(r.out)["error"], 1) << r.out;
}

TEST(Cli, ExposureTakesFormatAndOutputLikeScan) {
  std::string dir = Dir("exposure");
  EXPECT_EQ(Exhunt("exposure --build 15.1.2176.2 -o '" + dir + "/e.jsonl'").status, 1);
  std::stringstream jsonl;
  jsonl << std::ifstream(dir + "/e.jsonl").rdbuf();
  EXPECT_EQ(RecordTypes(jsonl.str())["exposure"], 1);
  EXPECT_NE(jsonl.str().find("\"answer\":\"OPEN: CVE-2021-26855"), std::string::npos) << jsonl.str();
  CliRun r = Exhunt("exposure --build 15.1.2176.2 --format text");
  EXPECT_NE(r.out.find("OPEN: CVE-2021-26855"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("install Exchange Server 2016 CU19 May21SU (KB5003435), build 15.1.2176.14 or later"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Exhunt("exposure --build 15.1.2176.2 -o '" + dir + "/no/such/e.txt'").status, 2);
  EXPECT_EQ(Exhunt("exposure --build 15.1.2176.2 --format csv").status, 2);
  struct stat st;
  ASSERT_EQ(stat("/dev/full", &st), 0);
  EXPECT_EQ(Exhunt("exposure --build 15.1.2176.2 -o /dev/full").status, 2);
}

TEST(Cli, TwoIisRecordsYearsApartAreNotNoEvidence) {
  // One record on 2020-12-01 and one on 2023-06-01: the logs start before and
  // end after every window, but say nothing of what lay between.
  std::string host = Dir("two-records/EXCH04");
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex201201.log",
        kIisHeader + "2020-12-01 10:00:00 10.0.0.5 GET /owa/ - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 40\n" +
            "2023-06-01 10:00:00 10.0.0.5 GET /owa/ - 443 - 192.0.2.10 Mozilla/5.0 - 200 0 0 40\n");
  CliRun r = Exhunt("scan --quiet --format jsonl '" + host + "'");
  EXPECT_EQ(r.status, 0);  // no finding: the exit status speaks of findings, the verdict of evidence
  EXPECT_NE(r.out.find("\"verdict\":\"insufficient-evidence\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"spans\":[{\"first\":\"2020-12-01T10:00:00.000Z\",\"last\":\"2020-12-01T10:00:00.000Z\"},"
                       "{\"first\":\"2023-06-01T10:00:00.000Z\",\"last\":\"2023-06-01T10:00:00.000Z\"}]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"absent_families\":[\"httpproxy\""), std::string::npos) << r.out;
  CliRun text = Exhunt("scan --quiet '" + host + "'");
  EXPECT_NE(text.out.find("EXCH04: INSUFFICIENT-EVIDENCE"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("ProxyShell window 2021-08-05 to 2021-12-31 is not covered"), std::string::npos) << text.out;
}

TEST(Cli, AttackerStringsReachNoTerminalSpreadsheetOrParserLive) {
  // A webshell request whose user agent carries a formula, markup, an OSC 8
  // hyperlink, a bell, a colour escape and invalid UTF-8.
  std::string ua = "=HYPERLINK(\"http://evil/\")<script>alert(1)</script>\"><img+onerror=x>"
                   "\x1b]8;;http://evil/\x07" "click\x1b]8;;\x07\x1b[31mred\xff\xfe";
  std::string host = Dir("inject/EXCH05");
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log",
        kIisHeader + "2021-03-04 01:02:04 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - 203.0.113.7 " + ua +
            " - 200 0 0 40\n");
  CliRun text = Exhunt("scan --quiet --format text '" + host + "'");
  ASSERT_NE(text.out.find("/aspnet_client/shell.aspx"), std::string::npos) << text.out;
  for (char control : {'\x1b', '\x07'})
    EXPECT_EQ(text.out.find(control), std::string::npos) << "control byte " << int(control) << " reached the terminal";
  EXPECT_NE(text.out.find("\xEF\xBF\xBD]8;;http://evil/"), std::string::npos);  // shown, not obeyed
  CliRun jsonl = Exhunt("scan --quiet --format jsonl '" + host + "'");
  for (char c : jsonl.out) EXPECT_FALSE(c != '\n' && static_cast<unsigned char>(c) < 0x20) << "raw control in JSON";
  EXPECT_EQ(jsonl.out.find('\xff'), std::string::npos);  // invalid UTF-8 does not pass into JSON
  EXPECT_NE(jsonl.out.find("\\u001b]8;;http://evil/\\u0007"), std::string::npos) << jsonl.out;
  EXPECT_NE(jsonl.out.find("<script>"), std::string::npos);  // JSON carries it as data; HTML must escape it
  CliRun csv = Exhunt("scan --quiet --format csv '" + host + "'");
  std::istringstream rows(csv.out);
  std::string header, row;
  std::getline(rows, header);
  ASSERT_TRUE(std::getline(rows, row)) << csv.out;
  // No cell begins with a formula character: the user agent cell starts with a quote mark.
  EXPECT_NE(row.find(",\"'=HYPERLINK("), std::string::npos) << row;
  EXPECT_EQ(row.find(",=HYPERLINK"), std::string::npos) << row;
}

TEST(Cli, FilesOverMaxFileSizeAreListedNotRead) {
  std::string host = Dir("maxsize/EXCH06");
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisHeader + kShell);
  std::string big = kIisHeader;
  while (big.size() < 4096) big += kBenign;
  Write(host + "/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", big);
  CliRun r = Exhunt("scan --quiet --format jsonl --max-file-size 2K '" + host + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("\"path\":\"inetpub/logs/LogFiles/W3SVC1/u_ex210305.log\",\"reason\":\"larger than "
                       "--max-file-size (2048 bytes)\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\"files\":1,"), std::string::npos);
  EXPECT_EQ(Exhunt("scan --quiet --max-file-size banana '" + host + "'").status, 2);
}

}  // namespace
}  // namespace exhunt::testing

namespace exhunt::testing {
namespace {

// baseline make records a clean server; a later scan with that baseline
// names what changed and what is new, and nothing else of the web folders.
TEST(Cli, BaselineMakeThenScanWithIt) {
  std::string server = Dir("clean/EXCH01");
  const std::string v15 = server + "/Program Files/Microsoft/Exchange Server/V15/";
  Write(v15 + "Logging/HttpProxy/.keep", "");
  Write(v15 + "Bin/.keep", "");
  Write(v15 + "FrontEnd/HttpProxy/owa/auth/logon.aspx", "<%@ Page %><html>logon</html>");
  Write(v15 + "FrontEnd/HttpProxy/owa/auth/15.1.2176/scripts/a.js", "var a = 1;");
  Write(v15 + "ClientAccess/ecp/default.aspx", "<%@ Page %><html>ecp</html>");
  Write(v15 + "ClientAccess/ecp/logo.png", "PNG");
  std::string out = Dir("baseline") + "/b.csv";
  CliRun r = Exhunt("baseline make '" + server + "' -o '" + out + "'");
  EXPECT_EQ(r.status, 2);  // no ExSetup.exe: the build must be named
  EXPECT_NE(r.err.find("name it with --build"), std::string::npos) << r.err;
  r = Exhunt("baseline make '" + server + "' --build 15.01.2176.009 -o '" + out + "'");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("3 files of build 15.1.2176.9 recorded"), std::string::npos) << r.out;
  std::stringstream csv;
  csv << std::ifstream(out).rdbuf();
  EXPECT_NE(csv.str().find(",15.1.2176.9,\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx\r\n"), std::string::npos)
      << csv.str();
  EXPECT_EQ(csv.str().find("logo.png"), std::string::npos);

  r = Exhunt("scan --quiet --format jsonl --baseline '" + out + "' '" + server + "'");
  EXPECT_EQ(r.out.find("exhunt.baseline."), std::string::npos) << r.out;
  Write(v15 + "FrontEnd/HttpProxy/owa/auth/logon.aspx", "<%@ Page %><html>logon</html><script src=//x></script>");
  Write(v15 + "ClientAccess/ecp/help.aspx", "<%@ Page %>");
  r = Exhunt("scan --quiet --format jsonl --baseline '" + out + "' '" + server + "'");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("\"rule\":\"exhunt.baseline.changed_page\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rule\":\"exhunt.baseline.unknown_page\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"verdict\":\"compromised\""), std::string::npos);

  r = Exhunt("scan --quiet --baseline '" + Dir("nobaseline") + "' '" + server + "'");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no *.csv baseline"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace exhunt::testing
