#include "reader/evtx_format.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <sstream>

#include "base/text.h"
#include "evtx_oracle.h"
#include "test_util.h"

namespace exhunt {
namespace {

TEST(EvtxFormat, Crc32OfKnownText) {
  // The CRC-32 check value of "123456789".
  EXPECT_EQ(Crc32("123456789"), 0xcbf43926u);
}

// Against zlib's CRC-32 on lengths around the vector widths and on EVTX
// chunk sizes, whole and continued from a partial CRC (as a chunk's header
// is checked in two parts).
TEST(EvtxFormat, Crc32EqualsZlibOnEveryLengthAndSplit) {
  std::string bytes(70000, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (auto& c : bytes) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    c = char(x);
  }
  auto zlib = [](std::string_view b, uint32_t crc = 0) {
    return uint32_t(crc32_z(crc, reinterpret_cast<const Bytef*>(b.data()), b.size()));
  };
  for (size_t n : {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 255, 256, 257, 511, 512, 513,
                   4095, 65024, 65536, 70000}) {
    std::string_view b(bytes.data() + 3, std::min(n, bytes.size() - 3));  // unaligned
    EXPECT_EQ(Crc32(b), zlib(b)) << n;
    size_t half = b.size() / 3;
    EXPECT_EQ(Crc32(b.substr(half), Crc32(b.substr(0, half))), zlib(b)) << n;
  }
}

TEST(EvtxFormat, FileTimeRendering) {
  // 2017-08-30T19:13:38.198482400Z as evtxexport prints it for DeepBlueCLI's first PowerShell event.
  uint64_t ft = (uint64_t(1504120418) + 11644473600ull) * 10000000ull + 1984824;
  EXPECT_EQ(FormatFileTime(ft), "2017-08-30T19:13:38.198482400Z");
  EXPECT_EQ(FileTimeToMs(ft), int64_t(1504120418198));
  EXPECT_EQ(FormatFileTime(0), "1601-01-01T00:00:00.000000000Z");
  EXPECT_EQ(FormatFileTime(uint64_t(INT64_MAX)), "30828-09-14T02:48:05.477580700Z");  // the largest FILETIME Windows converts
}

TEST(EvtxFormat, FirstPowerShellEventOfDeepBlueCli) {
  EXHUNT_REQUIRE_SHARED(path, "corpus/evtx/DeepBlueCLI/Powershell-Invoke-Obfuscation-encoding-menu.evtx");
  std::string bytes = testing::ReadAll(path);
  auto header = ReadEvtxFileHeader(bytes);
  ASSERT_TRUE(header.ok());
  EXPECT_TRUE(header->checksum_ok);
  EXPECT_EQ(header->major, 3);
  EvtxChunkDecoder decoder;
  std::vector<std::string> problems;
  ASSERT_EQ(decoder.Open(std::string_view(bytes).substr(kEvtxFileHeaderSize, kEvtxChunkSize), &problems),
            EvtxChunkDecoder::OpenResult::kChunk);
  EventXml xml;
  EvtxRecordInfo info;
  std::string why;
  ASSERT_EQ(decoder.Next(&xml, &info, &why), EvtxChunkDecoder::Step::kEvent) << why;
  EventRecord record;
  record.Reset(xml);
  // This file was saved from a larger log: the record header counts from 1,
  // the event keeps its EventRecordID.
  EXPECT_EQ(info.id, 1u);
  EXPECT_EQ(record.Field("EventRecordID"), "631706");
  EXPECT_EQ(record.Field("eventid"), "4104");
  EXPECT_EQ(record.event_id(), 4104u);
  EXPECT_EQ(record.Field("Provider_Name"), "Microsoft-Windows-PowerShell");
  EXPECT_EQ(record.Field("Provider_Guid"), "{A0C1853B-5C40-4B15-8766-3CF1C58F985A}");
  EXPECT_EQ(record.channel(), "Microsoft-Windows-PowerShell/Operational");
  EXPECT_EQ(record.Field("Computer"), "SEC511");
  EXPECT_EQ(record.Field("Security_UserID"), "S-1-5-21-1552841522-3835366585-4197357653-1001");
  EXPECT_EQ(record.Field("Keywords"), "0x0");  // as Windows renders it (evtxexport: 0x0000000000000000)
  EXPECT_EQ(record.Field("TimeCreated"), "2017-08-30T19:13:38.198482400Z");
  EXPECT_EQ(record.Field("Execution_ProcessID"), "5092");
  EXPECT_EQ(record.Field("ScriptBlockId"), "020184e7-b8b1-4073-b6b7-dbf868048bfb");
  EXPECT_EQ(record.Field("Path"), "");
  EXPECT_FALSE(record.Field("NoSuchField").has_value());
  ASSERT_TRUE(record.Field("ScriptBlockText").has_value());
  EXPECT_EQ(record.Field("ScriptBlockText")->substr(0, 23), " & ( $eNv:COmSPEc[4,15,");
  EXPECT_EQ(record.Time(), std::optional<TimeMs>(1504120418198));
}

// The oracle: every event of every EVTX sample decodes to what libevtx's
// evtxexport prints, element for element, attribute for attribute.
TEST(EvtxFormat, EqualsEvtxexportOnTheEvtxCorpus) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/evtx");
  testing::CompareWithEvtxexport(dir);
}

TEST(EvtxFormat, EqualsEvtxexportOnSigmaRegressionSamples) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/sigma-regression");
  testing::CompareWithEvtxexport(dir);
}

}  // namespace
}  // namespace exhunt
