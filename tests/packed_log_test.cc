// Logs kept compressed inside a server's tree (a rotation job's
// u_ex210304.log.gz, an HttpProxy log zipped beside the live ones): read
// with the same readers as plain logs, findings named by the compressed
// file (and the entry inside an archive), damage and bombs stopped with an
// error record, nothing left in the temporary folder. The compressed files
// are written here with libarchive's writer.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "reader/log_head.h"
#include "source/archive.h"
#include "source/discovery.h"
#include "test_util.h"

namespace exhunt {
namespace {

using testing::Pack;
using testing::PackEntry;

const std::string kW3c = "inetpub/logs/LogFiles/W3SVC1/";
const std::string kShellLine =
    "2021-03-04 01:02:04 10.0.0.5 POST /aspnet_client/system_web/log.aspx - 443 - 203.0.113.7 antSword/v2.1 - 200 0 "
    "0 40";
// The shell request on line 5 (after the four header lines).
const std::string kIisLog = testing::IisFile({kShellLine});

std::string Gzip(const std::string& bytes) { return Pack("raw", "gzip", {{"data", bytes}}); }

std::string Errors(const ScanResult& r) {
  std::string all;
  for (const auto& e : r.errors) all += e.path + ": " + e.message + "\n";
  return all;
}

std::map<std::string, std::string> Skipped(const ScanResult& r) {
  std::map<std::string, std::string> out;
  for (const auto& h : r.hosts)
    for (const auto& f : h.skipped) out[f.path] = f.reason;
  return out;
}

// The shell request's findings (the same rules as in the plain log).
bool FoundShellAt(const ScanResult& r, const std::string& path, uint64_t line) {
  return !testing::RulesAt(r, path, line).empty();
}

ScanOptions WithUnpackDir(const std::string& dir) {
  ScanOptions o;
  o.unpack_dir = dir;
  return o;
}

TEST(PackedLog, EveryStreamCompressionIsReadLikeThePlainLog) {
  testing::MemoryScan scan;
  scan.Add(kW3c + "u_ex210301.log", kIisLog);
  const std::map<std::string, std::string> kExtensions = {{"gzip", "gz"}, {"bzip2", "bz2"}, {"xz", "xz"}, {"zstd", "zst"}};
  for (const auto& [filter, ext] : kExtensions)
    scan.Add(kW3c + "u_ex210302.log." + ext, Pack("raw", filter, {{"data", kIisLog}}));
  const std::string tmp = testing::Dir("packed-streams");
  ScanResult r = scan.Run(WithUnpackDir(tmp));
  EXPECT_EQ(Errors(r), "");
  EXPECT_TRUE(Skipped(r).empty());
  ASSERT_EQ(r.hosts.size(), 1u);
  std::set<std::string> rules_plain = testing::RulesAt(r, kW3c + "u_ex210301.log", 5);
  ASSERT_FALSE(rules_plain.empty());
  for (const auto& [filter, ext] : kExtensions)
    EXPECT_EQ(testing::RulesAt(r, kW3c + "u_ex210302.log." + ext, 5), rules_plain) << filter;
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).files, 5u);
  EXPECT_EQ(r.stats.log_files, 5u);
  // Counted by the bytes the reader read, not the compressed size.
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).bytes, 5 * kIisLog.size());
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

// A gzip stream named like a plain log (a copy that lost its .gz) and a
// compressed log whose name alone says nothing are found by their bytes.
TEST(PackedLog, CompressedBytesUnderALogsNameAreUnpacked) {
  testing::MemoryScan scan;
  scan.Add(kW3c + "u_ex210303.log", Gzip(kIisLog));
  scan.Add("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030401-1.LOG.gz",
           Gzip(testing::HttpProxyFile({{{"DateTime", "2021-03-04T01:02:03.000Z"},
                                         {"UrlStem", "/ecp/y.js"},
                                         {"AnchorMailbox", "ServerInfo~a]@exch01.contoso.com:444/autodiscover"},
                                         {"RoutingHint", "X-BEResource-Cookie"},
                                         {"HttpStatus", "200"}}})));
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-by-magic")));
  EXPECT_EQ(Errors(r), "");
  EXPECT_TRUE(FoundShellAt(r, kW3c + "u_ex210303.log", 5));
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kHttpProxy).files, 1u);
  EXPECT_FALSE(
      testing::RulesAt(r, "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030401-1.LOG.gz", 6)
          .empty());
}

