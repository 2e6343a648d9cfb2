#include "reader/event_json_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "reader/event_json.h"
#include "reader/gathered_facts.h"
#include "record/event_record.h"

namespace exhunt {

namespace {

constexpr size_t kReleaseEvery = size_t(16) << 20;  // bytes read between page releases

class EventJsonReading final : public FileReading {
 public:
  EventJsonReading(MappedFile& map, const EventRuleOffer& offer) : map_(map), offer_(offer) {}

  size_t chunk_count() const override { return 1; }

  void ReadChunk(size_t, WorkerScratch& scratch, RecordSink& sink) override {
    std::string_view bytes = map_.bytes();
    JsonValueSplitter splitter(bytes);
    EventJsonParser parser;
    EventXml xml;
    EventRecord record;
    EventRuleOffer::Scratch offer_scratch;
    std::string why;
    uint64_t values = 0;
    size_t released = 0;
    size_t begin = 0, end = 0;
    for (auto step = splitter.Next(&begin, &end); step != JsonValueSplitter::Step::kEnd;
         step = splitter.Next(&begin, &end)) {
      ++values;
      auto skip = [&](std::string problem) {
        facts_.AddProblem(std::move(problem));
        ++facts_.skipped;
      };
      if (step == JsonValueSplitter::Step::kDamaged) {
        skip(fmt::format("offset {}: {} bytes that are no JSON value skipped", begin, end - begin));
      } else if (end - begin > EventJsonReader::kMaxEventBytes) {
        skip(fmt::format("offset {}: a value of {} bytes, more than {} MiB, skipped", begin, end - begin,
                         EventJsonReader::kMaxEventBytes >> 20));
      } else if (!parser.Parse(bytes.substr(begin, end - begin), &xml, &why)) {
        skip(fmt::format("offset {}: {}; skipped", begin, why));
      } else {
        record.Reset(xml);
        ++facts_.records;
        if (auto t = record.Time()) facts_.AddTime(*t);
        const auto& rules = offer_.Offered(record, scratch.prefilter, offer_scratch);
        if (!rules.empty()) sink.OnRecord(record, RecordPlace{0, begin}, rules);
      }
      if (end - released >= kReleaseEvery) {
        map_.DoneWith(released, end - released);
        released = end;
      }
    }
    // No event at all: not an export of events after all.
    if (facts_.records == 0 && values > 0) {
      not_read_ = "JSON, but no Windows events" + (facts_.problems.empty() ? "" : " (" + facts_.problems[0] + ")");
      facts_ = GatheredFacts();
    }
  }

  FileFacts Finish() override {
    FileFacts out = facts_.ToFileFacts({}, "values");
    out.not_read = not_read_;
    return out;
  }
  uint64_t SourcePosition(const RecordPlace& place) const override { return place.position; }

 private:
  MappedFile& map_;
  const EventRuleOffer& offer_;
  GatheredFacts facts_;
  std::string not_read_;
};

}  // namespace

std::unique_ptr<FileReading> EventJsonReader::Open(const EvidenceFile&, MappedFile& map,
                                                   const ReadContext& context) const {
  return std::make_unique<EventJsonReading>(map, offer_.Get(context));
}

}  // namespace exhunt
