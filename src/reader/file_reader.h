// The reader of the file plane: each regular file that is no log becomes
// one FileRecord (record/file_record.h) of its place, metadata, hashes and
// YARA matches, offered to every rule of the file kind.
//
// The bytes are read once, from the read-only mapping: MD5, SHA-1 and
// SHA-256 in one pass, then the YARA engine (every loaded YARA rule at
// once, Loki's externals set for the file). A file larger than the content
// cap is judged by its name and place alone; FileFacts::content_not_read
// says so and the scan lists it. A YARA timeout or engine error is a
// problem of that file; the matches found until then count.
#pragma once

#include "reader/reader.h"

namespace exhunt {

class FileReader final : public EvidenceReader {
 public:
  PositionKind position_kind() const override { return PositionKind::kFile; }
  bool Reads(const EvidenceKind& kind) const override { return kind.format == RecordFormat::kFile; }
  std::unique_ptr<FileReading> Open(const EvidenceFile& file, MappedFile& map,
                                    const ReadContext& context) const override;
};

// The part of a Windows path (record/file_record.h) below the Exchange
// install folder it lies in, with a leading backslash; "" if in none.
// `install_roots` as LogContext has them (lowercase, ending in '\').
std::string InstallRelativePath(std::string_view windows_path, const std::vector<std::string>& install_roots);

// Lowercase hex digests of `bytes`.
struct FileDigests {
  std::string md5, sha1, sha256;
};
// SHA-256 always; MD5 and SHA-1 when asked (left empty otherwise).
FileDigests DigestBytes(std::string_view bytes, bool md5 = true, bool sha1 = true);

// The name of the owner `uid` (cached; "" if the system does not know it).
std::string OwnerName(uint32_t uid);

}  // namespace exhunt
