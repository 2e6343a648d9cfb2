#include "source/packed_log.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace exhunt {

namespace {

struct ArchiveHandle {
  struct archive* a = archive_read_new();
  ~ArchiveHandle() { archive_read_free(a); }
  ArchiveHandle() = default;
  ArchiveHandle(const ArchiveHandle&) = delete;
  ArchiveHandle& operator=(const ArchiveHandle&) = delete;
  std::string error(const char* otherwise) const {
    const char* e = archive_error_string(a);
    std::string text = e && *e ? e : otherwise;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }
};

std::string EntryName(struct archive_entry* entry) {
  const char* raw = archive_entry_pathname_utf8(entry);
  if (!raw) raw = archive_entry_pathname(entry);
  std::string name = raw ? raw : "";
  for (char& c : name)
    if (c == '\\') c = '/';
  while (!name.empty() && name.back() == '/') name.pop_back();
  while (name.rfind("./", 0) == 0) name.erase(0, 2);
  return name;
}

std::string FormatName(struct archive* a, bool stream) {
  const char* n = stream ? archive_filter_name(a, 0) : archive_format_name(a);
  std::string name = n ? n : "unknown";
  if (name == "bzip2" || name == "gzip" || name == "xz" || name == "zstd" || name == "lz4" || name == "lzma")
    return name;
  if (name.rfind("ZIP", 0) == 0) return "zip";
  if (name == "7-Zip") return name;
  if (name.rfind("RAR", 0) == 0) return "RAR";
  if (name.find("tar") != std::string::npos || name.find("ustar") != std::string::npos) return "tar";
  return name;
}

// The archive formats logs are kept in. Not libarchive's "all": some of
// those (mtree) would take a compressed text log for an archive listing.
void SupportArchiveFormats(struct archive* a) {
  archive_read_support_format_zip(a);
  archive_read_support_format_7zip(a);
  archive_read_support_format_rar(a);
  archive_read_support_format_rar5(a);
  archive_read_support_format_tar(a);
  archive_read_support_format_cab(a);
}

// Opens the compressed bytes for reading: a stream (raw), an archive, or
// the part of a zip from `segment` on, read as a stream of local headers.
Status OpenPacked(ArchiveHandle& h, std::string_view bytes, bool stream, uint64_t segment = 0) {
  archive_read_support_filter_all(h.a);
  if (stream)
    archive_read_support_format_raw(h.a);
  else if (segment)
    archive_read_support_format_zip_streamable(h.a);
  else
    SupportArchiveFormats(h.a);
  if (segment > bytes.size()) return Status::Corrupt("cannot be unpacked: offset past the end");
  bytes.remove_prefix(segment);
  if (archive_read_open_memory(h.a, bytes.data(), bytes.size()) != ARCHIVE_OK)
    return Status::Corrupt("cannot be unpacked: " + h.error("unknown format"));
  return Status::Ok();
}

// Opens the bytes as a stream unless an archive format takes them, and
// reads the first header: ARCHIVE_OK, ARCHIVE_EOF or an error.
int ProbeFirstHeader(ArchiveHandle& probe, std::string_view bytes) {
  archive_read_support_filter_all(probe.a);
  SupportArchiveFormats(probe.a);
  archive_read_support_format_raw(probe.a);
  if (archive_read_open_memory(probe.a, bytes.data(), bytes.size()) != ARCHIVE_OK) return ARCHIVE_FATAL;
  struct archive_entry* entry = nullptr;
  int rc = archive_read_next_header(probe.a, &entry);
  return rc == ARCHIVE_WARN ? ARCHIVE_OK : rc;
}

// Damaged entry headers listed one by one before the rest of an archive is
// given up (libarchive may ask to retry a header again and again).
constexpr uint32_t kMaxUnreadableHeaders = 100;

// Reads headers on to the member's: `*index` counts the headers read from
// the handle so far. `*lost` says whether the archive can be read on past
// a failure (it cannot when the member was not met).
Status ForwardTo(ArchiveHandle& h, const PackedMember& m, uint32_t* index, bool* lost) {
  *lost = true;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(h.a, &entry);
    if (rc == ARCHIVE_EOF) return Status::Corrupt("entry " + m.name + " not found in the archive");
    if (rc == ARCHIVE_FATAL) return Status::Corrupt("archive damaged before the entry: " + h.error("fatal error"));
    if ((*index)++ < m.index) continue;
    if (*index - 1 > m.index) return Status::Corrupt("entry " + m.name + " not where the listing found it");
    if (rc < ARCHIVE_WARN) {
      *lost = false;
      return Status::Corrupt("entry " + m.name + " damaged: " + h.error("bad header"));
    }
    if (!m.stream && EntryName(entry) != m.name)
      return Status::Corrupt("entry " + m.name + " not where the listing found it");
    *lost = false;
    return Status::Ok();
  }
}

