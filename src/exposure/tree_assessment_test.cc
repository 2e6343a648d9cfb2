// Mitigations from IIS configuration (present, overridden, superseded,
// absent) and the build taken from a tree's files.
#include "exposure/tree_assessment.h"

#include <gtest/gtest.h>

#include "pe_writer.h"
#include "source/discovery.h"
#include "source/memory_file_system.h"

namespace exhunt {
namespace {

std::string WebConfig(const std::string& rules) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n <system.webServer>\n  <rewrite>\n   <rules>\n" +
         rules + "   </rules>\n  </rewrite>\n </system.webServer>\n</configuration>\n";
}

const std::string kEomtRules =
    "<rule name=\"X-AnonResource-Backend Abort - inbound\"><match url=\".*\" /><conditions>"
    "<add input=\"{HTTP_COOKIE}\" pattern=\"(.*)X-AnonResource-Backend(.*)\" /></conditions>"
    "<action type=\"AbortRequest\" /></rule>\n"
    "<rule name=\"X-BEResource Abort - inbound\" stopProcessing=\"true\"><match url=\".*\" /><conditions>"
    "<add input=\"{HTTP_COOKIE}\" pattern=\"(.*)X-BEResource=(.+)/(.+)~(.+)\" /></conditions>"
    "<action type=\"AbortRequest\" /></rule>\n";

std::string PnsRule(const std::string& input, const std::string& pattern, const std::string& extra = "") {
  return "<rule name=\"PowerShell - inbound\" stopProcessing=\"true\"" + extra +
         "><match url=\".*\" /><conditions>"
         "<add input=\"" +
         input + "\" pattern=\"" + pattern + "\" /></conditions><action type=\"AbortRequest\" /></rule>\n";
}

const std::string kAppHostWithRewrite =
    "<configuration><system.webServer><globalModules><add name=\"RewriteModule\" "
    "image=\"%SystemRoot%\\system32\\inetsrv\\rewrite.dll\" /></globalModules></system.webServer></configuration>";

MitigationState StateOf(const std::vector<MitigationFinding>& v, const std::string& prefix) {
  for (const auto& m : v)
    if (m.name.rfind(prefix, 0) == 0) return m.state;
  ADD_FAILURE() << prefix;
  return MitigationState::kUnknown;
}

std::vector<MitigationFinding> Rewrite(const std::string& rules,
                                       std::vector<std::pair<std::string, std::string>> children = {},
                                       const std::string& apphost = kAppHostWithRewrite) {
  return AssessRewriteMitigations("inetpub/wwwroot/web.config", WebConfig(rules), children,
                                  "Windows/System32/inetsrv/config/applicationHost.config", apphost, false);
}

TEST(Mitigations, EomtAndEomtV2Present) {
  auto m = Rewrite(kEomtRules + PnsRule("{UrlDecode:{REQUEST_URI}}", "(?=.*autodiscover)(?=.*powershell)"));
  EXPECT_EQ(StateOf(m, "EOMT ProxyLogon"), MitigationState::kInForce);
  EXPECT_EQ(StateOf(m, "EOMTv2"), MitigationState::kInForce);
}

TEST(Mitigations, AbsentWhenNoRules) {
  auto m = Rewrite("");
  EXPECT_EQ(StateOf(m, "EOMT ProxyLogon"), MitigationState::kAbsent);
  EXPECT_EQ(StateOf(m, "EOMTv2"), MitigationState::kAbsent);
}

TEST(Mitigations, SupersededEomtV2PatternsAreInsufficient) {
  const std::pair<const char*, const char*> old[] = {
      {"{REQUEST_URI}", ".*autodiscover\\.json.*\\@.*Powershell.*"},
      {"{REQUEST_URI}", ".*autodiscover\\.json.*Powershell.*"},
      {"{UrlDecode: {REQUEST_URI}}", ".*autodiscover\\.json.*Powershell.*"},
      {"{UrlDecode:{REQUEST_URI}}", ".*autodiscover\\.json.*Powershell.*"},
  };
  for (const auto& [input, pattern] : old) {
    auto m = Rewrite(PnsRule(input, pattern));
    EXPECT_EQ(StateOf(m, "EOMTv2"), MitigationState::kInsufficient) << input << " " << pattern;
  }
}

TEST(Mitigations, DisabledOrHalfRulesAreInsufficient) {
  auto disabled =
      Rewrite(PnsRule("{UrlDecode:{REQUEST_URI}}", "(?=.*autodiscover)(?=.*powershell)", " enabled=\"false\""));
  EXPECT_EQ(StateOf(disabled, "EOMTv2"), MitigationState::kInsufficient);
  auto half = Rewrite(kEomtRules.substr(0, kEomtRules.find('\n') + 1));
  EXPECT_EQ(StateOf(half, "EOMT ProxyLogon"), MitigationState::kInsufficient);
}

TEST(Mitigations, ChildClearOrRemoveDefeatsThem) {
  std::string rules = kEomtRules + PnsRule("{UrlDecode:{REQUEST_URI}}", "(?=.*autodiscover)(?=.*powershell)");
  auto cleared =
      Rewrite(rules, {{"Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/autodiscover/web.config",
                       WebConfig("<clear />\n")}});
  EXPECT_EQ(StateOf(cleared, "EOMTv2"), MitigationState::kOverridden);
  EXPECT_EQ(StateOf(cleared, "EOMT ProxyLogon"), MitigationState::kOverridden);
  auto removed = Rewrite(
      rules, {{"x/FrontEnd/HttpProxy/ecp/web.config", WebConfig("<remove name=\"PowerShell - inbound\" />\n")}});
  EXPECT_EQ(StateOf(removed, "EOMTv2"), MitigationState::kOverridden);
  EXPECT_EQ(StateOf(removed, "EOMT ProxyLogon"), MitigationState::kInForce);
  auto unrelated = Rewrite(rules, {{"x/FrontEnd/HttpProxy/owa/web.config", WebConfig("<remove name=\"Other\" />\n")}});
  EXPECT_EQ(StateOf(unrelated, "EOMTv2"), MitigationState::kInForce);
}

TEST(Mitigations, RulesWithoutTheRewriteModuleDoNothing) {
  auto m =
      Rewrite(kEomtRules, {}, "<configuration><system.webServer><globalModules /></system.webServer></configuration>");
  EXPECT_EQ(StateOf(m, "EOMT ProxyLogon"), MitigationState::kInsufficient);
}

TEST(Mitigations, BrokenXmlIsUnknown) {
  auto m =
      AssessRewriteMitigations("inetpub/wwwroot/web.config", "<configuration><system.webServer>", {}, "", "", false);
  EXPECT_EQ(StateOf(m, "EOMTv2"), MitigationState::kUnknown);
}

std::string AppHost(const std::string& token_owa, const std::string& token_ecp, bool ecp_pool_off = false) {
  auto loc = [](const std::string& path, const std::string& token) {
    return "<location path=\"" + path +
           "\"><system.webServer><security><authentication><windowsAuthentication enabled=\"true\">"
           "<extendedProtection tokenChecking=\"" +
           token +
           "\" /></windowsAuthentication></authentication></security>"
           "</system.webServer></location>";
  };
  return "<configuration><system.applicationHost><applicationPools><add name=\"MSExchangeECPAppPool\" autoStart=\"" +
         std::string(ecp_pool_off ? "false" : "true") + "\" /></applicationPools></system.applicationHost>" +
         loc("Default Web Site/owa", token_owa) + loc("Exchange Back End/ecp", token_ecp) + "</configuration>";
}

TEST(Mitigations, ExtendedProtectionPerVirtualDirectory) {
  EXPECT_EQ(StateOf(AssessAppHostMitigations("a", AppHost("Require", "Allow")), "Extended Protection"),
            MitigationState::kInForce);
  EXPECT_EQ(StateOf(AssessAppHostMitigations("a", AppHost("Require", "None")), "Extended Protection"),
            MitigationState::kAbsent);
  EXPECT_EQ(StateOf(AssessAppHostMitigations("", ""), "Extended Protection"), MitigationState::kUnknown);
  EXPECT_EQ(StateOf(AssessAppHostMitigations("a", AppHost("Require", "Require", true)), "MSExchangeECPAppPool"),
            MitigationState::kInForce);
}

struct Tree {
  MemoryFileSystem fs;
  const std::string root = "/e/EXCH01";
  const std::string install = "/e/EXCH01/Program Files/Microsoft/Exchange Server/V15";
  void Log(const std::string& proto, const std::string& hour, const std::string& version) {
    fs.AddFile(install + "/Logging/HttpProxy/" + proto + "/HttpProxy_" + hour + "-1.LOG",
               "#Software: Microsoft Exchange Server\r\n#Version: " + version +
                   "\r\n#Log-type: HttpProxy Logs\r\n#Date: " + hour.substr(0, 4) + "-" + hour.substr(4, 2) + "-" +
                   hour.substr(6, 2) + "T" + hour.substr(8, 2) + ":00:00.000Z\r\n#Fields: DateTime,UrlStem\r\n");
  }
  ExposureAssessment Assess(const ExposureTable& t) {
    DiscoveredTree d = Discover(&fs, root);
    return AssessTree(&fs, d, ReadBuildHeads(&fs, d), t);
  }
};

TEST(TreeExposure, ExSetupDecidesOverLogsAndOwaFolders) {
  auto table = ExposureTable::LoadBuiltin().value();
  Tree t;
  t.fs.AddFile(t.install + "/Bin/ExSetup.exe", gen::MakeVersionPe(*ParseBuild("15.1.2176.14")));
  t.Log("Owa", "2021030106", "15.01.2176.002");
  t.fs.AddFile(t.install + "/FrontEnd/HttpProxy/owa/auth/15.1.2176/themes/resources/logon.css", "x");
  ExposureAssessment a = t.Assess(*table);
  ASSERT_TRUE(a.build);
  EXPECT_EQ(a.build->ToString(), "15.1.2176.14");
  EXPECT_NE(a.build_source.find("ExSetup.exe"), std::string::npos);
  EXPECT_EQ(a.evidence.size(), 3u);
  for (const auto& c : a.cves)
    if (c.cve == "CVE-2021-31207") {
      EXPECT_EQ(c.status, CveStatus::kFixed);
    }
}

TEST(TreeExposure, WithoutExSetupTheNewestLogHeaderDecides) {
  auto table = ExposureTable::LoadBuiltin().value();
  Tree t;
  t.Log("Owa", "2021030106", "15.01.2176.002");
  t.Log("Ecp", "2021031006", "15.01.2176.009");  // Mar21SU installed on the 9th or so
  ExposureAssessment a = t.Assess(*table);
  ASSERT_TRUE(a.build);
  EXPECT_EQ(a.build->ToString(), "15.1.2176.9");
  for (const auto& c : a.cves) {
    if (c.cve == "CVE-2021-26855") {
      EXPECT_EQ(c.status, CveStatus::kFixed);
    }
    // Below the April fix, but a log header may lag: not proof of "vulnerable".
    if (c.cve == "CVE-2021-34473") {
      EXPECT_EQ(c.status, CveStatus::kAmbiguous);
    }
  }
}

TEST(TreeExposure, VersionColumnsWhenTheHeaderLineIsMissing) {
  auto table = ExposureTable::LoadBuiltin().value();
  Tree t;
  t.fs.AddFile(t.install + "/Logging/HttpProxy/Owa/HttpProxy_2021030106-1.LOG",
               "#Fields: DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,UrlStem\r\n"
               "2021-03-01T06:00:01.000Z,abc,15,1,2176,12,/owa/\r\n");
  ExposureAssessment a = t.Assess(*table);
  ASSERT_TRUE(a.build);
  EXPECT_EQ(a.build->ToString(), "15.1.2176.12");
  ASSERT_FALSE(a.evidence.empty());
  EXPECT_TRUE(a.evidence[0].seen);
}

TEST(TreeExposure, OnlyAnOwaFolderGivesTheCu) {
  auto table = ExposureTable::LoadBuiltin().value();
  Tree t;
  t.fs.AddFile(t.install + "/FrontEnd/HttpProxy/owa/auth/15.2.1118/scripts/x.js", "x");
  t.fs.AddFile(t.install + "/Logging/x.txt", "x");
  ExposureAssessment a = t.Assess(*table);
  ASSERT_TRUE(a.build);
  EXPECT_TRUE(a.cu_only);
  for (const auto& c : a.cves)
    if (c.cve == "CVE-2022-41040") {
      EXPECT_EQ(c.status, CveStatus::kAmbiguous);
    }
}

TEST(TreeExposure, MitigationIsShownBesideNeverInsteadOfTheStatus) {
  auto table = ExposureTable::LoadBuiltin().value();
  Tree t;
  t.fs.AddFile(t.install + "/Bin/ExSetup.exe", gen::MakeVersionPe(*ParseBuild("15.1.2176.2")));
  t.fs.AddFile(t.root + "/inetpub/wwwroot/web.config", WebConfig(kEomtRules));
  t.fs.AddFile(t.root + "/Windows/System32/inetsrv/config/applicationHost.config", kAppHostWithRewrite);
  ExposureAssessment a = t.Assess(*table);
  for (const auto& c : a.cves) {
    if (c.cve != "CVE-2021-26855") continue;
    EXPECT_EQ(c.status, CveStatus::kVulnerable);
    EXPECT_EQ(c.mitigated_by, "EOMT ProxyLogon cookie rules");
    EXPECT_EQ(StatusText(c), "vulnerable (mitigated by EOMT ProxyLogon cookie rules, not fixed)");
  }
}

}  // namespace
}  // namespace exhunt
