#include "source/evidence_kind.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace exhunt {
namespace {

TEST(EvidenceKinds, NamesAreUniqueAndRoundTrip) {
  std::set<std::string> names;
  for (const auto& k : EvidenceKinds()) {
    EXPECT_TRUE(names.insert(std::string(k.name)).second) << k.name;
    EXPECT_EQ(LogTypeFromName(k.name), k.type);
    EXPECT_EQ(&KindOf(k.type), &k);
  }
  EXPECT_EQ(LogTypeFromName("HTTPPROXY"), LogType::kHttpProxy);
  EXPECT_EQ(LogTypeFromName("nope"), LogType::kUnknown);
  EXPECT_EQ(LogTypeName(LogType::kUnknown), "unknown");
}

TEST(EvidenceKinds, EveryCsvKindWithDefaultFieldsHasATimeColumn) {
  for (const auto& k : EvidenceKinds()) {
    if (k.format != RecordFormat::kCsv || k.default_fields.empty()) continue;
    std::string f(k.default_fields);
    EXPECT_TRUE(f.rfind("DateTime,", 0) == 0 || f.rfind("TimeStamp,", 0) == 0) << k.name;
  }
  EXPECT_EQ(std::string(KindOf(LogType::kIisW3c).default_fields).substr(0, 9), "date time");
}

TEST(EvidenceKinds, SigmaWebserverRulesReadIisOnly) {
  const auto& iis = KindOf(LogType::kIisW3c);
  EXPECT_TRUE(MatchesLogSource(iis, "", "", "webserver"));
  EXPECT_TRUE(MatchesLogSource(iis, "windows", "", "webserver"));
  EXPECT_TRUE(MatchesLogSource(iis, "linux", "iis", ""));  // service iis, any product
  EXPECT_FALSE(MatchesLogSource(iis, "linux", "", "webserver"));
  EXPECT_FALSE(MatchesLogSource(KindOf(LogType::kHttpProxy), "", "", "webserver"));
}

TEST(EvidenceKinds, ExchangeRulesNameTheirServiceExactly) {
  EXPECT_TRUE(MatchesLogSource(KindOf(LogType::kHttpProxy), "exchange", "httpproxy", ""));
  EXPECT_TRUE(MatchesLogSource(KindOf(LogType::kRpsHttp), "exchange", "rps-http", "anything"));
  EXPECT_FALSE(MatchesLogSource(KindOf(LogType::kRpsHttp), "exchange", "httpproxy", ""));
  EXPECT_FALSE(MatchesLogSource(KindOf(LogType::kEcpServer), "windows", "ecp-server", ""));
}

TEST(EvidenceKinds, FamiliesNameTheProtocolOrSite) {
  EXPECT_EQ(EvidenceFamily(LogType::kHttpProxy, "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/"
                                                "HttpProxy_2021030306-1.LOG"),
            "httpproxy/ecp");
  EXPECT_EQ(EvidenceFamily(LogType::kHttpProxy, "D/Exchange/LOGGING/HTTPPROXY/OWA/x.log"), "httpproxy/owa");
  EXPECT_EQ(EvidenceFamily(LogType::kIisW3c, "inetpub/logs/LogFiles/W3SVC2/u_ex210303.log"), "iis/w3svc2");
  // Found by content elsewhere, or right in the folder: the kind alone.
  EXPECT_EQ(EvidenceFamily(LogType::kIisW3c, "triage/u_ex210303.log"), "iis");
  EXPECT_EQ(EvidenceFamily(LogType::kHttpProxy, "Logging/HttpProxy/HttpProxy_1.LOG"), "httpproxy");
  EXPECT_EQ(EvidenceFamily(LogType::kEcpServer, "Logging/ECP/Server/ECPServer_1.LOG"), "ecp-server");
  EXPECT_TRUE(FamilyMatches("iis/w3svc1", "iis"));
  EXPECT_TRUE(FamilyMatches("httpproxy/ecp", "httpproxy/ecp"));
  EXPECT_FALSE(FamilyMatches("httpproxy/ecpx", "httpproxy/ecp"));
  EXPECT_FALSE(FamilyMatches("iisx", "iis"));
}

}  // namespace
}  // namespace exhunt
