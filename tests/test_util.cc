#include "test_util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/text.h"

namespace exhunt::testing {

namespace {

// This process's folder of test files, removed when the process exits
// (ctest runs each test in a process of its own: they would pile up).
const std::string& ProcessDir() {
  static const std::string root = std::string(getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + "/exhunt-test-" +
                                  std::to_string(getpid());
  // Registered once `root` is made: it runs before `root` is destroyed.
  static const bool removed_at_exit = std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(ProcessDir(), ignored);
  }) == 0;
  (void)removed_at_exit;
  return root;
}

}  // namespace

std::string Dir(const std::string& name) {
  std::string dir = ProcessDir() + "/" + name;
  EXPECT_EQ(system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str()), 0);
  return dir;
}

void Write(const std::string& path, const std::string& bytes) {
  EXPECT_EQ(system(("mkdir -p \"$(dirname '" + path + "')\"").c_str()), 0);
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string ReadAll(const std::string& path) {
  std::stringstream s;
  s << std::ifstream(path, std::ios::binary).rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

ScanResult ScanWithRules(const RuleSet& rules, const std::string& root) {
  auto fs = NewPosixFileSystem();
  ScanOptions options;
  options.roots = {root};
  Scanner scanner(fs.get(), &rules, options);
  EXPECT_TRUE(scanner.Prepare().ok());
  return scanner.Scan();
}

CliRun Exhunt(const std::string& args) {
  std::string dir = Dir("run");
  std::string cmd = std::string(EXHUNT_BINARY) + " " + args + " > '" + dir + "/out' 2> '" + dir + "/err'";
  CliRun r;
  int rc = system(cmd.c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = ReadAll(dir + "/out");
  r.err = ReadAll(dir + "/err");
  return r;
}

std::string CsvRow(const std::string& fields, const std::map<std::string, std::string>& values) {
  std::string out;
  auto names = Split(fields, ',');
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += ',';
    auto it = values.find(std::string(names[i]));
    if (it == values.end()) continue;
    const std::string& v = it->second;
    if (v.find_first_of(",\"\r\n") != std::string::npos) {
      out += '"';
      for (char c : v) {
        if (c == '"') out += '"';
        out += c;
      }
      out += '"';
    } else {
      out += v;
    }
  }
  return out;
}

std::string HttpProxyFile(const std::vector<std::map<std::string, std::string>>& rows) {
  std::string out =
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n#Log-type: HttpProxy Logs\r\n"
      "#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: ";
  out += kHttpProxyFields;
  out += "\r\n";
  for (const auto& r : rows) out += CsvRow(kHttpProxyFields, r) + "\r\n";
  return out;
}

std::string IisFile(const std::vector<std::string>& lines) {
  std::string out =
      "#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2021-03-03 00:00:00\r\n"
      "#Fields: ";
  out += kIisFields;
  out += "\r\n";
  for (const auto& l : lines) out += l + "\r\n";
  return out;
}

ScanResult MemoryScan::Run(ScanOptions options) {
  if (options.roots.empty()) options.roots = {root};
  Scanner scanner(&fs, &rules, options);
  Status s = scanner.Prepare();
  if (!s.ok()) return ScanResult();
  return scanner.Scan();
}

ScanResult ScanPath(const std::string& path, ScanOptions options) {
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  rules.AddBuiltin();
  options.roots = {path};
  Scanner scanner(fs.get(), &rules, options);
  if (!scanner.Prepare().ok()) return ScanResult();
  return scanner.Scan();
}

std::string SharedPath(const std::string& rel) {
  std::string p = std::string(EXHUNT_SHARED_DIR) + "/" + rel;
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? p : std::string();
}

std::string CommandOutput(const std::vector<std::string>& argv, int* status) {
  *status = -1;
  int fds[2];
  if (pipe(fds) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  if (rc == 0) {
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    int ws = 0;
    if (waitpid(pid, &ws, 0) == pid && WIFEXITED(ws)) *status = WEXITSTATUS(ws);
  }
  close(fds[0]);
  return out;
}

std::vector<std::string> EvtxFilesUnder(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::string p = it->path().string();
    if (it->is_regular_file() && EndsWithIgnoreCase(p, ".evtx")) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::set<std::pair<unsigned, size_t>> PrefilterHits(const Prefilter& pf, const std::string& text) {
  return PrefilterHits(pf.database(), text);
}

std::set<std::pair<unsigned, size_t>> PrefilterHits(const hs_database_t* db, const std::string& text) {
  hs_scratch_t* scratch = nullptr;
  std::set<std::pair<unsigned, size_t>> hits;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) return hits;
  HsScratch owned(scratch);
  hs_scan(
      db, text.data(), unsigned(text.size()), 0, owned.get(),
      [](unsigned id, unsigned long long, unsigned long long to, unsigned, void* ctx) {
        static_cast<std::set<std::pair<unsigned, size_t>>*>(ctx)->insert({id, size_t(to)});
        return 0;
      },
      &hits);
  return hits;
}

std::set<std::string> RulesAt(const ScanResult& r, const std::string& path, uint64_t line) {
  std::set<std::string> out;
  for (const auto& f : r.findings)
    if (f.source.path == path && f.source.position == line) out.insert(f.rule->id);
  return out;
}

const Finding* FindingAt(const ScanResult& r, const std::string& path, uint64_t line, const std::string& rule) {
  for (const auto& f : r.findings)
    if (f.source.path == path && f.source.position == line && f.rule->id == rule) return &f;
  return nullptr;
}

std::string Pack(const std::string& format, const std::string& filter, const std::vector<PackEntry>& entries,
                 bool encrypt) {
  struct archive* a = archive_write_new();
  EXPECT_EQ(archive_write_set_format_by_name(a, format.c_str()), ARCHIVE_OK) << archive_error_string(a);
  if (!filter.empty()) {
    EXPECT_EQ(archive_write_add_filter_by_name(a, filter.c_str()), ARCHIVE_OK) << filter;
  }
  if (encrypt) {
    EXPECT_EQ(archive_write_set_options(a, "zip:encryption=zipcrypt"), ARCHIVE_OK) << archive_error_string(a);
    archive_write_set_passphrase(a, "infected");
  }
  archive_write_set_bytes_in_last_block(a, 1);  // no padding after the data
  std::string out;
  auto write = [](struct archive*, void* to, const void* data, size_t n) -> la_ssize_t {
    static_cast<std::string*>(to)->append(static_cast<const char*>(data), n);
    return la_ssize_t(n);
  };
  EXPECT_EQ(archive_write_open(a, &out, nullptr, write, nullptr), ARCHIVE_OK) << archive_error_string(a);
  for (const auto& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_mtime(entry, 1614650000, 0);  // 2021-03-02, inside ProxyLogon's mass exploitation
    if (e.symlink) {
      archive_entry_set_filetype(entry, AE_IFLNK);
      archive_entry_set_symlink(entry, e.content.c_str());
    } else {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_perm(entry, 0644);
      archive_entry_set_size(entry, la_int64_t(e.content.size()));
    }
    EXPECT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.symlink) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

}  // namespace exhunt::testing
