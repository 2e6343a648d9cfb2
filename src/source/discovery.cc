#include "source/discovery.h"

#include <algorithm>
#include <map>

#include "base/text.h"
#include "base/text_encoding.h"
#include "source/archive.h"
#include "source/directive.h"
#include "source/packed_log.h"

namespace exhunt {

namespace {

bool Contains(const std::string& lower, std::string_view part) { return lower.find(part) != std::string::npos; }

std::string Basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return std::string(slash == std::string_view::npos ? p : p.substr(slash + 1));
}

bool WorthSniffing(const std::string& lower_name) {
  return EndsWithIgnoreCase(lower_name, ".log") || EndsWithIgnoreCase(lower_name, ".txt") ||
         EndsWithIgnoreCase(lower_name, ".csv") || EndsWithIgnoreCase(lower_name, ".evtx") ||
         EndsWithIgnoreCase(lower_name, ".json") || EndsWithIgnoreCase(lower_name, ".jsonl") ||
         EndsWithIgnoreCase(lower_name, ".ndjson") ||
         lower_name.find('.') == std::string::npos;
}

// Compressed files by name: the extension and what it means.
constexpr std::pair<std::string_view, std::string_view> kCompressedExtensions[] = {
    {".gz", "compressed (gzip)"},   {".tgz", "compressed (gzip)"}, {".zip", "compressed (zip)"},
    {".7z", "compressed (7-Zip)"},  {".rar", "compressed (RAR)"},  {".bz2", "compressed (bzip2)"},
    {".xz", "compressed (xz)"},     {".zst", "compressed (zstd)"}, {".cab", "compressed (cabinet)"},
    {".tar", "archive (tar)"},
};

// The compressed-file extension a name ends with and what it means, or
// nullptr.
const std::pair<std::string_view, std::string_view>* CompressedExtensionOf(std::string_view name) {
  for (const auto& e : kCompressedExtensions)
    if (name.size() > e.first.size() && EndsWithIgnoreCase(name, e.first)) return &e;
  return nullptr;
}

// Where a compressed file is taken for evidence: its name without the
// extension is a log kind's path, or it sits among logs or is named like one.
bool LooksLikeLogEvidence(const std::string& lower_path, const std::string& lower_stem) {
  return ClassifyLogPath(lower_stem) != LogType::kUnknown || Contains(lower_path, "/inetpub/logs/") ||
         Contains(lower_path, "/logging/") || lower_stem.find(".log") != std::string::npos ||
         EndsWithIgnoreCase(lower_stem, ".txt") || EndsWithIgnoreCase(lower_stem, ".csv");
}

}  // namespace

std::string_view UnreadableEncoding(std::string_view head) {
  auto starts = [&](std::string_view magic) { return head.substr(0, magic.size()) == magic; };
  if (starts("\x1f\x8b")) return "compressed (gzip)";
  if (starts("PK\x03\x04")) return "compressed (zip)";
  if (starts(std::string_view("7z\xbc\xaf\x27\x1c", 6))) return "compressed (7-Zip)";
  if (starts("Rar!")) return "compressed (RAR)";
  if (starts("BZh")) return "compressed (bzip2)";
  if (starts(std::string_view("\xfd" "7zXZ\x00", 6))) return "compressed (xz)";
  if (starts("\x28\xb5\x2f\xfd")) return "compressed (zstd)";
  return "";
}

LogType ClassifyByMagic(std::string_view head) {
  for (const auto& k : EvidenceKinds())
    if (!k.magic.empty() && head.substr(0, k.magic.size()) == k.magic) return k.type;
  return LogType::kUnknown;
}

LogType ClassifyLogPath(std::string_view rel_path) {
  std::string p = "/" + AsciiLowerCopy(rel_path);
  std::replace(p.begin(), p.end(), '\\', '/');
  std::string name = Basename(p);
  for (const auto& k : EvidenceKinds())
    if (!k.path_part.empty() && Contains(p, k.path_part) && (k.name_part.empty() || Contains(name, k.name_part)))
      return k.type;
  return LogType::kUnknown;
}