TEST(PackedLog, ArchiveEntriesThatAreLogsAreReadEachUnderItsOwnName) {
  testing::MemoryScan scan;
  const std::string other = testing::IisFile({"2021-03-05 08:00:00 10.0.0.5 GET /owa/ - 443 - 198.51.100.9 "
                                               "Mozilla/5.0 - 200 0 0 12"});
  // An archive folder of the logs, as a rotation job keeps them.
  const std::string dir = "inetpub/logs/archive/";
  const std::map<std::string, std::pair<std::string, std::string>> kArchives = {
      {"march.zip", {"zip", ""}}, {"march.7z", {"7zip", ""}}, {"march.tar.gz", {"gnutar", "gzip"}}};
  for (const auto& [name, how] : kArchives)
    scan.Add(dir + name, Pack(how.first, how.second,
                              {{"W3SVC1/u_ex210304.log", kIisLog},
                               {"W3SVC1/u_ex210305.log", other},
                               {"readme.txt", "rotated by the nightly job"},
                               {"W3SVC1/u_ex210306.log.gz", Gzip(kIisLog)}}));
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-archives")));
  EXPECT_EQ(Errors(r), "");
  ASSERT_EQ(r.hosts.size(), 1u);
  auto skipped = Skipped(r);
  for (const auto& [name, how] : kArchives) {
    EXPECT_TRUE(FoundShellAt(r, dir + name + "/W3SVC1/u_ex210304.log", 5)) << name;
    EXPECT_TRUE(testing::RulesAt(r, dir + name + "/W3SVC1/u_ex210305.log", 5).empty()) << name;
    // What was not read is listed: the entry that is no log, and a
    // compressed log inside the archive (not unpacked in turn).
    EXPECT_EQ(skipped[dir + name], "1 of its 4 entries are no log exhunt reads (not read)") << name;
    EXPECT_EQ(skipped[dir + name + "/W3SVC1/u_ex210306.log.gz"],
              "compressed (gzip) inside an archive (not unpacked in turn)")
        << name;
  }
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).files, 6u);
}

TEST(PackedLog, ADamagedStreamGivesWhatCameBeforeTheDamageAndSaysSo) {
  // Many request lines, the shell first; the stream cut short near its end.
  std::vector<std::string> lines = {kShellLine};
  for (int i = 0; i < 20000; ++i)
    lines.push_back("2021-03-04 02:00:00 10.0.0.5 GET /owa/" + std::to_string(i * 7919 % 100003) +
                    " - 443 - 198.51.100.9 Mozilla/5.0 - 200 0 0 " + std::to_string(i % 97));
  const std::string gz = Gzip(testing::IisFile(lines));
  testing::MemoryScan scan;
  scan.Add(kW3c + "u_ex210304.log.gz", gz.substr(0, gz.size() * 3 / 4));
  scan.Add(kW3c + "u_ex210305.log.gz", "\x1f\x8b not really gzip");
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-damaged")));
  const std::string errors = Errors(r);
  EXPECT_TRUE(FoundShellAt(r, kW3c + "u_ex210304.log.gz", 5)) << errors;
  EXPECT_NE(errors.find(kW3c + "u_ex210304.log.gz: damaged after "), std::string::npos) << errors;
  EXPECT_NE(errors.find("the rest was not"), std::string::npos) << errors;
  EXPECT_NE(errors.find(kW3c + "u_ex210305.log.gz: compressed (gzip) log cannot be unpacked"), std::string::npos)
      << errors;
  ASSERT_EQ(r.hosts.size(), 1u);
  // The part before the damage counts as read.
  EXPECT_GT(r.hosts[0].coverage.at(LogType::kIisW3c).bytes, testing::IisFile(lines).size() / 2);
}

