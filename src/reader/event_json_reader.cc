#include "reader/event_json_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "reader/event_json.h"
#include "reader/gathered_facts.h"
#include "record/event_record.h"

namespace exhunt {

namespace {

constexpr size_t kReleaseEvery = size_t(16) << 20;  // bytes read between page releases

// Where a stream of values (JSON Lines, concatenated objects: not one
// array) may be cut for parallel reading: at lines that start with '{',
// which JsonValueSplitter takes as the start of a value in any case, so the
// pieces read exactly as the whole. One piece for an array or a small file.
std::vector<size_t> StreamCuts(std::string_view bytes, const ReadContext& context) {
  std::vector<size_t> cuts = {0};
  if (JsonValueSplitter::IsStream(bytes) && bytes.size() > context.split_threshold && context.chunk_bytes > 0) {
    for (size_t at = context.chunk_bytes; at < bytes.size(); at += context.chunk_bytes) {
      size_t nl = bytes.find("\n{", std::max(at, cuts.back()) - 1);
      if (nl == std::string_view::npos) break;
      if (nl + 1 > cuts.back()) cuts.push_back(nl + 1);
      at = std::max(at, nl + 1);
    }
  }
  cuts.push_back(bytes.size());
  return cuts;
}

class EventJsonReading final : public FileReading {
 public:
  EventJsonReading(MappedFile& map, const EventRuleOffer& offer, const ReadContext& context)
      : map_(map), offer_(offer), cuts_(StreamCuts(map.bytes(), context)), tasks_(cuts_.size() - 1) {}

  size_t chunk_count() const override { return tasks_.size(); }

  void ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) override {
    const size_t from = cuts_[k];
    std::string_view bytes = map_.bytes().substr(from, cuts_[k + 1] - from);
    Task& task = tasks_[k];
    GatheredFacts& facts = task.facts;
    JsonValueSplitter splitter(bytes);
    EventJsonParser parser;
    EventXml xml;
    EventRecord record;
    EventRuleOffer::Scratch offer_scratch;
    std::string why;
    size_t released = 0;
    size_t begin = 0, end = 0;
    for (auto step = splitter.Next(&begin, &end); step != JsonValueSplitter::Step::kEnd;
         step = splitter.Next(&begin, &end)) {
      ++task.values;
      const size_t offset = from + begin;  // in the file
      auto skip = [&](std::string problem) {
        facts.AddProblem(std::move(problem));
        ++facts.skipped;
      };
      if (step == JsonValueSplitter::Step::kDamaged) {
        skip(fmt::format("offset {}: {} bytes that are no JSON value skipped", offset, end - begin));
      } else if (end - begin > EventJsonReader::kMaxEventBytes) {
        skip(fmt::format("offset {}: a value of {} bytes, more than {} MiB, skipped", offset, end - begin,
                         EventJsonReader::kMaxEventBytes >> 20));
      } else if (!parser.Parse(bytes.substr(begin, end - begin), &xml, &why)) {
        skip(fmt::format("offset {}: {}; skipped", offset, why));
      } else {
        record.Reset(xml);
        ++facts.records;
        if (auto t = record.Time()) facts.AddTime(*t);
        const auto& rules = offer_.Offered(record, scratch.prefilter, offer_scratch);
        if (!rules.empty()) sink.OnRecord(record, RecordPlace{k, offset}, rules);
      }
      if (end - released >= kReleaseEvery) {
        map_.DoneWith(from + released, end - released);
        released = end;
      }
    }
  }

  FileFacts Finish() override {
    GatheredFacts all;
    uint64_t values = 0;
    for (auto& t : tasks_) {
      values += t.values;
      all.Absorb(std::move(t.facts));
    }
    // No event at all: not an export of events after all.
    if (all.records == 0 && values > 0) {
      FileFacts out = GatheredFacts().ToFileFacts({}, "values");
      out.not_read = "JSON, but no Windows events" + (all.problems.empty() ? "" : " (" + all.problems[0] + ")");
      return out;
    }
    return all.ToFileFacts({}, "values");
  }
  uint64_t SourcePosition(const RecordPlace& place) const override { return place.position; }

 private:
  struct Task {
    GatheredFacts facts;
    uint64_t values = 0;
  };
  MappedFile& map_;
  const EventRuleOffer& offer_;
  std::vector<size_t> cuts_;  // chunk k is [cuts_[k], cuts_[k + 1])
  std::vector<Task> tasks_;
};

}  // namespace

std::unique_ptr<FileReading> EventJsonReader::Open(const EvidenceFile&, MappedFile& map,
                                                   const ReadContext& context) const {
  return std::make_unique<EventJsonReading>(map, offer_.Get(context), context);
}

}  // namespace exhunt