namespace {

bool GlobsMatch(std::string_view globs, std::string_view value) {
  for (auto g : Split(globs, '|'))
    if (!g.empty() && GlobMatch(g, value, false)) return true;
  return false;
}

bool HasColumns(std::string_view fields, std::string_view signature) {
  for (auto col : Split(signature, ','))
    if (!ContainsIgnoreCase(fields, col)) return false;
  return true;
}

// A header-less W3C log (IIS) in the default field order: "YYYY-MM-DD hh:mm:ss"
// and a dozen space-separated fields, no comma.
bool LooksLikeHeaderlessW3c(std::string_view line) {
  if (!StartsWithDate(line) || line.size() <= 19 || line[10] != ' ' || line[13] != ':' || line[16] != ':') return false;
  if (line.find(',') != std::string_view::npos) return false;
  size_t fields = 0;
  bool in_field = false;
  for (char c : line) {
    bool sep = c == ' ' || c == '\t';
    if (!sep && !in_field) ++fields;
    in_field = !sep;
  }
  return fields >= 10;
}

}  // namespace

// Windows events as JSON: an object or array first, and the keys of one of
// the shapes reader/event_json.h reads in the first bytes.
static bool LooksLikeEventJson(std::string_view head) {
  size_t p = head.find_first_not_of(" \t\r\n");
  if (p == std::string_view::npos || (head[p] != '{' && head[p] != '[')) return false;
  return head.find("\"winlog\"") != std::string_view::npos || head.find("\"EventID\"") != std::string_view::npos ||
         (head.find("\"Event\"") != std::string_view::npos && head.find("\"System\"") != std::string_view::npos);
}

LogType ClassifyLogContent(std::string_view head) {
  // Skip a UTF-8 BOM.
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  if (LooksLikeEventJson(head))
    for (const auto& k : EvidenceKinds())
      if (k.format == RecordFormat::kJsonEvents) return k.type;
  LogType by_fields = LogType::kUnknown;
  size_t pos = 0;
  int lines = 0;
  while (pos < head.size() && lines < 16) {
    LineSpan line = LineAt(head, pos);
    std::string_view text = head.substr(line.start, line.end - line.start);
    ++lines;
    pos = line.next;
    if (text.empty() || text[0] != '#') {
      if (by_fields == LogType::kUnknown && LooksLikeHeaderlessW3c(text)) return W3cLogType();
      if (lines > 1 || !text.empty()) break;
      continue;
    }
    Directive d = ParseDirective(text);
    if (d.name == DirectiveName::kLogType) {
      for (const auto& k : EvidenceKinds())
        if (!k.log_type_header.empty() && GlobsMatch(k.log_type_header, d.value)) return k.type;
      by_fields = LogType::kExchangeCsv;
    } else if (d.name == DirectiveName::kSoftware) {
      for (const auto& k : EvidenceKinds())
        if (!k.software_header.empty() && StartsWithIgnoreCase(d.value, k.software_header)) return k.type;
    } else if (d.name == DirectiveName::kFields) {
      // Space-separated names: the W3C extended format, which only IIS writes here.
      if (d.value.find(',') == std::string_view::npos) return W3cLogType();
      if (by_fields == LogType::kUnknown) {
        // An Exchange CSV header; known column sets tell the log apart.
        for (const auto& k : EvidenceKinds())
          if (!k.fields_signature.empty() && HasColumns(d.value, k.fields_signature)) return k.type;
        by_fields = LogType::kExchangeCsv;
      }
    }
  }
  return by_fields;
}

