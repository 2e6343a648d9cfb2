#include "reader/evtx_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "reader/evtx_format.h"
#include "record/event_record.h"

namespace exhunt {

namespace {

// At most this many problems are listed per file; the rest are counted.
constexpr size_t kMaxProblemsListed = 64;

// What one task of a file saw; Finish joins them in task order.
struct TaskFacts {
  uint64_t records = 0, skipped = 0;
  std::optional<TimeMs> first, last;
  std::vector<TimeSpan> spans;
  std::vector<std::string> problems;  // at most kMaxProblemsListed
  size_t problems_unlisted = 0;

  void AddTime(TimeMs t) {
    if (!first || t < *first) first = t;
    if (!last || t > *last) last = t;
    if (!spans.empty() && t >= spans.back().first - kCoverageGap && t <= spans.back().last + kCoverageGap) {
      spans.back().first = std::min(spans.back().first, t);
      spans.back().last = std::max(spans.back().last, t);
    } else {
      spans.push_back({t, t});
    }
  }
};

// Appends `problem` to `list` unless it holds kMaxProblemsListed already.
void ListProblem(std::vector<std::string>* list, size_t* unlisted, std::string problem) {
  if (list->size() < kMaxProblemsListed) {
    list->push_back(std::move(problem));
  } else {
    ++*unlisted;
  }
}

class EvtxReading final : public FileReading {
 public:
  EvtxReading(MappedFile& map, const Prefilter& prefilter, const EventRuleIndex& index)
      : map_(map), pf_(prefilter), index_(index) {
    std::string_view bytes = map_.bytes();
    auto header = ReadEvtxFileHeader(bytes);
    if (!header.ok()) {
      not_read_ = "not an EVTX file (no ElfFile signature)";
      return;
    }
    if (!header->checksum_ok) header_problems_.push_back("file header checksum mismatch; chunks read all the same");
    if (header->major != 3)
      header_problems_.push_back(fmt::format("EVTX version {}.{}; read as version 3", header->major, header->minor));
    for (unsigned r : pf_.unfiltered_rules()) {
      if (r >= unfiltered_.size()) unfiltered_.resize(r + 1, false);
      unfiltered_[r] = true;
    }
    chunks_ = EvtxChunkCount(bytes.size());
    tasks_.resize((chunks_ + EvtxReader::kChunksPerTask - 1) / EvtxReader::kChunksPerTask);
  }

  // At least one: the driver runs chunk 0 of every file.
  size_t chunk_count() const override { return std::max<size_t>(1, tasks_.size()); }

  void ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) override {
    if (k >= tasks_.size()) return;  // no chunk, or not an EVTX file
    std::string_view bytes = map_.bytes();
    TaskFacts& facts = tasks_[k];
    EvtxChunkDecoder decoder;
    EventXml xml;
    EventRecord record;
    RuleCache cache;
    Candidates candidates;
    const size_t begin = k * EvtxReader::kChunksPerTask;
    const size_t end = std::min(chunks_, begin + EvtxReader::kChunksPerTask);
    DecodeEvtxChunks(
        bytes, begin, end, decoder, xml,
        [&](const EventXml& event, const EvtxRecordInfo& info, size_t) {
          record.Reset(event);
          ++facts.records;
          std::optional<TimeMs> t = record.Time();
          if (!t && info.written_time) t = FileTimeToMs(info.written_time);
          if (t) facts.AddTime(*t);
          uint64_t id = info.id;
          if (auto f = record.Field("EventRecordID")) ParseUint(*f, &id);
          const std::vector<unsigned>& rules = Offered(record, RulesFor(record, cache), scratch, candidates);
          if (!rules.empty()) sink.OnRecord(record, RecordPlace{k, id}, rules);
        },
        [&](std::string problem, bool record_lost) {
          facts.skipped += record_lost ? 1 : 0;
          ListProblem(&facts.problems, &facts.problems_unlisted, std::move(problem));
        });
    if (end > begin) {
      size_t from = kEvtxFileHeaderSize + begin * kEvtxChunkSize;
      map_.DoneWith(from, std::min(bytes.size(), kEvtxFileHeaderSize + end * kEvtxChunkSize) - from);
    }
  }

