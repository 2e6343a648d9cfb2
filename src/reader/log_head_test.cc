#include "reader/log_head.h"

#include <gtest/gtest.h>

#include "source/memory_file_system.h"

namespace exhunt {
namespace {

TEST(LogHead, DirectivesBeforeTheFirstRecord) {
  LogHead h = ReadLogHead(
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
      "#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,MajorVersion\r\n2021-03-03T06:00:01Z,15\r\n"
      "#Version: 99.9\r\n");
  EXPECT_EQ(h.version, "15.01.2176.002");
  EXPECT_EQ(FormatIsoTime(*h.date), "2021-03-03T06:00:00.000Z");
  EXPECT_EQ(h.software, "Microsoft Exchange Server");
  // The header names MajorVersion, the row lacks MinorVersion..: incomplete.
  EXPECT_EQ(h.row_version, "");
  EXPECT_EQ(FormatIsoTime(*h.row_time), "2021-03-03T06:00:01.000Z");
}

TEST(LogHead, VersionColumnsOfTheFirstRow) {
  LogHead h = ReadLogHead(
      "#Fields: DateTime,MajorVersion,MinorVersion,BuildVersion,RevisionVersion\n2021-03-03T06:00:01Z,15,1,2176,9\n");
  EXPECT_FALSE(h.version);
  EXPECT_EQ(h.row_version, "15.1.2176.9");
}

TEST(LogHead, ARowCutByTheEndOfTheHeadIsNotRead) {
  std::string text = "#Fields: DateTime,MajorVersion,MinorVersion,BuildVersion,RevisionVersion\n" +
                     std::string(kLogHeadBytes, '#') + "\n2021-03-03T06:00:01Z,15,1,2176,9\n";
  EXPECT_FALSE(ReadLogHead(text).row_version);
  std::string cut = "#Fields: DateTime,MajorVersion,MinorVersion,BuildVersion,RevisionVersion\n" +
                    std::string(kLogHeadBytes - 90, '#') + "\n2021-03-03T06:00:01Z,15,1,2176,9";
  EXPECT_FALSE(ReadLogHead(cut).row_version);
}

TEST(LogHead, BuildHeadsAreReadOnlyForLogsThatShowTheBuild) {
  MemoryFileSystem fs;
  fs.AddFile("/r/V15/Logging/HttpProxy/Owa/a.LOG", "#Version: 15.01.2176.002\n");
  fs.AddFile("/r/inetpub/logs/LogFiles/W3SVC1/u_ex1.log", "#Version: 1.0\n");
  DiscoveredTree t = Discover(&fs, "/r");
  auto heads = ReadBuildHeads(&fs, t);
  ASSERT_EQ(heads.size(), 1u);
  EXPECT_EQ(heads[0].type, LogType::kHttpProxy);
  EXPECT_EQ(heads[0].head.version, "15.01.2176.002");
}

}  // namespace
}  // namespace exhunt
