// The reader of Windows event logs (EVTX): each event becomes an
// EventRecord (record/event_record.h) of its canonical fields, offered to
// the rules of the evtx kind whose logsource reads its channel and event
// ID (rule/event_rule_index.h).
//
// A file is read in tasks of whole EVTX chunks, decoded in parallel, each
// task with its own decoder; pages are released as tasks finish, so a large
// file needs no large memory. A damaged chunk or record costs itself alone:
// every record that decodes is read, and what was skipped is a problem of
// the file. Findings name their event by EventRecordID.
#pragma once

#include <memory>
#include <mutex>

#include "reader/reader.h"
#include "rule/event_rule_index.h"

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
  // Which rules each event may meet, built at the first Open from its
  // context: a reader serves one scan, whose rules do not change.
  mutable std::once_flag index_once_;
  mutable std::unique_ptr<EventRuleIndex> index_;
};

}  // namespace exhunt
