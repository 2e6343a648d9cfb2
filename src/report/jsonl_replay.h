// The JSONL records of the output contract read back: the inverse of
// json_records. A scan's JSONL (from a file, from a Velociraptor
// collection, from the store) becomes the findings, host records, errors
// and totals it was written from, streamed to any ScanSink in the sink's
// order, so that every reporter and the store take results that were
// written elsewhere exactly as they take a live scan's.
//
// Memory is bounded by one host's results: a host record is held only
// until its events and skipped files have followed it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "finding/scan_sink.h"

namespace exhunt {

class JsonlReplay {
 public:
  explicit JsonlReplay(ScanSink& sink);
  ~JsonlReplay();
  JsonlReplay(const JsonlReplay&) = delete;
  JsonlReplay& operator=(const JsonlReplay&) = delete;

  // One record (one line, without its line end). A line that is no record
  // of the contract is an error naming what is wrong, and costs itself
  // alone; a record of a type this version does not know is skipped.
  Status Line(std::string_view line);
  // Passes on what is still held; returns the totals of the "stats"
  // record, if one was read. Begin and End are the caller's.
  ScanStats Finish();
  bool saw_stats() const { return saw_stats_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool saw_stats_ = false;
};

// Longest line read as a record; longer ones are refused (a host record
// with every coverage span stays far below).
constexpr size_t kMaxJsonlLine = size_t(64) << 20;

}  // namespace exhunt
