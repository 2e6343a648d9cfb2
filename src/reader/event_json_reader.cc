#include "reader/event_json_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "reader/event_json.h"
#include "record/event_record.h"

namespace exhunt {

namespace {

constexpr size_t kMaxProblemsListed = 64;
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
    uint64_t values = 0, skipped = 0;
    size_t released = 0;
    size_t begin = 0, end = 0;
    for (auto step = splitter.Next(&begin, &end); step != JsonValueSplitter::Step::kEnd;
         step = splitter.Next(&begin, &end)) {
      ++values;
      if (step == JsonValueSplitter::Step::kDamaged) {
        Problem(fmt::format("offset {}: {} bytes that are no JSON value skipped", begin, end - begin));
        ++skipped;
      } else if (end - begin > EventJsonReader::kMaxEventBytes) {
        Problem(fmt::format("offset {}: a value of {} bytes, more than {} MiB, skipped", begin, end - begin,
                            EventJsonReader::kMaxEventBytes >> 20));
        ++skipped;
      } else if (!parser.Parse(bytes.substr(begin, end - begin), &xml, &why)) {
        Problem(fmt::format("offset {}: {}; skipped", begin, why));
        ++skipped;
      } else {
        record.Reset(xml);
        ++facts_.records;
        if (auto t = record.Time()) AddTime(*t);
        const auto& rules = offer_.Offered(record, scratch.prefilter, offer_scratch);
        if (!rules.empty()) sink.OnRecord(record, RecordPlace{0, begin}, rules);
      }
      if (end - released >= kReleaseEvery) {
        map_.DoneWith(released, end - released);
        released = end;
      }
    }
    if (facts_.records == 0 && values > 0) {  // no event at all: not an export of events after all
      facts_.not_read = "JSON, but no Windows events" + (facts_.problems.empty() ? "" : " (" + facts_.problems[0] + ")");
      facts_.problems.clear();
      unlisted_ = 0;
      return;
    }
    if (skipped) facts_.problems.push_back(fmt::format("{} values skipped", skipped));
  }

  FileFacts Finish() override {
    if (unlisted_) facts_.problems.push_back(fmt::format("{} more problems not listed", unlisted_));
    MergeSpans(&facts_.spans);
    return std::move(facts_);
  }
  uint64_t SourcePosition(const RecordPlace& place) const override { return place.position; }

 private:
  void Problem(std::string text) {
    if (facts_.problems.size() < kMaxProblemsListed) {
      facts_.problems.push_back(std::move(text));
    } else {
      ++unlisted_;
    }
  }
  void AddTime(TimeMs t) {
    if (!facts_.first || t < *facts_.first) facts_.first = t;
    if (!facts_.last || t > *facts_.last) facts_.last = t;
    AddToSpans(&facts_.spans, t);
  }

  MappedFile& map_;
  const EventRuleOffer& offer_;
  FileFacts facts_;
  size_t unlisted_ = 0;
};

}  // namespace

std::unique_ptr<FileReading> EventJsonReader::Open(const EvidenceFile&, MappedFile& map,
                                                   const ReadContext& context) const {
  return std::make_unique<EventJsonReading>(map, offer_.Get(context));
}

}  // namespace exhunt
