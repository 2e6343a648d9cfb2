// Writes EVTX files of our own making: the file header, 64 KiB chunks with
// their checksums, and each event as binary XML — a template per event shape
// (provider, channel and data names), defined inline at its first use in a
// chunk and referenced after, filled by substitution values, as Windows
// writes them. For generated trees, tests and benchmarks; evtxexport reads
// what it writes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/time.h"

namespace exhunt::gen {

struct GenEvent {
  TimeMs time = 0;
  uint16_t event_id = 0;
  uint8_t level = 4;  // 4 information, 2 error
  std::string provider, channel, computer;
  // EventData: <Data Name="first">second</Data>; an empty name writes <Data>.
  std::vector<std::pair<std::string, std::string>> data;
};

class EvtxWriter {
 public:
  // Appends an event; returns its EventRecordID (1, 2, ... in file order).
  uint64_t Add(const GenEvent& event);
  // The whole file. The writer may not be used after.
  std::string Finish();
  uint64_t records() const { return next_id_ - 1; }
  // Bytes the file holds so far (whole chunks and the one being filled).
  uint64_t size() const { return 4096 + chunks_.size() * 65536 + (chunk_.empty() ? 0 : 65536); }

 private:
  void StartChunk();
  void CloseChunk();
  // The bytes of one record, or "" if it does not fit the current chunk.
  std::string Record(const GenEvent& e, uint64_t id);
  uint32_t NameRef(std::string& out, const std::string& name, size_t base);

  std::vector<std::string> chunks_;
  std::string chunk_;  // the chunk being filled (empty: none)
  std::vector<std::pair<std::string, uint32_t>> names_;      // chunk offsets of names defined in it
  std::vector<std::pair<std::string, uint32_t>> templates_;  // shape -> chunk offset of its definition
  uint64_t next_id_ = 1;
  uint64_t chunk_first_id_ = 0;
  uint32_t last_record_ = 0;
};

}  // namespace exhunt::gen
