#include "source/fleet_layout.h"

#include <algorithm>

#include "base/text.h"
#include "source/archive.h"

namespace exhunt {

namespace {

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
        name == "exchange server" || name == "exchangeserver" || name == "winevt" || name == "uploads" ||
        name == "collections")
      return true;
    if (depth < 2 && IsDriveFolder(e.name) && HasHostMarker(fs, JoinPath(dir, e.name), depth + 1)) return true;
  }
  return false;
}

// The host name a Velociraptor collection records of itself: the
// "Hostname" of its client_info.json (offline collector), if any.
std::string CollectedHostName(FileSystem* fs, const std::string& dir) {
  auto file = fs->Open(JoinPath(dir, "client_info.json"));
  if (!file.ok()) return "";
  std::string_view text = file.value()->bytes().substr(0, 1 << 16);
  for (std::string_view key : {"\"Hostname\"", "\"hostname\""}) {
    size_t at = text.find(key);
    if (at == std::string_view::npos) continue;
    size_t colon = text.find(':', at + key.size());
    size_t open = colon == std::string_view::npos ? colon : text.find('"', colon);
    size_t close = open == std::string_view::npos ? open : text.find('"', open + 1);
    if (close == std::string_view::npos || close - open < 2 || close - open > 256) continue;
    std::string name(text.substr(open + 1, close - open - 1));
    if (name.find_first_of("\\/") == std::string::npos) return name;
  }
  return "";
}

// An offline collector's archive is named Collection-<host>-<time>.zip,
// the time as 2024-05-01T10_00_00Z.
std::string HostOfCollectionStem(const std::string& stem) {
  constexpr std::string_view kPrefix = "Collection-";
  if (!stem.starts_with(kPrefix)) return stem;
  auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const std::string_view rest = std::string_view(stem).substr(kPrefix.size());
  for (size_t dash = 0; (dash = rest.find('-', dash)) != std::string_view::npos; ++dash) {
    std::string_view t = rest.substr(dash + 1);
    if (dash > 0 && t.size() >= 11 && digits(t.substr(0, 4)) && t[4] == '-' && digits(t.substr(5, 2)) &&
        t[7] == '-' && digits(t.substr(8, 2)) && t[10] == 'T')
      return std::string(rest.substr(0, dash));
  }
  return stem;
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
    const std::string path = JoinPath(dir, e.name);
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
    const std::string path = JoinPath(dir, e.name);
    if (e.is_dir) {
      std::string name = CollectedHostName(fs, path);
      out.push_back({name.empty() ? e.name : name, path});
    } else if (e.is_regular && IsCollectionFile(fs, path)) {
      out.push_back({HostOfCollectionStem(CollectionStem(path)), path});
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
    m.path = path.front() == '/' ? path : JoinPath(base, path);
    out.push_back(std::move(m));
  }
  if (out.empty()) return Status::InvalidArgument(list_path + ": names no host");
  return out;
}

}  // namespace exhunt
