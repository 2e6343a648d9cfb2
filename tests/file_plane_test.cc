// The file plane: webshells, dumps and staged archives found on disk by the
// built-in YARA and place rules, user YARA rules with Loki's externals, and
// the files' findings in the verdict. Golden tests read the third-party
// samples from ../shared at run time.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "finding/file_requests.h"
#include "reader/file_reader.h"
#include "test_util.h"

namespace exhunt {
namespace {

using testing::MemoryScan;

std::map<std::string, std::set<std::string>> RulesByPath(const ScanResult& r, Severity at_least) {
  std::map<std::string, std::set<std::string>> out;
  for (const auto& f : r.findings)
    if (f.rule->severity >= at_least) out[f.source.path].insert(f.rule->id);
  return out;
}

size_t RegularFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file();
  return n;
}

// Every webshell of the corpus is found by our own rules, wherever it lies
// (here: in a folder that says nothing), at high or above.
TEST(FilePlaneGolden, BuiltinRulesFindTheWebshellCorpus) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/webshells/files");
  ScanResult r = testing::ScanPath(dir);
  auto found = RulesByPath(r, Severity::kHigh);
  size_t files = RegularFiles(dir);
  ASSERT_EQ(files, 46u);
  std::vector<std::string> missed;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (!found.count(e.path().filename().string())) missed.push_back(e.path().filename().string());
  // At least 90 % of the files (the issue's bar); today all of them.
  EXPECT_GE(double(files - missed.size()) / double(files), 0.90);
  EXPECT_TRUE(missed.empty()) << missed.size() << " missed, first " << missed[0];
  for (const auto& [path, rules] : found)
    for (const auto& id : rules) EXPECT_EQ(id.rfind("exhunt_", 0), 0u) << path << ": " << id;
  // Each is compromise evidence on its own.
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
}

TEST(FilePlaneGolden, BenignPagesRaiseNothingAtMediumOrAbove) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/benign-aspx");
  ScanResult r = testing::ScanPath(dir);
  auto found = RulesByPath(r, Severity::kMedium);
  EXPECT_TRUE(found.empty()) << found.begin()->first << ": " << *found.begin()->second.begin();
  EXPECT_GE(r.stats.files, 100u);
}

// signature-base's 741 YARA files all compile with Loki's externals, and
// with them loaded the webshell corpus is scanned and matched.
TEST(FilePlaneGolden, SignatureBaseCompilesAndScansTheWebshells) {
  EXHUNT_REQUIRE_SHARED(yara, "rules-thirdparty/signature-base/yara");
  EXHUNT_REQUIRE_SHARED(shells, "corpus/webshells/files");
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddDirectory(fs.get(), yara, RuleSet::Files::kYara).ok());
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(yara))
    files += e.path().extension() == ".yar" || e.path().extension() == ".yara";
  EXPECT_EQ(files, 741u);
  EXPECT_TRUE(rules.errors().empty()) << rules.errors().size() << " not loaded, first "
                                      << rules.errors()[0].status.message();
  EXPECT_EQ(rules.yara_sources().size(), files - rules.errors().size());
  EXPECT_GT(rules.rules().size(), 5000u);
  ScanOptions o;
  o.roots = {shells};
  Scanner scanner(fs.get(), &rules, o);
  ASSERT_TRUE(scanner.Prepare().ok());
  ScanResult r = scanner.Scan();
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].path << ": " << r.errors[0].message;
  std::set<std::string> matched;
  for (const auto& f : r.findings) {
    EXPECT_EQ(f.rule->kind, RuleKind::kYara);
    EXPECT_EQ(f.source.kind, SourceRef::Kind::kFile);
    matched.insert(f.source.path);
  }
  // signature-base alone knows most of these families (42 of 46 when written).
  EXPECT_GE(matched.size(), 40u);
  EXPECT_TRUE(matched.count("013_AspxSpy2014Final.aspx"));
}

