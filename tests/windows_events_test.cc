// The event-log plane end to end: built-in Windows rules on real EVTX
// samples and on events as Exchange writes them, discovery of event logs,
// damaged files.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "reader/evtx_format.h"
#include "record/event_record.h"
#include "base/text.h"
#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/file_system.h"
#include "test_util.h"

namespace exhunt {
namespace {

namespace fs = std::filesystem;

// Builds the XML of one event as the EVTX decoder would; names live in `names`.
class EventBuilder {
 public:
  EventXml Make(std::string_view channel, std::string_view provider, uint32_t event_id, int level,
                const std::vector<std::pair<std::string, std::string>>& data) {
    EventXml x;
    int event = Element(x, "Event", -1, "");
    int system = Element(x, "System", event, "");
    int prov = Element(x, "Provider", system, "");
    Attribute(x, prov, "Name", std::string(provider));
    Element(x, "EventID", system, std::to_string(event_id));
    Element(x, "Level", system, std::to_string(level));
    int created = Element(x, "TimeCreated", system, "");
    Attribute(x, created, "SystemTime", "2021-03-03T06:49:43.123456700Z");
    Element(x, "EventRecordID", system, "4242");
    Element(x, "Channel", system, std::string(channel));
    Element(x, "Computer", system, "EXCH01.corp.local");
    int ed = Element(x, "EventData", event, "");
    for (const auto& [name, value] : data) {
      int d = Element(x, "Data", ed, value);
      if (!name.empty()) Attribute(x, d, "Name", name);
    }
    return x;
  }

 private:
  std::string_view Name(const std::string& n) { return names_.emplace_back(n); }
  int Element(EventXml& x, const std::string& name, int parent, const std::string& text) {
    EventXml::Element e;
    e.name = Name(name);
    e.parent = parent;
    e.attr_begin = e.attr_end = uint32_t(x.attrs.size());
    e.text = x.NewValue();
    x.value(e.text) = text;
    if (parent >= 0) x.elements[size_t(parent)].has_children = true;
    x.elements.push_back(e);
    return int(x.elements.size() - 1);
  }
  void Attribute(EventXml& x, int element, const std::string& name, const std::string& value) {
    uint32_t v = x.NewValue();
    x.value(v) = value;
    x.attrs.push_back({Name(name), v});
    x.elements[size_t(element)].attr_end = uint32_t(x.attrs.size());
  }
  std::deque<std::string> names_;
};

// Ids of the built-in rules that match `xml`.
std::set<std::string> BuiltinMatches(const EventXml& xml) {
  static RuleSet* rules = [] {
    auto* r = new RuleSet;
    r->AddBuiltin();
    return r;
  }();
  EventRecord record;
  record.Reset(xml);
  std::set<std::string> out;
  for (const auto& r : rules->rules())
    if (r->AppliesTo(LogType::kEvtx) && r->Matches(record)) out.insert(r->id());
  return out;
}

constexpr std::string_view kMgmt = "MSExchange Management";

TEST(WindowsRules, MsExchangeManagementCmdletsOfTheCampaigns) {
  EventBuilder b;
  // ProxyLogon: the OAB virtual directory's ExternalUrl set to a China Chopper page.
  EXPECT_EQ(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                  {{"", "Set-OabVirtualDirectory"},
                                   {"", "-ExternalUrl \"http://f/<script language=\"JScript\" runat=\"server\">function "
                                        "Page_Load(){eval(Request[\"x\"],\"unsafe\");}</script>\" -Identity \"OAB "
                                        "(Default Web Site)\""},
                                   {"", "corp.local/Users/SYSTEM"}})),
            std::set<std::string>{"exchange.windows.mgmt_vdir_script"});
  // The same cmdlet with an ordinary URL is administration.
  EXPECT_TRUE(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                    {{"", "Set-OabVirtualDirectory"},
                                     {"", "-ExternalUrl \"https://mail.corp.local/OAB\" -Identity \"OAB (Default Web "
                                          "Site)\""}}))
                  .empty());
  // ProxyShell: export to a page in aspnet_client, the role before it, the cleanup after.
  EXPECT_EQ(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                  {{"", "New-MailboxExportRequest"},
                                   {"", "-Mailbox \"admin@corp.local\" -FilePath "
                                        "\"\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\shell.aspx\""}})),
            std::set<std::string>{"exchange.windows.mgmt_export_to_web"});
  EXPECT_TRUE(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                    {{"", "New-MailboxExportRequest"},
                                     {"", "-Mailbox \"jdoe\" -FilePath \"\\\\fs01\\pst$\\jdoe.pst\""}}))
                  .empty());
  EXPECT_EQ(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                  {{"", "New-ManagementRoleAssignment"},
                                   {"", "-Role \"Mailbox Import Export\" -User \"admin@corp.local\""}})),
            std::set<std::string>{"exchange.windows.mgmt_import_export_role"});
  EXPECT_EQ(BuiltinMatches(b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4,
                                  {{"", "Remove-MailboxExportRequest"}, {"", "-Identity \"x\\y\" -Confirm:$false"}})),
            std::set<std::string>{"exchange.windows.mgmt_export_cleanup"});
  // The same words in another channel are not Exchange management.
  EXPECT_TRUE(BuiltinMatches(b.Make("Application", "MSExchange CmdletLogs", 1, 4,
                                    {{"", "Remove-MailboxExportRequest"}}))
                  .empty());
}