namespace {

constexpr size_t kSniffBytes = 8192;

// What a file is, from its path (`rel`, '/'-separated) and its first bytes.
struct Take {
  enum What { kNotLog, kLog, kSkip, kPacked, kError } what = kNotLog;
  LogType type = LogType::kUnknown;
  std::string reason;  // kSkip, kError
};

template <typename ReadHead>
Take ClassifyFile(const std::string& rel, uint64_t size, ReadHead read_head) {
  std::string name = Basename(rel);
  std::string lower = "/" + AsciiLowerCopy(rel);
  LogType type = ClassifyLogPath(rel);
  if (type != LogType::kUnknown && !KindOf(type).confirm_by_content) return {Take::kLog, type, ""};
  // Confirm or find the type from the header; path alone can't tell an
  // Rps_Http log from other CmdletInfra files or a stray file from a log.
  if (type == LogType::kUnknown && !WorthSniffing(AsciiLowerCopy(name))) return {};
  if (size == 0) return type == LogType::kUnknown ? Take{} : Take{Take::kLog, type, ""};
  Result<std::string> file_head = read_head();
  if (!file_head.ok()) return {Take::kError, type, file_head.status().message()};
  std::string_view head = file_head.value();
  if (LogType by_magic = ClassifyByMagic(head); by_magic != LogType::kUnknown) return {Take::kLog, by_magic, ""};
  // UTF-16 or CR-only copies are classified by their text (the reader transcodes them).
  std::string plain;
  if (TextEncoding e = GuessTextEncoding(head); e != TextEncoding::kPlain) {
    ToPlainText(head.substr(0, head.size() / 2 * 2), e, 16384, &plain);
    head = plain;
  }
  if (std::string_view encoding = UnreadableEncoding(head); !encoding.empty()) {
    if (type == LogType::kUnknown && !LooksLikeLogEvidence(lower, lower)) return {};
    return {Take::kPacked, type, std::string(encoding)};
  }
  if (type == LogType::kUnknown) {
    type = ClassifyLogContent(head);
    // A name hint settles what the content alone leaves open.
    if (type == LogType::kUnknown || type == LogType::kExchangeCsv)
      for (const auto& k : EvidenceKinds())
        if (!k.name_hint.empty() && ContainsIgnoreCase(name, k.name_hint) &&
            (type == LogType::kExchangeCsv) == (k.format == RecordFormat::kCsv)) {
          type = k.type;
          break;
        }
  }
  if (type == LogType::kUnknown) {
    if (!Contains(lower, "/inetpub/logs/logfiles/")) return {};
    return {Take::kSkip, type, "not a log format exhunt reads"};
  }
  return {Take::kLog, type, ""};
}

// A compressed file that looks like log evidence: a stream is one log named
// by the compressed file; an archive gives one log per entry that is one.
// Compressed files inside it are not unpacked in turn.
void ConsiderPacked(FileSystem* fs, const std::string& path, const std::string& rel, uint64_t size,
                    DiscoveredTree* tree) {
  auto file = fs->Open(path);
  if (!file.ok()) {
    tree->errors.push_back({rel, file.status().message()});
    return;
  }
  const std::string_view bytes = file.value()->bytes();
  Take pending;  // a stream's skip or error, said once its format is known
  uint64_t other = 0;
  auto add_log = [&](const std::string& log_rel, LogType type, uint64_t log_size, const PackedMember& member) {
    EvidenceFile f{path, log_rel, type, log_size};
    f.packed = member;
    tree->logs.push_back(std::move(f));
  };
  auto listing = ListPacked(bytes, kSniffBytes, [&](const PackedEntry& e, std::string_view head) {
    auto head_of = [&] { return Result<std::string>(std::string(head)); };
    if (e.member.stream) {
      // Classified by the name without the compression's extension.
      std::string stem = rel;
      if (const auto* ext = CompressedExtensionOf(stem)) stem.resize(stem.size() - ext->first.size());
      Take take = ClassifyFile(stem, size, head_of);
      if (take.what == Take::kNotLog)  // it looked like log evidence by its name or place
        take = {Take::kSkip, LogType::kUnknown, "not a log format exhunt reads"};
      if (take.what == Take::kPacked)
        take = {Take::kSkip, LogType::kUnknown, "compressed twice (then " + take.reason + ")"};
      if (take.what == Take::kLog)
        add_log(rel, take.type, size, e.member);
      else if (take.what == Take::kSkip || take.what == Take::kError)
        pending = take;
      return;
    }
    const std::string inner = rel + "/" + e.member.name;
    if (std::string_view why = UnsafeEntryName(e.member.name); !why.empty()) {
      tree->errors.push_back({inner, std::string(why)});
      return;
    }
    if (!e.regular) {
      tree->skipped.push_back({inner, "not a regular file inside the archive (not read)", 0});
      return;
    }
    if (e.encrypted) {
      tree->skipped.push_back({inner, "encrypted entry (not read: no password is ever tried)", e.size});
      return;
    }
    Take take;
    const std::string lower = "/" + AsciiLowerCopy(inner);
    if (const auto* ext = CompressedExtensionOf(lower)) {
      if (LooksLikeLogEvidence(lower, lower.substr(0, lower.size() - ext->first.size())))
        take = {Take::kPacked, LogType::kUnknown, std::string(ext->second)};
    } else {
      take = ClassifyFile(inner, e.size ? e.size : head.size(), head_of);
    }
    switch (take.what) {
      case Take::kNotLog:
        ++other;
        break;
      case Take::kLog:
        add_log(inner, take.type, e.size ? e.size : size, e.member);
        break;
      case Take::kPacked:
        tree->skipped.push_back({inner, take.reason + " inside an archive (not unpacked in turn)", e.size});
        break;
      case Take::kSkip:
        tree->skipped.push_back({inner, take.reason, e.size});
        break;
      case Take::kError:
        tree->errors.push_back({inner, take.reason});
        break;
    }
  });
  if (!listing.ok()) {
    std::string kind(UnreadableEncoding(bytes.substr(0, 512)));
    tree->errors.push_back({rel, (kind.empty() ? "compressed" : kind) + " log " + listing.status().message()});
    return;
  }
  const PackedListing& packed = listing.value();
  for (const auto& problem : packed.problems) tree->errors.push_back({rel, problem});
  if (packed.stream && packed.format == "none") {
    // Not compressed after all (read as it is), unless its first bytes
    // claim a compression that could not be undone.
    if (std::string_view kind = UnreadableEncoding(bytes.substr(0, 512)); !kind.empty()) {
      if (!tree->logs.empty() && tree->logs.back().rel_path == rel) tree->logs.pop_back();
      tree->errors.push_back({rel, std::string(kind) + " log cannot be unpacked: damaged at its start"});
      return;
    }
  }
  if (pending.what == Take::kSkip)
    tree->skipped.push_back({rel, "compressed (" + packed.format + "), " + pending.reason, size});
  else if (pending.what == Take::kError)
    tree->errors.push_back({rel, pending.reason});
  if (other)
    tree->skipped.push_back({rel, std::to_string(other) + " of its " + std::to_string(packed.entries) +
                                      " entries are no log exhunt reads (not read)",
                             size});
}

}  // namespace

