// The store of record on both backends (a SQLite file, a PostgreSQL server
// the test set-up starts on 127.0.0.1), and the HTML report in headless
// Chromium. These tests run the exhunt binary on the bundled example tree
// as a user would, and read the store back both through exhunt and through
// SQL.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "base/text.h"
#include "store/sql.h"
#include "store/store.h"
#include "test_util.h"

namespace exhunt::testing {
namespace {

const std::string kExample = std::string(EXHUNT_SOURCE_DIR) + "/examples/EXCH01";

std::string PgServer() {
  std::string info = ReadAll(std::string(EXHUNT_TEST_PG_DIR) + "/conninfo");
  while (!info.empty() && (info.back() == '\n' || info.back() == ' ')) info.pop_back();
  return info;
}

std::string Scalar(SqlConnection& sql, const std::string& q) {
  auto rows = sql.Query(q, {});
  EXPECT_TRUE(rows.ok()) << q << ": " << rows.status().message();
  if (!rows.ok() || rows->empty() || !(*rows)[0][0]) return "";
  return *(*rows)[0][0];
}

// A fresh, empty store of the backend under test: a new SQLite file, or a
// new database on the test server.
class StoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string NewStore(const std::string& name) {
    if (GetParam() == "sqlite") return Dir("store-" + name) + "/exhunt.db";
    const std::string server = PgServer();
    EXPECT_FALSE(server.empty()) << "the PostgreSQL test server did not start (see the postgres_start test's output)";
    auto admin = OpenPostgres(server);
    EXPECT_TRUE(admin.ok()) << admin.status().message();
    if (!admin.ok()) return "";
    const std::string db = "t_" + std::to_string(getpid()) + "_" + name;
    EXPECT_TRUE(admin.value()->Exec("DROP DATABASE IF EXISTS " + db).ok());
    Status s = admin.value()->Exec("CREATE DATABASE " + db);
    EXPECT_TRUE(s.ok()) << s.message();
    return server.substr(0, server.rfind('/') + 1) + db;
  }
  std::unique_ptr<Store> Open(const std::string& target) {
    auto store = Store::Open(target);
    EXPECT_TRUE(store.ok()) << store.status().message();
    return store.ok() ? std::move(store.value()) : nullptr;
  }
};

TEST_P(StoreTest, EveryFormatRenderedFromTheStoreEqualsTheScansOwnReport) {
  for (const std::string format : {"jsonl", "text", "csv", "html"}) {
    const std::string db = NewStore("formats_" + format);
    const std::string dir = Dir("formats-" + format);
    CliRun scan = Exhunt("scan '" + kExample + "' --quiet --format " + format + " -o '" + dir + "/scan.out' --db '" +
                         db + "'");
    ASSERT_EQ(scan.status, 1) << scan.err;  // the example is compromised: findings over --fail-on
    CliRun report = Exhunt("report '" + db + "' --format " + format + " -o '" + dir + "/report.out'");
    ASSERT_EQ(report.status, 0) << report.err;
    const std::string direct = ReadAll(dir + "/scan.out"), stored = ReadAll(dir + "/report.out");
    EXPECT_GT(direct.size(), 1000u) << format;
    EXPECT_EQ(stored, direct) << format << ": the report from the store differs from the scan's";
  }
}

TEST_P(StoreTest, ARescanAddsAScanAndKeepsTheHistory) {
  const std::string db = NewStore("history");
  const std::string dir = Dir("history");
  ASSERT_EQ(Exhunt("scan '" + kExample + "' --quiet --format jsonl -o '" + dir + "/first.jsonl' --db '" + db + "'")
                .status,
            1);
  // The same server scanned again later from a triage copy holding only
  // one quiet IIS log: a different verdict, stored beside the first.
  const std::string quiet = dir + "/EXCH01";
  Write(quiet + "/inetpub/logs/LogFiles/W3SVC1/u_ex210601.log",
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-06-01 00:00:00\n"
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
        "cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
        "2021-06-01 08:00:00 10.0.0.5 GET /owa/ - 443 - 10.1.1.20 Mozilla/5.0 - 200 0 0 12\n");
  ASSERT_EQ(Exhunt("scan '" + quiet + "' --quiet --format jsonl -o '" + dir + "/second.jsonl' --db '" + db + "'")
                .status,
            0);
  auto store = Open(db);
  ASSERT_TRUE(store);
  auto scans = store->Scans();
  ASSERT_TRUE(scans.ok());
  ASSERT_EQ(scans->size(), 2u);
  for (const auto& s : scans.value()) {
    EXPECT_EQ(s.status, "complete");
    ASSERT_EQ(s.verdicts.size(), 1u);
    EXPECT_EQ(s.verdicts[0].first, "EXCH01");
  }
  EXPECT_EQ(scans.value()[0].verdicts[0].second, "compromised");
  EXPECT_NE(scans.value()[1].verdicts[0].second, "compromised");
  // One host, two results; every finding of the first scan kept.
  SqlConnection& sql = store->sql();
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM hosts"), "1");
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM host_scans"), "2");
  size_t findings = 0;
  for (const auto& line : Lines(ReadAll(dir + "/first.jsonl"))) findings += line.starts_with("{\"type\":\"finding\"");
  ASSERT_GT(findings, 10u);
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM findings WHERE host_scan_id = (SELECT MIN(id) FROM host_scans)"),
            std::to_string(findings));
  // The report shows the newest by default, the first on request.
  CliRun newest = Exhunt("report '" + db + "' --format jsonl");
  EXPECT_EQ(newest.out, ReadAll(dir + "/second.jsonl"));
  CliRun first = Exhunt("report '" + db + "' --format jsonl --scan " + std::to_string(scans.value()[0].id));
  EXPECT_EQ(first.out, ReadAll(dir + "/first.jsonl"));
  CliRun listing = Exhunt("report '" + db + "' --scans");
  EXPECT_EQ(listing.status, 0);
  EXPECT_NE(listing.out.find("EXCH01: compromised"), std::string::npos) << listing.out;
}

