// Logs kept compressed inside a tree: IIS and Exchange logs that a rotation
// job gzipped (u_ex210302.log.gz, .bz2, .xz, .zst) or put in a zip, 7z, tar
// or cabinet next to the live ones. They are read in place, with the same
// readers as plain logs: discovery lists them (a compressed stream is one
// log; an archive gives one log per entry that is one), and the scanner
// unpacks each into an unlinked temporary file of its own when it reads it
// (OpenEvidence), so disk and memory hold only the logs being read. The
// compressed file is opened read-only and never changed.
//
// Everything that is not read says so: a damaged stream gives what unpacked
// before the damage and an error record; past the size cap or a
// decompression bomb's ratio the rest is not read and an error says so; an
// encrypted entry, a compressed file inside an archive, an unsafe entry
// name are each listed.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "source/archive.h"
#include "source/file_system.h"

namespace exhunt {

// Where an evidence file's bytes come from when it is kept compressed.
struct PackedMember {
  bool stream = true;  // the whole file is one compressed stream
  uint32_t index = 0;  // entry number inside an archive (0-based, within its segment)
  std::string name;    // entry path inside an archive, '/'-separated ("" for a stream)
  // Where reading starts: 0, or for a zip read on past a damaged entry the
  // byte offset of the local header it was read on from.
  uint64_t segment = 0;
  // The order entries are met in, one pass.
  bool operator<(const PackedMember& o) const { return segment != o.segment ? segment < o.segment : index < o.index; }
};

struct PackedEntry {
  PackedMember member;
  bool regular = true;
  bool encrypted = false;
  uint64_t size = 0;  // unpacked size when the archive says it, else 0
};

struct PackedListing {
  bool stream = false;  // a compressed stream, not an archive
  std::string format;   // "gzip", "zip", "7-Zip", ... ("none": not compressed)
  uint64_t entries = 0;
  // Entries past kMaxPackedEntries, damage that ended the listing.
  std::vector<std::string> problems;
};

// Archives with more entries than this have the rest listed as not read.
constexpr size_t kMaxPackedEntries = 20000;
// A zip damaged in the middle is read on from the next local header, at
// most this many times.
constexpr size_t kMaxZipResyncs = 16;

// What a compressed file holds, in one pass: `visit` gets each entry with
// its first `head_bytes` unpacked bytes (fewer if it is shorter or damaged
// early). A zip damaged in the middle is read on from the next entry's
// local header (entries met before are not visited twice). An error only
// when the file cannot be read at all.
using PackedVisitor = std::function<void(const PackedEntry& entry, std::string_view head)>;
Result<PackedListing> ListPacked(std::string_view bytes, size_t head_bytes, const PackedVisitor& visit);

// Whether the bytes are one compressed stream (gzip, bzip2, xz, zstd, ...),
// not an archive and not uncompressed: asks only the first header.
bool IsCompressedStream(std::string_view bytes);

// The first `max_bytes` unpacked bytes of a member.
Result<std::string> PackedHead(std::string_view bytes, const PackedMember& member, size_t max_bytes);

// The bytes a reader reads, and what of them could not be read.
struct OpenedEvidence {
  std::unique_ptr<MappedFile> map;
  // What was not read, each a sentence for an error record.
  std::vector<std::string> problems;
};

// Unpacks `members` (of one compressed file, in the order met: sorted) in one
// pass, each into an unlinked file below `temp_parent`, mapped. Each member
// unpacks to at most `max_bytes` (0: no cap of its own); all together to at
// most limits.max_total_bytes, and no more than limits.max_expansion times
// the packed bytes read past limits.bomb_floor. One result per member.
std::vector<Result<OpenedEvidence>> UnpackLogs(std::string_view bytes, const std::vector<PackedMember>& members,
                                               const std::string& temp_parent, const UnpackLimits& limits,
                                               uint64_t max_bytes);

// The log entries of a scan's archives, each archive unpacked in one pass
// when its first entry is needed and handed out entry by entry (an archive
// that does not seek, tar.gz or solid 7z, read from its start for every
// entry would cost its size times its entries). Streams are unpacked alone.
class PackedLogs {
 public:
  PackedLogs(std::string temp_parent, UnpackLimits limits, uint64_t max_bytes)
      : temp_parent_(std::move(temp_parent)), limits_(limits), max_bytes_(max_bytes) {}
  // Announces an entry that Take will ask for (before any Take).
  void Want(const std::string& path, const PackedMember& member);
  // The member's unpacked bytes, once.
  Result<OpenedEvidence> Take(FileSystem* fs, const std::string& path, const PackedMember& member);
  // A compressed stream's unpacked bytes, from bytes already read.
  Result<OpenedEvidence> UnpackStream(std::string_view bytes);

 private:
  struct Archive;
  std::string temp_parent_;
  UnpackLimits limits_;
  uint64_t max_bytes_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Archive>> archives_;
};

}  // namespace exhunt
