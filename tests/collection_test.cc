// Triage collections (zip, 7z, tar.gz) as scan roots: read like the tree
// they hold, hostile entries refused with a reason, the archive untouched
// and the unpacked copy removed. The archives are written here with
// libarchive's writer.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "reader/file_reader.h"
#include "test_util.h"

namespace exhunt {
namespace {

using Entry = testing::PackEntry;

constexpr time_t kEntryTime = 1614650000;  // 2021-03-02, inside ProxyLogon's mass exploitation

// Writes `entries` as an archive of `format` ("zip", "7zip", "gnutar"), with
// `filter` ("gzip" or ""), optionally encrypting zip entries.
std::string WriteArchive(const std::string& path, const std::string& format, const std::string& filter,
                         const std::vector<Entry>& entries, bool encrypt = false) {
  testing::Write(path, testing::Pack(format, filter, entries, encrypt));
  return path;
}

const std::string kShell = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>";
const std::string kLogName = "C/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log";
const std::string kPage = "C/inetpub/wwwroot/aspnet_client/system_web/log.aspx";

std::vector<Entry> Server() {
  return {{kLogName, testing::IisFile({"2021-03-04 01:02:04 10.0.0.5 POST /aspnet_client/system_web/log.aspx - "
                                       "443 - 203.0.113.7 antSword/v2.1 - 200 0 0 40"})},
          {kPage, kShell},
          {"C/ProgramData/it.zip", std::string("PK\x03\x04", 4) + "inner archive, not unpacked"}};
}

std::map<std::string, std::set<std::string>> Found(const ScanResult& r) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& f : r.findings) out[f.source.path].insert(f.rule->id);
  return out;
}

std::string Sha256Of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return DigestBytes(bytes).sha256;
}

TEST(Collection, ZipSevenZipAndTarGzReadLikeTheTreeTheyHold) {
  const std::string dir = testing::Dir("formats");
  // The same server as a folder, for the findings to compare with.
  const std::string tree = dir + "/tree/EXCH01";
  for (const auto& e : Server()) {
    std::filesystem::create_directories(std::filesystem::path(tree + "/" + e.name).parent_path());
    std::ofstream(tree + "/" + e.name, std::ios::binary) << e.content;
    // The time the archives give their entries: a staged archive of
    // 2021-03-02 weighs the same from the folder and from the archive.
    std::filesystem::last_write_time(
        tree + "/" + e.name,
        std::filesystem::file_time_type::clock::from_sys(std::chrono::sys_seconds(std::chrono::seconds(kEntryTime))));
  }
  ScanResult plain = testing::ScanPath(tree);
  ASSERT_EQ(plain.hosts.size(), 1u);
  auto expected = Found(plain);
  ASSERT_TRUE(expected[kPage].count("exhunt_webshell_china_chopper_eval"));
  ASSERT_TRUE(expected[kLogName].count("exchange.webshell.request_success"));
  ASSERT_TRUE(expected["C/ProgramData/it.zip"].count("exhunt.file.staged_archive.modified_in_proxylogon"));
  for (const auto& [format, filter, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"zip", "", "EXCH01.zip"}, {"7zip", "", "EXCH01.7z"}, {"gnutar", "gzip", "EXCH01.tar.gz"}}) {
    const std::string archive = WriteArchive(dir + "/" + name, format, filter, Server());
    const std::string before = Sha256Of(archive);
    ScanOptions o;
    o.unpack_dir = testing::Dir("unpack-" + format);
    ScanResult r = testing::ScanPath(archive, o);
    ASSERT_EQ(r.hosts.size(), 1u) << name;
    EXPECT_EQ(r.hosts[0].host, "EXCH01") << name;
    EXPECT_EQ(Found(r), expected) << name;
    EXPECT_EQ(r.hosts[0].verdict, plain.hosts[0].verdict) << name;
    EXPECT_TRUE(r.errors.empty()) << name << ": " << r.errors[0].path << ": " << r.errors[0].message;
    // The file plane saw the entry's time, not the time of unpacking.
    for (const auto& f : r.findings) {
      if (f.source.path == kPage) {
        EXPECT_EQ(f.time, std::optional<TimeMs>(1614650000000)) << name;
      }
    }
    EXPECT_EQ(Sha256Of(archive), before) << name;
    EXPECT_TRUE(std::filesystem::is_empty(o.unpack_dir)) << name << ": the unpacked copy is removed";
  }
}

