#include "rule/baseline.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

const char* kRows =
    "\xEF\xBB\xBF"
    "49194CA2DC5FF65A4E4438B3B68D11D63ED72E12CF72B76949733F4B5196A9B2,15.1.2176.9,\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx\r\n"
    "614EE5F81A604D733B8E6B70520DC6BF4E584D699B09C82131EBFFDC983DF2DE,15.1.2176.9,\\ClientAccess\\owa\\prem\\version\\scripts\\boot.js\r\n"
    "1111111111111111111111111111111111111111111111111111111111111111,15.1.2308.8,FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx\r\n"
    "not a row\r\n";

TEST(Baseline, KnownChangedAndUnknownByPathAndHash) {
  Baseline b;
  std::vector<std::string> problems;
  b.AddText(kRows, "b.csv", &problems);
  EXPECT_EQ(b.rows(), 3u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "b.csv: line 4: not SHA256,build,path");
  const std::string logon = "\\FrontEnd\\HttpProxy\\owa\\auth\\LOGON.aspx";
  EXPECT_EQ(b.Check(logon, "49194ca2dc5ff65a4e4438b3b68d11d63ed72e12cf72b76949733f4b5196a9b2"), Baseline::Verdict::kKnown);
  // Either build's hash is good for the path (rows without the leading backslash too).
  EXPECT_EQ(b.Check(logon, std::string(64, '1')), Baseline::Verdict::kKnown);
  EXPECT_EQ(b.Check(logon, std::string(64, '2')), Baseline::Verdict::kChanged);
  EXPECT_EQ(b.Check("\\FrontEnd\\HttpProxy\\owa\\auth\\shell.aspx", std::string(64, '2')),
            Baseline::Verdict::kUnknown);
  // A build folder on disk is the baseline's "version".
  EXPECT_EQ(b.Check("\\ClientAccess\\owa\\prem\\15.1.2176.9\\scripts\\boot.js",
                    "614EE5F81A604D733B8E6B70520DC6BF4E584D699B09C82131EBFFDC983DF2DE"),
            Baseline::Verdict::kKnown);
  EXPECT_TRUE(b.KnownHash("614ee5f81a604d733b8e6b70520dc6bf4e584d699b09c82131ebffdc983df2de"));
  EXPECT_FALSE(b.KnownHash(std::string(64, '2')));
}

TEST(Baseline, PathKeysAndScope) {
  EXPECT_EQ(BaselinePathKey("ClientAccess/OWA/15.2.858/x.js"), "\\clientaccess\\owa\\version\\x.js");
  EXPECT_EQ(BaselinePathKey("\\FrontEnd\\v1.2\\a"), "\\frontend\\v1.2\\a");  // not a build
  bool page = false;
  EXPECT_TRUE(InBaselineScope("\\FrontEnd\\HttpProxy\\ecp\\auth\\x.ASPX", &page));
  EXPECT_TRUE(page);
  EXPECT_TRUE(InBaselineScope("\\ClientAccess\\owa\\a.js", &page));
  EXPECT_FALSE(page);
  EXPECT_FALSE(InBaselineScope("\\ClientAccess\\owa\\a.strings.localized.js", &page));
  EXPECT_FALSE(InBaselineScope("\\Bin\\ExSetup.exe", &page));
  EXPECT_FALSE(InBaselineScope("\\ClientAccess\\owa\\a.png", &page));
}

}  // namespace
}  // namespace exhunt