// detection-test-vectors sections 4 (Application log) and 5 (MSExchange
// Management log): each event and the rules it must raise, exactly.
TEST(WindowsRules, TestVectorsOfSections4And5) {
  EventBuilder b;
  struct Case {
    const char* name;
    EventXml event;
    std::set<std::string> rules;
  };
  const std::string cast = "Unable to cast: System.InvalidCastException: at Microsoft.Exchange.UM";
  auto cmdlet = [&](const char* name, const char* params, uint32_t id = 1) {
    return b.Make(kMgmt, "MSExchange CmdletLogs", id, id == 1 ? 4 : 2, {{"", name}, {"", params}});
  };
  std::vector<Case> cases;
  cases.push_back({"A1", b.Make("Application", "MSExchange Unified Messaging", 1603, 2, {{"", cast}}),
                   {"exchange.windows.um_invalid_cast"}});
  cases.push_back({"A2 (warning)", b.Make("Application", "MSExchange Unified Messaging", 1603, 3, {{"", cast}}), {}});
  cases.push_back({"A3 (other exception)",
                   b.Make("Application", "MSExchange Unified Messaging", 1603, 2,
                          {{"", "System.NullReferenceException: Object reference not set"}}),
                   {}});
  cases.push_back({"M1",
                   cmdlet("New-MailboxExportRequest",
                          "-Mailbox \"x\" -FilePath \"\\\\127.0.0.1\\C$\\inetpub\\wwwroot\\aspnet_client\\a.aspx\""),
                   {"exchange.windows.mgmt_export_to_web"}});
  cases.push_back({"M2", cmdlet("New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"x\""),
                   {"exchange.windows.mgmt_import_export_role"}});
  cases.push_back({"M3", cmdlet("Remove-MailboxExportRequest", "-Identity \"...\" -Confirm \"False\""),
                   {"exchange.windows.mgmt_export_cleanup"}});
  cases.push_back({"M4",
                   cmdlet("Set-OabVirtualDirectory",
                          "-ExternalUrl 'http://f/<script language=\"JScript\" runat=\"server\">function "
                          "Page_Load(){eval(Request[\"e\"],\"unsafe\");}</script>'"),
                   {"exchange.windows.mgmt_vdir_script"}});
  cases.push_back({"M5",
                   cmdlet("New-ExchangeCertificate",
                          "-GenerateRequest -BinaryEncoded -RequestFile "
                          "\"\\\\localhost\\C$\\inetpub\\wwwroot\\aspnet_client\\x.aspx\""),
                   {"exchange.windows.mgmt_export_to_web"}});
  cases.push_back({"M6 (event 6)", cmdlet("Cmdlet failed. Cmdlet Get-App, parameters -Mailbox x.", "", 6),
                   {"exchange.windows.mgmt_get_app_invalid_cast"}});
  cases.push_back({"M6 (event 8)",
                   cmdlet("Task Get-App throwing unhandled exception: System.InvalidCastException: Unable", "", 8),
                   {"exchange.windows.mgmt_get_app_invalid_cast"}});
  cases.push_back({"Get-App that succeeded", cmdlet("Get-App", "-Mailbox x"), {}});
  for (const auto& c : cases) EXPECT_EQ(BuiltinMatches(c.event), c.rules) << c.name;
}