TEST(Collection, HostileEntriesAreRefusedWithAReason) {
  const std::string dir = testing::Dir("hostile");
  std::vector<Entry> entries = Server();
  entries.push_back({"../../evil.aspx", kShell});
  entries.push_back({"/etc/evil.aspx", kShell});
  entries.push_back({"C:\\evil.aspx", kShell});
  entries.push_back({"C/inetpub/wwwroot/aspnet_client/link.aspx", "/etc/passwd", true});
  const std::string archive = WriteArchive(dir + "/EXCH01.zip", "zip", "", entries);
  ScanOptions o;
  o.unpack_dir = testing::Dir("hostile-unpack");
  ScanResult r = testing::ScanPath(archive, o);
  std::map<std::string, std::string> errors;
  for (const auto& e : r.errors) errors[e.path] = e.message;
  EXPECT_NE(errors["../../evil.aspx"].find("climbs out"), std::string::npos);
  EXPECT_NE(errors["/etc/evil.aspx"].find("absolute path"), std::string::npos);
  std::string listed;
  for (const auto& [path, why] : errors) listed += path + ": " + why + "\n";
  // (libarchive reads the zip's backslash as a folder separator)
  EXPECT_NE(errors["C:/evil.aspx"].find("drive letter"), std::string::npos) << listed;
  EXPECT_NE(errors["C/inetpub/wwwroot/aspnet_client/link.aspx"].find("symbolic link"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir + "/../evil.aspx"));
  EXPECT_FALSE(std::filesystem::exists(o.unpack_dir + "/../evil.aspx"));
  // The rest of the collection is read as usual.
  EXPECT_TRUE(Found(r)[kPage].count("exhunt_webshell_china_chopper_eval"));
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
}

TEST(Collection, EncryptedEntriesAreNotReadAndSaidSo) {
  const std::string dir = testing::Dir("encrypted");
  const std::string archive = WriteArchive(dir + "/EXCH01.zip", "zip", "", Server(), /*encrypt=*/true);
  ScanOptions o;
  o.unpack_dir = testing::Dir("encrypted-unpack");
  ScanResult r = testing::ScanPath(archive, o);
  size_t encrypted = 0;
  for (const auto& e : r.errors) encrypted += e.message.find("encrypted entry") != std::string::npos;
  EXPECT_EQ(encrypted, Server().size());
  EXPECT_TRUE(r.findings.empty());
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_NE(r.hosts[0].verdict, Verdict::kNoEvidence);
}

TEST(Collection, ADecompressionBombIsStopped) {
  const std::string dir = testing::Dir("bomb");
  std::vector<Entry> entries = Server();
  entries.push_back({"C/zeros.bin", std::string(size_t(64) << 20, '\0')});
  entries.push_back({"C/after.txt", "never unpacked"});
  const std::string archive = WriteArchive(dir + "/EXCH01.tar.gz", "gnutar", "gzip", entries);
  EXPECT_LT(std::filesystem::file_size(archive), uint64_t(1) << 20);
  ScanOptions o;
  o.unpack_dir = testing::Dir("bomb-unpack");
  o.unpack_limits.bomb_floor = uint64_t(8) << 20;
  o.unpack_limits.max_expansion = 100;
  ScanResult r = testing::ScanPath(archive, o);
  std::string all;
  for (const auto& e : r.errors) all += e.path + ": " + e.message + "\n";
  EXPECT_NE(all.find("C/zeros.bin: decompression bomb"), std::string::npos) << all;
  EXPECT_NE(all.find("1 more entries not unpacked"), std::string::npos) << all;
  // What came before the bomb was read.
  EXPECT_TRUE(Found(r)[kPage].count("exhunt_webshell_china_chopper_eval"));
  EXPECT_TRUE(std::filesystem::is_empty(o.unpack_dir));
}

