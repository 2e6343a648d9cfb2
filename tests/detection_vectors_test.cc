// Table tests for the detection test vectors (sections 1, 2, 3, 6 and 7 of
// the research notes): each row is a log line and the rules that must, and
// only must, fire on it.
#include <gtest/gtest.h>

#include "test_util.h"

namespace exhunt::testing {
namespace {

using Row = std::map<std::string, std::string>;
const std::string kEcpLog =
    "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG";

Row SsrfRow(const std::string& anchor, const std::string& status, const std::string& stem = "/ecp/y.js") {
  return {{"DateTime", "2021-03-03T06:49:43.699Z"},
          {"Protocol", "Ecp"},
          {"UrlStem", stem},
          {"AuthenticationType", ""},
          {"IsAuthenticated", "false"},
          {"AuthenticatedUser", ""},
          {"AnchorMailbox", anchor},
          {"UserAgent", "python-requests/2.25.1"},
          {"ClientIpAddress", "203.0.113.7"},
          {"HttpStatus", status},
          {"Method", "POST"}};
}

struct HttpProxyCase {
  const char* name;
  Row row;
  std::set<std::string> rules;
};

class HttpProxyVectors : public ::testing::TestWithParam<HttpProxyCase> {};

TEST_P(HttpProxyVectors, FiresExactlyTheExpectedRules) {
  MemoryScan scan;
  scan.Add("Program Files/Microsoft/Exchange Server/V15/Bin/ExSetup.exe", "MZ");
  scan.Add(kEcpLog, HttpProxyFile({GetParam().row}));
  ScanResult r = scan.Run();
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].message;
  EXPECT_EQ(RulesAt(r, kEcpLog, 6), GetParam().rules);
}

const std::string kPl = "exchange.proxylogon.";

INSTANTIATE_TEST_SUITE_P(
    Section1, HttpProxyVectors,
    ::testing::Values(
        HttpProxyCase{"H1_mapi",
                      SsrfRow("ServerInfo~a]@ExServer.Exorg.com:444/mapi/emsmdb/?#", "200"),
                      {kPl + "ssrf_anchor_mailbox"}},
        HttpProxyCase{"H2_proxylogon_ecp_241",
                      SsrfRow("ServerInfo~a]@ExServer.Exorg.com:444/ecp/proxyLogon.ecp?#", "241"),
                      {kPl + "ssrf_anchor_mailbox"}},
        HttpProxyCase{"H2_proxylogon_ecp_200",
                      SsrfRow("ServerInfo~a]@ExServer.Exorg.com:444/ecp/proxyLogon.ecp?#", "200"),
                      {kPl + "ssrf_ecp_success"}},
        HttpProxyCase{"H3_ddi_getobject",
                      SsrfRow("ServerInfo~a]@ExServer.Exorg.com:444/ecp/DDI/DDIService.svc/"
                              "GetObject?msExchEcpCanary=Oq94x&schema=OABVirtualDirectory#",
                              "200"),
                      {kPl + "ssrf_ecp_ddi"}},
        HttpProxyCase{"H4_autodiscover_only",
                      SsrfRow("ServerInfo~a]@ExServer.Exorg.com:444/autodiscover/autodiscover.xml?#", "200"),
                      {kPl + "ssrf_autodiscover"}},
        HttpProxyCase{"H5_localhost_probe",
                      [] {
                        Row r = SsrfRow("ServerInfo~localhost/ecp/default.flt?", "500", "/owa/auth/x.js");
                        r["AuthenticationType"] = "FBA";
                        r["RoutingHint"] = "X-AnonResource-Backend-Cookie";
                        r["TargetServer"] = "localhost";
                        r["UserAgent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) Chrome/69.0.3497.100";
                        return r;
                      }(),
                      {kPl + "localhost_probe"}},
        HttpProxyCase{"H6_reset_vdir_200",
                      SsrfRow("ServerInfo~a]@SRV:444/ecp/DDI/DDIService.svc/"
                              "SetObject?msExchEcpCanary=X&schema=ResetOABVirtualDirectory#",
                              "200"),
                      {kPl + "reset_vdir_success"}},
        HttpProxyCase{"H7_reset_vdir_500",
                      SsrfRow("ServerInfo~a]@SRV:444/ecp/DDI/DDIService.svc/"
                              "SetObject?msExchEcpCanary=X&schema=ResetOABVirtualDirectory#",
                              "500"),
                      {kPl + "reset_vdir_failed"}},
        HttpProxyCase{"H7b_reset_vdir_params_swapped",
                      SsrfRow("ServerInfo~a]@SRV:444/ecp/DDI/DDIService.svc/"
                              "SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=X#",
                              "200"),
                      {kPl + "reset_vdir_success"}},
        HttpProxyCase{"H8_normal_sid",
                      [] {
                        Row r = SsrfRow("Sid~S-1-5-21-123456789-9876543211-123456798-4343", "200", "/ecp/");
                        r["AuthenticatedUser"] = "DOMAIN\\username";
                        r["IsAuthenticated"] = "true";
                        return r;
                      }(),
                      {}},
        HttpProxyCase{"H9_exporttool_zgrab",
                      [] {
                        Row r = SsrfRow("ServerVersion~Version 15.0 (Build 0.0)", "200",
                                        "/ecp/Current/exporttool/microsoft.exchange.ediscovery.exporttool.application");
                        r["UserAgent"] = "Mozilla/5.0 zgrab/0.x";
                        r["RoutingHint"] = "EDiscoveryExportTool-ServerVersion";
                        r["Method"] = "GET";
                        return r;
                      }(),
                      {"exchange.scanner.exporttool_fingerprint"}},
        HttpProxyCase{"H10_backend_cookie",
                      [] {
                        Row r = SsrfRow("", "200");
                        r["BackEndCookie"] = "Server~SRV.contoso.local/ecp/x~1942062522";
                        return r;
                      }(),
                      {kPl + "ssrf_backend_cookie"}},
        HttpProxyCase{
            "H11_upper_case", SsrfRow("SERVERINFO~a]@x:444/mapi/emsmdb/?#", "200"), {kPl + "ssrf_anchor_mailbox"}},
        HttpProxyCase{"H12_serverinfo_only_in_generic_errors",
                      [] {
                        Row r = SsrfRow("Sid~S-1-5-21-1-2-3-4343", "200", "/ecp/");
                        r["AuthenticatedUser"] = "DOMAIN\\user";
                        r["GenericErrors"] = "Cookie=ServerInfo~a]@x:444/mapi/emsmdb/?#,other";
                        return r;
                      }(),
                      {}},
        HttpProxyCase{"benign_powershell_backend_cookie",
                      [] {
                        Row r = SsrfRow("ServerVersion~Version 15.1 (Build 2374.0)", "200", "/powershell");
                        r["AuthenticatedUser"] = "DOMAIN\\HealthMailboxXXX";
                        r["UserAgent"] = "Microsoft WinRM Client";
                        r["BackEndCookie"] = "Server~server_hostname.domain.test~1942063431~2023-01-11T16:11:44";
                        return r;
                      }(),
                      {}}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HttpProxyVectors, ResetVdirCarriesBothCvesAndIsACompromise) {
  MemoryScan scan;
  scan.Add(
      kEcpLog,
      HttpProxyFile({SsrfRow(
          "ServerInfo~a]@SRV:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=X&schema=ResetOABVirtualDirectory#",
          "200")}));
  ScanResult r = scan.Run();
  const Finding* f = FindingAt(r, kEcpLog, 6, kPl + "reset_vdir_success");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->rule->severity, Severity::kCritical);
  EXPECT_EQ(f->rule->cves, (std::vector<std::string>{"CVE-2021-26855", "CVE-2021-27065"}));
  EXPECT_EQ(FormatIsoTime(*f->time), "2021-03-03T06:49:43.699Z");
  ASSERT_FALSE(f->evidence.empty());
  EXPECT_EQ(f->evidence[0].first, "AnchorMailbox");
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
}

TEST(HttpProxyVectors, SsrfToEcpFollowedByVdirChangeIsCompromise) {
  MemoryScan scan;
  scan.Add(kEcpLog, HttpProxyFile({SsrfRow("ServerInfo~a]@SRV:444/ecp/proxyLogon.ecp?#", "200")}));
  ScanResult only_ssrf = scan.Run();
  ASSERT_EQ(only_ssrf.hosts.size(), 1u);
  EXPECT_EQ(only_ssrf.hosts[0].verdict, Verdict::kAttempted);
  scan.Add("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030307-1.LOG",
           HttpProxyFile(
               {SsrfRow("ServerInfo~a]@SRV:444/ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory#", "500")}));
  // A DDI call is 27065 recon, an exploit step but not itself a change: still attempted...
  EXPECT_EQ(scan.Run().hosts[0].verdict, Verdict::kCompromised);
}

// ---- Section 2: OABGenerator ------------------------------------------------

struct OabCase {
  const char* name;
  const char* install;  // tree folder of the Exchange install
  const char* line;
  bool hit;
};

class OabVectors : public ::testing::TestWithParam<OabCase> {};

TEST_P(OabVectors, DownloadPathOutsideOabFolder) {
  MemoryScan scan;
  std::string install = GetParam().install;
  scan.Add(install + "/Bin/ExSetup.exe", "MZ");
  std::string path = install + "/Logging/OABGeneratorLog/OABGenerator_20210303-1.LOG";
  scan.Add(path, std::string("2021-03-03T07:12:44.123Z [OABGen] ") + GetParam().line + "\r\n");
  ScanResult r = scan.Run();
  std::set<std::string> expected;
  if (GetParam().hit) expected.insert("exchange.proxylogon.oab_download_outside");
  EXPECT_EQ(RulesAt(r, path, 1), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Section2, OabVectors,
    ::testing::Values(
        OabCase{"O1_inside", "Program Files/Microsoft/Exchange Server/V15",
                "Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange "
                "Server\\V15\\ClientAccess\\OAB\\Temp\\abc.tmp' needs to be removed",
                false},
        OabCase{
            "O2_aspnet_client", "Program Files/Microsoft/Exchange Server/V15",
            "Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\shell.aspx' needs to be removed",
            true},
        OabCase{"O3_unc", "Program Files/Microsoft/Exchange Server/V15",
                "Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\x.aspx' needs "
                "to be removed",
                true},
        OabCase{
            "O4_custom_install", "Exchange",
            "Download failed and temporary file 'D:\\Exchange\\ClientAccess\\OAB\\Temp\\abc.tmp' needs to be removed",
            false},
        OabCase{"O4_custom_install_default_path_is_outside", "Exchange",
                "Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange "
                "Server\\V15\\ClientAccess\\OAB\\x.aspx' needs to be removed",
                true},
        OabCase{"O5_case", "Program Files/Microsoft/Exchange Server/V15",
                "Download failed and temporary file 'c:\\program files\\microsoft\\exchange "
                "server\\v15\\clientaccess\\oab\\temp\\abc.tmp' needs to be removed",
                false},
        OabCase{"traversal", "Program Files/Microsoft/Exchange Server/V15",
                "Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange "
                "Server\\V15\\ClientAccess\\OAB\\..\\..\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx' needs to be removed",
                true}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Section 3: ECP Server --------------------------------------------------

struct EcpCase {
  const char* name;
  const char* event_data;
  bool hit;
};

class EcpVectors : public ::testing::TestWithParam<EcpCase> {};

TEST_P(EcpVectors, ScriptMarkupInVirtualDirectoryUrl) {
  MemoryScan scan;
  std::string path = "Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG";
  std::string file =
      "#Software: Microsoft Exchange Server\r\n#Version: 15.0.0.0\r\n#Log-type: ECP Server Log\r\n"
      "#Date: 2021-03-03T00:00:00.000Z\r\n#Fields: TimeStamp,ServerName,EventId,EventData\r\n";
  file += CsvRow("TimeStamp,ServerName,EventId,EventData", {{"TimeStamp", "2021-03-03T06:55:01.000Z"},
                                                            {"ServerName", "EXCH01"},
                                                            {"EventId", "ECP.Request"},
                                                            {"EventData", GetParam().event_data}}) +
          "\r\n";
  scan.Add(path, file);
  ScanResult r = scan.Run();
  std::set<std::string> expected;
  if (GetParam().hit) expected.insert("exchange.proxylogon.ecp_vdir_script");
  EXPECT_EQ(RulesAt(r, path, 6), expected);
}

INSTANTIATE_TEST_SUITE_P(
    Section3, EcpVectors,
    ::testing::Values(
        EcpCase{"E1_script_then_vdir_again",
                "S:TIME=13;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\" "
                "runat=\"server\">function "
                "Page_Load(){eval(Request[\"k\"],\"unsafe\");}</script>'.Identity='a1b2';S:REQID=;S:URL=/ecp/DDI/"
                "DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=C",
                true},
        EcpCase{"E2_no_vdir_after_tag",
                "S:TIME=13;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script language=\"JScript\" "
                "runat=\"server\">function Page_Load(){eval(Request[\"k\"],\"unsafe\");}</script>';S:REQID=",
                true},
        EcpCase{
            "E3_valid_url",
            "S:TIME=9;S:CMD=Set-OabVirtualDirectory.ExternalUrl='https://mail.contoso.com/OAB'.Identity='x';S:REQID=",
            false},
        EcpCase{"E4_page_directive_no_closing_tag",
                "S:TIME=9;S:CMD=Set-EcpVirtualDirectory.InternalUrl='http://x/<%@ Page "
                "Language=\"Jscript\"%>'.Identity='y';S:REQID=",
                true},
        EcpCase{"normal_get_inbox_rule",
                "S:TIME=13;S:SID=6;S:CMD=Get-InboxRule;S:REQID=;S:URL=/ecp/RulesEditor/InboxRules.svc/"
                "GetList?msExchEcpCanary=CANARY;S:REFERRER=",
                false}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Section 6: IIS W3C -----------------------------------------------------

struct IisCase {
  const char* name;
  const char* line;
  std::set<std::string> rules;
};

class IisVectors : public ::testing::TestWithParam<IisCase> {};

TEST_P(IisVectors, FiresExactlyTheExpectedRules) {
  MemoryScan scan;
  std::string path = "inetpub/logs/LogFiles/W3SVC1/u_ex210303.log";
  scan.Add(path, IisFile({GetParam().line}));
  ScanResult r = scan.Run();
  EXPECT_EQ(RulesAt(r, path, 5), GetParam().rules);
}

INSTANTIATE_TEST_SUITE_P(
    Section6, IisVectors,
    ::testing::Values(
        IisCase{"W1_proxyshell_success",
                "2021-08-12 10:00:01 10.0.0.5 POST /autodiscover/autodiscover.json "
                "a=dsxvu@fnsso.flq/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dz 443 - 198.51.100.4 python-requests/2.26.0 - "
                "200 0 0 120",
                {"exchange.proxyshell.iis_autodiscover_success"}},
        IisCase{"W2_beaumont_probe",
                "2021-08-12 10:00:01 10.0.0.5 GET /autodiscover/autodiscover.json "
                "@test.com/owa/?&Email=autodiscover/autodiscover.json%3F@test.com 443 - 198.51.100.4 "
                "Mozilla/5.0+zgrab/0.x - 302 0 0 12",
                {"exchange.scanner.autodiscover_probe"}},
        IisCase{"W3_proxyshell_401",
                "2021-08-12 10:00:01 10.0.0.5 POST /autodiscover/autodiscover.json a=x@y.z/powershell/?X-Rps-CAT=VgEA "
                "443 - 198.51.100.4 python-requests/2.26.0 - 401 0 0 12",
                {"exchange.proxyshell.iis_autodiscover_failed"}},
        IisCase{
            "W4_nessus",
            "2021-08-12 10:00:01 10.0.0.5 GET /owa/ &Email=autodiscover/autodiscover.json%3F@test.com&ClientId=ABCD "
            "443 - 198.51.100.4 Mozilla/5.0 - 302 0 0 12",
            {"exchange.scanner.autodiscover_probe"}},
        IisCase{"W5_owassrf",
                "2022-12-20 10:00:01 ::1 POST /owa/mastermailbox%40outlook.com/powershell - 444 DOMAIN\\user ::1 "
                "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 0 40",
                {"exchange.owassrf.iis_owa_powershell_success"}},
        IisCase{"W6_ecp_y_js",
                "2021-03-03 06:49:43 10.0.0.5 POST /ecp/y.js - 443 - 203.0.113.7 python-requests/2.25.1 - 200 0 0 40",
                {"exchange.proxylogon.iis_ssrf_entry", "exchange.hafnium.user_agent"}},
        IisCase{"W6_owa_auth_x_js",
                "2021-03-03 06:49:43 10.0.0.5 POST /owa/auth/x.js - 443 - 203.0.113.7 Mozilla/5.0 - 500 0 0 40",
                {"exchange.proxylogon.iis_ssrf_entry"}},
        IisCase{"W6_ecp_abc_js",
                "2021-03-03 06:49:43 10.0.0.5 POST /ecp/abc.js - 443 - 203.0.113.7 Mozilla/5.0 - 200 0 0 40",
                {"exchange.proxylogon.iis_ssrf_entry"}},
        IisCase{"W7_logon_css",
                "2021-03-03 06:49:43 10.0.0.5 POST /owa/auth/Current/themes/resources/logon.css - 443 - 203.0.113.7 "
                "DuckDuckBot/1.0;+(+http://duckduckgo.com/duckduckbot.html) - 200 0 0 40",
                {"exchange.proxylogon.iis_auth_current_post", "exchange.hafnium.user_agent"}},
        IisCase{"W8_antsword_shell",
                "2021-03-04 01:02:03 10.0.0.5 POST /aspnet_client/shell.aspx - 443 - 203.0.113.7 antSword/v2.1 - 200 0 "
                "0 40",
                {"exchange.webshell.request_success", "exchange.hafnium.user_agent"}},
        IisCase{
            "W8_shell_404_is_looking",
            "2021-03-04 01:02:03 10.0.0.5 GET /aspnet_client/shell.aspx - 443 - 203.0.113.8 Mozilla/5.0 - 404 0 2 4",
            {"exchange.webshell.request_looking"}},
        IisCase{"W9_x_equals_a",
                "2022-10-01 01:02:03 10.0.0.5 GET /autodiscover/autodiscover.json x=a 443 - 203.0.113.8 "
                "python-requests/2.28.1 - 200 0 0 4",
                {"exchange.proxynotshell.poc_paths"}},
        IisCase{"W9_admin_at_localhost",
                "2022-10-01 01:02:03 10.0.0.5 GET /autodiscover/admin@localhost/ - 443 - 203.0.113.8 "
                "python-requests/2.28.1 - 200 0 0 4",
                {"exchange.proxynotshell.poc_paths"}},
        IisCase{"W10_backend_t_query",
                "2021-03-03 06:49:50 ::1 POST /ecp/DDI/DDIService.svc/GetList t=Get-OabVirtualDirectory 444 - ::1 "
                "Mozilla/5.0 - 200 0 0 4",
                {"exchange.hafnium.backend_t_query"}},
        IisCase{"benign_outlook_autodiscover_json",
                "2023-01-06 08:00:01 10.0.0.5 GET /autodiscover/autodiscover.json/v1.0/alice@contoso.com "
                "Protocol=EWS&RedirectCount=1 443 - 198.51.100.20 "
                "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.14326;+Pro) - 200 0 0 31",
                {}},
        IisCase{"benign_admin_powershell",
                "2023-01-06 08:00:01 ::1 POST /powershell clientApplication=ActiveMonitor;PSVersion=5.1.14393.4467 444 "
                "DOMAIN\\HealthMailbox1 ::1 Microsoft+WinRM+Client - 200 0 0 15",
                {}},
        IisCase{"benign_owa_logon",
                "2023-01-06 08:00:01 10.0.0.5 POST /owa/auth.owa - 443 alice@contoso.com 198.51.100.20 "
                "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 302 0 0 15",
                {}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---- Section 7: Rps_Http ----------------------------------------------------

struct RpsCase {
  const char* name;
  const char* client_info;
  const char* status;
  std::set<std::string> rules;
};

class RpsVectors : public ::testing::TestWithParam<RpsCase> {};

TEST_P(RpsVectors, ClientInfoOfProxiedPowerShell) {
  const std::string fields =
      "DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,UrlHost,"
      "UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,ClientIpAddress,"
      "ServerHostName,FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,CommandName,SessionId,ShellId,"
      "FailFast,ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,ActivityContextLifeTime,TotalTime,UrlQuery,"
      "GenericLatency,GenericInfo,GenericErrors";
  MemoryScan scan;
  std::string path =
      "Program Files/Microsoft/Exchange Server/V15/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2022122010-1.LOG";
  std::string file =
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2507.006\r\n#Log-type: Rps Http Logs\r\n"
      "#Date: 2022-12-20T10:00:00.000Z\r\n#Fields: " +
      fields + "\r\n";
  file += CsvRow(fields, {{"DateTime", "2022-12-20T10:02:03.000Z"},
                          {"UrlStem", "/powershell"},
                          {"AuthenticatedUser", "CONTOSO\\victim"},
                          {"ClientIpAddress", "198.51.100.9 10.0.0.5"},
                          {"HttpStatus", GetParam().status},
                          {"ClientInfo", GetParam().client_info}}) +
          "\r\n";
  scan.Add(path, file);
  ScanResult r = scan.Run();
  EXPECT_EQ(RulesAt(r, path, 6), GetParam().rules);
}

INSTANTIATE_TEST_SUITE_P(Section7, RpsVectors,
                         ::testing::Values(RpsCase{"R1_empty", "", "200", {}},
                                           RpsCase{"R2_winrm", "Microsoft WinRM Client", "200", {}},
                                           RpsCase{"R3_backend_probes", "Exchange BackEnd Probes", "200", {}},
                                           RpsCase{"R4_browser_200",
                                                   "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36",
                                                   "200",
                                                   {"exchange.owassrf.rps_clientinfo_success"}},
                                           RpsCase{"R5_python_500",
                                                   "python-requests/2.28.1",
                                                   "500",
                                                   {"exchange.owassrf.rps_clientinfo_failed"}}),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace exhunt::testing
