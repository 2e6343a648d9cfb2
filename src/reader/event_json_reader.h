// The reader of Windows events exported as JSON (reader/event_json.h): each
// top-level value becomes an EventRecord, offered to the rules it may match
// (reader/event_offer.h), so the Windows rules run on exports as on EVTX.
//
// A file is read from its mapping one value at a time, pages released as it
// goes: memory does not grow with the file. A value that is no event, does
// not parse, or is larger than kMaxEventBytes costs itself alone and is a
// problem of the file. Findings name their event by its byte offset.
#pragma once

#include "reader/event_offer.h"
#include "reader/reader.h"

namespace exhunt {

class EventJsonReader final : public EvidenceReader {
 public:
  static constexpr size_t kMaxEventBytes = size_t(16) << 20;

  PositionKind position_kind() const override { return PositionKind::kOffset; }
  bool Reads(const EvidenceKind& kind) const override { return kind.format == RecordFormat::kJsonEvents; }
  std::unique_ptr<FileReading> Open(const EvidenceFile& file, MappedFile& map,
                                    const ReadContext& context) const override;

 private:
  LazyEventRuleOffer offer_;
};

}  // namespace exhunt
