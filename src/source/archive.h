// Triage collections as scan input: a .zip, .7z or .tar (also compressed:
// .tar.gz, .tgz, .tar.xz, ...) of a server's files, as KAPE or a
// Velociraptor offline collector writes them, is unpacked entry by entry
// through libarchive into a private temporary folder, which the scan then
// reads like any tree (so every plane sees the logs and files inside). The
// archive is opened read-only and never changed; the folder is removed
// when the host is done.
//
// Refused, each with a reason the host's report lists: entries whose name
// climbs out ("..") or is absolute ("/x", "C:\x", "\\server\x"), links,
// devices, encrypted entries, entries past the unpacked-size cap, and the
// rest of an archive that unpacks to more than kMaxExpansion times its own
// size past 1 GiB (a decompression bomb). Archives inside the collection
// are not unpacked: they are files of the file plane.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "source/file_system.h"

namespace exhunt {

// Whether these first bytes start an archive the collection reader takes.
bool LooksLikeCollection(std::string_view head);

struct UnpackLimits {
  uint64_t max_total_bytes = uint64_t(64) << 30;  // of all entries together
  uint64_t bomb_floor = uint64_t(1) << 30;        // expansion checked past this
  uint64_t max_expansion = 200;                   // unpacked / packed
};

struct UnpackedCollection {
  std::string dir;  // the tree to scan: <tmp>/exhunt-XXXXXX/<archive stem>
  uint64_t entries = 0, bytes = 0;
  std::vector<ScanError> refused;  // path inside the archive, reason
};

// Unpacks `bytes` (the archive's content) below `temp_parent`. A Status only
// when nothing could be unpacked at all (not an archive, no temp folder).
Result<UnpackedCollection> UnpackCollection(std::string_view bytes, const std::string& archive_name,
                                            const std::string& temp_parent, const UnpackLimits& limits);

// Removes what UnpackCollection made (the exhunt-XXXXXX folder).
void RemoveUnpacked(const UnpackedCollection& c);

// The temporary folder to unpack into: $TMPDIR or /tmp.
std::string TempParent();

// Watches the free space of the folder unpacked into (often a tmpfs, that
// is memory): Room(n) is false when writing n more bytes would leave less
// than a reserve (1 GiB, or 5 % of the file system if that is less), asked
// of the system again after every 64 MiB. Reason() says why it stopped.
class TempRoom {
 public:
  explicit TempRoom(std::string dir) : dir_(std::move(dir)) {}
  bool Room(uint64_t bytes);
  std::string Reason() const;

 private:
  std::string dir_;
  uint64_t since_check_ = UINT64_MAX;  // check at the first write
  uint64_t free_ = 0, reserve_ = 0;
};

// "EXCH01" for "x/EXCH01.zip", "EXCH01.tar.gz".
std::string CollectionStem(std::string_view archive_path);

// Why an entry name is refused, or "" if it is a safe relative path.
std::string_view UnsafeEntryName(std::string_view name);

}  // namespace exhunt
