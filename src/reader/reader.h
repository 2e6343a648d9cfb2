// The reader contract: one reader per evidence format owns everything about
// its bytes (headers and directives, BOMs, quoting, comments, default
// headers, the time of a record, damage) and hands records to the rules.
//
// The scanner drives every reader the same way:
//   reading = reader.Open(file)            -- plan the chunks of one file
//   reading->ReadChunk(k, scratch, sink)   -- on any worker, chunks in order
//   facts = reading->Finish()              -- after every chunk returned
// A reader selects records with the prefilter it is given and passes each
// selected record to the sink with the rules that may match it; the sink
// evaluates them. Nothing outside a reader parses evidence bytes.
#pragma once

#include <hs/hs.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/time.h"
#include "base/time_span.h"
#include "reader/log_head.h"
#include "record/log_record.h"
#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "source/discovery.h"
#include "source/file_system.h"

struct YR_SCAN_CONTEXT;

namespace exhunt {

class YaraEngine;
class YaraScanner;

// What one worker keeps for every engine it runs; the scanner owns one per
// worker, so no engine scratch is ever shared.
struct WorkerScratch {
  // Fits every prefilter database of the scan; a reader that scans with a
  // database of its own grows it (Prefilter::CompileLiterals).
  HsScratch prefilter;
  std::vector<YaraScanner*> yara;     // one per YARA engine of the scan (RuleSet::yara_engines)
};

// Where a record was found, as the reader counts: a chunk and a position
// inside it (a text log: the chunk-relative 0-based line). FileReading::
// SourcePosition turns it into the position a finding shows.
struct RecordPlace {
  size_t chunk = 0;
  uint64_t position = 0;
};

class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // A record the prefilter selected, with the indexes of the rules (as the
  // prefilter's RuleCover::rule) that may match it: sorted, unique. The
  // record is valid only during the call.
  virtual void OnRecord(const Record& record, const RecordPlace& place, std::span<const unsigned> rules) = 0;
};

// How a reader names a position in its files.
enum class PositionKind { kLine, kRecord, kOffset, kFile };

// What a reader saw in a file besides its records.
struct FileFacts {
  uint64_t records = 0;
  std::optional<TimeMs> first, last;  // times of the first and last record
  // The stretches of time the file's records cover (merged; neighbours at
  // most kCoverageGap apart), so that a file with one record in 2020 and one
  // in 2023 covers two days, not three years.
  std::vector<TimeSpan> spans;
  LogHead head;                       // directives at the start (text logs)
  // What went wrong while reading, one sentence each: damaged records
  // skipped or read in part ("line 18: 1 record longer than ..."), engine
  // errors. Each becomes an error record; the scan goes on.
  std::vector<std::string> problems;
  // Set when the file is not in the reader's format after all (its bytes
  // say "compressed (gzip)", "UTF-16 text"): nothing was read, and the file
  // is reported as skipped, not as covered.
  std::string not_read;
  // Set when the file was read in part only and its records were judged
  // on what was read (the file plane: a file over the content cap is judged
  // by its name and place, not its bytes): why, as for a skipped file.
  std::string content_not_read;
};

// One file being read. ReadChunk may run for different chunks on different
// workers at once (a reader that needs the state at the end of chunk k-1
// waits for it); Finish and SourcePosition run after every chunk returned.
class FileReading {
 public:
  virtual ~FileReading() = default;
  virtual size_t chunk_count() const = 0;
  virtual void ReadChunk(size_t k, WorkerScratch& scratch, RecordSink& sink) = 0;
  virtual FileFacts Finish() = 0;
  // The position a finding shows for a record place (a 1-based line).
  virtual uint64_t SourcePosition(const RecordPlace& place) const = 0;
};

// What a reader needs besides the file: the prefilter of its kind and the
// facts of the host that resolve derived fields.
struct ReadContext {
  const Prefilter* prefilter = nullptr;
  const RuleSet* rules = nullptr;
  std::vector<const YaraEngine*> yara;     // empty: no YARA rule loaded
  uint64_t max_content_bytes = 64 << 20;  // the file plane reads no more of one file
  const std::vector<std::string>* install_roots = nullptr;
  bool md5 = true, sha1 = true;  // file digests worth computing (RuleSet::FileDigestsNeeded); SHA-256 always
  size_t chunk_bytes = size_t(16) << 20;      // target chunk size
  size_t split_threshold = size_t(24) << 20;  // files up to this size are one chunk
};

class EvidenceReader {
 public:
  virtual ~EvidenceReader() = default;
  virtual PositionKind position_kind() const = 0;
  // Whether this reader reads files of this kind.
  virtual bool Reads(const EvidenceKind& kind) const = 0;
  // `map` must outlive the returned reading.
  virtual std::unique_ptr<FileReading> Open(const EvidenceFile& file, MappedFile& map,
                                            const ReadContext& context) const = 0;
};

}  // namespace exhunt
