// Table tests for the exposure evaluation: hand-checked cases for the
// campaigns' CVEs and the caveats of the build data, then every CU line's
// boundary builds of every CVE (one below the fix, the fix, a later SU, the
// next CU), taken from the data itself.
#include "exposure/exposure_table.h"

#include <gtest/gtest.h>

#include "exposure/assessment.h"

namespace exhunt {
namespace {

const ExposureTable& Table() {
  static std::shared_ptr<const ExposureTable> t = ExposureTable::LoadBuiltin().value();
  return *t;
}

CveStatus StatusOf(const std::vector<CveExposure>& v, const std::string& cve) {
  for (const auto& e : v)
    if (e.cve == cve) return e.status;
  ADD_FAILURE() << cve << " missing";
  return CveStatus::kUnknownBuild;
}

std::string S(const std::string& build, const std::string& cve) {
  return std::string(CveStatusName(StatusOf(Table().Evaluate(*ParseBuild(build)), cve)));
}

TEST(ExposureTable, DataIsConsistent) { EXPECT_EQ(Table().Check(), std::vector<std::string>{}); }

TEST(ExposureTable, CoversEveryKevCveAndProxyOracle) {
  const auto& cves = Table().cves();
  for (const char* c : {"CVE-2018-8581",  "CVE-2020-0688",  "CVE-2020-17144", "CVE-2021-26855", "CVE-2021-26857",
                        "CVE-2021-26858", "CVE-2021-27065", "CVE-2021-31207", "CVE-2021-34473", "CVE-2021-34523",
                        "CVE-2021-42321", "CVE-2021-33766", "CVE-2022-41040", "CVE-2022-41082", "CVE-2022-41080",
                        "CVE-2024-21410", "CVE-2021-31196", "CVE-2023-21529", "CVE-2026-42897", "CVE-2021-31195"})
    EXPECT_NE(std::find(cves.begin(), cves.end(), c), cves.end()) << c;
  EXPECT_EQ(Table().Kev("CVE-2021-26855")->date_added, "2021-11-03");
  EXPECT_EQ(Table().Kev("CVE-2021-31195"), nullptr);  // ProxyOracle 31195 is not in KEV
}

TEST(ExposureTable, BuildForms) {
  EXPECT_EQ(ParseBuild("15.01.2176.002")->ToString(), "15.1.2176.2");
  EXPECT_EQ(ParseBuild("15.1.2176.2")->ToLongString(), "15.01.2176.002");
  EXPECT_LT(*ParseBuild("15.1.2176.9"), *ParseBuild("15.1.2176.12"));  // integers, not strings
  EXPECT_FALSE(ParseBuild("15.1"));
  EXPECT_FALSE(ParseBuild("15.1.x.2"));
  EXPECT_EQ(ProductOf(*ParseBuild("15.2.2562.17")), "Exchange Server SE");
  EXPECT_EQ(ProductOf(*ParseBuild("15.2.1748.10")), "Exchange Server 2019");
}

TEST(ExposureTable, ProxyLogonAndProxyShellOn2016) {
  EXPECT_EQ(S("15.1.2176.2", "CVE-2021-26855"), "vulnerable");  // CU19 RTM
  EXPECT_EQ(S("15.1.2176.9", "CVE-2021-26855"), "fixed");       // CU19 Mar21SU
  EXPECT_EQ(S("15.1.2176.9", "CVE-2021-34473"), "vulnerable");  // ProxyShell needs Apr21SU
  EXPECT_EQ(S("15.1.2176.12", "CVE-2021-34473"), "fixed");
  EXPECT_EQ(S("15.1.2176.12", "CVE-2021-31207"), "vulnerable");                // May21SU
  EXPECT_EQ(S("15.1.2242.4", "CVE-2021-26855"), "fixed");                      // CU20 contains March
  EXPECT_EQ(S("15.1.2242.4", "CVE-2021-34473"), "vulnerable");                 // but needs its Apr21SU
  EXPECT_EQ(S("15.1.2308.8", "CVE-2021-34473"), "fixed");                      // CU21 contains April
  EXPECT_EQ(S("15.1.2106.2", "CVE-2021-34473"), "CU out of support: no fix");  // CU18
}

TEST(ExposureTable, ProxyNotShellAndOwassrf) {
  EXPECT_EQ(S("15.2.1118.7", "CVE-2022-41040"), "vulnerable");
  EXPECT_EQ(S("15.2.1118.20", "CVE-2022-41040"), "fixed");
  EXPECT_EQ(S("15.2.1118.20", "CVE-2022-41080"), "fixed");
  EXPECT_EQ(S("15.2.1258.12", "CVE-2022-41082"), "fixed");  // 2019 CU13
  EXPECT_EQ(S("15.1.2375.37", "CVE-2022-41040"), "fixed");  // 2016 CU22 Nov22SU
  EXPECT_EQ(S("15.0.1497.42", "CVE-2022-41040"), "vulnerable");
  EXPECT_EQ(S("15.0.1497.44", "CVE-2022-41040"), "fixed");
}

TEST(ExposureTable, MarchSpecialSuDoesNotProveEarlierUpdates) {
  // 2016 CU14 with the March 2021 special SU: ProxyLogon fixed, CVE-2020-0688 unproven.
  EXPECT_EQ(S("15.1.1847.12", "CVE-2021-26855"), "fixed");
  EXPECT_EQ(S("15.1.1847.12", "CVE-2020-0688"), "ambiguous");
  EXPECT_EQ(S("15.2.529.13", "CVE-2020-0688"), "ambiguous");  // 2019 CU4
}

TEST(ExposureTable, Cu8Cu9SourcesDisagree) {
  EXPECT_EQ(S("15.1.1415.8", "CVE-2021-26855"), "ambiguous");  // HealthChecker's Mar21SU number
  EXPECT_EQ(S("15.1.1415.10", "CVE-2021-26855"), "fixed");     // MS Learn's
  EXPECT_EQ(S("15.1.1466.13", "CVE-2021-27065"), "ambiguous");
  EXPECT_EQ(S("15.1.1466.16", "CVE-2021-27065"), "fixed");
  EXPECT_EQ(S("15.1.1415.7", "CVE-2021-26855"), "vulnerable");
}

TEST(ExposureTable, ExtendedProtectionDependsOnConfiguration) {
  EXPECT_EQ(S("15.2.1118.7", "CVE-2024-21410"), "vulnerable");  // EP needs Aug22SU first
  EXPECT_EQ(S("15.2.1118.12", "CVE-2024-21410"), "depends on configuration");
  EXPECT_EQ(S("15.2.1544.4", "CVE-2024-21410"), "depends on configuration");  // on by default, can be turned off
  EXPECT_EQ(S("15.1.2507.12", "CVE-2024-21410"), "depends on configuration");
  EXPECT_EQ(S("15.0.1497.40", "CVE-2024-21410"), "not listed");
  EXPECT_EQ(S("15.1.2176.2", "CVE-2024-21410"), "CU out of support: no fix");
}

TEST(ExposureTable, UnknownBuildIsNeverGuessed) {
  auto v = Table().Evaluate(*ParseBuild("15.1.2176.99"));
  for (const auto& e : v) {
    EXPECT_EQ(e.status, CveStatus::kUnknownBuild);
    EXPECT_NE(e.detail.find("15.1.2176.14"), std::string::npos) << e.detail;  // nearest below
    EXPECT_NE(e.detail.find("15.1.2242.4"), std::string::npos) << e.detail;   // nearest above
  }
}

TEST(ExposureTable, CuOnlyBuildsSayWhatTheCuAloneProves) {
  auto v = Table().EvaluateCuLine(*ParseBuild("15.1.2176.0"));
  EXPECT_EQ(StatusOf(v, "CVE-2021-26855"), CveStatus::kAmbiguous);  // depends on the SU
  EXPECT_EQ(StatusOf(v, "CVE-2022-41040"), CveStatus::kNoFix);      // no SU of CU19 has it
  EXPECT_EQ(StatusOf(v, "CVE-2020-0688"), CveStatus::kFixed);       // every CU19 build has it
}

TEST(ExposureTable, OwaVersionBelowExSetupIsJudgedByItsCu) {
  // 2019 CU9's OWA version is 15.2.858.2 while ExSetup says 15.2.858.5.
  ExposureAssessment a;
  a.evidence.push_back({"X-OWA-Version header", "https://x/owa/", *ParseBuild("15.2.858.2"), false, "", {}, {}});
  Decide(Table(), &a);
  EXPECT_EQ(StatusOf(a.cves, "CVE-2021-26855"), CveStatus::kFixed);  // CU9 contains March 2021
  EXPECT_EQ(StatusOf(a.cves, "CVE-2021-34473"), CveStatus::kAmbiguous);
  ASSERT_FALSE(a.notes.empty());
}

TEST(ExposureTable, CuRanges) {
  EXPECT_TRUE(CuRangeCovers("CU18 and earlier", 18));
  EXPECT_FALSE(CuRangeCovers("CU18 and earlier", 19));
  EXPECT_TRUE(CuRangeCovers("all CUs before CU23", 22));
  EXPECT_FALSE(CuRangeCovers("all CUs before CU23", 23));
  EXPECT_TRUE(CuRangeCovers("RTM, CU1-CU3, CU5-CU20", 0));
  EXPECT_FALSE(CuRangeCovers("RTM, CU1-CU3, CU5-CU20", 4));
  EXPECT_TRUE(CuRangeCovers("Preview, RTM, CU1-CU7", -1));
  EXPECT_TRUE(CuRangeCovers("all", 12));
}

// Every fixed_by_su row: the known build just below the fix on its CU line,
// the fix, the next known SU on the line, and the first build of the next CU.
TEST(ExposureTable, BoundaryBuildsOfEveryCuLine) {
  const auto& t = Table();
  int checked = 0;
  for (const auto& row : t.rows()) {
    if (row.status != "fixed_by_su" || !row.min_fixed_build) continue;
    const Build fix = *row.min_fixed_build;
    bool config = false;
    for (const auto& r : t.rows()) config = config || (r.cve == row.cve && r.status == "mitigation_only");
    const CveStatus fixed = config ? CveStatus::kDependsOnConfiguration : CveStatus::kFixed;
    const KnownBuild* below = nullptr;
    const KnownBuild* above = nullptr;
    const KnownBuild* next_cu = nullptr;
    for (const auto& k : t.builds()) {
      if (k.build.SameCuLine(fix) && k.build < fix) below = &k;
      if (k.build.SameCuLine(fix) && k.build > fix && !above) above = &k;
      if (!next_cu && k.build.major() == fix.major() && k.build.minor() == fix.minor() &&
          k.build.build() > fix.build() && ProductOf(k.build) == ProductOf(fix))
        next_cu = &k;
    }
    std::string where = row.cve + " " + row.product + " " + row.cu_line;
    if (below) {
      CveStatus s = StatusOf(t.Evaluate(below->build), row.cve);
      // A lower number of the same update (sources disagree) is ambiguous, anything else open.
      bool same_update = !below->update.empty() && row.fixing_update.rfind(below->update, 0) == 0;
      EXPECT_EQ(CveStatusName(s), CveStatusName(same_update ? CveStatus::kAmbiguous : CveStatus::kVulnerable))
          << where << " at " << below->build.ToString();
    }
    EXPECT_EQ(CveStatusName(StatusOf(t.Evaluate(fix), row.cve)), CveStatusName(fixed)) << where;
    if (above) {
      CveStatus s = StatusOf(t.Evaluate(above->build), row.cve);
      bool ambiguous_row = false;
      for (const auto& r : t.rows())
        ambiguous_row =
            ambiguous_row || (r.cve == row.cve && r.status == "ambiguous_build" && r.min_fixed_build == above->build);
      EXPECT_EQ(CveStatusName(s), CveStatusName(ambiguous_row ? CveStatus::kAmbiguous : fixed))
          << where << " at later SU " << above->build.ToString();
    }
    if (next_cu) {
      // The next CU either has its own update for the CVE or contains the fix.
      CveStatus s = StatusOf(t.Evaluate(next_cu->build), row.cve);
      bool own = false;
      for (const auto& r : t.rows())
        own = own || (r.cve == row.cve && r.status == "fixed_by_su" && r.min_fixed_build &&
                      r.min_fixed_build->SameCuLine(next_cu->build) && next_cu->build < *r.min_fixed_build);
      // ...or was out of support and never got it.
      bool no_fix = false;
      auto cu = t.CuLineOf(next_cu->build);
      for (const auto& r : t.rows())
        no_fix = no_fix || (r.cve == row.cve && r.product == row.product && r.status == "no_fix_available" && cu &&
                            CuOrdinal(*cu) && CuRangeCovers(r.cu_line, *CuOrdinal(*cu)));
      CveStatus want = own ? CveStatus::kVulnerable : no_fix ? CveStatus::kNoFix : fixed;
      EXPECT_TRUE(s == want || s == CveStatus::kAmbiguous)
          << where << " at next CU " << next_cu->build.ToString() << ": " << CveStatusName(s);
    }
    ++checked;
  }
  EXPECT_GT(checked, 150);
}

}  // namespace
}  // namespace exhunt