// Feeds the current entry's bytes to `take` as the decompressor gives them
// (a sparse entry's holes as zeros), until `take` returns false or the entry
// ends. Returns ARCHIVE_EOF at its end, ARCHIVE_OK when `take` stopped, or
// the error (below ARCHIVE_WARN). A warning (a checksum or size that does
// not match) is left in `*warning`; the bytes are given as they came.
template <typename Take>
int ReadEntry(ArchiveHandle& h, std::string* warning, Take take) {
  static const std::string kZeros(size_t(1) << 16, '\0');
  uint64_t given = 0;
  for (;;) {
    const void* data = nullptr;
    size_t n = 0;
    la_int64_t offset = 0;
    int rc = archive_read_data_block(h.a, &data, &n, &offset);
    if (rc == ARCHIVE_EOF || rc < ARCHIVE_WARN) return rc;
    if (rc == ARCHIVE_WARN) {
      *warning = h.error("warning");
      if (n == 0) return ARCHIVE_EOF;
    }
    while (offset > 0 && uint64_t(offset) > given) {
      const size_t gap = size_t(std::min<uint64_t>(kZeros.size(), uint64_t(offset) - given));
      if (!take(std::string_view(kZeros).substr(0, gap))) return ARCHIVE_OK;
      given += gap;
    }
    if (!take(std::string_view(static_cast<const char*>(data), n))) return ARCHIVE_OK;
    given += n;
  }
}

// Up to `max_bytes` of the current entry's data; `*damaged` if it failed.
std::string ReadHead(ArchiveHandle& h, size_t max_bytes, bool* damaged) {
  std::string head;
  if (max_bytes == 0) return head;
  std::string warning;
  int rc = ReadEntry(h, &warning, [&](std::string_view bytes) {
    head.append(bytes.substr(0, max_bytes - head.size()));
    return head.size() < max_bytes;
  });
  *damaged = rc < ARCHIVE_WARN;
  return head;
}

// Moves the handle to the member's data.
Status SeekMember(ArchiveHandle& h, std::string_view bytes, const PackedMember& m) {
  Status s = OpenPacked(h, bytes, m.stream, m.segment);
  if (!s.ok()) return s;
  uint32_t index = 0;
  bool lost = false;
  return ForwardTo(h, m, &index, &lost);
}

}  // namespace

bool IsCompressedStream(std::string_view bytes) {
  ArchiveHandle probe;
  if (ProbeFirstHeader(probe, bytes) != ARCHIVE_OK) return false;
  return archive_format(probe.a) == ARCHIVE_FORMAT_RAW && archive_filter_code(probe.a, 0) != ARCHIVE_FILTER_NONE;
}