TEST_P(StoreTest, ImportedResultsReportAsTheScanDidAndABrokenLineCostsItselfAlone) {
  const std::string db = NewStore("import");
  const std::string dir = Dir("import");
  ASSERT_EQ(Exhunt("scan '" + kExample + "' --quiet --format jsonl -o '" + dir + "/scan.jsonl'").status, 1);
  auto lines = Lines(ReadAll(dir + "/scan.jsonl"));
  ASSERT_GT(lines.size(), 20u);
  // A collection damaged in transit: one line cut short in the middle.
  std::string damaged;
  const size_t broken = 5;
  for (size_t i = 0; i < lines.size(); ++i)
    damaged += (i == broken ? lines[i].substr(0, lines[i].size() / 2) : lines[i]) + "\n";
  Write(dir + "/collected.jsonl", damaged);
  CliRun import = Exhunt("import '" + dir + "/collected.jsonl' --db '" + db + "'");
  ASSERT_EQ(import.status, 0) << import.err;
  EXPECT_NE(import.err.find("collected.jsonl:" + std::to_string(broken + 1) + ": skipped"), std::string::npos)
      << import.err;
  CliRun report = Exhunt("report '" + db + "' --format jsonl");
  ASSERT_EQ(report.status, 0) << report.err;
  // Everything but the broken line, and an error record that names it
  // before the totals.
  auto back = Lines(report.out);
  ASSERT_EQ(back.size(), lines.size()) << report.out;
  std::vector<std::string> expected = lines;
  expected.erase(expected.begin() + long(broken));
  expected.insert(expected.end() - 1, "");
  for (size_t i = 0; i < back.size(); ++i) {
    if (i == back.size() - 2) {
      EXPECT_TRUE(back[i].starts_with("{\"type\":\"error\"")) << back[i];
      EXPECT_NE(back[i].find("line " + std::to_string(broken + 1) + " not imported"), std::string::npos) << back[i];
    } else {
      EXPECT_EQ(back[i], expected[i]) << "line " << i + 1;
    }
  }
}