TEST(WindowsRules, PagesWrittenIntoWebFolders) {
  EventBuilder b;
  const std::string_view sysmon = "Microsoft-Windows-Sysmon/Operational";
  auto created = [&](const std::string& image, const std::string& file) {
    return b.Make(sysmon, "Microsoft-Windows-Sysmon", 11, 4, {{"Image", image}, {"TargetFilename", file}});
  };
  const std::string aspnet = "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx";
  const std::string auth =
      "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx";
  using S = std::set<std::string>;
  EXPECT_EQ(BuiltinMatches(created("C:\\Windows\\System32\\inetsrv\\w3wp.exe", aspnet)),
            S{"exchange.windows.page_written_by_worker"});
  EXPECT_EQ(BuiltinMatches(created("C:\\Program Files\\Microsoft\\Exchange "
                                   "Server\\V15\\Bin\\MSExchangeMailboxReplication.exe",
                                   auth)),
            S{"exchange.windows.page_written_by_worker"});
  EXPECT_EQ(BuiltinMatches(created("C:\\Users\\admin\\Desktop\\copy.exe", auth)), S{"exchange.windows.page_written"});
  // Updates write these folders; other files and other folders are no pages there.
  EXPECT_TRUE(BuiltinMatches(created("C:\\Windows\\System32\\msiexec.exe", auth)).empty());
  EXPECT_TRUE(BuiltinMatches(created("C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                                     "C:\\inetpub\\wwwroot\\aspnet_client\\readme.txt"))
                  .empty());
  EXPECT_TRUE(
      BuiltinMatches(created("C:\\Windows\\System32\\inetsrv\\w3wp.exe", "C:\\inetpub\\temp\\x.aspx")).empty());
  // The same write seen by object access auditing.
  EXPECT_EQ(BuiltinMatches(b.Make("Security", "Microsoft-Windows-Security-Auditing", 4663, 0,
                                  {{"ObjectName", aspnet},
                                   {"AccessMask", "0x2"},
                                   {"ProcessName", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"}})),
            S{"exchange.windows.page_write_access"});
  EXPECT_TRUE(BuiltinMatches(b.Make("Security", "Microsoft-Windows-Security-Auditing", 4663, 0,
                                    {{"ObjectName", aspnet},
                                     {"AccessMask", "0x1"},  // read
                                     {"ProcessName", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"}}))
                  .empty());
}

// Exchange's web applications log a failed request with its URL and
// exception; an exploit's request that broke there leaves its marks in it.
TEST(WindowsRules, WebApplicationErrorsCarryingAnExploitsRequest) {
  EventBuilder b;
  auto ecp_error = [&](const std::string& request, int level = 2, const char* provider = "MSExchange Control Panel") {
    return b.Make("Application", provider, 4, level,
                  {{"", "Request for URL '" + request +
                            "' failed with the following error:\nSystem.Web.HttpException (0x80004005): The state "
                            "information is invalid for this page and might be corrupted."}});
  };
  using S = std::set<std::string>;
  const S hit{"exchange.windows.web_error_exploit_marker"};
  // CVE-2020-0688: a serialized payload in __VIEWSTATE of an ECP request.
  EXPECT_EQ(BuiltinMatches(ecp_error("https://mail.corp.local/ecp/default.aspx?__VIEWSTATEGENERATOR=B97B4E27&"
                                     "__VIEWSTATE=%2FwEyhAYAAQAAAP%2F%2F%2F%2F8BAAAAAAAAAAwCAAAAXk1pY3Jvc29mdC5Q")),
            hit);
  // ProxyLogon: the forged backend cookie, with a path before its '~'.
  EXPECT_EQ(BuiltinMatches(ecp_error("https://mail.corp.local/ecp/y.js Cookie: X-BEResource=EXCH01/EWS/"
                                     "Exchange.asmx?a=~1942062522;")),
            hit);
  EXPECT_EQ(BuiltinMatches(ecp_error("https://mail.corp.local/owa/auth/x.js Cookie: X-AnonResource=true; "
                                     "X-AnonResource-Backend=EXCH01/ecp/default.flt?~3",
                                     2, "MSExchange OWA")),
            hit);
  // ProxyShell / ProxyNotShell: autodiscover.json going on to PowerShell.
  EXPECT_EQ(BuiltinMatches(ecp_error("https://mail.corp.local/autodiscover/autodiscover.json?@evil.com/"
                                     "powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dzQwBBCEtlcmJlcm9z&Email="
                                     "autodiscover/autodiscover.json%3F@evil.com")),
            hit);
  // A routing cookie of Exchange's own (server~version, no path), an ordinary ECP
  // page, Microsoft's probe, a warning, and a provider that is not Exchange's.
  EXPECT_TRUE(BuiltinMatches(ecp_error("https://mail.corp.local/ecp/ Cookie: X-BEResource=EXCH01.corp.local~1942062522"))
                  .empty());
  EXPECT_TRUE(BuiltinMatches(ecp_error("https://mail.corp.local/ecp/UsersGroups/Mailboxes.slab")).empty());
  EXPECT_TRUE(BuiltinMatches(ecp_error("https://mail.corp.local/owa/auth/x.js Cookie: X-AnonResource=true; "
                                       "X-AnonResource-Backend=localhost/ecp/default.flt?~3;"))
                  .empty());
  EXPECT_TRUE(BuiltinMatches(ecp_error("https://mail.corp.local/ecp/default.aspx?__VIEWSTATE=%2FwEy", 3)).empty());
  EXPECT_TRUE(
      BuiltinMatches(ecp_error("https://mail.corp.local/ecp/default.aspx?__VIEWSTATE=%2FwEy", 2, "ASP.NET 4.0.30319.0"))
          .empty());
}

// SigmaHQ writes keyword rules with a field-less key ('|all': [...]): every
// value must be somewhere in the event, as for a keyword list.
TEST(WindowsRules, SigmaHqFieldlessAllKeywordsSearchTheWholeEvent) {
  EXHUNT_REQUIRE_SHARED(path, "rules-thirdparty/sigma/rules/windows/builtin/msexchange/"
                              "win_exchange_set_oabvirtualdirectory_externalurl.yml");
  RuleSet rules;
  auto fs = NewPosixFileSystem();
  ASSERT_TRUE(rules.AddDirectory(fs.get(), path).ok());
  ASSERT_EQ(rules.rules().size(), 1u);
  const Rule& rule = *rules.rules()[0];
  EventBuilder b;
  EventRecord record;
  auto matches = [&](const std::string& params) {
    EventXml x = b.Make(kMgmt, "MSExchange CmdletLogs", 1, 4, {{"", "Set-OabVirtualDirectory"}, {"", params}});
    record.Reset(x);
    return rule.Matches(record);
  };
  EXPECT_TRUE(matches("-ExternalUrl 'http://f/<script language=\"JScript\" runat=\"server\">function "
                      "Page_Load(){eval(Request[\"e\"],\"unsafe\");}</script>'"));
  EXPECT_FALSE(matches("-ExternalUrl 'https://mail.corp.local/OAB'"));  // no script, no Page_Load
}

TEST(WindowsRules, UnifiedMessagingCrashOfCve2021_26857) {
  EventBuilder b;
  const std::string text =
      "An unhandled exception occurred in a UM worker process: System.InvalidCastException: Unable to cast object";
  EXPECT_EQ(BuiltinMatches(b.Make("Application", "MSExchange Unified Messaging", 1603, 2, {{"", text}})),
            std::set<std::string>{"exchange.windows.um_invalid_cast"});
  // Information level, or another provider: not the crash.
  EXPECT_TRUE(BuiltinMatches(b.Make("Application", "MSExchange Unified Messaging", 1603, 4, {{"", text}})).empty());
  EXPECT_TRUE(BuiltinMatches(b.Make("Application", "Application Error", 1000, 2, {{"", text}})).empty());
}

TEST(WindowsRules, ExchangeWorkerStartingShells) {
  EventBuilder b;
  const std::string_view sysmon = "Microsoft-Windows-Sysmon/Operational";
  auto sysmon1 = [&](std::string parent_cmd, std::string image) {
    return b.Make(sysmon, "Microsoft-Windows-Sysmon", 1, 4,
                  {{"Image", image},
                   {"CommandLine", "cmd /c whoami"},
                   {"ParentImage", "C:\\Windows\\System32\\inetsrv\\w3wp.exe"},
                   {"ParentCommandLine", parent_cmd}});
  };
  EXPECT_EQ(BuiltinMatches(sysmon1("c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v v4.0",
                                   "C:\\Windows\\System32\\cmd.exe")),
            std::set<std::string>{"exchange.windows.worker_child_shell"});
  // Another site's pool, or a child that is no shell.
  EXPECT_TRUE(BuiltinMatches(sysmon1("c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"DefaultAppPool\"",
                                     "C:\\Windows\\System32\\cmd.exe"))
                  .empty());
  EXPECT_TRUE(BuiltinMatches(sysmon1("w3wp.exe -ap \"MSExchangeOWAAppPool\"",
                                     "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe"))
                  .empty());
  // Security 4688 says NewProcessName and ParentProcessName; the rule reads them as Image and ParentImage.
  EXPECT_EQ(BuiltinMatches(b.Make("Security", "Microsoft-Windows-Security-Auditing", 4688, 0,
                                  {{"NewProcessName", "C:\\Program Files\\Microsoft\\Exchange "
                                                      "Server\\V15\\UnifiedMessaging\\..\\..\\Windows\\cmd.exe"},
                                   {"ParentProcessName", "C:\\Program Files\\Microsoft\\Exchange "
                                                         "Server\\V15\\Bin\\UMWorkerProcess.exe"},
                                   {"CommandLine", "cmd.exe /c whoami"}})),
            std::set<std::string>{"exchange.windows.worker_child_shell"});
}

TEST(WindowsEvents, BuiltinRulesOnRealSamples) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/evtx/EVTX-to-MITRE-Attack");
  ScanResult r = testing::ScanPath(dir);
  std::map<std::string, std::set<std::string>> by_rule;  // rule -> "file#record"
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.source.kind, SourceRef::Kind::kRecord);
    by_rule[f.rule->id].insert(f.source.ToString());
  }
  // Install-TransportAgent and Enable-TransportAgent, each logged twice, in the MSExchange Management sample.
  ASSERT_EQ(by_rule["exchange.windows.mgmt_transport_agent"].size(), 4u);
  EXPECT_TRUE(by_rule["exchange.windows.mgmt_transport_agent"].count(
      "TA0003-Persistence/T1505-Server Software Component/ID6-Failed to install an Exchange transport agent.evtx#7184"));
  for (const auto& f : r.findings) {
    if (f.rule->id != "exchange.windows.mgmt_transport_agent") continue;
    bool cmdlet = false;
    for (const auto& [k, v] : f.evidence)
      cmdlet = cmdlet || (k == "Data[1]" && (v == "Install-TransportAgent" || v == "Enable-TransportAgent"));
    EXPECT_TRUE(cmdlet);
  }
  // comsvcs MiniDump / procdump of lsass, seen by Sysmon 1 and by Security 4688.
  EXPECT_GE(by_rule["exchange.windows.lsass_dump_tool"].size(), 2u);
  bool via_sysmon = false, via_4688 = false;
  for (const auto& s : by_rule["exchange.windows.lsass_dump_tool"]) {
    via_sysmon = via_sysmon || s.find("ID1-") != std::string::npos;
    via_4688 = via_4688 || s.find("ID4688") != std::string::npos;
  }
  EXPECT_TRUE(via_sysmon);
  EXPECT_TRUE(via_4688);
}

TEST(WindowsEvents, BenignSystemLogsStayQuiet) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/evtx/plaso");
  ScanResult r = testing::ScanPath(dir);
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.hosts.size(), 1u);
  // System.evtx and the records System2.evtx holds whole.
  EXPECT_GT(r.stats.records, 1000u);
}

TEST(WindowsEvents, TruncatedFileReadToItsCutAndSaysSo) {
  EXHUNT_REQUIRE_SHARED(path, "corpus/evtx/plaso/System2.evtx");
  ScanResult r = testing::ScanPath(path);
  std::vector<std::string> messages;
  for (const auto& e : r.errors) messages.push_back(e.message);
  bool cut = false, record_cut = false;
  for (const auto& m : messages) {
    cut = cut || m.find("chunk 2: chunk cut short (64832 of 65536 bytes)") != std::string::npos;
    record_cut = record_cut || m.find("cut off by the end of the file") != std::string::npos;
  }
  EXPECT_TRUE(cut);
  EXPECT_TRUE(record_cut);
  // 194 events in the two whole chunks (as evtxexport reads them) and 89 whole records of the cut one.
  EXPECT_EQ(r.stats.records, 283u);
}

TEST(WindowsEvents, DamagedChunksCostThemselvesAlone) {
  EXHUNT_REQUIRE_SHARED(path, "corpus/evtx/DeepBlueCLI/many-events-application.evtx");
  std::string bytes = testing::ReadAll(path);
  testing::MemoryScan clean;
  clean.Add("Windows/System32/winevt/Logs/Application.evtx", bytes);
  ScanResult before = clean.Run();
  ASSERT_TRUE(before.errors.empty());
  const uint64_t all = before.stats.records;
  ASSERT_GT(all, 1000u);

  // Chunk 1: header and records smashed; chunk 3: one record's size broken;
  // a string table offset of chunk 5 pointed outside the chunk.
  std::string damaged = bytes;
  for (size_t i = 0; i < 2048; ++i) damaged[kEvtxFileHeaderSize + kEvtxChunkSize + i] = char(0xA5);
  damaged[kEvtxFileHeaderSize + 3 * kEvtxChunkSize + 512 + 4] = char(0xff);
  damaged[kEvtxFileHeaderSize + 3 * kEvtxChunkSize + 512 + 5] = char(0xff);
  testing::MemoryScan scan;
  scan.Add("Windows/System32/winevt/Logs/Application.evtx", damaged);
  ScanResult after = scan.Run();
  EXPECT_LT(after.stats.records, all);
  EXPECT_GT(after.stats.records, all - 400);  // the smashed chunk and a record or so of the other
  bool chunk1 = false, chunk3 = false;
  for (const auto& e : after.errors) {
    chunk1 = chunk1 || e.message.rfind("chunk 1:", 0) == 0;
    chunk3 = chunk3 || e.message.rfind("chunk 3:", 0) == 0;
  }
  EXPECT_TRUE(chunk1);
  EXPECT_TRUE(chunk3);

  // Not an event log at all, though named like one: listed as not read.
  testing::MemoryScan fake;
  fake.Add("Windows/System32/winevt/Logs/Security.evtx", std::string(100000, 'x'));
  ScanResult none = fake.Run();
  bool listed = false;
  for (const auto& h : none.hosts)
    for (const auto& s : h.skipped) listed = listed || s.reason.find("not an EVTX file") != std::string::npos;
  EXPECT_TRUE(listed);
}

TEST(WindowsEvents, FoundByTheirSignatureAnywhere) {
  EXHUNT_REQUIRE_SHARED(path, "corpus/evtx/DeepBlueCLI/many-events-application.evtx");
  testing::MemoryScan scan;
  scan.Add("triage/exported_application_log", testing::ReadAll(path));  // no extension, no known folder
  ScanResult r = scan.Run();
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_GT(r.stats.records, 1000u);
  EXPECT_TRUE(r.hosts[0].coverage.count(LogType::kEvtx));
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

// Event 104 (a log cleared) carries the cleared log's name in a UserData
// field called Channel; the event's own channel (System) decides which
// rules it is offered. evtxexport shows 90 such events in this sample.
TEST(WindowsEvents, ChannelOfTheEventNotOfItsUserData) {
  EXHUNT_REQUIRE_SHARED(path, "corpus/evtx/EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1070.001-Clear Windows "
                              "event logs/ID104-1102-Event log cleared.evtx");
  testing::MemoryScan scan;
  scan.rules.AddText(
      "title: log cleared\nid: test.system_104\nlogsource:\n  product: windows\n  service: system\n"
      "detection:\n  selection:\n    EventID: 104\n  condition: selection\nlevel: high\n",
      "test");
  scan.Add("Windows/System32/winevt/Logs/System.evtx", testing::ReadAll(path));
  ScanResult r = scan.Run();
  size_t hits = 0;
  for (const auto& f : r.findings) hits += f.rule->id == "test.system_104";
  EXPECT_EQ(hits, 90u);
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

// SigmaHQ's regression samples come as EVTX and as evtx_dump JSON of the
// same events: with every SigmaHQ Windows rule loaded, both give the same
// findings, rule by rule and sample by sample.
TEST(WindowsEvents, JsonExportsAndEvtxGiveTheSameFindings) {
  EXHUNT_REQUIRE_SHARED(regression, "corpus/sigma-regression/rules");
  EXHUNT_REQUIRE_SHARED(windows_rules, "rules-thirdparty/sigma/rules/windows");
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(fs.get(), windows_rules).ok());
  ScanResult r = testing::ScanWithRules(rules, regression);
  std::map<std::pair<std::string, std::string>, int> evtx, json;  // (folder, rule) -> findings
  for (const auto& f : r.findings) {
    std::string folder = f.source.path.substr(0, f.source.path.rfind('/'));
    if (EndsWithIgnoreCase(f.source.path, ".evtx")) {
      ++evtx[{folder, f.rule->id}];
      EXPECT_EQ(f.source.kind, SourceRef::Kind::kRecord);
    } else if (EndsWithIgnoreCase(f.source.path, ".json")) {
      ++json[{folder, f.rule->id}];
      EXPECT_EQ(f.source.kind, SourceRef::Kind::kOffset);
    }
  }
  EXPECT_GT(evtx.size(), 190u);
  EXPECT_EQ(evtx, json);
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kEventJson).files, 192u);
}

TEST(WindowsEvents, JsonExportsFoundByContentAndDamageCostsItselfAlone) {
  testing::MemoryScan scan;
  const std::string shell =
      R"j({"@timestamp":"2021-03-03T06:50:00.000Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational",)j"
      R"j("provider_name":"Microsoft-Windows-Sysmon","event_id":1,"record_id":7,"computer_name":"EXCH01",)j"
      R"j("event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami",)j"
      R"j("ParentImage":"C:\\Windows\\System32\\inetsrv\\w3wp.exe",)j"
      R"j("ParentCommandLine":"w3wp.exe -ap \"MSExchangeOWAAppPool\""}}})j";
  const std::string benign =
      R"j({"@timestamp":"2021-03-03T06:49:00.000Z","winlog":{"channel":"Security","provider_name":"x",)j"
      R"j("event_id":4624,"record_id":6,"event_data":{"TargetUserName":"jdoe"}}})j";
  // A triage folder's export: a broken line and an oversized value between good events.
  scan.Add("triage/winlogbeat.ndjson", benign + "\n{not json at all\n" + shell + "\n{\"EventID\": 1, \"x\": \"" +
                                           std::string(17 << 20, 'a') + "\"}\n");
  scan.Add("triage/package.json", "{\"name\": \"tool\", \"version\": \"1.0.0\"}\n");
  scan.Add("triage/other.json", "{\"EventID\": \"not really\" ");  // named like events, cut short
  ScanResult r = scan.Run();
  ASSERT_EQ(r.hosts.size(), 1u);
  std::set<std::string> rules;
  for (const auto& f : r.findings)
    if (f.source.path == "triage/winlogbeat.ndjson") rules.insert(f.rule->id);
  EXPECT_EQ(rules, std::set<std::string>{"exchange.windows.worker_child_shell"});
  bool broken = false, oversized = false;
  for (const auto& e : r.errors) {
    if (e.path != "triage/winlogbeat.ndjson") continue;
    broken = broken || e.message.find("no JSON value") != std::string::npos;
    oversized = oversized || e.message.find("more than 16 MiB") != std::string::npos;
  }
  EXPECT_TRUE(broken);
  EXPECT_TRUE(oversized);
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kEventJson).files, 1u);
  bool other_listed = false;
  for (const auto& s : r.hosts[0].skipped)
    other_listed = other_listed || (s.path == "triage/other.json" && s.reason.find("no Windows events") != std::string::npos);
  EXPECT_TRUE(other_listed);
}