TEST(PackedLog, ABombAndTheFileSizeCapStopUnpackingWithAnError) {
  std::string log = kIisLog;
  log += std::string(size_t(48) << 20, ' ');  // spaces after the last line: compresses ~1000:1
  const std::string gz = Gzip(log);
  ASSERT_LT(gz.size(), size_t(1) << 20);
  {
    testing::MemoryScan scan;
    scan.Add(kW3c + "u_ex210304.log.gz", gz);
    ScanOptions o = WithUnpackDir(testing::Dir("packed-bomb"));
    o.unpack_limits.bomb_floor = uint64_t(4) << 20;
    o.unpack_limits.max_expansion = 100;
    ScanResult r = scan.Run(o);
    const std::string errors = Errors(r);
    EXPECT_NE(errors.find(kW3c + "u_ex210304.log.gz: decompression bomb"), std::string::npos) << errors;
    EXPECT_TRUE(FoundShellAt(r, kW3c + "u_ex210304.log.gz", 5));
    ASSERT_EQ(r.hosts.size(), 1u);
    EXPECT_LE(r.hosts[0].coverage.at(LogType::kIisW3c).bytes, uint64_t(5) << 20);
    EXPECT_TRUE(std::filesystem::is_empty(o.unpack_dir));
  }
  {
    testing::MemoryScan scan;
    scan.Add(kW3c + "u_ex210304.log.gz", gz);
    ScanOptions o = WithUnpackDir(testing::Dir("packed-cap"));
    o.max_file_size = 1 << 20;
    ScanResult r = scan.Run(o);
    const std::string errors = Errors(r);
    EXPECT_NE(errors.find(kW3c + "u_ex210304.log.gz: unpacks to more than 1048576 bytes; the first 1048576 were read"),
              std::string::npos)
        << errors;
    EXPECT_TRUE(FoundShellAt(r, kW3c + "u_ex210304.log.gz", 5));
    ASSERT_EQ(r.hosts.size(), 1u);
    EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).bytes, uint64_t(1) << 20);
  }
}

TEST(PackedLog, EncryptedAndUnsafeEntriesAreListed) {
  testing::MemoryScan scan;
  scan.Add(kW3c + "locked.zip", Pack("zip", "", {{"u_ex210304.log", kIisLog}}, /*encrypt=*/true));
  scan.Add(kW3c + "odd.zip", Pack("zip", "", {{"../../u_ex210304.log", kIisLog}, {"u_ex210305.log", kIisLog}}));
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-refused")));
  auto skipped = Skipped(r);
  EXPECT_EQ(skipped[kW3c + "locked.zip/u_ex210304.log"], "encrypted entry (not read: no password is ever tried)");
  const std::string errors = Errors(r);
  EXPECT_NE(errors.find(kW3c + "odd.zip/../../u_ex210304.log: path climbs out"), std::string::npos) << errors;
  // The safe entry beside it is read.
  EXPECT_TRUE(FoundShellAt(r, kW3c + "odd.zip/u_ex210305.log", 5));
  EXPECT_TRUE(testing::RulesAt(r, kW3c + "locked.zip/u_ex210304.log", 5).empty());
}

// A compressed file that is no log's stays with the file plane; one among
// logs that holds no log format is listed, not dropped.
TEST(PackedLog, CompressedFilesThatAreNoLogsAreNotTakenForLogs) {
  testing::MemoryScan scan;
  scan.Add("Users/x/holiday.jpg.gz", Gzip("\xff\xd8\xff\xe0 not a log"));
  scan.Add("inetpub/logs/notes.txt.gz", Gzip("what the admin wrote down\n"));
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-nolog")));
  EXPECT_EQ(Errors(r), "");
  auto skipped = Skipped(r);
  EXPECT_EQ(skipped.count("Users/x/holiday.jpg.gz"), 0u);
  EXPECT_EQ(skipped["inetpub/logs/notes.txt.gz"], "compressed (gzip), not a log format exhunt reads");
  EXPECT_EQ(r.stats.log_files, 0u);
  EXPECT_EQ(r.stats.files, 1u);  // the picture, checked as a file
}