  // The rules of (channel, event ID), looked up once per task.
  using RuleCache = std::map<std::pair<std::string, int64_t>, std::vector<unsigned>>;
  const std::vector<unsigned>& RulesFor(const EventRecord& record, RuleCache& cache) const {
    std::optional<uint32_t> event_id = record.event_id();
    std::pair<std::string, int64_t> key(record.channel(), event_id ? int64_t(*event_id) : -1);
    auto it = cache.find(key);
    if (it == cache.end()) {
      it = cache.emplace(std::move(key), std::vector<unsigned>()).first;
      index_.RulesFor(record.channel(), event_id, &it->second);
    }
    return it->second;
  }

  // Per task: which rules the literals of the current event hit.
  struct Candidates {
    std::vector<uint32_t> stamp;  // by rule: the event number that hit it
    uint32_t event = 0;
    Prefilter::LineMemo memo;
    std::vector<unsigned> offered;
  };

  // The rules of the event's channel and ID that its values leave possible:
  // one with no literal, or whose literal the prefilter found among the
  // values, and whose every required literal is there (as the text-log
  // reader asks of a line).
  const std::vector<unsigned>& Offered(const EventRecord& record, const std::vector<unsigned>& by_source,
                                       WorkerScratch& scratch, Candidates& c) const {
    c.offered.clear();
    if (by_source.empty()) return c.offered;
    if (++c.event == 0) {  // the stamps wrapped: start again
      std::fill(c.stamp.begin(), c.stamp.end(), 0);
      c.event = 1;
    }
    struct Hit {
      const Prefilter* pf;
      Candidates* c;
    } hit{&pf_, &c};
    std::string_view raw = record.Raw();
    hs_error_t err = hs_scan(
        pf_.database(), raw.data(), unsigned(raw.size()), 0, scratch.prefilter,
        [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
          auto* h = static_cast<Hit*>(ctx);
          if (id < Prefilter::kFirstRuleLiteral) return 0;
          for (unsigned r : h->pf->RulesFor(id)) {
            if (r >= h->c->stamp.size()) h->c->stamp.resize(r + 1, 0);
            h->c->stamp[r] = h->c->event;
          }
          return 0;
        },
        &hit);
    if (err != HS_SUCCESS) {  // no literal can be trusted: every rule of the source sees the event
      c.offered = by_source;
      return c.offered;
    }
    bool memo_ready = false;
    for (unsigned r : by_source) {
      const bool literal_hit = r < c.stamp.size() && c.stamp[r] == c.event;
      if (!literal_hit && !(r < unfiltered_.size() && unfiltered_[r])) continue;
      if (pf_.has_requirements(r)) {
        if (!memo_ready) pf_.StartLine(&c.memo), memo_ready = true;
        if (!pf_.MayMatch(r, raw, &c.memo)) continue;
      }
      c.offered.push_back(r);
    }
    return c.offered;
  }

  FileFacts Finish() override {
    FileFacts out;
    out.not_read = not_read_;
    out.problems = std::move(header_problems_);
    size_t unlisted = 0;
    uint64_t skipped = 0;
    for (auto& t : tasks_) {
      out.records += t.records;
      skipped += t.skipped;
      if (t.first && (!out.first || *t.first < *out.first)) out.first = t.first;
      if (t.last && (!out.last || *t.last > *out.last)) out.last = t.last;
      out.spans.insert(out.spans.end(), t.spans.begin(), t.spans.end());
      for (auto& p : t.problems) ListProblem(&out.problems, &unlisted, std::move(p));
      unlisted += t.problems_unlisted;
    }
    if (unlisted) out.problems.push_back(fmt::format("{} more problems not listed", unlisted));
    if (skipped) out.problems.push_back(fmt::format("{} damaged records skipped", skipped));
    MergeSpans(&out.spans);
    return out;
  }

  uint64_t SourcePosition(const RecordPlace& place) const override { return place.position; }

 private:
  MappedFile& map_;
  const Prefilter& pf_;
  std::vector<bool> unfiltered_;  // by rule: it has no literal and sees every event
  std::string not_read_;
  std::vector<std::string> header_problems_;
  size_t chunks_ = 0;
  std::vector<TaskFacts> tasks_;
  const EventRuleIndex& index_;
};

}  // namespace

std::unique_ptr<FileReading> EvtxReader::Open(const EvidenceFile&, MappedFile& map,
                                              const ReadContext& context) const {
  std::call_once(index_once_, [&] {
    index_ = std::make_unique<EventRuleIndex>(*context.rules, context.prefilter->applicable_rules());
  });
  return std::make_unique<EvtxReading>(map, *context.prefilter, *index_);
}

}  // namespace exhunt
