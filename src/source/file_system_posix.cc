#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "source/file_system.h"

namespace exhunt {

std::string JoinPath(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty() && out.back() != '/') out += '/';
  out += name;
  return out;
}

namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + strerror(errno);
}

// A small file read into memory: for the many small logs of a server (an
// hour of one protocol), one read costs less than mapping and unmapping.
class BufferedFile final : public MappedFile {
 public:
  explicit BufferedFile(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string_view bytes() const override { return bytes_; }

 private:
  std::string bytes_;
};

// Files up to this size are read, larger ones mapped.
constexpr size_t kReadWholeBytes = size_t(256) << 10;

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  ~PosixMappedFile() override {
    if (addr_) munmap(addr_, size_);
  }
  PosixMappedFile(const PosixMappedFile&) = delete;
  PosixMappedFile& operator=(const PosixMappedFile&) = delete;

  std::string_view bytes() const override {
    return addr_ ? std::string_view(static_cast<const char*>(addr_), size_) : std::string_view();
  }

  void WillRead(size_t offset, size_t len) override {
#ifdef MADV_POPULATE_READ
    if (!addr_) return;
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_t begin = offset / page * page;
    size_t end = std::min(offset + len, size_);
    if (end > begin) madvise(static_cast<char*>(addr_) + begin, end - begin, MADV_POPULATE_READ);  // best effort
#endif
  }

  void DoneWith(size_t offset, size_t len) override {
    if (!addr_) return;
    const size_t page = size_t(sysconf(_SC_PAGESIZE));
    size_t begin = (offset + page - 1) / page * page;
    size_t end = std::min(offset + len, size_) / page * page;
    if (end > begin) madvise(static_cast<char*>(addr_) + begin, end - begin, MADV_DONTNEED);
  }

 private:
  void* addr_;
  size_t size_;
};

// A read-only descriptor of a piece of evidence, closed when it goes out
// of scope. O_NOATIME keeps the evidence's access time untouched where we
// own the file; it is refused (EPERM) otherwise and we fall back.
class EvidenceFd {
 public:
  explicit EvidenceFd(const std::string& path) {
    fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
    if (fd_ < 0 && errno == EPERM) fd_ = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  }
  ~EvidenceFd() {
    if (fd_ >= 0) close(fd_);
  }
  EvidenceFd(const EvidenceFd&) = delete;
  EvidenceFd& operator=(const EvidenceFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

// Up to `max_bytes` from the descriptor (fewer if the file ends first: a
// file that shrank since it was measured gives what is there).
Result<std::string> ReadUpTo(int fd, size_t max_bytes, const std::string& path) {
  std::string bytes(max_bytes, '\0');
  size_t got = 0;
  while (got < max_bytes) {
    ssize_t n = read(fd, bytes.data() + got, max_bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(Errno("cannot read", path));
    if (n == 0) break;
    got += size_t(n);
  }
  bytes.resize(got);
  return bytes;
}

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<MappedFile>> Open(const std::string& path) override {
    EvidenceFd fd(path);
    if (fd.get() < 0) return Status::IoError(Errno("cannot open", path));
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return Status::IoError(Errno("cannot stat", path));
    if (!S_ISREG(st.st_mode)) return Status::IoError("not a regular file: " + path);
    size_t size = size_t(st.st_size);
    if (size > 0 && size <= kReadWholeBytes) {
      auto bytes = ReadUpTo(fd.get(), size, path);
      if (!bytes.ok()) return bytes.status();
      return std::unique_ptr<MappedFile>(new BufferedFile(std::move(bytes.value())));
    }
    void* addr = nullptr;
    if (size > 0) {
      addr = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
      if (addr == MAP_FAILED) return Status::IoError(Errno("cannot map", path));
      madvise(addr, size, MADV_SEQUENTIAL);
    }
    return std::unique_ptr<MappedFile>(new PosixMappedFile(addr, size));
  }

  Result<std::string> ReadHead(const std::string& path, size_t max_bytes) override {
    EvidenceFd fd(path);
    if (fd.get() < 0) return Status::IoError(Errno("cannot open", path));
    return ReadUpTo(fd.get(), max_bytes, path);
  }

  Status List(const std::string& dir, std::vector<DirEntry>* out) override {
    DIR* d = opendir(dir.c_str());
    if (!d) return Status::IoError(Errno("cannot list", dir));
    while (struct dirent* e = readdir(d)) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      DirEntry entry;
      entry.name = e->d_name;
      struct stat st;
      std::string full = JoinPath(dir, entry.name);
      if (lstat(full.c_str(), &st) == 0) {
        entry.is_dir = S_ISDIR(st.st_mode);
        entry.is_regular = S_ISREG(st.st_mode);
        entry.size = uint64_t(st.st_size);
        entry.mtime_ms = int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
        entry.uid = st.st_uid;
        // Links are never followed: no escape from the root, no loops.
        if (S_ISLNK(st.st_mode))
          entry.other = "symbolic link (not followed)";
        else if (S_ISFIFO(st.st_mode))
          entry.other = "FIFO (not read)";
        else if (S_ISSOCK(st.st_mode))
          entry.other = "socket (not read)";
        else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
          entry.other = "device (not read)";
      } else {
        entry.other = "vanished while listed (not read)";
      }
      out->push_back(std::move(entry));
    }
    closedir(d);
    return Status::Ok();
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return Status::IoError(Errno("cannot stat", path));
    FileInfo info;
    info.is_dir = S_ISDIR(st.st_mode);
    info.is_regular = S_ISREG(st.st_mode);
    info.size = uint64_t(st.st_size);
    info.mtime_ms = int64_t(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    info.uid = st.st_uid;
    return info;
  }
};

}  // namespace

Result<std::unique_ptr<MappedFile>> MapReadOnly(int fd, size_t size, const std::string& what) {
  void* addr = nullptr;
  if (size > 0) {
    addr = mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (addr == MAP_FAILED) return Status::IoError(Errno("cannot map", what));
    madvise(addr, size, MADV_SEQUENTIAL);
  }
  return std::unique_ptr<MappedFile>(new PosixMappedFile(addr, size));
}

std::unique_ptr<FileSystem> NewPosixFileSystem() { return std::make_unique<PosixFileSystem>(); }

}  // namespace exhunt