// An archive that does not seek (tar.gz) with many logs: every entry is
// read once, in one pass over the archive, each under its own name.
TEST(PackedLog, EveryEntryOfALargeTarGzIsReadUnderItsName) {
  std::vector<PackEntry> entries;
  for (int day = 0; day < 400; ++day) {
    std::string line = kShellLine;
    line.replace(line.find("log.aspx"), 3, "d" + std::to_string(day));  // a shell name per day
    entries.push_back({"W3SVC1/u_ex" + std::to_string(210000 + day) + ".log", testing::IisFile({line})});
  }
  testing::MemoryScan scan;
  scan.Add("inetpub/logs/archive/2021.tar.gz", Pack("gnutar", "gzip", entries));
  const std::string tmp = testing::Dir("packed-many");
  ScanResult r = scan.Run(WithUnpackDir(tmp));
  EXPECT_EQ(Errors(r), "");
  std::set<std::string> paths;
  for (const auto& f : r.findings)
    if (f.source.position == 5) paths.insert(f.source.path);
  EXPECT_EQ(paths.size(), entries.size());
  for (const auto& e : entries) EXPECT_TRUE(paths.count("inetpub/logs/archive/2021.tar.gz/" + e.name)) << e.name;
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).files, entries.size());
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
}

// The build in a compressed HttpProxy log's header tells the exposure, as
// the plain log's would.
TEST(PackedLog, ACompressedLogsHeaderTellsTheBuild) {
  const std::string proxy =
      "#Software: Microsoft Exchange Server\r\n#Version: 15.01.2176.002\r\n"
      "#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: " +
      std::string(KindOf(LogType::kHttpProxy).default_fields) + "\r\n";
  testing::MemoryScan scan;
  scan.Add("Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/HttpProxy_2021030306-1.LOG.xz",
           Pack("raw", "xz", {{"data", proxy}}));
  auto table = ExposureTable::LoadBuiltin().value();
  ScanOptions o = WithUnpackDir(testing::Dir("packed-build"));
  o.exposure_table = table.get();
  ScanResult r = scan.Run(o);
  ASSERT_EQ(r.hosts.size(), 1u);
  ASSERT_TRUE(r.hosts[0].exposure);
  ASSERT_TRUE(r.hosts[0].exposure->build);
  EXPECT_EQ(r.hosts[0].exposure->build->ToString(), "15.1.2176.2");
}

// Unpacking stops before the temporary folder's file system (often a
// tmpfs, that is memory) runs out: a reserve is kept free.
TEST(PackedLog, TheTemporaryFolderKeepsAReserve) {
  const std::string dir = testing::Dir("packed-room");
  TempRoom room(dir);
  EXPECT_TRUE(room.Room(4096));
  EXPECT_FALSE(room.Room(uint64_t(1) << 62));  // more than any disk here holds
  EXPECT_NE(room.Reason().find("the temporary folder " + dir + " is nearly full"), std::string::npos) << room.Reason();
  EXPECT_NE(room.Reason().find("set TMPDIR"), std::string::npos);
}

// A lone compressed log given as the path to scan is that log (not a
// collection that failed to unpack); a tar.gz given so stays a collection.
TEST(PackedLog, ALoneCompressedLogIsReadAsTheLog) {
  const std::string dir = testing::Dir("packed-root");
  testing::Write(dir + "/u_ex210304.log.gz", Gzip(kIisLog));
  ScanOptions o = WithUnpackDir(testing::Dir("packed-root-tmp"));
  ScanResult r = testing::ScanPath(dir + "/u_ex210304.log.gz", o);
  EXPECT_EQ(Errors(r), "");
  EXPECT_TRUE(FoundShellAt(r, "u_ex210304.log.gz", 5));
  testing::Write(dir + "/EXCH01.tar.gz",
                 Pack("gnutar", "gzip", {{"inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", kIisLog}}));
  r = testing::ScanPath(dir + "/EXCH01.tar.gz", o);
  EXPECT_EQ(Errors(r), "");
  EXPECT_TRUE(FoundShellAt(r, "inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", 5));
}