// Writes host A whole and host B in part, then dies without a word (as a
// killed scan does): B must leave no trace.
TEST_P(StoreTest, AProcessThatDiesInsideAHostLeavesTheFinishedHostsWhole) {
  const std::string db = NewStore("dies");
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = Store::Open(db);
    if (!store.ok()) _exit(3);
    auto w = store.value()->NewScan("scan", {"A", "B"});
    if (!w.ok()) _exit(4);
    auto rule = std::make_shared<RuleInfo>();
    rule->id = "test.rule";
    rule->title = "a test rule";
    rule->severity = Severity::kHigh;
    rule->outcome = Outcome::kCompromise;
    for (const char* host : {"A", "B"}) {
      for (int i = 0; i < 50; ++i) {
        Finding f;
        f.rule = rule;
        f.host = host;
        f.source = {"inetpub/logs/x.log", SourceRef::Kind::kLine, uint64_t(i + 1)};
        f.evidence = {{"c-ip", "203.0.113.9"}};
        w.value()->OnFinding(f);
      }
      if (std::string(host) == "B") _exit(w.value()->status().ok() ? 0 : 5);  // killed inside host B
      HostReport h;
      h.host = host;
      h.verdict = Verdict::kCompromised;
      w.value()->OnHost(h);
      w.value()->OnError({"x.log", "a damaged line", host});
    }
    _exit(6);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto store = Open(db);
  ASSERT_TRUE(store);
  SqlConnection& sql = store->sql();
  if (GetParam() == "sqlite") EXPECT_EQ(Scalar(sql, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Scalar(sql, "SELECT status FROM scans"), "running");
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM host_scans"), "1");
  EXPECT_EQ(Scalar(sql, "SELECT verdict FROM host_scans"), "compromised");
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM findings"), "50");
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM errors"), "1");
  CliRun report = Exhunt("report '" + db + "' --format jsonl");
  EXPECT_EQ(report.status, 0) << report.err;
  EXPECT_NE(report.out.find("\"host\":\"A\",\"verdict\":\"compromised\""), std::string::npos) << report.out;
  EXPECT_EQ(report.out.find("\"host\":\"B\""), std::string::npos);
  CliRun listing = Exhunt("report '" + db + "' --scans");
  EXPECT_NE(listing.out.find("not finished"), std::string::npos) << listing.out;
}

// The real thing: exhunt killed with SIGKILL while it scans many hosts.
TEST_P(StoreTest, AScanKilledMidwayLeavesAConsistentStore) {
  const std::string db = NewStore("killed");
  const std::string dir = Dir("killed");
  const int hosts = 60;
  std::string roots;
  for (int i = 0; i < hosts; ++i) {
    std::string name = dir + "/fleet/H" + std::to_string(100 + i);
    std::filesystem::create_directories(dir + "/fleet");
    std::filesystem::create_directory_symlink(kExample, name);
    roots += " '" + name + "'";
  }
  // What one host's results are, from a scan of one.
  ASSERT_EQ(Exhunt("scan '" + dir + "/fleet/H100' --quiet --format jsonl -o '" + dir + "/one.jsonl'").status, 1);
  size_t findings = 0;
  for (const auto& line : Lines(ReadAll(dir + "/one.jsonl"))) findings += line.starts_with("{\"type\":\"finding\"");
  ASSERT_GT(findings, 0u);

  // The store exists (schema made) before the scan starts writing.
  auto store = Open(db);
  ASSERT_TRUE(store);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string cmd = std::string("exec ") + EXHUNT_BINARY + " scan" + roots + " --quiet --threads 1 --format jsonl -o /dev/null --db '" + db + "'";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), nullptr);
    _exit(127);
  }
  // Kill it once some hosts are stored, well before the last.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (!store) break;
    auto n = store->sql().Query("SELECT COUNT(*) FROM host_scans WHERE verdict <> 'pending'", {});
    if (n.ok() && !n->empty() && (*n)[0][0] && std::stoi(*(*n)[0][0]) >= 3) break;
    if (std::chrono::steady_clock::now() > deadline) break;
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the scan ended before it could be killed";
  store.reset();

  auto reopened = Open(db);
  ASSERT_TRUE(reopened);
  SqlConnection& sql = reopened->sql();
  if (GetParam() == "sqlite") EXPECT_EQ(Scalar(sql, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(Scalar(sql, "SELECT status FROM scans"), "running");
  const int stored = std::stoi(Scalar(sql, "SELECT COUNT(*) FROM host_scans"));
  EXPECT_GE(stored, 3);
  EXPECT_LT(stored, hosts);
  EXPECT_EQ(Scalar(sql, "SELECT COUNT(*) FROM host_scans WHERE verdict = 'pending'"), "0");
  // Every stored host is whole: all its findings, its verdict, its record.
  auto per_host = sql.Query(
      "SELECT hs.id, hs.verdict, (SELECT COUNT(*) FROM findings f WHERE f.host_scan_id = hs.id), "
      "(SELECT COUNT(*) FROM events e WHERE e.host_scan_id = hs.id) FROM host_scans hs",
      {});
  ASSERT_TRUE(per_host.ok());
  for (const auto& row : per_host.value()) {
    EXPECT_EQ(*row[1], "compromised");
    EXPECT_EQ(*row[2], std::to_string(findings));
    EXPECT_NE(*row[3], "0");
  }
  CliRun report = Exhunt("report '" + db + "' --format jsonl");
  EXPECT_EQ(report.status, 0) << report.err;
  size_t host_records = 0;
  for (const auto& line : Lines(report.out)) host_records += line.starts_with("{\"type\":\"host\"");
  EXPECT_EQ(host_records, size_t(stored));
}

TEST_P(StoreTest, EvidenceBytesNoDatabaseTakesAreKeptAsTheJsonReportWritesThem) {
  const std::string db = NewStore("bytes");
  auto store = Open(db);
  ASSERT_TRUE(store);
  auto w = store->NewScan("scan", {"/evidence/EXCH01"});
  ASSERT_TRUE(w.ok()) << w.status().message();
  auto rule = std::make_shared<RuleInfo>();
  rule->id = "test.rule";
  rule->title = "title with \xff byte";
  Finding f;
  f.rule = rule;
  f.host = "EXCH01";
  f.source = {"x.log", SourceRef::Kind::kLine, 7};
  const std::string hostile("a\0b\xff\xfe'; DROP TABLE findings; --", 31);
  f.evidence = {{"cs(User-Agent)", hostile}};
  f.keys = {{"user_agent", hostile}};
  w.value()->Begin(ScanInfo{{"/evidence/EXCH01"}});
  w.value()->OnFinding(f);
  HostReport h;
  h.host = "EXCH01";
  w.value()->OnHost(h);
  w.value()->End(ScanStats{});
  ASSERT_TRUE(w.value()->status().ok()) << w.value()->status().message();
  CollectingSink back;
  ASSERT_TRUE(store->Replay({}, back).ok());
  ASSERT_EQ(back.result.findings.size(), 1u);
  EXPECT_EQ(back.result.findings[0].evidence[0].second,
            std::string("a\0b\xEF\xBF\xBD\xEF\xBF\xBD'; DROP TABLE findings; --", 35));
  EXPECT_EQ(back.result.findings[0].rule->title, "title with \xEF\xBF\xBD byte");
  EXPECT_EQ(Scalar(store->sql(), "SELECT user_agent FROM findings"),
            "a\xEF\xBF\xBD" "b\xEF\xBF\xBD\xEF\xBF\xBD'; DROP TABLE findings; --");
}

// The queries docs/STORE.md offers analysts run on both backends and say
// what they claim.
TEST_P(StoreTest, TheDocumentedQueriesRun) {
  const std::string db = NewStore("queries");
  ASSERT_EQ(Exhunt("scan '" + kExample + "' --quiet --format jsonl -o /dev/null --db '" + db + "'").status, 1);
  const std::string doc = ReadAll(std::string(EXHUNT_SOURCE_DIR) + "/docs/STORE.md");
  const size_t begin = doc.find("```sql\n"), end = doc.find("```", begin + 7);
  ASSERT_NE(begin, std::string::npos);
  std::vector<std::string> statements;
  std::string current;
  for (const auto& line : Lines(doc.substr(begin + 7, end - begin - 7))) {
    if (line.starts_with("--")) continue;
    current += line + "\n";
    if (!line.empty() && line.back() == ';') {
      statements.push_back(current.substr(0, current.size() - 2));
      current.clear();
    }
  }
  ASSERT_EQ(statements.size(), 3u);
  auto store = Open(db);
  ASSERT_TRUE(store);
  std::vector<std::vector<SqlRow>> results;
  for (const auto& q : statements) {
    auto rows = store->sql().Query(q, {});
    ASSERT_TRUE(rows.ok()) << q << ": " << rows.status().message();
    results.push_back(rows.value());
  }
  // The fleet now: the example host, compromised, on its build.
  ASSERT_EQ(results[0].size(), 1u);
  EXPECT_EQ(*results[0][0][0], "EXCH01");
  EXPECT_EQ(*results[0][0][1], "compromised");
  EXPECT_EQ(*results[0][0][3], "15.1.2176.2");
  // One host: no address is on two hosts.
  EXPECT_TRUE(results[1].empty());
  // ProxyNotShell is open on 2016 CU19.
  ASSERT_EQ(results[2].size(), 1u);
  EXPECT_EQ(*results[2][0][0], "EXCH01");
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

// --- HTML in a real browser -------------------------------------------------

std::string Chromium(const std::vector<std::string>& args, int* status) {
  std::vector<std::string> argv = {"chromium",          "--headless",           "--no-sandbox",
                                   "--disable-gpu",     "--disable-quic",       "--no-first-run",
                                   "--disable-sync",    "--disable-component-update", "--disable-dev-shm-usage",
                                   "--disable-background-networking",
                                   "--user-data-dir=" + Dir("chromium-profile")};
  argv.insert(argv.end(), args.begin(), args.end());
  return CommandOutput(argv, status);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

TEST(HtmlReport, VerdictsCountsAndFiltersShowInChromiumAndPlantedMarkupDoesNotRun) {
  const std::string dir = Dir("html");
  const std::string tree = dir + "/EXCH01";
  ASSERT_EQ(system(("cp -r '" + kExample + "' '" + tree + "'").c_str()), 0);
  // Attack lines whose user agent and URL carry markup: a script element
  // and an event handler that would mark the page if they ran.
  Write(tree + "/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
        "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n#Date: 2021-03-03 00:00:00\n"
        "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) "
        "cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
        "2021-03-03 02:10:00 10.0.0.5 POST /aspnet_client/<img/src=x/onerror=document.body.dataset.pwned=1>.aspx "
        "- 443 - 203.0.113.66 <script>document.title='pwned';document.body.dataset.pwned=2</script> - 200 0 0 15\n"
        "2021-03-03 02:11:00 10.0.0.5 GET /autodiscover/autodiscover.json "
        "@evil.com/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.com 443 - 203.0.113.66 "
        "<script>document.title='pwned'</script> - 200 0 0 15\n");
  CliRun jsonl = Exhunt("scan '" + tree + "' --quiet --format jsonl");
  ASSERT_EQ(jsonl.status, 1) << jsonl.err;
  ASSERT_NE(jsonl.out.find("onerror=document.body.dataset.pwned=1"), std::string::npos)
      << "the planted URL is not in any finding: the test would prove nothing";
  ASSERT_NE(jsonl.out.find("<script>document.title='pwned'"), std::string::npos);
  size_t events = 0, high_or_more = 0;
  for (const auto& line : Lines(jsonl.out)) {
    if (!line.starts_with("{\"type\":\"event\"")) continue;
    ++events;
    high_or_more += line.find("\"severity\":\"high\"") != std::string::npos ||
                    line.find("\"severity\":\"critical\"") != std::string::npos;
  }
  ASSERT_GT(events, high_or_more);
  ASSERT_GT(high_or_more, 0u);

  CliRun html = Exhunt("scan '" + tree + "' --quiet -o '" + dir + "/report.html'");
  ASSERT_EQ(html.status, 1) << html.err;
  const std::string page = ReadAll(dir + "/report.html");
  EXPECT_NE(page.find("Content-Security-Policy"), std::string::npos);
  EXPECT_FALSE(std::regex_search(page, std::regex("(src|href|action)=\"(https?:)?//")))
      << "the page must load nothing";
  EXPECT_EQ(Count(page, "<script"), 1u) << "only the page's own script element";

  const std::string url = "file://" + dir + "/report.html";
  int status = -1;
  const std::string dom = Chromium({"--dump-dom", url}, &status);
  ASSERT_EQ(status, 0);
  ASSERT_NE(dom.find("id=\"events\""), std::string::npos) << dom.substr(0, 500);
  // The verdict and its count, as the JSONL says.
  EXPECT_NE(dom.find("1 compromised</span>"), std::string::npos);
  EXPECT_NE(dom.find("<span class=\"verdict v-compromised\">compromised</span>"), std::string::npos);
  // The script ran: every event counted and shown.
  EXPECT_NE(dom.find(std::to_string(events) + " of " + std::to_string(events) + " events shown"), std::string::npos);
  EXPECT_EQ(Count(dom, "<tr data-severity="), events);
  // Nothing planted ran: the title is ours, the body carries no mark, and
  // the markup shows as text.
  EXPECT_EQ(dom.find("data-pwned"), std::string::npos);
  EXPECT_EQ(dom.find("<title>pwned"), std::string::npos);
  EXPECT_NE(dom.find("&lt;script&gt;document.title='pwned'"), std::string::npos);
  EXPECT_NE(dom.find("&lt;img/src=x/onerror=document.body.dataset.pwned=1&gt;"), std::string::npos);

  // A filter narrows the timeline: high and up, then a text search.
  const std::string high = Chromium({"--dump-dom", url + "#severity=high"}, &status);
  EXPECT_NE(high.find(std::to_string(high_or_more) + " of " + std::to_string(events) + " events shown"),
            std::string::npos);
  EXPECT_EQ(Count(high, "<tr data-severity=") - Count(high, "hidden=\"\""), high_or_more);
  const std::string search = Chromium({"--dump-dom", url + "#q=203.0.113.66"}, &status);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(search, m, std::regex("(\\d+) of (\\d+) events shown")));
  EXPECT_GE(std::stoul(m[1]), 2u);
  EXPECT_LT(std::stoul(m[1]), events);

  // A screenshot, kept for people.
  std::filesystem::create_directories(EXHUNT_ARTIFACTS);
  const std::string shot = std::string(EXHUNT_ARTIFACTS) + "/html_report.png";
  std::filesystem::remove(shot);
  Chromium({"--screenshot=" + shot, "--window-size=1280,2400", url}, &status);
  EXPECT_EQ(status, 0);
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 20000u);
}

}  // namespace
}  // namespace exhunt::testing
