// In-memory FileSystem for tests, and a fault-injecting wrapper.
#pragma once

#include <map>
#include <mutex>
#include <set>

#include "source/file_system.h"

namespace exhunt {

// Paths are '/'-separated; directories exist implicitly above each file.
class MemoryFileSystem final : public FileSystem {
 public:
  // `mtime_ms`: the modification time List and Stat report (none if unset).
  void AddFile(const std::string& path, std::string contents, std::optional<int64_t> mtime_ms = std::nullopt);
  Result<std::unique_ptr<MappedFile>> Open(const std::string& path) override;
  Status List(const std::string& dir, std::vector<DirEntry>* out) override;
  Result<FileInfo> Stat(const std::string& path) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const std::string>> files_;
  std::map<std::string, int64_t> mtimes_;
};

// Wraps another FileSystem: paths in `unreadable` fail to open, paths in
// `truncated` open with only their first half, paths in `vanishing` are
// listed but gone when opened.
class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem* base) : base_(base) {}
  std::set<std::string> unreadable, truncated, vanishing;

  Result<std::unique_ptr<MappedFile>> Open(const std::string& path) override;
  Status List(const std::string& dir, std::vector<DirEntry>* out) override { return base_->List(dir, out); }
  Result<FileInfo> Stat(const std::string& path) override;

 private:
  FileSystem* base_;
};

}  // namespace exhunt