// The entries of one archive are listed up to kMaxPackedEntries; the rest
// is counted in an error record, so that listing stays bounded.
TEST(PackedLog, AnArchiveOfTooManyEntriesIsListedInPartAndSaysSo) {
  std::vector<PackEntry> entries;
  for (size_t i = 0; i < kMaxPackedEntries + 5; ++i) entries.push_back({"notes/" + std::to_string(i) + ".txt", "a"});
  entries.push_back({"W3SVC1/u_ex210304.log", kIisLog});  // past the limit: not read, and said so
  testing::MemoryScan scan;
  scan.Add("inetpub/logs/archive/many.zip", Pack("zip", "", entries));
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-many-entries")));
  EXPECT_EQ(Errors(r), "inetpub/logs/archive/many.zip: 6 entries past the first " +
                           std::to_string(kMaxPackedEntries) + " not read\n");
  EXPECT_EQ(Skipped(r)["inetpub/logs/archive/many.zip"],
            std::to_string(kMaxPackedEntries) + " of its " + std::to_string(kMaxPackedEntries) +
                " entries are no log exhunt reads (not read)");
  EXPECT_TRUE(r.findings.empty());
}

// The exposure command reads the build from log heads without a scan: the
// heads of an archive's logs come from one pass over it.
TEST(PackedLog, BuildHeadsAreReadFromCompressedLogs) {
  auto proxy = [](const std::string& version) {
    return "#Software: Microsoft Exchange Server\r\n#Version: " + version +
           "\r\n#Log-type: HttpProxy Logs\r\n#Date: 2021-03-03T06:00:00.000Z\r\n#Fields: " +
           std::string(KindOf(LogType::kHttpProxy).default_fields) + "\r\n";
  };
  const std::string logging = "/e/EXCH01/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/";
  MemoryFileSystem fs;
  fs.AddFile(logging + "HttpProxy_2021030306-1.LOG.gz", Gzip(proxy("15.01.2176.002")));
  fs.AddFile(logging + "old.7z", Pack("7zip", "", {{"HttpProxy_2021010106-1.LOG", proxy("15.01.2106.002")},
                                                   {"HttpProxy_2021020106-1.LOG", proxy("15.01.2176.002")}}));
  DiscoveredTree tree = Discover(&fs, "/e/EXCH01");
  std::map<std::string, std::string> versions;
  for (const auto& h : ReadBuildHeads(&fs, tree)) versions[h.rel_path] = h.head.version.value_or("");
  const std::string rel = "Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Owa/";
  EXPECT_EQ(versions, (std::map<std::string, std::string>{
                          {rel + "HttpProxy_2021030306-1.LOG.gz", "15.01.2176.002"},
                          {rel + "old.7z/HttpProxy_2021010106-1.LOG", "15.01.2106.002"},
                          {rel + "old.7z/HttpProxy_2021020106-1.LOG", "15.01.2176.002"}}));
}