Result<PackedListing> ListPacked(std::string_view bytes, size_t head_bytes, const PackedVisitor& visit) {
  PackedListing out;
  {
    // A stream unless an archive format takes the bytes.
    ArchiveHandle probe;
    const int rc = ProbeFirstHeader(probe, bytes);
    if (rc < ARCHIVE_WARN || rc == ARCHIVE_EOF)
      return Status::Corrupt("cannot be unpacked: " + probe.error(rc == ARCHIVE_EOF ? "empty archive" : "damaged"));
    out.stream = archive_format(probe.a) == ARCHIVE_FORMAT_RAW;
    out.format = FormatName(probe.a, out.stream);
    if (out.stream) {
      out.entries = 1;
      bool damaged = false;
      std::string head = ReadHead(probe, head_bytes, &damaged);
      if (damaged && head.empty()) return Status::Corrupt("cannot be unpacked: damaged at its start: " + probe.error("read error"));
      visit({PackedMember{}, true, false, 0}, head);
      return out;
    }
  }
  // Names met, so that a zip read on past damage visits no entry twice.
  std::set<std::string> seen;
  uint64_t segment = 0;
  for (size_t resyncs = 0;; ++resyncs) {
    ArchiveHandle h;
    Status s = OpenPacked(h, bytes, false, segment);
    if (!s.ok()) {
      if (segment == 0) return s;
      out.problems.push_back("the rest from byte " + std::to_string(segment) + " not read: " + s.message());
      break;
    }
    std::string damage;
    bool full = false;
    uint32_t unreadable = 0;
    for (uint32_t i = 0;; ++i) {
      struct archive_entry* entry = nullptr;
      int rc = archive_read_next_header(h.a, &entry);
      if (rc == ARCHIVE_EOF) break;
      if (rc == ARCHIVE_FATAL || (rc < ARCHIVE_WARN && ++unreadable > kMaxUnreadableHeaders)) {
        damage = h.error("fatal error");
        break;
      }
      if (rc < ARCHIVE_WARN) {  // this entry's header cannot be used; the next may
        out.problems.push_back("entry " + std::to_string(i + 1) + " damaged (not read): " + h.error("bad header"));
        continue;
      }
      if (archive_entry_filetype(entry) == AE_IFDIR) continue;
      if (out.entries == kMaxPackedEntries) {
        uint64_t more = 1;
        while (archive_read_next_header(h.a, &entry) == ARCHIVE_OK) ++more;
        out.problems.push_back(std::to_string(more) + " entries past the first " + std::to_string(kMaxPackedEntries) +
                               " not read");
        full = true;
        break;
      }
      PackedEntry e;
      e.member = PackedMember{false, i, EntryName(entry), segment};
      if (!seen.insert(e.member.name).second && segment > 0) continue;  // met before the damage
      ++out.entries;
      e.regular = archive_entry_filetype(entry) == AE_IFREG;
      e.encrypted = archive_entry_is_encrypted(entry);
      if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0)
        e.size = uint64_t(archive_entry_size(entry));
      bool damaged = false;
      std::string head = e.regular && !e.encrypted ? ReadHead(h, head_bytes, &damaged) : std::string();
      visit(e, head);
    }
    if (damage.empty() || full) break;
    // Damaged in the middle: a zip is read on from the next local header.
    // (The format is known once a header was asked for.)
    const bool zip = (archive_format(h.a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_ZIP;
    const size_t next = zip && resyncs < kMaxZipResyncs ? bytes.find("PK\x03\x04", segment + 4) : std::string_view::npos;
    if (next == std::string_view::npos) {
      out.problems.push_back("archive damaged after " + std::to_string(out.entries) + " entries, the rest not read: " +
                             damage);
      break;
    }
    out.problems.push_back("archive damaged after " + std::to_string(out.entries) + " entries (" + damage +
                           "); read on from the next entry header, at byte " + std::to_string(next));
    segment = next;
  }
  return out;
}

Result<std::string> PackedHead(std::string_view bytes, const PackedMember& member, size_t max_bytes) {
  ArchiveHandle h;
  Status s = SeekMember(h, bytes, member);
  if (!s.ok()) return s;
  bool damaged = false;
  std::string head = ReadHead(h, max_bytes, &damaged);
  if (damaged && head.empty()) return Status::Corrupt("damaged at its start: " + h.error("read error"));
  return head;
}

std::vector<Result<OpenedEvidence>> UnpackLogs(std::string_view bytes, const std::vector<PackedMember>& members,
                                               const std::string& temp_parent, const UnpackLimits& limits,
                                               uint64_t max_bytes) {
  std::vector<Result<OpenedEvidence>> results;
  auto fail_rest = [&](const Status& s) {
    while (results.size() < members.size()) results.push_back(s);
    return std::move(results);
  };
  if (members.empty()) return results;
  // One reader per segment (the whole archive, or a zip's part read on
  // past damage); members come in the order they are met.
  std::unique_ptr<ArchiveHandle> reader;
  uint64_t reader_segment = 0;
  bool segment_lost = false;  // this segment cannot be read on
  uint64_t packed_done = 0;   // packed bytes read by the segments before
  uint64_t total = 0;         // unpacked bytes of all members
  TempRoom room(temp_parent);
  bool stopped = false;
  uint32_t index = 0;  // headers read from the segment's reader
  for (const PackedMember& m : members) {
    if (stopped) {
      results.push_back(Status::Unsupported("not unpacked: unpacking this archive stopped at an earlier entry"));
      continue;
    }
    if (!reader || m.segment != reader_segment) {
      if (reader) packed_done += uint64_t(archive_filter_bytes(reader->a, -1));
      reader = std::make_unique<ArchiveHandle>();
      reader_segment = m.segment;
      index = 0;
      Status s = OpenPacked(*reader, bytes, m.stream, m.segment);
      segment_lost = !s.ok();
      if (!s.ok() && m.segment == 0) return fail_rest(s);
    }
    if (segment_lost) {
      results.push_back(Status::Corrupt("not unpacked: this part of the archive could not be read on"));
      continue;
    }
    ArchiveHandle& h = *reader;
    bool lost = false;
    if (Status found = ForwardTo(h, m, &index, &lost); !found.ok()) {
      segment_lost = lost;
      results.push_back(found);
      continue;
    }
    std::string tmpl = temp_parent + "/exhunt-log-XXXXXX";
    int fd = mkostemp(tmpl.data(), O_CLOEXEC);
    if (fd < 0) {
      results.push_back(Status::IoError("cannot make a temporary file in " + temp_parent + ": " + strerror(errno)));
      stopped = true;
      continue;
    }
    unlink(tmpl.c_str());  // gone with the descriptor and the mapping, whatever happens
    OpenedEvidence out;
    uint64_t written = 0;
    const uint64_t cap = max_bytes ? max_bytes : UINT64_MAX;
    // Appends unpacked bytes within the limits; false once this member stops.
    auto put = [&](std::string_view data) {
      uint64_t take = std::min<uint64_t>(data.size(), cap - written);
      take = std::min<uint64_t>(take, limits.max_total_bytes - total);
      const uint64_t packed = std::max<uint64_t>(packed_done + uint64_t(archive_filter_bytes(h.a, -1)), 1);
      if (total + take > limits.bomb_floor && (total + take) / packed > limits.max_expansion) {
        out.problems.push_back("decompression bomb: unpacks to more than " + std::to_string(limits.max_expansion) +
                               " times its size; the first " + std::to_string(written) +
                               " unpacked bytes were read, the rest was not");
        stopped = true;
        return false;
      }
      if (!room.Room(take)) {
        out.problems.push_back(room.Reason() + "; the first " + std::to_string(written) +
                               " unpacked bytes were read, the rest was not");
        stopped = true;
        return false;
      }
      for (size_t off = 0; off < take;) {
        ssize_t w = write(fd, data.data() + off, size_t(take) - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          written += off;
          total += off;
          out.problems.push_back(std::string("cannot unpack into ") + temp_parent + ": " +
                                 (w < 0 ? strerror(errno) : "nothing written") + "; the first " +
                                 std::to_string(written) + " unpacked bytes were read");
          stopped = true;
          return false;
        }
        off += size_t(w);
      }
      written += take;
      total += take;
      if (take < data.size()) {
        if (written == cap)
          out.problems.push_back("unpacks to more than " + std::to_string(cap) + " bytes; the first " +
                                 std::to_string(cap) + " were read, the rest was not");
        else {
          out.problems.push_back("unpacked-size cap of " + std::to_string(limits.max_total_bytes) +
                                 " bytes reached; the first " + std::to_string(written) +
                                 " unpacked bytes were read, the rest was not");
          stopped = true;
        }
        return false;
      }
      return true;
    };
    // Block by block as the decompressor gives them: damage costs only what
    // follows it.
    std::string warning;
    const int rc = ReadEntry(h, &warning, put);
    if (rc < ARCHIVE_WARN) {
      out.problems.push_back("damaged after " + std::to_string(written) +
                             " unpacked bytes (those were read, the rest was not): " + h.error("read error"));
      if (rc == ARCHIVE_FATAL) segment_lost = true;
    }
    if (!warning.empty())
      out.problems.push_back("unpacked with a warning: " + warning + " (the unpacked bytes were read as they came)");
    auto map = MapReadOnly(fd, size_t(written), tmpl);
    close(fd);
    if (!map.ok()) {
      results.push_back(map.status());
      continue;
    }
    out.map = std::move(map.value());
    results.push_back(std::move(out));
  }
  return results;
}

struct PackedLogs::Archive {
  std::mutex mu;
  bool unpacked = false;
  std::vector<PackedMember> members;  // wanted, in the order met
  std::map<PackedMember, Result<OpenedEvidence>> ready;
};

void PackedLogs::Want(const std::string& path, const PackedMember& member) {
  if (member.stream) return;
  std::lock_guard<std::mutex> lock(mu_);
  auto& a = archives_[path];
  if (!a) a = std::make_shared<Archive>();
  a->members.push_back(member);
}

Result<OpenedEvidence> PackedLogs::UnpackStream(std::string_view bytes) {
  return std::move(UnpackLogs(bytes, {PackedMember{}}, temp_parent_, limits_, max_bytes_).front());
}

Result<OpenedEvidence> PackedLogs::Take(FileSystem* fs, const std::string& path, const PackedMember& member) {
  std::shared_ptr<Archive> archive;
  if (!member.stream) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = archives_.find(path);
    if (it != archives_.end()) archive = it->second;
  }
  if (!archive) {
    auto file = fs->Open(path);
    if (!file.ok()) return file.status();
    return std::move(UnpackLogs(file.value()->bytes(), {member}, temp_parent_, limits_, max_bytes_).front());
  }
  std::lock_guard<std::mutex> lock(archive->mu);
  if (!archive->unpacked) {
    archive->unpacked = true;
    auto& m = archive->members;
    std::sort(m.begin(), m.end());
    auto file = fs->Open(path);
    if (!file.ok()) {
      for (const auto& x : m) archive->ready.emplace(x, file.status());
    } else {
      auto results = UnpackLogs(file.value()->bytes(), m, temp_parent_, limits_, max_bytes_);
      for (size_t i = 0; i < m.size(); ++i) archive->ready.emplace(m[i], std::move(results[i]));
    }
  }
  auto it = archive->ready.find(member);
  if (it == archive->ready.end()) return Status::InvalidArgument("entry " + member.name + " asked for twice");
  Result<OpenedEvidence> out = std::move(it->second);
  archive->ready.erase(it);
  return out;
}

}  // namespace exhunt