// A large stream of JSON events is read in pieces cut where a line starts a
// value, on every worker: the findings, counts and damage reports are those
// of one piece, and no value is read twice or lost at a cut.
TEST(WindowsEvents, ALargeJsonLinesExportIsSplitAcrossWorkersAndReadsAsAWhole) {
  auto event = [](int n, const std::string& cmd) {
    return R"j({"Event":{"System":{"EventID":4688,"Channel":"Security","EventRecordID":)j" + std::to_string(n) +
           R"j(,"TimeCreated":{"#attributes":{"SystemTime":"2021-03-03T06:)j" + std::to_string(10 + n % 50) +
           R"j(:00.000Z"}},"Computer":"EXCH01"},"EventData":{"NewProcessName":"C:\\Windows\\System32\\rundll32.exe",)j"
           R"j("CommandLine":")j" + cmd + R"j(","ParentProcessName":"C:\\Windows\\explorer.exe"}}})j";
  };
  std::string jsonl;
  std::set<uint64_t> dump_offsets, damaged_offsets;
  for (int n = 0; n < 6000; ++n) {
    if (n % 997 == 0) {  // a broken line now and then: it costs itself alone
      damaged_offsets.insert(jsonl.size());
      jsonl += "{\"Event\": {\"System\": \n";
    }
    if (n % 500 == 250) dump_offsets.insert(jsonl.size());
    jsonl += event(n, n % 500 == 250 ? "rundll32.exe C:\\\\Windows\\\\System32\\\\comsvcs.dll, MiniDump 624 "
                                       "C:\\\\Users\\\\Public\\\\l.dmp full"
                                     : "rundll32.exe shell32.dll,Control_RunDLL desk.cpl") +
             "\n";
  }
  auto run = [&](size_t chunk_bytes) {
    testing::MemoryScan scan;
    scan.Add("triage/Security.jsonl", jsonl);
    ScanOptions o;
    o.threads = 2;
    o.chunk_bytes = chunk_bytes;
    o.split_threshold = chunk_bytes;
    return scan.Run(o);
  };
  ScanResult whole = run(size_t(1) << 30), pieces = run(64 << 10);  // ~2 MB in ~30 pieces
  ASSERT_GT(jsonl.size(), size_t(20) * (64 << 10));
  for (const ScanResult* r : {&whole, &pieces}) {
    std::set<uint64_t> offsets;
    for (const auto& f : r->findings)
      if (f.rule->id == "exchange.windows.lsass_dump_tool") offsets.insert(f.source.position);
    EXPECT_EQ(offsets, dump_offsets);
    std::set<uint64_t> damaged;
    for (const auto& e : r->errors) {
      size_t at = e.message.find("offset ");
      if (at != std::string::npos) damaged.insert(std::stoull(e.message.substr(at + 7)));
    }
    EXPECT_EQ(damaged, damaged_offsets);
    ASSERT_EQ(r->hosts.size(), 1u);
    EXPECT_EQ(r->stats.records, 6000u);
  }
}

}  // namespace
}  // namespace exhunt
