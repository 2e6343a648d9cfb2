#include "source/fleet_layout.h"

#include <algorithm>

#include "base/text.h"
#include "source/archive.h"

namespace exhunt {

namespace {

std::string Join(const std::string& dir, const std::string& name) {
  return dir.empty() || dir.back() == '/' ? dir + name : dir + "/" + name;
}

bool IsDriveFolder(std::string_view name) {
  // C, C:, C%3A (Velociraptor's encoding of the colon), C$.
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'))) return false;
  std::string rest = AsciiLowerCopy(name.substr(1));
  return rest.empty() || rest == ":" || rest == "%3a" || rest == "$";
}

// Whether a folder's own entries say it is a server's tree.
bool HasHostMarker(FileSystem* fs, const std::string& dir, int depth = 0) {
  std::vector<DirEntry> entries;
  if (!fs->List(dir, &entries).ok()) return false;
  for (const auto& e : entries) {
    if (!e.is_dir) continue;
    const std::string name = AsciiLowerCopy(e.name);
    if (name == "windows" || name == "program files" || name == "program files (x86)" || name == "inetpub" ||
        name == "exchange server" || name == "exchangeserver" || name == "winevt" || name == "uploads")
      return true;
    if (depth < 2 && IsDriveFolder(e.name) && HasHostMarker(fs, Join(dir, e.name), depth + 1)) return true;
  }
  return false;
}

bool IsCollectionFile(FileSystem* fs, const std::string& path) {
  auto file = fs->Open(path);
  return file.ok() && LooksLikeCollection(file.value()->bytes().substr(0, 512));
}

}  // namespace

bool LooksLikeFleet(FileSystem* fs, const std::string& dir) {
  auto info = fs->Stat(dir);
  if (!info.ok() || !info->is_dir || HasHostMarker(fs, dir)) return false;
  std::vector<DirEntry> entries;
  if (!fs->List(dir, &entries).ok()) return false;
  size_t hosts = 0;
  for (const auto& e : entries) {
    if (e.is_dir && IsDriveFolder(e.name)) return false;  // one host's drives
    const std::string path = Join(dir, e.name);
    if ((e.is_dir && HasHostMarker(fs, path)) || (e.is_regular && IsCollectionFile(fs, path))) ++hosts;
  }
  return hosts >= 2;
}

std::vector<FleetMember> FleetMembers(FileSystem* fs, const std::string& dir, std::vector<ScanError>* problems) {
  std::vector<DirEntry> entries;
  Status s = fs->List(dir, &entries);
  if (!s.ok()) {
    problems->push_back({dir, s.message()});
    return {};
  }
  std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  std::vector<FleetMember> out;
  for (const auto& e : entries) {
    const std::string path = Join(dir, e.name);
    if (e.is_dir) {
      out.push_back({e.name, path});
    } else if (e.is_regular && IsCollectionFile(fs, path)) {
      out.push_back({CollectionStem(path), path});
    } else {
      problems->push_back({e.name, e.is_regular ? "not read: a file at the top of a fleet folder belongs to no host"
                                                : "not read: " + std::string(e.other.empty() ? "not a file" : e.other)});
    }
  }
  return out;
}

Result<std::vector<FleetMember>> ReadHostList(FileSystem* fs, const std::string& list_path) {
  auto file = fs->Open(list_path);
  if (!file.ok()) return file.status();
  const std::string base = list_path.find('/') == std::string::npos ? "." : list_path.substr(0, list_path.rfind('/'));
  std::vector<FleetMember> out;
  size_t n = 0;
  for (std::string_view line : Split(file.value()->bytes(), '\n')) {
    ++n;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    FleetMember m;
    size_t tab = line.find('\t');
    std::string path(tab == std::string_view::npos ? line : line.substr(tab + 1));
    if (tab != std::string_view::npos) m.name = std::string(line.substr(0, tab));
    if (path.empty() || (tab != std::string_view::npos && m.name.empty()))
      return Status::InvalidArgument(list_path + ":" + std::to_string(n) + ": expected PATH or NAME<TAB>PATH");
    m.path = path.front() == '/' ? path : Join(base, path);
    out.push_back(std::move(m));
  }
  if (out.empty()) return Status::InvalidArgument(list_path + ": names no host");
  return out;
}

}  // namespace exhunt