Result<OpenedEvidence> OpenEvidence(FileSystem* fs, const EvidenceFile& file, PackedLogs* packed) {
  if (file.packed) return packed->Take(fs, file.path, *file.packed);
  auto opened = fs->Open(file.path);
  if (!opened.ok()) return opened.status();
  const std::string_view bytes = opened.value()->bytes();
  // A log known by its place (not sniffed by discovery) whose bytes turn
  // out to be one compressed stream is unpacked here.
  if (file.type != LogType::kFile && KindOf(file.type).magic.empty() &&
      !UnreadableEncoding(bytes.substr(0, 16)).empty() && IsCompressedStream(bytes))
    return packed->UnpackStream(bytes);
  return OpenedEvidence{std::move(opened.value()), {}};
}

std::vector<Result<std::string>> ReadEvidenceHeads(FileSystem* fs, const std::vector<const EvidenceFile*>& files,
                                                   size_t max_bytes) {
  std::vector<Result<std::string>> heads(files.size(), Status::NotFound("not read"));
  std::map<std::string, std::vector<size_t>> by_archive;  // entries of an archive, read together
  for (size_t i = 0; i < files.size(); ++i) {
    const EvidenceFile& f = *files[i];
    if (!f.packed) {
      heads[i] = fs->ReadHead(f.path, max_bytes);
    } else if (f.packed->stream) {
      auto opened = fs->Open(f.path);
      heads[i] = opened.ok() ? PackedHead(opened.value()->bytes(), *f.packed, max_bytes)
                             : Result<std::string>(opened.status());
    } else {
      by_archive[f.path].push_back(i);
    }
  }
  for (const auto& [path, wanted] : by_archive) {
    auto opened = fs->Open(path);
    if (!opened.ok()) {
      for (size_t i : wanted) heads[i] = opened.status();
      continue;
    }
    std::map<PackedMember, size_t> by_member;
    for (size_t i : wanted) by_member[*files[i]->packed] = i;
    auto listing = ListPacked(opened.value()->bytes(), max_bytes, [&](const PackedEntry& e, std::string_view head) {
      auto it = by_member.find(e.member);
      if (it != by_member.end() && files[it->second]->packed->name == e.member.name) heads[it->second] = std::string(head);
    });
    if (!listing.ok())
      for (size_t i : wanted) heads[i] = listing.status();
  }
  return heads;
}