TEST(FilePlane, APlantedShellInAspnetClientIsOneChainOfFindings) {
  MemoryScan s;
  s.Add("inetpub/wwwroot/aspnet_client/system_web/log.aspx",
        "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>");
  s.Add("inetpub/wwwroot/aspnet_client/system_web/4_0_30319/WebUIValidation.js", "function ValidatorOnLoad() {}");
  ScanResult r = s.Run();
  ASSERT_EQ(r.hosts.size(), 1u);
  auto found = RulesByPath(r, Severity::kInfo);
  EXPECT_EQ(found["inetpub/wwwroot/aspnet_client/system_web/log.aspx"],
            (std::set<std::string>{"exhunt.file.page_in_aspnet_client", "exhunt_webshell_china_chopper_eval",
                                   "ioc:hafnium-filename-iocs.txt:high"}));  // a name from MSTIC's list
  EXPECT_EQ(found.size(), 1u);  // the client script is no finding
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);
  const Finding* yara = nullptr;
  for (const auto& f : r.findings)
    if (f.rule->kind == RuleKind::kYara) yara = &f;
  ASSERT_NE(yara, nullptr);
  std::map<std::string, std::string> ev(yara->evidence.begin(), yara->evidence.end());
  EXPECT_EQ(ev["Path"], "\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx");
  EXPECT_NE(ev["yara:exhunt_webshell_china_chopper_eval"].find("\"unsafe\""), std::string::npos);
  // SHA-256 of the file's bytes, as sha256sum prints it.
  EXPECT_EQ(ev["SHA256"].size(), 64u);
  EXPECT_EQ(r.stats.files, 2u);
  EXPECT_EQ(r.stats.log_files, 0u);
}

// The externals a YARA rule sees are Loki's: filename, filepath (the
// directory), extension (lowercase, with the dot), filetype (from the
// first bytes), md5 of the content.
TEST(FilePlane, YaraRulesSeeLokisExternals) {
  MemoryScan s;
  s.rules.AddYaraText(R"(
rule ext_and_name { condition: extension == ".aspx" and filename == "Shell.ASPX" }
rule dir_of_file { condition: filepath endswith "\\owa\\auth\\" }
rule type_from_magic { condition: filetype == "EXE" }
rule md5_of_content { condition: md5 == "900150983cd24fb0d6963f7d28e17f72" }
)",
                      "/user/loki.yar");
  ASSERT_TRUE(s.rules.errors().empty()) << s.rules.errors()[0].status.message();
  s.Add("FrontEnd/HttpProxy/owa/auth/Shell.ASPX", "<%@ Page %>");
  s.Add("tools/x.bin", std::string("MZ\x90\x00", 4));
  s.Add("notes/abc.txt", "abc");  // md5("abc")
  ScanResult r = s.Run();
  auto found = RulesByPath(r, Severity::kInfo);
  EXPECT_TRUE(found["FrontEnd/HttpProxy/owa/auth/Shell.ASPX"].count("ext_and_name"));
  EXPECT_TRUE(found["FrontEnd/HttpProxy/owa/auth/Shell.ASPX"].count("dir_of_file"));
  EXPECT_EQ(found["tools/x.bin"], (std::set<std::string>{"type_from_magic"}));
  EXPECT_EQ(found["notes/abc.txt"], (std::set<std::string>{"md5_of_content"}));
}

// A file over the content cap is judged by name and place and listed as
// not read in full; its bytes are never hashed or matched.
TEST(FilePlane, AFileOverTheContentCapIsJudgedByPlaceAndListed) {
  MemoryScan s;
  std::string big = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>" + std::string(4096, ' ');
  s.Add("inetpub/wwwroot/aspnet_client/big.aspx", big);
  ScanOptions o;
  o.max_content_bytes = 1024;
  ScanResult r = s.Run(o);
  auto found = RulesByPath(r, Severity::kInfo);
  EXPECT_EQ(found["inetpub/wwwroot/aspnet_client/big.aspx"],
            (std::set<std::string>{"exhunt.file.page_in_aspnet_client"}));
  ASSERT_EQ(r.hosts.size(), 1u);
  ASSERT_EQ(r.hosts[0].skipped.size(), 1u);
  EXPECT_EQ(r.hosts[0].skipped[0].path, "inetpub/wwwroot/aspnet_client/big.aspx");
  EXPECT_NE(r.hosts[0].skipped[0].reason.find("content not read"), std::string::npos);
  for (const auto& f : r.findings)
    for (const auto& [k, v] : f.evidence) EXPECT_NE(k, "SHA256");
}