// A damaged entry of a zip of logs costs that entry alone: the zip is read
// on from the next entry's local header, and an error record says where.
TEST(PackedLog, ADamagedEntryOfAZipCostsThatEntryAlone) {
  std::string zip = Pack("zip", "", {{"W3SVC1/u_ex210303.log", kIisLog},
                                     {"W3SVC1/u_ex210304.log", kIisLog},
                                     {"W3SVC1/u_ex210305.log", kIisLog}});
  // The second entry's local header: its signature overwritten.
  size_t first = zip.find("PK\x03\x04");
  size_t second = zip.find("PK\x03\x04", first + 4);
  size_t third = zip.find("PK\x03\x04", second + 4);
  ASSERT_NE(third, std::string::npos);
  zip[second + 2] = 'X';
  testing::MemoryScan scan;
  scan.Add("inetpub/logs/archive/march.zip", zip);
  const std::string tmp = testing::Dir("packed-damaged-entry");
  ScanResult r = scan.Run(WithUnpackDir(tmp));
  const std::string dir = "inetpub/logs/archive/march.zip/W3SVC1/";
  EXPECT_TRUE(FoundShellAt(r, dir + "u_ex210303.log", 5));
  EXPECT_TRUE(FoundShellAt(r, dir + "u_ex210305.log", 5)) << Errors(r);
  EXPECT_FALSE(FoundShellAt(r, dir + "u_ex210304.log", 5));
  EXPECT_EQ(Errors(r), "inetpub/logs/archive/march.zip: archive damaged after 1 entries (Damaged Zip archive); "
                       "read on from the next entry header, at byte " +
                           std::to_string(third) + "\n");
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].coverage.at(LogType::kIisW3c).files, 2u);
  EXPECT_TRUE(std::filesystem::is_empty(tmp));
  // The exposure command's heads find the entry read on too.
  DiscoveredTree tree = Discover(&scan.fs, scan.root);
  std::vector<const EvidenceFile*> logs;
  for (const auto& l : tree.logs) logs.push_back(&l);
  auto heads = ReadEvidenceHeads(&scan.fs, logs, 64);
  ASSERT_EQ(heads.size(), 2u);
  for (const auto& h : heads) EXPECT_TRUE(h.ok() && h->rfind("#Software: Microsoft Internet", 0) == 0);
}

// Damage inside an entry's compressed data: that log is read as it unpacks
// and the mismatch libarchive finds is an error record; the entries after
// it are read.
TEST(PackedLog, DamagedDataInAZipEntryCostsThatEntryAlone) {
  std::vector<std::string> lines = {kShellLine};
  for (int i = 0; i < 3000; ++i)
    lines.push_back("2021-03-04 02:00:00 10.0.0.5 GET /owa/" + std::to_string(i * 7919 % 100003) +
                    " - 443 - 198.51.100.9 Mozilla/5.0 - 200 0 0 " + std::to_string(i % 97));
  const std::string big = testing::IisFile(lines);
  std::string zip = Pack("zip", "", {{"W3SVC1/u_ex210303.log", kIisLog},
                                     {"W3SVC1/u_ex210304.log", big},
                                     {"W3SVC1/u_ex210305.log", kIisLog}});
  size_t second = zip.find("PK\x03\x04", zip.find("PK\x03\x04") + 4);
  size_t third = zip.find("PK\x03\x04", second + 4);
  ASSERT_NE(third, std::string::npos);
  // Garbage in the middle of the second entry's deflate data.
  for (size_t i = (second + third) / 2; i < (second + third) / 2 + 64; ++i) zip[i] = char(0xA5 ^ i);
  testing::MemoryScan scan;
  scan.Add("inetpub/logs/archive/march.zip", zip);
  ScanResult r = scan.Run(WithUnpackDir(testing::Dir("packed-damaged-data")));
  const std::string dir = "inetpub/logs/archive/march.zip/W3SVC1/";
  const std::string errors = Errors(r);
  EXPECT_TRUE(FoundShellAt(r, dir + "u_ex210303.log", 5)) << errors;
  EXPECT_TRUE(FoundShellAt(r, dir + "u_ex210304.log", 5)) << errors;  // its first line came before the damage
  EXPECT_TRUE(FoundShellAt(r, dir + "u_ex210305.log", 5)) << errors;
  EXPECT_EQ(errors.rfind(dir + "u_ex210304.log: unpacked with a warning: ZIP ", 0), 0u) << errors;
  EXPECT_NE(errors.find("(the unpacked bytes were read as they came)\n"), std::string::npos) << errors;
  EXPECT_EQ(r.errors.size(), 1u) << errors;
}

}  // namespace
}  // namespace exhunt
