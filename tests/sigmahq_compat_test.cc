// SigmaHQ webserver rules read from ../shared/rules-thirdparty at run time
// must load as users would load them and fire on IIS lines, which needs
// the SigmaHQ field semantics (cs-uri-query = stem + "?" + query).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "test_util.h"

namespace exhunt::testing {
namespace {

TEST(SigmaHqCompat, ProxyShellWebRulesFireOnIisLines) {
  EXHUNT_REQUIRE_SHARED(kSigma, "rules-thirdparty/sigma");
  auto posix = NewPosixFileSystem();
  MemoryScan scan;
  scan.rules = RuleSet();
  ASSERT_TRUE(
      scan.rules.AddDirectory(posix.get(), kSigma + "/rules-emerging-threats/2021/Exploits/ProxyShell-Exploit").ok());
  ASSERT_TRUE(scan.rules.AddDirectory(posix.get(), kSigma + "/rules/web").ok());
  EXPECT_TRUE(scan.rules.errors().empty()) << scan.rules.errors()[0].status.message();
  std::string path = "inetpub/logs/LogFiles/W3SVC1/u_ex210812.log";
  scan.Add(path, IisFile({
                     "2021-08-12 10:00:01 10.0.0.5 POST /autodiscover/autodiscover.json "
                     "a=dsxvu@fnsso.flq/powershell/?X-Rps-CAT=VgEAVAdXaW5kb3dz 443 - 198.51.100.4 "
                     "python-requests/2.26.0 - 200 0 0 120",
                     "2021-08-12 10:00:02 10.0.0.5 POST /autodiscover/autodiscover.json "
                     "a=x@y.z/powershell/?X-Rps-CAT=VgEA 443 - 198.51.100.4 python-requests/2.26.0 - 401 0 0 12",
                     "2021-08-12 10:00:03 10.0.0.5 GET /owa/ - 443 alice 198.51.100.20 Mozilla/5.0 - 200 0 0 15",
                 }));
  ScanResult r = scan.Run();
  std::set<std::string> first, second;
  for (const auto& f : r.findings)
    (f.source.position == 5 ? first : f.source.position == 6 ? second : first).insert(f.rule->title);
  EXPECT_TRUE(first.count("Successful Exchange ProxyShell Attack")) << "SigmaHQ success rule did not fire";
  EXPECT_TRUE(second.count("Exchange ProxyShell Pattern")) << "SigmaHQ 401 pattern rule did not fire";
  EXPECT_FALSE(second.count("Successful Exchange ProxyShell Attack"));
  EXPECT_TRUE(RulesAt(r, path, 7).empty());
}

TEST(SigmaHqCompat, MostRulesLoadAndUnsupportedOnesAreNamed) {
  EXHUNT_REQUIRE_SHARED(kSigma, "rules-thirdparty/sigma");
  auto posix = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(posix.get(), kSigma + "/rules/windows/builtin/msexchange").ok());
  ASSERT_TRUE(rules.AddDirectory(posix.get(), kSigma + "/rules/web").ok());
  EXPECT_GE(rules.rules().size(), 40u);
  for (const auto& e : rules.errors())
    EXPECT_NE(e.status.message().find("not supported"), std::string::npos) << e.status.message();
}

}  // namespace
}  // namespace exhunt::testing
