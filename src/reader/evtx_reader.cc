#include "reader/evtx_reader.h"

#include <fmt/format.h>

#include <algorithm>

#include "reader/evtx_format.h"
#include "reader/gathered_facts.h"
#include "record/event_record.h"

namespace exhunt {

namespace {

class EvtxReading final : public FileReading {
 public:
  EvtxReading(MappedFile& map, const EventRuleOffer& offer) : map_(map), offer_(offer) {
    std::string_view bytes = map_.bytes();
    auto header = ReadEvtxFileHeader(bytes);
    if (!header.ok()) {
      not_read_ = "not an EVTX file (no ElfFile signature)";
      return;
    }
    if (!header->checksum_ok) header_problems_.push_back("file header checksum mismatch; chunks read all the same");
    if (header->major != 3)
      header_problems_.push_back(fmt::format("EVTX version {}.{}; read as version 3", header->major, header->minor));
    chunks_ = EvtxChunkCount(bytes.size());
    tasks_.resize((chunks_ + EvtxReader::kChunksPerTask - 1) / EvtxReader::kChunksPerTask);
  }

  // At least one: the driver runs chunk 0 of every file.
  size_t chunk_count() const override { return std::max<size_t>(1, tasks_.size()); }

  void ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) override {
    if (k >= tasks_.size()) return;  // no chunk, or not an EVTX file
    std::string_view bytes = map_.bytes();
    GatheredFacts& facts = tasks_[k];
    EvtxChunkDecoder decoder;
    EventXml xml;
    EventRecord record;
    EventRuleOffer::Scratch offer_scratch;
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
          const std::vector<unsigned>& rules = offer_.Offered(record, scratch.prefilter, offer_scratch);
          if (!rules.empty()) sink.OnRecord(record, RecordPlace{k, id}, rules);
        },
        [&](std::string problem, bool record_lost) {
          facts.skipped += record_lost ? 1 : 0;
          facts.AddProblem(std::move(problem));
        });
    if (end > begin) {
      size_t from = kEvtxFileHeaderSize + begin * kEvtxChunkSize;
      map_.DoneWith(from, std::min(bytes.size(), kEvtxFileHeaderSize + end * kEvtxChunkSize) - from);
    }
  }

  FileFacts Finish() override {
    GatheredFacts all;
    for (auto& t : tasks_) all.Absorb(std::move(t));
    FileFacts out = all.ToFileFacts(std::move(header_problems_), "damaged records");
    out.not_read = not_read_;
    return out;
  }

  uint64_t SourcePosition(const RecordPlace& place) const override { return place.position; }

 private:
  MappedFile& map_;
  const EventRuleOffer& offer_;
  std::string not_read_;
  std::vector<std::string> header_problems_;
  size_t chunks_ = 0;
  std::vector<GatheredFacts> tasks_;
};

}  // namespace

std::unique_ptr<FileReading> EvtxReader::Open(const EvidenceFile&, MappedFile& map,
                                              const ReadContext& context) const {
  return std::make_unique<EvtxReading>(map, offer_.Get(context));
}

}  // namespace exhunt
