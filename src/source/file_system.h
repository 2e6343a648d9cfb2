// The seam between exhunt and the operating system for reading evidence.
//
// Evidence is opened read-only and never written, moved or touched: the
// POSIX implementation opens with O_RDONLY|O_NOATIME where permitted and maps
// files PROT_READ. Tests use MemoryFileSystem; FaultyFileSystem wraps any
// FileSystem to inject unreadable, short and vanishing files.
//
// Thread safety: Open/List/Stat may be called from any thread. A
// MappedFile's bytes stay valid while the MappedFile lives.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace exhunt {

class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view bytes() const = 0;
  // Hint that [offset, offset+len) will not be read again soon; lets the
  // mapping drop those pages so resident memory stays bounded on huge files.
  virtual void DoneWith(size_t offset, size_t len) {}
  // Hint that [offset, offset+len) is about to be read sequentially: lets
  // the mapping fill its page tables in one call instead of faulting.
  virtual void WillRead(size_t offset, size_t len) {}
};

struct DirEntry {
  std::string name;  // last path component
  bool is_dir = false;
  bool is_regular = false;
  uint64_t size = 0;
  // Last modification, milliseconds since the Unix epoch (UTC), if known.
  std::optional<int64_t> mtime_ms;
  uint32_t uid = 0;  // owner, as the file system numbers it
  // Neither a folder nor a regular file: what it is, and that it is not
  // followed or read ("symbolic link (not followed)", "FIFO (not read)").
  std::string_view other;
};

struct FileInfo {
  bool is_dir = false;
  bool is_regular = false;
  uint64_t size = 0;
  std::optional<int64_t> mtime_ms;
  uint32_t uid = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual Result<std::unique_ptr<MappedFile>> Open(const std::string& path) = 0;
  // Entries of a directory, in no particular order; "." and ".." omitted;
  // symbolic links are reported neither as dir nor as regular file.
  virtual Status List(const std::string& dir, std::vector<DirEntry>* out) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // The first `max_bytes` of a file (fewer if it is shorter): what
  // discovery looks at, without mapping the whole file.
  virtual Result<std::string> ReadHead(const std::string& path, size_t max_bytes) {
    auto file = Open(path);
    if (!file.ok()) return file.status();
    return std::string(file.value()->bytes().substr(0, max_bytes));
  }
};

std::unique_ptr<FileSystem> NewPosixFileSystem();

// Maps the first `size` bytes of an open descriptor read-only; the
// descriptor may be closed afterwards. `what` names it in an error.
Result<std::unique_ptr<MappedFile>> MapReadOnly(int fd, size_t size, const std::string& what);

// Joins with '/', avoiding doubled separators.
std::string JoinPath(std::string_view dir, std::string_view name);

}  // namespace exhunt
