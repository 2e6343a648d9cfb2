#include "source/discovery.h"

#include <gtest/gtest.h>

#include "source/memory_file_system.h"

namespace exhunt {
namespace {

const std::string kInstall = "Program Files/Microsoft/Exchange Server/V15";

TEST(ClassifyLogPath, KnownFoldersInAnyCase) {
  EXPECT_EQ(ClassifyLogPath("inetpub/logs/LogFiles/W3SVC1/u_ex210303.log"), LogType::kIisW3c);
  EXPECT_EQ(ClassifyLogPath("C/INETPUB/LOGS/LOGFILES/W3SVC2/u_ex210303.log"), LogType::kIisW3c);
  EXPECT_EQ(ClassifyLogPath(kInstall + "/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG"), LogType::kHttpProxy);
  EXPECT_EQ(ClassifyLogPath("D:\\Exchange\\Logging\\ECP\\Server\\ECPServer2021.LOG"), LogType::kEcpServer);
  EXPECT_EQ(ClassifyLogPath(kInstall + "/Logging/ECP/Activity/a.LOG"), LogType::kEcpActivity);
  EXPECT_EQ(ClassifyLogPath(kInstall + "/Logging/OABGeneratorLog/OAB_1.LOG"), LogType::kOabGenerator);
  // CmdletInfra holds other logs too: only Rps_Http files are that kind.
  EXPECT_EQ(ClassifyLogPath(kInstall + "/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2021.LOG"),
            LogType::kRpsHttp);
  EXPECT_EQ(ClassifyLogPath(kInstall + "/Logging/CmdletInfra/Powershell-Proxy/Cmdlet/Rps_Cmdlet_2021.LOG"),
            LogType::kUnknown);
  EXPECT_EQ(ClassifyLogPath("Users/a/notes.txt"), LogType::kUnknown);
}

TEST(ClassifyLogContent, HeadersTellTheKind) {
  EXPECT_EQ(ClassifyLogContent("#Software: Microsoft Exchange Server\r\n#Log-type: HttpProxy Logs\r\n"),
            LogType::kHttpProxy);
  EXPECT_EQ(ClassifyLogContent("#Log-type: ECP Server Log\n"), LogType::kEcpServer);
  EXPECT_EQ(ClassifyLogContent("#Log-type: ECP Activity Context Log\n"), LogType::kEcpActivity);
  EXPECT_EQ(ClassifyLogContent("#Log-type: Rps Http Logs\n"), LogType::kRpsHttp);
  EXPECT_EQ(ClassifyLogContent("#Log-type: OAB Generator Log\n"), LogType::kOabGenerator);
  EXPECT_EQ(ClassifyLogContent("#Log-type: Some Other Log\n#Fields: a,b\n"), LogType::kExchangeCsv);
  EXPECT_EQ(ClassifyLogContent("\xEF\xBB\xBF#Software: Microsoft Internet Information Services 10.0\r\n"),
            LogType::kIisW3c);
  EXPECT_EQ(ClassifyLogContent("#Fields: date time cs-method\n"), LogType::kIisW3c);
  EXPECT_EQ(ClassifyLogContent("#Fields: DateTime,RequestId,AnchorMailbox,BackEndCookie\n"), LogType::kHttpProxy);
  EXPECT_EQ(ClassifyLogContent("#Fields: DateTime,ClientInfo,CommandName\n"), LogType::kRpsHttp);
  EXPECT_EQ(ClassifyLogContent("#Fields: DateTime,Foo\n"), LogType::kExchangeCsv);
}

TEST(ClassifyLogContent, HeaderlessIisLineButNotCsvOrProse) {
  EXPECT_EQ(ClassifyLogContent("2021-03-03 06:49:43 10.0.0.5 GET /owa/ - 443 - 1.2.3.4 Mozilla/5.0 - 200 0 0 4\n"),
            LogType::kIisW3c);
  EXPECT_EQ(ClassifyLogContent("2021-03-03 06:49:43,a,b,c,d,e,f,g,h,i,j,k\n"), LogType::kUnknown);
  EXPECT_EQ(ClassifyLogContent("2021-03-03 06:49:43 short line\n"), LogType::kUnknown);
  EXPECT_EQ(ClassifyLogContent("Dear admin, please patch.\n"), LogType::kUnknown);
}

TEST(Discover, FindsLogsConfigsAndTheInstallFolderWherever) {
  MemoryFileSystem fs;
  const std::string root = "/case/EXCH01";
  fs.AddFile(root + "/D/Exchange/Logging/HttpProxy/Owa/HttpProxy_1.LOG", "#Log-type: HttpProxy Logs\n");
  fs.AddFile(root + "/D/Exchange/Bin/ExSetup.exe", "MZ");
  fs.AddFile(root + "/D/Exchange/Logging/OABGeneratorLog/OAB_1.LOG", "2021-03-03T06:00:00Z x\n");
  fs.AddFile(root + "/D/Exchange/FrontEnd/HttpProxy/owa/auth/15.1.2176/x.js", "");
  fs.AddFile(root + "/D/Exchange/FrontEnd/HttpProxy/owa/web.config", "<configuration/>");
  fs.AddFile(root + "/inetpub/wwwroot/web.config", "<configuration/>");
  fs.AddFile(root + "/loose/oabgenerator_copy.log", "2021-03-03T06:00:00Z plain text\n");
  fs.AddFile(root + "/loose/picture.png", "#Fields: a b c");  // not worth sniffing: skipped
  fs.AddFile(root + "/loose/u_ex.log", "#Software: Microsoft Internet Information Services 10.0\n");
  DiscoveredTree t = Discover(&fs, root);
  std::map<std::string, LogType> logs;
  for (const auto& f : t.logs) logs[f.rel_path] = f.type;
  EXPECT_EQ(logs.size(), 4u);
  EXPECT_EQ(logs["D/Exchange/Logging/HttpProxy/Owa/HttpProxy_1.LOG"], LogType::kHttpProxy);
  EXPECT_EQ(logs["D/Exchange/Logging/OABGeneratorLog/OAB_1.LOG"], LogType::kOabGenerator);
  EXPECT_EQ(logs["loose/oabgenerator_copy.log"], LogType::kOabGenerator);  // by its name
  EXPECT_EQ(logs["loose/u_ex.log"], LogType::kIisW3c);                     // by its header
  EXPECT_EQ(t.install_roots, std::vector<std::string>{"\\d\\exchange\\"});
  ASSERT_EQ(t.exsetup.size(), 1u);
  EXPECT_EQ(t.exsetup[0].rel_path, "D/Exchange/Bin/ExSetup.exe");
  EXPECT_EQ(t.wwwroot_config.size(), 1u);
  EXPECT_EQ(t.child_configs.size(), 1u);
  EXPECT_EQ(t.owa_build_dirs, std::vector<std::string>{"D/Exchange/FrontEnd/HttpProxy/owa/auth/15.1.2176"});
  EXPECT_TRUE(t.errors.empty());
}

TEST(Discover, ASingleFileAndAMissingRoot) {
  MemoryFileSystem fs;
  fs.AddFile("/x/u_ex210303.log", "#Fields: date time cs-method\n2021-03-03 00:00:00 GET\n");
  DiscoveredTree one = Discover(&fs, "/x/u_ex210303.log");
  ASSERT_EQ(one.logs.size(), 1u);
  EXPECT_EQ(one.logs[0].rel_path, "u_ex210303.log");
  EXPECT_EQ(one.logs[0].type, LogType::kIisW3c);
  DiscoveredTree none = Discover(&fs, "/nowhere");
  EXPECT_TRUE(none.logs.empty());
  EXPECT_EQ(none.errors.size(), 1u);
}

}  // namespace
}  // namespace exhunt
