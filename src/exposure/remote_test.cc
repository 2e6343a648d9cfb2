// Remote exposure against a fake Exchange front end on 127.0.0.1.
#include "exposure/remote.h"

#include <gtest/gtest.h>

#include "fake_exchange.h"

namespace exhunt {
namespace {

using testing::FakeExchange;

const ExposureTable& Table() {
  static std::shared_ptr<const ExposureTable> t = ExposureTable::LoadBuiltin().value();
  return *t;
}

CveStatus StatusOf(const ExposureAssessment& a, const std::string& cve) {
  for (const auto& e : a.cves)
    if (e.cve == cve) return e.status;
  return CveStatus::kUnknownBuild;
}

TEST(Remote, HeaderPathAndManifestAreEachLabelled) {
  FakeExchange server({"15.1.2375.37", "15.1.2375", "15.1.2375.37"}, false);
  RemoteOptions o;
  o.url = server.url();
  auto a = AssessRemote(o, Table());
  ASSERT_TRUE(a.ok()) << a.status().message();
  ASSERT_EQ(a->evidence.size(), 3u);
  EXPECT_EQ(a->evidence[0].source, "X-OWA-Version header");
  EXPECT_EQ(a->evidence[1].source, "OWA logon page path");
  EXPECT_TRUE(a->evidence[1].cu_only);
  EXPECT_EQ(a->evidence[2].source, "ECP export tool manifest");
  ASSERT_TRUE(a->build);
  EXPECT_EQ(a->build->ToString(), "15.1.2375.37");  // 2016 CU22 Nov22SU
  EXPECT_EQ(StatusOf(*a, "CVE-2022-41040"), CveStatus::kFixed);
  EXPECT_EQ(StatusOf(*a, "CVE-2023-21529"), CveStatus::kNoFix);  // CU22 got no Feb23SU
}

TEST(Remote, OnlyTheLogonPathGivesTheCuAndSaysSo) {
  FakeExchange server({"", "15.1.2176", ""}, false);
  RemoteOptions o;
  o.url = server.url() + "/owa/";
  auto a = AssessRemote(o, Table());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->build);
  EXPECT_TRUE(a->cu_only);
  EXPECT_EQ(StatusOf(*a, "CVE-2021-26855"), CveStatus::kAmbiguous);  // depends on the CU19 SU
  EXPECT_EQ(StatusOf(*a, "CVE-2022-41040"), CveStatus::kNoFix);      // CU19 never got it
}

TEST(Remote, OldHeaderIsNotCalledVulnerableWithoutProof) {
  FakeExchange server({"15.1.2176.2", "", ""}, false);
  RemoteOptions o;
  o.url = server.url();
  auto a = AssessRemote(o, Table());
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(StatusOf(*a, "CVE-2021-26855"), CveStatus::kAmbiguous);
  EXPECT_FALSE(a->notes.empty());
}

TEST(Remote, NoVersionShownIsUnknown) {
  FakeExchange server({"", "", ""}, false);
  RemoteOptions o;
  o.url = server.url();
  auto a = AssessRemote(o, Table());
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->build);
  EXPECT_TRUE(a->cves.empty());
}

TEST(Remote, SelfSignedCertificateNeedsInsecure) {
  FakeExchange server({"15.2.1118.20", "15.2.1118", ""}, true);
  RemoteOptions o;
  o.url = server.url();
  o.timeout_seconds = 5;
  auto refused = AssessRemote(o, Table());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("TLS"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("--insecure"), std::string::npos);
  o.insecure = true;
  auto accepted = AssessRemote(o, Table());
  ASSERT_TRUE(accepted.ok()) << accepted.status().message();
  EXPECT_EQ(accepted->build->ToString(), "15.2.1118.20");
}

TEST(Remote, SendsNoExploitOrSsrfProbe) {
  FakeExchange server({"15.1.2176.2", "15.1.2176", "15.1.2176.2"}, false);
  RemoteOptions o;
  o.url = server.url();
  ASSERT_TRUE(AssessRemote(o, Table()).ok());
  auto requests = server.requests();
  ASSERT_FALSE(requests.empty());
  for (const auto& r : requests) {
    EXPECT_EQ(r.rfind("GET ", 0), 0u) << r;
    for (const char* bad : {"X-BEResource", "X-AnonResource", "autodiscover", "powershell", "ServerInfo~", "@"})
      EXPECT_EQ(r.find(bad), std::string::npos) << bad << " in " << r;
  }
}

TEST(Remote, UnreachableServerIsAClearError) {
  RemoteOptions o;
  o.url = "http://127.0.0.1:1";  // nothing listens on port 1
  o.timeout_seconds = 3;
  auto a = AssessRemote(o, Table());
  EXPECT_FALSE(a.ok());
  o.url = "ftp://127.0.0.1/";
  EXPECT_FALSE(AssessRemote(o, Table()).ok());
}

TEST(Remote, ParsesVersionSources) {
  EXPECT_EQ(OwaPathBuild("<link href=\"/owa/auth/15.2.1118/themes/x.css\">")->ToString(), "15.2.1118.0");
  EXPECT_FALSE(OwaPathBuild("<link href=\"/owa/auth/current/themes/x.css\">"));
  EXPECT_EQ(ExportToolManifestBuild("<assemblyIdentity name=\"x\" version=\"15.2.986.5\" />")->ToString(),
            "15.2.986.5");
}

}  // namespace
}  // namespace exhunt