// An archive inside a collection is a file of the server (a staged archive),
// never unpacked in turn: a zip nested 40 deep costs one read of its bytes.
TEST(Collection, ANestedArchiveIsAFileNotUnpackedAgain) {
  const std::string dir = testing::Dir("nested");
  std::string inner = WriteArchive(dir + "/level0.zip", "zip", "", {{"C/inetpub/wwwroot/aspnet_client/deep.aspx", kShell}});
  for (int level = 1; level < 40; ++level) {
    const std::string bytes = testing::ReadAll(inner);
    inner = WriteArchive(dir + "/level" + std::to_string(level) + ".zip", "zip", "", {{"inner.zip", bytes}});
  }
  std::vector<Entry> entries = Server();
  entries.push_back({"C/ProgramData/nested.zip", testing::ReadAll(inner)});
  const std::string archive = WriteArchive(dir + "/EXCH01.zip", "zip", "", entries);
  ScanOptions o;
  o.unpack_dir = testing::Dir("nested-unpack");
  ScanResult r = testing::ScanPath(archive, o);
  ASSERT_EQ(r.hosts.size(), 1u);
  auto found = Found(r);
  EXPECT_TRUE(found["C/ProgramData/nested.zip"].count("exhunt.file.staged_archive.modified_in_proxylogon"));
  EXPECT_FALSE(found.count("C/inetpub/wwwroot/aspnet_client/deep.aspx"));  // inside the nested zip: not read
  for (const auto& [path, rules] : found) EXPECT_EQ(path.find("inner.zip"), std::string::npos) << path;
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].path << ": " << r.errors[0].message;
  EXPECT_EQ(r.stats.files, 4u);  // the log, the page and the two archives
}

TEST(Collection, EntryNames) {
  EXPECT_EQ(UnsafeEntryName("C/inetpub/x.log"), "");
  EXPECT_EQ(UnsafeEntryName("uploads/auto/C%3A/Windows/x"), "");
  EXPECT_NE(UnsafeEntryName("a/../../b"), "");
  EXPECT_NE(UnsafeEntryName("a\\..\\b"), "");
  EXPECT_NE(UnsafeEntryName("\\\\server\\share\\x"), "");
  EXPECT_EQ(UnsafeEntryName("a/..b/c"), "");
  EXPECT_EQ(CollectionStem("/x/EXCH01.tar.gz"), "EXCH01");
  EXPECT_EQ(CollectionStem("EXCH02.7z"), "EXCH02");
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

TEST(Collection, TheUnpackedSizeCapStopsTheRest) {
  const std::string dir = testing::Dir("cap");
  std::vector<Entry> entries = Server();
  entries.push_back({"C/a.bin", std::string(size_t(1) << 20, 'a')});
  entries.push_back({"C/b.bin", std::string(size_t(1) << 20, 'b')});
  entries.push_back({"C/c.txt", "never unpacked"});
  const std::string archive = WriteArchive(dir + "/EXCH01.zip", "zip", "", entries);
  ScanOptions o;
  o.unpack_dir = testing::Dir("cap-unpack");
  o.unpack_limits.max_total_bytes = uint64_t(3) << 19;  // 1.5 MiB
  ScanResult r = testing::ScanPath(archive, o);
  std::string all;
  for (const auto& e : r.errors) all += e.path + ": " + e.message + "\n";
  EXPECT_NE(all.find("C/b.bin: unpacked-size cap of 1 MiB reached"), std::string::npos) << all;
  EXPECT_NE(all.find("1 more entries not unpacked"), std::string::npos) << all;
  EXPECT_TRUE(Found(r)[kPage].count("exhunt_webshell_china_chopper_eval"));
}

}  // namespace
}  // namespace exhunt
