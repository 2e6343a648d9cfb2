#include "reader/pe_version.h"

#include <gtest/gtest.h>

#include "exposure/build.h"
#include "pe_writer.h"

namespace exhunt {
namespace {

TEST(PeVersion, ReadsTheFixedFileInfoThroughTheResourceTree) {
  std::string pe = gen::MakeVersionPe(*ParseBuild("15.1.2176.2"));
  auto v = ReadPeVersion(pe);
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(Build{v->file_version}.ToString(), "15.1.2176.2");
  EXPECT_TRUE(v->from_resource_walk);
}

TEST(PeVersion, DamagedResourceTreeFallsBackToTheSignature) {
  std::string pe = gen::MakeVersionPe(*ParseBuild("15.2.1118.20"));
  pe[0x200 + 16] = 9;  // the type entry no longer says RT_VERSION
  auto v = ReadPeVersion(pe);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(Build{v->file_version}.ToString(), "15.2.1118.20");
  EXPECT_FALSE(v->from_resource_walk);
}

TEST(PeVersion, NotAPeAndTruncatedFilesAreErrors) {
  EXPECT_FALSE(ReadPeVersion("hello").ok());
  EXPECT_FALSE(ReadPeVersion("").ok());
  std::string pe = gen::MakeVersionPe(*ParseBuild("15.1.2176.2"));
  for (size_t cut : {size_t(2), size_t(0x40), size_t(0x90), size_t(0x100), size_t(0x210), size_t(0x260)})
    EXPECT_FALSE(ReadPeVersion(pe.substr(0, cut)).ok()) << cut;
}

}  // namespace
}  // namespace exhunt
