// The reader of text logs: IIS W3C, Exchange CSV (HttpProxy, ECP, Rps_Http
// and any other #Fields log) and OABGenerator text lines.
//
// A file is mapped read-only; a large one is split at record boundaries
// into chunks that run on different workers. Each chunk runs the log
// type's prefilter database once over its bytes and parses only the
// records that hold a candidate literal (or every record when a rule has
// no literal). The header in force ("#Fields:", "#Date:") is handed from
// chunk to chunk: chunk k waits only for chunk k-1's prefilter pass, not
// for its evaluation. Pages of finished chunks are released.
//
// Damage: a record with NUL bytes or longer than kMaxRecordBytes is
// skipped, an unterminated quote is read as a single line; each is counted
// and reported in FileFacts::damage, and the read goes on.
#pragma once

#include "reader/reader.h"

namespace exhunt {

class TextLogReader final : public EvidenceReader {
 public:
  PositionKind position_kind() const override { return PositionKind::kLine; }
  bool Reads(const EvidenceKind& kind) const override {
    return kind.type != LogType::kUnknown && (kind.format == RecordFormat::kW3c || kind.format == RecordFormat::kCsv ||
                                              kind.format == RecordFormat::kText);
  }
  std::unique_ptr<FileReading> Open(const EvidenceFile& file, MappedFile& map,
                                    const ReadContext& context) const override;
};

// The header a log type uses when a file has no "#Fields:" line before its
// first record (a truncated head, a copied excerpt); nullptr if none.
const FieldHeader* DefaultHeader(LogType type);

}  // namespace exhunt