TEST(FilePlane, DumpsAndStagedArchives) {
  MemoryScan s;
  std::string dump = std::string("MDMP\x93\xa7", 6) + std::string(64, '\0');
  for (char c : std::string("lsass.exe")) dump += std::string(1, c) + std::string(1, '\0');
  dump += "lsasrv.dll";
  s.Add("root/out.bin", dump);
  s.Add("ProgramData/Microsoft/Windows/WER/ReportQueue/AppCrash_x/memory.hdmp", std::string("MDMP", 4));
  s.Add("ProgramData/it.zip", "PK\x03\x04");
  s.Add("ProgramData/Package Cache/{x}/setup.zip", "PK\x03\x04");
  ScanResult r = s.Run();
  auto found = RulesByPath(r, Severity::kInfo);
  EXPECT_EQ(found["root/out.bin"], (std::set<std::string>{"exhunt_lsass_minidump", "exhunt.file.lsass_dump_name",
                                                          "exhunt.file.minidump_unusual_place"}));
  EXPECT_FALSE(found.count("ProgramData/Microsoft/Windows/WER/ReportQueue/AppCrash_x/memory.hdmp"));
  EXPECT_EQ(found["ProgramData/it.zip"], (std::set<std::string>{"exhunt.file.staged_archive"}));
  // A vendor's cache is listed, low, never dropped.
  EXPECT_EQ(found["ProgramData/Package Cache/{x}/setup.zip"],
            (std::set<std::string>{"exhunt.file.archive_in_programdata"}));
  for (const auto& f : r.findings) {
    if (f.rule->id == "exhunt.file.archive_in_programdata") {
      EXPECT_EQ(f.rule->severity, Severity::kLow);
    }
  }
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

// With the built-in rules alone no rule matches on MD5 or SHA-1, so neither
// is computed for every file; a finding that shows one has it filled then.
TEST(FilePlaneIoc, AFindingShowsTheMd5NoRuleComputedUpFront) {
  testing::MemoryScan s;
  ASSERT_FALSE(s.rules.FileDigestsNeeded().md5);
  s.Add("inetpub/wwwroot/aspnet_client/system_web/supp0rt.aspx", "abc");  // a HAFNIUM shell name
  ScanResult r = s.Run();
  bool shown = false;
  for (const auto& f : r.findings) {
    if (f.rule->kind != RuleKind::kIoc) continue;
    for (const auto& [k, v] : f.evidence)
      if (k == "MD5") {
        EXPECT_EQ(v, "900150983cd24fb0d6963f7d28e17f72");  // md5("abc")
        shown = true;
      }
  }
  EXPECT_TRUE(shown);
}

TEST(FilePlaneIoc, LokiListsMatchHashesPathsAndClientAddresses) {
  testing::MemoryScan s;
  // md5("abc") and sha256("hello\n"); a path regex with a false-positive
  // exception; a C2 address with a group comment.
  s.rules.AddIocText("# a comment\n900150983cd24fb0d6963f7d28e17f72;Tool X\n"
                     "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03;80;Dropper Y\n"
                     "nothex;bad line\n",
                     "/iocs/my-hash-iocs.txt", IocListKind::kHash);
  s.rules.AddIocText("\\\\tools\\\\nc(64)?\\.exe$;70;\\\\allowed\\\\\n(unclosed;60\n", "/iocs/my-filename-iocs.txt",
                     IocListKind::kFileName);
  s.rules.AddIocText("# Operation Z\n203.0.113.7\nevil.example.com;80\n", "/iocs/my-c2-iocs.txt",
                     IocListKind::kAddress);
  std::vector<std::string> problems;
  for (const auto& e : s.rules.errors()) problems.push_back(e.status.message());
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_NE(problems[0].find("line 4: not an MD5, SHA-1 or SHA-256 hash"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("line 2: regex does not compile"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("1 domain entries not used"), std::string::npos) << problems[2];
  s.Add("notes/abc.txt", "abc");
  s.Add("Users/x/hello.txt", "hello\n");
  s.Add("tools/nc64.exe", "MZ");
  s.Add("allowed/tools/nc.exe", "MZ");
  s.Add("inetpub/logs/LogFiles/W3SVC1/u_ex210304.log",
        testing::IisFile({"2021-03-04 01:02:04 10.0.0.5 GET /owa/ - 443 - 203.0.113.7 Mozilla/5.0 - 200 0 0 40",
                          "2021-03-04 01:02:05 10.0.0.5 GET /owa/ - 443 - 198.51.100.1 Mozilla/5.0 - 200 0 0 40"}));
  ScanResult r = s.Run();
  std::map<std::string, std::map<std::string, std::string>> by_path;  // path -> rule -> matched
  for (const auto& f : r.findings) {
    if (f.rule->kind != RuleKind::kIoc) continue;
    std::string matched;
    for (const auto& [k, v] : f.evidence)
      if (k == "matched") matched = v;
    by_path[f.source.ToString()][f.rule->id] = matched;
  }
  EXPECT_EQ(by_path["notes/abc.txt"]["ioc:my-hash-iocs.txt:high"], "900150983cd24fb0d6963f7d28e17f72 (Tool X)");
  EXPECT_EQ(by_path["Users/x/hello.txt"]["ioc:my-hash-iocs.txt:medium"],
            "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 (Dropper Y)");
  EXPECT_TRUE(by_path["tools/nc64.exe"].count("ioc:my-filename-iocs.txt:medium"));
  EXPECT_FALSE(by_path.count("allowed/tools/nc.exe"));  // the false-positive regex
  EXPECT_EQ(by_path["inetpub/logs/LogFiles/W3SVC1/u_ex210304.log:5"]["ioc:my-c2-iocs.txt:high"],
            "203.0.113.7 (Operation Z)");
  EXPECT_EQ(by_path.size(), 4u);
}

TEST(FilePlaneIoc, BuiltinHafniumNamesAndHashes) {
  testing::MemoryScan s;
  s.Add("inetpub/wwwroot/aspnet_client/system_web/log.aspx", "<%@ Page %>");
  s.Add("Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx", "<%@ Page %>");
  ScanResult r = s.Run();
  std::map<std::string, std::set<std::string>> found;
  for (const auto& f : r.findings) found[f.source.path].insert(f.rule->id);
  EXPECT_TRUE(found["inetpub/wwwroot/aspnet_client/system_web/log.aspx"].count("ioc:hafnium-filename-iocs.txt:high"));
  for (const auto& f : r.findings)
    if (f.rule->kind == RuleKind::kIoc) {
      EXPECT_EQ(f.rule->outcome, Outcome::kCompromise);  // "# outcome: compromise" in the built-in list
      std::map<std::string, std::string> ev(f.evidence.begin(), f.evidence.end());
      EXPECT_NE(ev["matched"].find("(Webshell names found under inetpub\\wwwroot\\aspnet_client)"), std::string::npos)
          << ev["matched"];
    }
  EXPECT_FALSE(found.count("Program Files/Microsoft/Exchange Server/V15/FrontEnd/HttpProxy/owa/auth/logon.aspx"));
}

TEST(FilePlaneIocGolden, SignatureBaseListsLoad) {
  EXHUNT_REQUIRE_SHARED(dir, "rules-thirdparty/signature-base/iocs");
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddIocDirectory(fs.get(), dir).ok());
  size_t hashes = 0, names = 0, addresses = 0;
  for (const auto& r : rules.rules()) {
    const auto& ioc = dynamic_cast<const IocRule&>(*r);
    if (r->id().find("hash-iocs") != std::string::npos) hashes += ioc.size();
    if (r->id().find("filename-iocs") != std::string::npos) names += ioc.size();
    if (r->id().find("c2-iocs") != std::string::npos) addresses += ioc.size();
  }
  // Counted with grep: 3224 hash lines, every filename regex, the IP entries of the C2 list.
  EXPECT_EQ(hashes, 3224u);
  EXPECT_GT(names, 3000u);
  EXPECT_GT(addresses, 100u);
  // What did not load is said: keywords.txt and README.txt are no IOC lists; C2 domains are not used.
  std::string all;
  for (const auto& e : rules.errors()) all += e.status.message() + "\n";
  EXPECT_NE(all.find("keywords.txt: not an IOC list"), std::string::npos) << all;
  EXPECT_NE(all.find("domain entries not used"), std::string::npos) << all;
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

std::string KeyOf(const Finding& f, const std::string& key) {
  for (const auto& [k, v] : f.keys)
    if (k == key) return v;
  return "";
}

// A request for a webshell and the webshell on disk are one chain; the
// request's weight follows from the file being there.
TEST(FilePlaneJoin, ARequestForAPageOnDiskIsRaisedAndJoinedToTheFile) {
  const std::string log = "inetpub/logs/LogFiles/W3SVC1/u_ex210304.log";
  const std::string lines =
      "2021-03-04 01:02:04 10.0.0.5 POST /aspnet_client/system_web/log.aspx - 443 - 203.0.113.7 antSword/v2.1 - 404 0 0 40";
  for (bool on_disk : {true, false}) {
    testing::MemoryScan s;
    s.Add(log, testing::IisFile({lines}));
    if (on_disk)
      s.Add("inetpub/wwwroot/aspnet_client/system_web/log.aspx",
            "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>");
    ScanResult r = s.Run();
    const Finding* request = nullptr;
    const Finding* file = nullptr;
    for (const auto& f : r.findings) {
      if (f.source.path == log && f.rule->id.rfind("exchange.webshell.request_looking", 0) == 0) request = &f;
      if (f.rule->id == "exhunt_webshell_china_chopper_eval") file = &f;
    }
    ASSERT_NE(request, nullptr) << on_disk;
    if (!on_disk) {
      EXPECT_EQ(request->rule->id, "exchange.webshell.request_looking");
      EXPECT_EQ(request->rule->severity, Severity::kLow);
      EXPECT_EQ(request->rule->outcome, Outcome::kProbe);
      EXPECT_EQ(KeyOf(*request, "file"), "");
      continue;
    }
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(request->rule->id, "exchange.webshell.request_looking.page_on_disk");
    EXPECT_EQ(request->rule->severity, Severity::kHigh);
    EXPECT_EQ(request->rule->outcome, Outcome::kCompromise);
    EXPECT_NE(request->rule->title.find("the page is on disk"), std::string::npos);
    EXPECT_EQ(KeyOf(*request, "file"), "\\inetpub\\wwwroot\\aspnet_client\\system_web\\log.aspx");
    EXPECT_EQ(KeyOf(*file, "url"), "/aspnet_client/system_web/log.aspx");
    // The attacker summary names the file once, with both events.
    ASSERT_EQ(r.hosts.size(), 1u);
    const auto& files = r.hosts[0].attackers.by_key.at("file");
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].events, 2u);
  }
}

TEST(FilePlaneJoin, UrlPathsAreComparedAsWindowsPaths) {
  EXPECT_EQ(UrlPathAsWindowsPath("/owa/auth/Current/x%20y.ASPX?a=b"), "\\owa\\auth\\current\\x y.aspx");
  EXPECT_EQ(UrlPathAsWindowsPath("/%zz/a"), "\\%zz\\a");
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

const std::string kInstall = "Program Files/Microsoft/Exchange Server/V15/";

// A server compared with a baseline made from its clean files: what
// matches raises nothing (even where a content rule fires), what changed or
// is new is named.
TEST(FilePlaneBaseline, ChangedUnknownAndKnownGoodFiles) {
  testing::MemoryScan s;
  const std::string logon = "<%@ Page Language=\"C#\" %><html>logon</html>";
  const std::string ecp = "<%@ Page %><html>ecp</html>";
  // A standard page whose content a YARA rule would flag: the baseline knows it.
  const std::string odd_but_known = "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"z\"],\"unsafe\");%>";
  std::string rows;
  auto row = [&](const std::string& content, const std::string& path) {
    rows += DigestBytes(content).sha256 + ",15.1.2176.9," + path + "\r\n";
  };
  row(logon, "\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx");
  row(ecp, "\\ClientAccess\\ecp\\15.1.2176.9\\default.aspx");
  row(odd_but_known, "\\ClientAccess\\ecp\\known.aspx");
  s.rules.AddBaselineText(rows, "/baselines/b.csv");
  ASSERT_TRUE(s.rules.errors().empty());
  s.Add(kInstall + "Logging/.keep", "");
  s.Add(kInstall + "Bin/.keep", "");
  s.Add(kInstall + "FrontEnd/HttpProxy/owa/auth/logon.aspx", logon + "<script>steal()</script>");  // changed
  s.Add(kInstall + "ClientAccess/ecp/15.1.2176.9/default.aspx", ecp);                            // known
  s.Add(kInstall + "ClientAccess/ecp/new.aspx", "<%@ Page %>");                                   // unknown
  s.Add(kInstall + "ClientAccess/ecp/known.aspx", odd_but_known);                                 // known good
  ScanResult r = s.Run();
  std::map<std::string, std::set<std::string>> found;
  for (const auto& f : r.findings) found[f.source.path].insert(f.rule->id);
  EXPECT_TRUE(found[kInstall + "FrontEnd/HttpProxy/owa/auth/logon.aspx"].count("exhunt.baseline.changed_page"));
  EXPECT_EQ(found[kInstall + "ClientAccess/ecp/new.aspx"], (std::set<std::string>{"exhunt.baseline.unknown_page"}));
  EXPECT_FALSE(found.count(kInstall + "ClientAccess/ecp/15.1.2176.9/default.aspx"));
  EXPECT_FALSE(found.count(kInstall + "ClientAccess/ecp/known.aspx"));
  ASSERT_EQ(r.hosts.size(), 1u);
  EXPECT_EQ(r.hosts[0].known_good_findings, 1u);  // the YARA hit on known.aspx, dropped and counted
  EXPECT_EQ(r.hosts[0].verdict, Verdict::kCompromised);  // the changed logon page
}

// Microsoft's published baselines load row for row, and a file that holds
// a row's path and hash is known good.
TEST(FilePlaneBaselineGolden, MicrosoftBaselinesLoad) {
  EXHUNT_REQUIRE_SHARED(dir, "corpus/baselines");
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  ASSERT_TRUE(rules.AddBaseline(fs.get(), dir).ok());
  EXPECT_TRUE(rules.errors().empty()) << rules.errors()[0].status.message();
  size_t lines = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".csv") continue;
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line);) lines += !line.empty() && line != "\r";
  }
  ASSERT_NE(rules.baseline(), nullptr);
  EXPECT_EQ(rules.baseline()->rows(), lines);
  EXPECT_GT(lines, 60000u);
  const Baseline& b = *rules.baseline();
  // Rows of baseline_15.1.2176.9.csv, the second under a build folder.
  EXPECT_EQ(b.Check("\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx",
                    "49194CA2DC5FF65A4E4438B3B68D11D63ED72E12CF72B76949733F4B5196A9B2"),
            Baseline::Verdict::kKnown);
  EXPECT_EQ(b.Check("\\ClientAccess\\owa\\prem\\15.1.2176.9\\scripts\\boot.0.mouse.js",
                    "958F05139AF74362388463A3A14CF9E38775B44F0C56AEFCC9AD1B24D9D767F5"),
            Baseline::Verdict::kKnown);
  EXPECT_EQ(b.Check("\\FrontEnd\\HttpProxy\\owa\\auth\\logon.aspx", std::string(64, 'a')),
            Baseline::Verdict::kChanged);
  EXPECT_EQ(b.Check("\\FrontEnd\\HttpProxy\\owa\\auth\\x.aspx", std::string(64, 'a')), Baseline::Verdict::kUnknown);
}

}  // namespace
}  // namespace exhunt

