#include "source/memory_file_system.h"

namespace exhunt {

namespace {

class StringMappedFile final : public MappedFile {
 public:
  StringMappedFile(std::shared_ptr<const std::string> data, size_t limit) : data_(std::move(data)), limit_(limit) {}
  std::string_view bytes() const override { return std::string_view(*data_).substr(0, limit_); }

 private:
  std::shared_ptr<const std::string> data_;
  size_t limit_;
};

std::string Normalize(const std::string& p) {
  std::string out = p;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

void MemoryFileSystem::AddFile(const std::string& path, std::string contents, std::optional<int64_t> mtime_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  files_[Normalize(path)] = std::make_shared<const std::string>(std::move(contents));
  if (mtime_ms) mtimes_[Normalize(path)] = *mtime_ms;
}

Result<std::unique_ptr<MappedFile>> MemoryFileSystem::Open(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(Normalize(path));
  if (it == files_.end()) return Status::IoError("cannot open " + path + ": No such file");
  return std::unique_ptr<MappedFile>(new StringMappedFile(it->second, it->second->size()));
}

Status MemoryFileSystem::List(const std::string& dir, std::vector<DirEntry>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = Normalize(dir) + "/";
  std::set<std::string> seen_dirs;
  bool any = false;
  for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    any = true;
    std::string rest = it->first.substr(prefix.size());
    size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      DirEntry e{rest, false, true, it->second->size()};
      if (auto m = mtimes_.find(it->first); m != mtimes_.end()) e.mtime_ms = m->second;
      out->push_back(std::move(e));
    } else if (seen_dirs.insert(rest.substr(0, slash)).second) {
      out->push_back({rest.substr(0, slash), true, false, 0});
    }
  }
  if (!any) return Status::IoError("cannot list " + dir + ": No such directory");
  return Status::Ok();
}

Result<FileInfo> MemoryFileSystem::Stat(const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string p = Normalize(path);
  auto it = files_.find(p);
  if (it != files_.end()) {
    FileInfo info{false, true, it->second->size()};
    if (auto m = mtimes_.find(p); m != mtimes_.end()) info.mtime_ms = m->second;
    return info;
  }
  auto dir = files_.lower_bound(p + "/");
  if (dir != files_.end() && dir->first.compare(0, p.size() + 1, p + "/") == 0) return FileInfo{true, false, 0};
  return Status::IoError("cannot stat " + path + ": No such file");
}

Result<std::unique_ptr<MappedFile>> FaultyFileSystem::Open(const std::string& path) {
  if (unreadable.count(path)) return Status::IoError("cannot open " + path + ": Permission denied");
  if (vanishing.count(path)) return Status::IoError("cannot open " + path + ": No such file");
  auto r = base_->Open(path);
  if (!r.ok() || !truncated.count(path)) return r;
  std::string_view all = r.value()->bytes();
  auto half = std::make_shared<const std::string>(all.substr(0, all.size() / 2));
  return std::unique_ptr<MappedFile>(new StringMappedFile(half, half->size()));
}

Result<FileInfo> FaultyFileSystem::Stat(const std::string& path) {
  if (vanishing.count(path)) return Status::IoError("cannot stat " + path + ": No such file");
  return base_->Stat(path);
}

}  // namespace exhunt
