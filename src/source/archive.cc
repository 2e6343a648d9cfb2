#include "source/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/text.h"
#include "source/discovery.h"

namespace exhunt {

bool LooksLikeCollection(std::string_view head) {
  // The compressed and archive formats discovery names, plus a bare tar.
  return !UnreadableEncoding(head).empty() || (head.size() >= 262 && head.substr(257, 5) == "ustar");
}

std::string TempParent() {
  const char* t = getenv("TMPDIR");
  return t && *t ? t : "/tmp";
}

bool TempRoom::Room(uint64_t bytes) {
  constexpr uint64_t kCheckEvery = uint64_t(64) << 20;
  if (since_check_ >= kCheckEvery) {
    struct statvfs st;
    if (statvfs(dir_.c_str(), &st) != 0) return true;  // unknown: writes fail on their own
    const uint64_t size = uint64_t(st.f_blocks) * st.f_frsize;
    free_ = uint64_t(st.f_bavail) * st.f_frsize;
    reserve_ = std::min<uint64_t>(uint64_t(1) << 30, size / 20);
    since_check_ = 0;
  }
  if (free_ < reserve_ + bytes) return false;
  free_ -= bytes;
  since_check_ += bytes;
  return true;
}

std::string TempRoom::Reason() const {
  return "the temporary folder " + dir_ + " is nearly full (" + std::to_string(free_ >> 20) +
         " MiB free; set TMPDIR to a folder on a larger disk)";
}

std::string CollectionStem(std::string_view path) {
  size_t slash = path.find_last_of('/');
  std::string name(slash == std::string_view::npos ? path : path.substr(slash + 1));
  for (std::string_view ext : {".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".zip", ".7z", ".tar"})
    if (EndsWithIgnoreCase(name, ext) && name.size() > ext.size()) return name.substr(0, name.size() - ext.size());
  return name.empty() ? "collection" : name;
}

std::string_view UnsafeEntryName(std::string_view name) {
  if (name.empty()) return "entry without a name";
  if (name[0] == '/' || name[0] == '\\') return "absolute path (refused)";
  if (name.size() >= 2 && name[1] == ':') return "absolute path with a drive letter (refused)";
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return "path climbs out of the archive with \"..\" (refused)";
    start = end + 1;
  }
  if (name.find('\0') != std::string_view::npos) return "NUL in the entry name (refused)";
  return "";
}

namespace {

struct ArchiveHandle {
  struct archive* a = archive_read_new();
  ~ArchiveHandle() { archive_read_free(a); }
};

std::string Clean(std::string_view name) {
  std::string out(name);
  std::replace(out.begin(), out.end(), '\\', '/');
  while (!out.empty() && out.back() == '/') out.pop_back();
  // "./x" and "a//b" name the same place as "x" and "a/b".
  std::string norm;
  for (auto part : Split(out, '/'))
    if (!part.empty() && part != ".") norm += (norm.empty() ? "" : "/") + std::string(part);
  return norm;
}

}  // namespace

Result<UnpackedCollection> UnpackCollection(std::string_view bytes, const std::string& archive_name,
                                            const std::string& temp_parent, const UnpackLimits& limits) {
  ArchiveHandle h;
  archive_read_support_filter_all(h.a);
  archive_read_support_format_all(h.a);
  if (archive_read_open_memory(h.a, bytes.data(), bytes.size()) != ARCHIVE_OK)
    return Status::Corrupt(archive_name + ": not an archive exhunt can unpack: " +
                           (archive_error_string(h.a) ? archive_error_string(h.a) : "unknown format"));
  std::string tmpl = temp_parent + "/exhunt-unpack-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) return Status::IoError("cannot make a temporary folder in " + temp_parent);
  UnpackedCollection out;
  out.dir = std::string(buf.data()) + "/" + CollectionStem(archive_name);
  std::error_code ec;
  std::filesystem::create_directories(out.dir, ec);
  if (ec) return Status::IoError("cannot make " + out.dir + ": " + ec.message());

  std::vector<char> block(1 << 20);
  TempRoom room(temp_parent);
  bool stopped = false;
  uint64_t refused_after_stop = 0;
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(h.a, &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_FATAL) {
      out.refused.push_back({".", std::string("archive damaged, the rest not read: ") +
                                      (archive_error_string(h.a) ? archive_error_string(h.a) : "fatal error")});
      break;
    }
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (!raw_name) raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    if (stopped) {
      ++refused_after_stop;
      continue;
    }
    if (std::string_view why = UnsafeEntryName(name); !why.empty()) {
      out.refused.push_back({name.empty() ? "(no name)" : name, std::string(why)});
      continue;
    }
    const std::string rel = Clean(name);
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) continue;
    if (type != AE_IFREG) {
      out.refused.push_back({rel, type == AE_IFLNK ? "symbolic link inside the archive (not followed)"
                                                   : "not a regular file inside the archive (not read)"});
      continue;
    }
    if (archive_entry_is_encrypted(entry)) {
      out.refused.push_back({rel, "encrypted entry (not read: no password is ever tried)"});
      continue;
    }
    if (rel.empty()) continue;
    const std::string target = out.dir + "/" + rel;
    std::filesystem::create_directories(std::filesystem::path(target).parent_path(), ec);
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      out.refused.push_back({rel, std::string("cannot unpack: ") + strerror(errno) +
                                      (errno == EEXIST ? " (a second entry of the same name)" : "")});
      continue;
    }
    uint64_t written = 0;
    std::string problem;
    for (;;) {
      la_ssize_t n = archive_read_data(h.a, block.data(), block.size());
      if (n == 0) break;
      if (n < 0) {
        problem = std::string("entry damaged, kept as far as it unpacked: ") +
                  (archive_error_string(h.a) ? archive_error_string(h.a) : "read error");
        break;
      }
      if (out.bytes + uint64_t(n) > limits.max_total_bytes) {
        problem = "unpacked-size cap of " + std::to_string(limits.max_total_bytes >> 20) +
                  " MiB reached: entry kept in part, the rest of the archive not unpacked";
        stopped = true;
        break;
      }
      const uint64_t packed = std::max<uint64_t>(uint64_t(archive_filter_bytes(h.a, -1)), 1);
      if (out.bytes + uint64_t(n) > limits.bomb_floor && (out.bytes + uint64_t(n)) / packed > limits.max_expansion) {
        problem = "decompression bomb: the archive unpacks to more than " + std::to_string(limits.max_expansion) +
                  " times its size; entry kept in part, the rest not unpacked";
        stopped = true;
        break;
      }
      if (!room.Room(uint64_t(n))) {
        problem = room.Reason() + ": entry kept in part, the rest of the archive not unpacked";
        stopped = true;
        break;
      }
      if (write(fd, block.data(), size_t(n)) != n) {
        problem = std::string("cannot unpack: ") + strerror(errno);
        stopped = true;
        break;
      }
      written += uint64_t(n);
      out.bytes += uint64_t(n);
    }
    if (archive_entry_mtime_is_set(entry)) {
      struct timespec times[2];
      times[0].tv_sec = times[1].tv_sec = archive_entry_mtime(entry);
      times[0].tv_nsec = times[1].tv_nsec = archive_entry_mtime_nsec(entry);
      futimens(fd, times);
    }
    close(fd);
    ++out.entries;
    if (!problem.empty()) out.refused.push_back({rel, problem});
  }
  if (refused_after_stop)
    out.refused.push_back({".", std::to_string(refused_after_stop) + " more entries not unpacked (see above)"});
  return out;
}

void RemoveUnpacked(const UnpackedCollection& c) {
  if (c.dir.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(c.dir).parent_path(), ec);
}

}  // namespace exhunt
