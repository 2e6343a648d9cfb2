#include "reader/text_log_reader.h"

#include <gtest/gtest.h>

#include "rule/rule_set.h"
#include "source/memory_file_system.h"

namespace exhunt {
namespace {

// Keeps what the reader hands over: where, which rules, and a few fields.
struct Seen {
  uint64_t line;  // 1-based, as a finding shows it
  std::vector<unsigned> rules;
  std::string stem, time, raw;
};

class CollectSink final : public RecordSink {
 public:
  void OnRecord(const Record& r, const RecordPlace& place, std::span<const unsigned> rules) override {
    auto stem = r.Field("UrlStem");
    auto t = r.Time();
    seen.push_back({0,
                    {rules.begin(), rules.end()},
                    stem ? std::string(*stem) : "",
                    t ? FormatIsoTime(*t) : "",
                    std::string(r.Raw())});
    places.push_back(place);
  }
  std::vector<Seen> seen;
  std::vector<RecordPlace> places;
};

// One rule that looks for "/shell.aspx" in the URL stem of IIS and HttpProxy logs.
const char* kRule = R"(title: shell
id: test.shell
logsource:
  category: webserver
detection:
  s:
    cs-uri-stem|endswith: '/shell.aspx'
  condition: s
---
title: shell proxy
id: test.shell.proxy
logsource:
  product: exchange
  service: httpproxy
detection:
  s:
    UrlStem|endswith: '/shell.aspx'
  condition: s
)";

struct Harness {
  RuleSet rules;
  std::unique_ptr<Prefilter> pf;
  HsScratch scratch;
  MemoryFileSystem fs;
  Harness(LogType type) {
    rules.AddText(kRule, "test");
    pf = std::move(Prefilter::Build(rules.Covers(type), type).value());
    EXPECT_TRUE(pf->AllocScratch(&scratch).ok());
  }
  // Reads `text` as a file of `type`, chunk by chunk in order.
  FileFacts Read(LogType type, const std::string& text, CollectSink* sink, size_t chunk_bytes = 1 << 20,
                 size_t* chunks = nullptr) {
    fs.AddFile("/f.log", text);
    auto map = fs.Open("/f.log").value();
    EvidenceFile file{"/f.log", "f.log", type, text.size()};
    ReadContext ctx;
    ctx.prefilter = pf.get();
    ctx.chunk_bytes = chunk_bytes;
    ctx.split_threshold = chunk_bytes;
    TextLogReader reader;
    auto reading = reader.Open(file, *map, ctx);
    WorkerScratch ws;
    ws.prefilter = std::move(scratch);
    for (size_t k = 0; k < reading->chunk_count(); ++k) reading->ReadChunk(k, ws, *sink);
    scratch = std::move(ws.prefilter);  // the harness reads again
    if (chunks) *chunks = reading->chunk_count();
    FileFacts facts = reading->Finish();
    for (size_t i = 0; i < sink->seen.size(); ++i) sink->seen[i].line = reading->SourcePosition(sink->places[i]);
    return facts;
  }
};

std::string Iis(const std::string& stem, int second) {
  return "2021-03-03 06:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) + " 10.0.0.5 GET " + stem +
         " - 443 - 203.0.113.7 curl/7 - 200 0 0 1\r\n";
}

TEST(TextLogReader, OnlyPrefilterHitsAreParsedWithLinesAndTimes) {
  Harness h(LogType::kIisW3c);
  std::string text = "#Software: Microsoft Internet Information Services 10.0\r\n#Fields: " +
                     std::string(KindOf(LogType::kIisW3c).default_fields) + "\r\n" + Iis("/owa/", 1) +
                     Iis("/aspnet_client/shell.aspx", 2) + Iis("/owa/", 3);
  CollectSink sink;
  FileFacts facts = h.Read(LogType::kIisW3c, text, &sink);
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].line, 4u);
  EXPECT_EQ(sink.seen[0].stem, "/aspnet_client/shell.aspx");
  EXPECT_EQ(sink.seen[0].time, "2021-03-03T06:00:02.000Z");
  EXPECT_EQ(sink.seen[0].rules, std::vector<unsigned>{0});
  EXPECT_EQ(facts.records, 3u);  // comment lines are not records
  EXPECT_EQ(FormatIsoTime(*facts.first), "2021-03-03T06:00:01.000Z");
  EXPECT_EQ(FormatIsoTime(*facts.last), "2021-03-03T06:00:03.000Z");
  EXPECT_TRUE(facts.problems.empty());
}

