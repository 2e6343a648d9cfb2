// The EVTX format (Windows XML Event Log): the file header, 64 KiB chunks,
// and the binary XML of each record, decoded into an EventXml
// (record/event_record.h).
//
// A chunk is self-contained: its string (name) table and its templates
// live in it, so chunks decode independently and in parallel, one
// EvtxChunkDecoder per worker. A template is compiled once per chunk into a
// list of operations; a record is decoded by running its template's
// operations with the record's substitution values, not by walking the
// template's bytes again.
//
// Damage never stops a chunk: a record that does not decode is skipped
// with a reason and the decoder looks for the next record signature.
// Checksum mismatches are reported, and the records are decoded all the
// same (a dirty file's last chunk often has a stale checksum).
//
// Every offset is checked against the chunk; recursion (binary XML inside
// substitution values) and the work per record are bounded, so hostile
// bytes cost at most a bounded amount of time and memory.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/event_record.h"

namespace exhunt {

inline constexpr size_t kEvtxFileHeaderSize = 4096;
inline constexpr size_t kEvtxChunkSize = 65536;

struct EvtxFileHeader {
  uint64_t first_chunk = 0, last_chunk = 0, next_record_id = 0;
  uint16_t major = 0, minor = 0, chunk_count = 0;
  uint32_t flags = 0;
  bool checksum_ok = false;
  bool dirty() const { return (flags & 1) != 0; }
};

// Whether bytes start with the EVTX file signature ("ElfFile\0").
bool LooksLikeEvtx(std::string_view head);
// The file header; Corrupt if `bytes` is no EVTX file.
Result<EvtxFileHeader> ReadEvtxFileHeader(std::string_view bytes);

// CRC-32 (the polynomial of zlib and of EVTX checksums).
uint32_t Crc32(std::string_view bytes, uint32_t crc = 0);

// Where a decoded record came from.
struct EvtxRecordInfo {
  uint64_t id = 0;            // the record header's identifier (EventRecordID)
  uint64_t written_time = 0;  // FILETIME of the record header
  uint32_t offset = 0;        // within the chunk
};

class EvtxChunkDecoder {
 public:
  EvtxChunkDecoder();
  ~EvtxChunkDecoder();
  EvtxChunkDecoder(const EvtxChunkDecoder&) = delete;
  EvtxChunkDecoder& operator=(const EvtxChunkDecoder&) = delete;

  enum class OpenResult { kChunk, kEmpty, kNotAChunk };
  // Starts on one chunk; `chunk` must stay valid while records are decoded.
  // kEmpty: an unused (all-zero) block; kNotAChunk: no chunk signature (a
  // problem is added). Checksum mismatches are added to `problems` too.
  OpenResult Open(std::string_view chunk, std::vector<std::string>* problems);

  enum class Step { kEvent, kSkipped, kEnd };
  // Decodes the next record of the chunk into `xml`. kSkipped: a damaged
  // record (or damaged bytes) was passed over; `why` says what and where.
  Step Next(EventXml* xml, EvtxRecordInfo* info, std::string* why);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How many chunks a file of `file_size` bytes holds (the last may be cut short).
size_t EvtxChunkCount(size_t file_size);

// Decodes chunks [first, last) of an EVTX file's bytes with `decoder`: each
// event goes to `on_event` (valid during the call), each problem, prefixed
// with its chunk ("chunk 3: ..."), to `on_problem` (`record_lost`: a record
// was skipped). Unused (all-zero) chunks are passed over in silence.
void DecodeEvtxChunks(std::string_view file, size_t first, size_t last, EvtxChunkDecoder& decoder, EventXml& xml,
                      const std::function<void(const EventXml&, const EvtxRecordInfo&, size_t chunk)>& on_event,
                      const std::function<void(std::string problem, bool record_lost)>& on_problem);

// A FILETIME (100 ns since 1601) as EVTX renders it:
// "2021-03-03T06:49:43.123456700Z".
std::string FormatFileTime(uint64_t filetime);
void AppendFileTime(std::string& out, uint64_t filetime);  // the same, appended
// A FILETIME as milliseconds since the Unix epoch.
TimeMs FileTimeToMs(uint64_t filetime);

}  // namespace exhunt
