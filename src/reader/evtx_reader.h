// The reader of Windows event logs (EVTX): each event becomes an
// EventRecord (record/event_record.h) of its canonical fields, offered to
// the rules of the evtx kind it may match (reader/event_offer.h).
//
// A file is read in tasks of whole EVTX chunks, decoded in parallel, each
// task with its own decoder; pages are released as tasks finish, so a large
// file needs no large memory. A damaged chunk or record costs itself alone:
// every record that decodes is read, and what was skipped is a problem of
// the file. Findings name their event by EventRecordID.
#pragma once

#include "reader/event_offer.h"
#include "reader/reader.h"

namespace exhunt {

class EvtxReader final : public EvidenceReader {
 public:
  // EVTX chunks per task (64 KiB each).
  static constexpr size_t kChunksPerTask = 128;

  PositionKind position_kind() const override { return PositionKind::kRecord; }
  bool Reads(const EvidenceKind& kind) const override { return kind.format == RecordFormat::kEvtx; }
  std::unique_ptr<FileReading> Open(const EvidenceFile& file, MappedFile& map,
                                    const ReadContext& context) const override;

 private:
  LazyEventRuleOffer offer_;
};

}  // namespace exhunt