TEST(TextLogReader, HeaderChangesAreHandedAcrossChunks) {
  Harness h(LogType::kIisW3c);
  // The second block has the columns in another order; chunks of ~200 bytes
  // put the header change and the hit in different chunks.
  std::string text = "#Fields: date time cs-uri-stem s-ip\r\n";
  for (int i = 0; i < 10; ++i) text += "2021-03-03 06:00:0" + std::to_string(i) + " /owa/ 10.0.0.1\r\n";
  text += "#Fields: s-ip date time cs-uri-stem\r\n";
  for (int i = 0; i < 10; ++i) text += "10.0.0.1 2021-03-03 06:01:0" + std::to_string(i) + " /owa/\r\n";
  text += "10.0.0.1 2021-03-03 06:02:00 /aspnet_client/shell.aspx\r\n";
  CollectSink whole, split;
  h.Read(LogType::kIisW3c, text, &whole);
  size_t chunks = 0;
  FileFacts facts = h.Read(LogType::kIisW3c, text, &split, 200, &chunks);
  EXPECT_GT(chunks, 3u);
  ASSERT_EQ(split.seen.size(), 1u);
  ASSERT_EQ(whole.seen.size(), 1u);
  EXPECT_EQ(split.seen[0].line, 23u);
  EXPECT_EQ(split.seen[0].line, whole.seen[0].line);
  EXPECT_EQ(split.seen[0].time, "2021-03-03T06:02:00.000Z");  // date/time found by name in the new order
  EXPECT_EQ(facts.records, 21u);
}

TEST(TextLogReader, QuotedMultiLineCsvRecordIsReadFromItsFirstLine) {
  Harness h(LogType::kHttpProxy);
  std::string text =
      "#Fields: DateTime,UrlStem,GenericInfo\r\n"
      "2021-03-03T06:00:01.000Z,/owa/,\"first line\r\nsecond /ecp/shell.aspx line\"\r\n"
      "2021-03-03T06:00:02.000Z,/ecp/shell.aspx,\r\n";
  CollectSink sink;
  FileFacts facts = h.Read(LogType::kHttpProxy, text, &sink);
  ASSERT_EQ(sink.seen.size(), 2u);
  EXPECT_EQ(sink.seen[0].line, 2u);  // the hit on line 3 belongs to the record of line 2
  EXPECT_EQ(sink.seen[0].stem, "/owa/");
  EXPECT_EQ(sink.seen[1].line, 4u);
  EXPECT_EQ(sink.seen[1].stem, "/ecp/shell.aspx");
}

TEST(TextLogReader, NoHeaderMeansTheKindsDefaultFields) {
  Harness h(LogType::kIisW3c);
  CollectSink sink;
  h.Read(LogType::kIisW3c, Iis("/aspnet_client/shell.aspx", 7), &sink);
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].stem, "/aspnet_client/shell.aspx");
  EXPECT_EQ(sink.seen[0].time, "2021-03-03T06:00:07.000Z");
  ASSERT_NE(DefaultHeader(LogType::kHttpProxy), nullptr);
  EXPECT_EQ(DefaultHeader(LogType::kHttpProxy)->Find("AnchorMailbox"), 15);
  EXPECT_EQ(DefaultHeader(LogType::kOabGenerator), nullptr);
}

TEST(TextLogReader, DamagedRecordsAreCountedReportedAndSkipped) {
  Harness h(LogType::kIisW3c);
  std::string nul = Iis("/aspnet_client/shell.aspx", 1);
  nul[25] = '\0';
  std::string text = "#Fields: " + std::string(KindOf(LogType::kIisW3c).default_fields) + "\r\n" + nul +
                     "2021-03-03 06:00:02 x GET /aspnet_client/shell.aspx" + std::string(kMaxRecordBytes, 'A') +
                     "\r\n" + Iis("/aspnet_client/shell.aspx", 3);
  CollectSink sink;
  FileFacts facts = h.Read(LogType::kIisW3c, text, &sink);
  ASSERT_EQ(sink.seen.size(), 1u);
  EXPECT_EQ(sink.seen[0].line, 4u);
  ASSERT_EQ(facts.problems.size(), 1u);
  EXPECT_NE(facts.problems[0].find("line 2: 1 record longer than"), std::string::npos) << facts.problems[0];
  EXPECT_NE(facts.problems[0].find("1 record with NUL bytes skipped"), std::string::npos) << facts.problems[0];
}

TEST(TextLogReader, TheHeadIsReportedForTheExposurePlane) {
  Harness h(LogType::kHttpProxy);
  CollectSink sink;
  FileFacts facts =
      h.Read(LogType::kHttpProxy,
             "#Version: 15.01.2176.002\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: DateTime,UrlStem\r\n", &sink);
  EXPECT_EQ(facts.head.version, "15.01.2176.002");
  EXPECT_EQ(facts.records, 0u);
  EXPECT_FALSE(facts.first);
}

}  // namespace
}  // namespace exhunt