namespace exhunt::testing {
namespace {

TEST(FilePlane, AFileModifiedWhileACampaignRanWeighsMore) {
  MemoryScan m;
  const std::string archive = std::string("7z\xBC\xAF\x27\x1C", 6) + std::string(4000, 'x');
  // The same archive staged in ProgramData twice: once during ProxyLogon's
  // mass exploitation, once a year before it; and a shell by its content,
  // written during it.
  m.fs.AddFile(m.root + "/ProgramData/it.7z", archive, DaysFromCivil(2021, 3, 3) * 86400000LL + 3600000);
  m.fs.AddFile(m.root + "/Users/Public/old.7z", archive, DaysFromCivil(2020, 3, 3) * 86400000LL);
  m.fs.AddFile(m.root + "/inetpub/wwwroot/aspnet_client/system_web/s.aspx",
               "<%@ Page Language=\"Jscript\"%><%eval(Request.Item[\"p\"],\"unsafe\");%>",
               DaysFromCivil(2021, 3, 3) * 86400000LL);
  ScanResult r = m.Run();
  const Finding* during = nullptr;
  const Finding* before = nullptr;
  bool shell_kept = false;
  for (const auto& f : r.findings) {
    if (f.rule->id.starts_with("exhunt.file.staged_archive") && f.source.path.ends_with("it.7z")) during = &f;
    if (f.rule->id.starts_with("exhunt.file.staged_archive") && f.source.path.ends_with("old.7z")) before = &f;
    if (f.source.path.ends_with("s.aspx")) {
      EXPECT_EQ(f.rule->id.find(".modified_in_"), std::string::npos) << f.rule->id;
      shell_kept = true;
    }
  }
  ASSERT_TRUE(during && before);
  EXPECT_TRUE(shell_kept);
  EXPECT_EQ(before->rule->id, "exhunt.file.staged_archive");
  EXPECT_EQ(before->rule->severity, Severity::kMedium);
  EXPECT_EQ(during->rule->id, "exhunt.file.staged_archive.modified_in_proxylogon");
  EXPECT_EQ(during->rule->severity, Severity::kHigh);
  EXPECT_EQ(during->rule->outcome, before->rule->outcome);  // weight, not a different verdict
  bool said = false;
  for (const auto& [k, v] : during->evidence)
    said |= k == "modified during" && v == "ProxyLogon mass exploitation (2021-02-26 .. 2021-03-10)";
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace exhunt::testing