DiscoveredTree Discover(FileSystem* fs, const std::string& root) {
  DiscoveredTree tree;
  auto info = fs->Stat(root);
  if (!info.ok()) {
    tree.errors.push_back({root, info.status().message()});
    return tree;
  }
  // Takes a file as a log (or as a log that is not read); false: the file is
  // no log and belongs to the file plane.
  auto consider_as_log = [&](const std::string& path, const std::string& rel, uint64_t size) -> bool {
    ++tree.files_seen;
    std::string lower = "/" + AsciiLowerCopy(rel);
    if (EndsWithIgnoreCase(lower, "/bin/exsetup.exe")) tree.exsetup.push_back({path, rel});
    if (EndsWithIgnoreCase(lower, "/inetpub/wwwroot/web.config")) tree.wwwroot_config.push_back({path, rel});
    if (Contains(lower, "/frontend/httpproxy/") && EndsWithIgnoreCase(lower, "/web.config"))
      tree.child_configs.push_back({path, rel});
    if (EndsWithIgnoreCase(lower, "/inetsrv/config/applicationhost.config")) tree.apphost_config.push_back({path, rel});
    if (EndsWithIgnoreCase(lower, "/inetsrv/rewrite.dll")) tree.rewrite_dll = true;
    if (const auto* ext = CompressedExtensionOf(lower)) {
      if (!LooksLikeLogEvidence(lower, lower.substr(0, lower.size() - ext->first.size()))) return false;
      ConsiderPacked(fs, path, rel, size, &tree);
      return true;
    }
    Take take = ClassifyFile(rel, size, [&] { return fs->ReadHead(path, kSniffBytes); });
    switch (take.what) {
      case Take::kNotLog:
        return false;
      case Take::kLog:
        tree.logs.push_back({path, rel, take.type, size});
        return true;
      case Take::kPacked:
        ConsiderPacked(fs, path, rel, size, &tree);
        return true;
      case Take::kSkip:
        tree.skipped.push_back({rel, take.reason, size});
        return true;
      case Take::kError:
        tree.errors.push_back({rel, take.reason});
        return true;
    }
    return true;
  };
  auto consider = [&](const std::string& path, const std::string& rel, uint64_t size,
                      std::optional<int64_t> mtime_ms, uint32_t uid) {
    if (!consider_as_log(path, rel, size)) tree.files.push_back({path, rel, LogType::kFile, size, mtime_ms, uid});
    else if (!tree.logs.empty() && tree.logs.back().rel_path == rel) {
      tree.logs.back().modified = mtime_ms;
      tree.logs.back().uid = uid;
    }
  };

  if (info->is_regular) {
    consider(root, Basename(root), info->size, info->mtime_ms, info->uid);
    return tree;
  }
  struct Dir {
    std::string path, rel;
  };
  std::vector<Dir> stack = {{root, ""}};
  while (!stack.empty()) {
    Dir d = std::move(stack.back());
    stack.pop_back();
    std::vector<DirEntry> entries;
    Status s = fs->List(d.path, &entries);
    if (!s.ok()) {
      tree.errors.push_back({d.rel.empty() ? "." : d.rel, s.message()});
      continue;
    }
    std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
    // An Exchange install folder holds Logging next to Bin, ClientAccess or FrontEnd.
    bool has_logging = false, has_marker = false;
    for (const auto& e : entries) {
      if (!e.is_dir) continue;
      if (EqualsIgnoreCase(e.name, "Logging")) has_logging = true;
      if (EqualsIgnoreCase(e.name, "Bin") || EqualsIgnoreCase(e.name, "ClientAccess") ||
          EqualsIgnoreCase(e.name, "FrontEnd"))
        has_marker = true;
    }
    if (has_logging && has_marker) {
      std::string win = "\\" + AsciiLowerCopy(d.rel);
      std::replace(win.begin(), win.end(), '/', '\\');
      if (win.back() != '\\') win += '\\';
      tree.install_roots.push_back(win);
    }
    for (const auto& e : entries) {
      std::string path = JoinPath(d.path, e.name);
      std::string rel = d.rel.empty() ? e.name : d.rel + "/" + e.name;
      if (e.is_dir) {
        std::string lower = "/" + AsciiLowerCopy(rel);
        size_t auth = lower.rfind("/frontend/httpproxy/owa/auth/");
        if (auth != std::string::npos && lower.find('/', auth + 29) == std::string::npos && !e.name.empty() &&
            e.name[0] >= '0' && e.name[0] <= '9' && std::count(e.name.begin(), e.name.end(), '.') == 2)
          tree.owa_build_dirs.push_back(rel);
        stack.push_back({path, rel});
      } else if (e.is_regular) {
        consider(path, rel, e.size, e.mtime_ms, e.uid);
      } else if (!e.other.empty()) {
        std::string lower = "/" + AsciiLowerCopy(rel);
        if (ClassifyLogPath(rel) != LogType::kUnknown || LooksLikeLogEvidence(lower, lower))
          tree.skipped.push_back({rel, std::string(e.other), 0});
      }
    }
  }
  auto by_path = [](const EvidenceFile& a, const EvidenceFile& b) { return a.rel_path < b.rel_path; };
  std::sort(tree.logs.begin(), tree.logs.end(), by_path);
  std::sort(tree.files.begin(), tree.files.end(), by_path);
  std::sort(tree.skipped.begin(), tree.skipped.end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  return tree;
}

}  // namespace exhunt
