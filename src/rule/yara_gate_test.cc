#include "rule/yara_gate.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "rule/rule_set.h"
#include "rule/yara_rule.h"
#include "test_util.h"

namespace exhunt {
namespace {

// One gate over `sources`, with a scratch, answering for crafted files;
// and libyara over the same sources as the oracle: every rule libyara
// matches on a file the gate is asked about must be among the gate's.
struct Gate {
  std::unique_ptr<YaraGate> gate;
  std::unique_ptr<YaraGate::Scratch> scratch;
  YaraLoad load;  // libyara's; a source it refuses is one of load.errors
  size_t oracle_matches = 0;
  size_t refused = 0;  // sources a test expects libyara to refuse

  // The oracle was not idle: libyara read the sources it should and
  // matched something the gate was checked against.
  ~Gate() {
    EXPECT_EQ(load.errors.size(), refused) << (load.errors.empty() ? "" : load.errors[0].second.message());
    EXPECT_GT(oracle_matches, 0u);
  }

  explicit Gate(std::vector<std::string> texts) : texts_(std::move(texts)) {
    std::vector<std::string_view> views(texts_.begin(), texts_.end());
    auto built = YaraGate::Build(views, true);
    EXPECT_TRUE(built.ok()) << built.status().message();
    gate = std::move(built.value());
    scratch = std::move(gate->NewScratch().value());
    std::vector<YaraInput> inputs;
    for (size_t i = 0; i < texts_.size(); ++i) inputs.push_back({texts_[i], std::to_string(i)});
    load = CompileYaraSources(inputs);
    if (load.engine) {
      load.engine->set_gate_mode(YaraEngine::GateMode::kNever);
      yara_ = std::move(load.engine->NewScanner().value());
    }
  }
  std::vector<std::string> Rules(std::string_view bytes, std::string_view filename = "x.bin") {
    YaraExternals ext{filename, "\\dir\\", "", "UNKNOWN", "", ""};
    auto may = gate->RulesThatMayMatch(*scratch, bytes, ext);
    if (yara_) {
      FileFields f;
      f.path = "\\dir\\" + std::string(filename);
      f.filetype = "UNKNOWN";
      std::vector<YaraMatch> matches;
      EXPECT_TRUE(load.engine->Scan(*yara_, bytes, f, &matches).ok());
      std::vector<std::string> full;
      for (const auto& m : matches) {
        ++oracle_matches;
        std::string name = load.sources[m.source].origin + ":" + m.identifier;  // origin: the gate's index
        EXPECT_NE(std::find(may.begin(), may.end(), name), may.end()) << "libyara matches " << name;
        full.push_back(name);
      }
      // libyara given only the text of the rules that may match judges
      // them as in the whole set.
      std::vector<uint32_t> rules;
      if (gate->MayMatchRules(*scratch, bytes, ext, &rules)) {
        std::vector<std::string> some;
        if (!rules.empty()) some = ChoiceMatches(rules, bytes, f);
        std::sort(full.begin(), full.end());
        EXPECT_EQ(some, full) << "libyara judges the chosen rules otherwise than the whole set";
      }
    }
    return may;
  }
  // The matches of libyara given only TextOf(rules).
  std::vector<std::string> ChoiceMatches(const std::vector<uint32_t>& rules, std::string_view bytes,
                                         const FileFields& f) {
    std::vector<YaraInput> inputs;
    for (auto& [source, text] : gate->TextOf(rules)) inputs.push_back({text, std::to_string(source)});
    YaraLoad some = CompileYaraSources(inputs);
    EXPECT_TRUE(some.errors.empty()) << some.errors[0].first << ": " << some.errors[0].second.message() << "\n"
                                     << inputs[0].text;
    std::vector<std::string> names;
    if (!some.engine) return names;
    some.engine->set_gate_mode(YaraEngine::GateMode::kNever);
    auto scanner = some.engine->NewScanner();
    std::vector<YaraMatch> matches;
    EXPECT_TRUE(some.engine->Scan(*scanner.value(), bytes, f, &matches).ok());
    for (const auto& m : matches) names.push_back(some.sources[m.source].origin + ":" + m.identifier);
    std::sort(names.begin(), names.end());
    return names;
  }
  bool May(std::string_view bytes, std::string_view filename = "x.bin") { return !Rules(bytes, filename).empty(); }

 private:
  std::vector<std::string> texts_;
  std::unique_ptr<YaraScanner> yara_;
};

// exhunt's built-in YARA files as inputs.
std::vector<YaraInput> BuiltinYara() {
  RuleSet builtin;
  builtin.AddBuiltin();
  std::vector<YaraInput> inputs;
  for (const YaraSource* s : builtin.yara_sources()) inputs.push_back({s->text, s->origin});
  return inputs;
}

// exhunt's built-in YARA files and those of `folder` (sorted), as inputs.
std::vector<YaraInput> BuiltinAndFolder(const std::string& folder) {
  std::vector<YaraInput> inputs = BuiltinYara();
  std::vector<std::string> paths;
  for (const auto& e : std::filesystem::directory_iterator(folder)) paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) inputs.push_back({testing::ReadAll(p), p});
  return inputs;
}

// Every file under `dirs`, and up to `libraries` shared libraries of this
// machine under 8 MB (binaries the rules meet on a server).
std::vector<std::string> CorporaAndLibraries(const std::vector<std::string>& dirs, size_t libraries) {
  std::vector<std::string> files;
  for (const std::string& dir : dirs)
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path().string());
  size_t libs = 0;
  if (std::filesystem::is_directory("/usr/lib/x86_64-linux-gnu"))
    for (const auto& e : std::filesystem::directory_iterator("/usr/lib/x86_64-linux-gnu"))
      if (e.is_regular_file() && e.path().string().find(".so") != std::string::npos && e.file_size() < (8 << 20) &&
          libs++ < libraries)
        files.push_back(e.path().string());
  return files;
}

// The file record fields of the file at `path` placed in the Windows folder `dir`.
FileFields FieldsOf(const std::string& dir, const std::string& path, std::string_view bytes) {
  FileFields f;
  f.path = dir + std::filesystem::path(path).filename().string();
  f.extension = LowerExtension(path);
  f.filetype = FileTypeOf(bytes.substr(0, 16));
  return f;
}

// The matches of `bytes` scanned without the gate, then with it (the
// engine is left asking it).
std::pair<std::vector<YaraMatch>, std::vector<YaraMatch>> FullAndGated(YaraEngine& engine, YaraScanner& scanner,
                                                                      std::string_view bytes, const FileFields& f) {
  std::vector<YaraMatch> full, gated;
  engine.set_gate_mode(YaraEngine::GateMode::kNever);
  EXPECT_TRUE(engine.Scan(scanner, bytes, f, &full).ok());
  engine.set_gate_mode(YaraEngine::GateMode::kAlways);
  EXPECT_TRUE(engine.Scan(scanner, bytes, f, &gated).ok());
  return {std::move(full), std::move(gated)};
}

std::string Wide(std::string_view s) {
  std::string out;
  for (char c : s) out += {c, '\0'};
  return out;
}

TEST(YaraGate, AStringsFormsAreWhatItsRuleNeeds) {
  Gate g({R"(rule t { strings: $a = "EvilTool" condition: $a })",
          R"(rule w { strings: $a = "Backdoor" wide nocase condition: $a })",
          R"(rule h { strings: $a = { 4D 5A ?? ?? 50 45 [2-4] DE AD BE EF } condition: $a })"});
  EXPECT_EQ(g.Rules("padding EvilTool padding"), std::vector<std::string>{"0:t"});
  EXPECT_FALSE(g.May("eviltool, backdoor in ascii, MZ and PE apart"));
  EXPECT_EQ(g.Rules(Wide("a BACKDOOR here")), std::vector<std::string>{"1:w"});
  // A hex string is searched by its runs of four bytes or more where it
  // has one: MZ and PE without DEADBEEF rule it out; DEADBEEF without them
  // leaves it to its exact pattern (AHexStringWhoseAtomsAreThereIsSearchedWhole).
  EXPECT_FALSE(g.May("MZ.... PE ...."));
  EXPECT_EQ(g.Rules("MZ.... \xDE\xAD\xBE\xEF"), std::vector<std::string>{"2:h"});
  EXPECT_EQ(g.Rules(std::string("MZ\x01\x02PE\x00\x00\xDE\xAD\xBE\xEF", 12)), std::vector<std::string>{"2:h"});
}

// Where the atoms of a hex string are in a file, its whole pattern
// (wildcards, nibbles, jumps, alternatives) decides; libyara judges every
// file too.
TEST(YaraGate, AHexStringWhoseAtomsAreThereIsSearchedWhole) {
  Gate g({R"(rule jump { strings: $a = { 4D 5A ?? ?? 50 45 [2-4] DE AD BE EF } condition: $a })",
          R"(rule nibbles { strings: $a = { 48 8B ( 45 ?? | 84 24 ?? ?? 00 00 ) C7 4? ?8 11 22 33 44 } condition: $a })",
          R"(rule mixed { strings: $t = "hello world" $h = { 11 22 33 44 ?? 55 } condition: all of them })",
          R"(rule open { strings: $a = { AA BB CC DD [4-] 01 02 03 04 } condition: $a })"});
  auto bytes = [](std::initializer_list<int> b) {
    std::string s;
    for (int c : b) s += char(c);
    return s;
  };
  // The patterns are searched once the atoms left their rules undecided in
  // kExactAfterFiles files (each Rules() asks the gate twice): until then
  // these rules may match.
  std::string atoms = bytes({0xDE, 0xAD, 0xBE, 0xEF, 0x11, 0x22, 0x33, 0x44, 0xAA, 0xBB, 0xCC, 0xDD, 1, 2, 3, 4}) +
                      " hello world";
  const std::vector<std::string> all{"0:jump", "1:nibbles", "2:mixed", "3:open"};
  uint64_t undecided = 0;
  while (g.Rules(atoms) == all) ++undecided;
  EXPECT_EQ(undecided, YaraGate::kExactAfterFiles / 2);
  EXPECT_EQ(g.Rules(atoms), std::vector<std::string>{"3:open"});
  // jump: DEADBEEF and the runs around it, but 5 bytes of jump, or none.
  EXPECT_FALSE(g.May(bytes({0x4D, 0x5A, 1, 2, 0x50, 0x45, 1, 2, 3, 4, 5, 0xDE, 0xAD, 0xBE, 0xEF})));
  EXPECT_FALSE(g.May(bytes({0x4D, 0x5A, 1, 2, 0x50, 0x45, 0xDE, 0xAD, 0xBE, 0xEF})));
  for (int jump = 2; jump <= 4; ++jump) {
    std::string f = bytes({0x4D, 0x5A, 0x0A, 0x0D, 0x50, 0x45}) + std::string(size_t(jump), '\n') +
                    bytes({0xDE, 0xAD, 0xBE, 0xEF});
    EXPECT_EQ(g.Rules("lead " + f + " tail"), std::vector<std::string>{"0:jump"}) << jump;
  }
  // nibbles: either branch; C7 then 4? then ?8.
  std::string tail = bytes({0xC7, 0x4F, 0x08, 0x11, 0x22, 0x33, 0x44});
  EXPECT_EQ(g.Rules(bytes({0x48, 0x8B, 0x45, 0x00}) + tail), std::vector<std::string>{"1:nibbles"});
  EXPECT_EQ(g.Rules(bytes({0x48, 0x8B, 0x84, 0x24, 1, 2, 0, 0}) + tail), std::vector<std::string>{"1:nibbles"});
  EXPECT_EQ(g.Rules(bytes({0x48, 0x8B, 0x45, 0xFF, 0xC7, 0x40, 0xF8, 0x11, 0x22, 0x33, 0x44})),
            std::vector<std::string>{"1:nibbles"});
  EXPECT_FALSE(g.May(bytes({0x48, 0x8B, 0x84, 0x24, 1, 2, 0, 1}) + tail));                       // 00 00
  EXPECT_FALSE(g.May(bytes({0x48, 0x8B, 0x45, 0x00, 0xC7, 0x5F, 0x08, 0x11, 0x22, 0x33, 0x44})));  // 4?
  EXPECT_FALSE(g.May(bytes({0x48, 0x8B, 0x45, 0x00, 0xC7, 0x4F, 0x09, 0x11, 0x22, 0x33, 0x44})));  // ?8
  EXPECT_FALSE(g.May(bytes({0x48, 0x8B, 0x46, 0x00}) + tail));                                     // 45 ??
  // mixed: the text is there, the hex string's atom too, its pattern not.
  EXPECT_FALSE(g.May("hello world " + bytes({0x11, 0x22, 0x33, 0x44, 0x00, 0x56})));
  EXPECT_EQ(g.Rules("hello world " + bytes({0x11, 0x22, 0x33, 0x44, 0x00, 0x55})), std::vector<std::string>{"2:mixed"});
  // open: an unbounded jump is not searched whole; its atoms leave it to libyara.
  EXPECT_EQ(g.Rules(bytes({0xAA, 0xBB, 0xCC, 0xDD, 0x01, 0x02, 0x03, 0x04})), std::vector<std::string>{"3:open"});
  EXPECT_EQ(g.Rules(bytes({0xAA, 0xBB, 0xCC, 0xDD, 9, 9, 9, 9, 0x01, 0x02, 0x03, 0x04})),
            std::vector<std::string>{"3:open"});
}

// A regex whose literals are in a file is searched whole, in a form that
// matches at least what libyara does (its wide form, nocase, {,m}, the
// classes spelled out, \b left out); libyara judges every file too.
TEST(YaraGate, ARegexWhoseLiteralsAreThereIsSearchedWhole) {
  Gate g({R"(rule callback { strings: $a = /\b(ldap|rmi):\/\/[a-z0-9\.]{1,16}\.example\.com:[0-9]{2,5}\/(a|Exploit)\b/ condition: $a })",
          R"(rule eval { strings: $a = /ev[a-c]l\s{0,3}\(\$_POST/ wide ascii nocase condition: $a })",
          R"(rule upto { strings: $a = /abc[0-9]{,3}xyz/ condition: $a })",
          R"(rule line { strings: $a = /start.end/ condition: $a })",
          R"(rule dotall { strings: $a = /start.end/s condition: $a })",
          R"(rule nonspace { strings: $a = /key\S+val/ condition: $a })",
          R"(rule wideonly { strings: $a = /%[^\\%]{2,8}%\\run/ wide condition: $a })",
          R"(rule ending { strings: $a = /the end$/ condition: $a })"});
  const std::string atoms = "ldap:// .example.com: evxl ($_POST abc xyz start..end key val " + Wide("%\\run");
  const std::vector<std::string> all{"0:callback", "1:eval", "2:upto", "3:line", "4:dotall", "5:nonspace",
                                     "6:wideonly", "7:ending"};
  uint64_t undecided = 0;
  while (g.Rules(atoms + " the end ") == all) ++undecided;
  EXPECT_EQ(undecided, YaraGate::kExactAfterFiles / 2);
  // $ is not searched (a superset): "the end" anywhere leaves `ending` to libyara.
  EXPECT_EQ(g.Rules(atoms + " the end "), std::vector<std::string>{"7:ending"});
  EXPECT_EQ(g.Rules(std::string(20000, 'x') + "the end"), std::vector<std::string>{"7:ending"});
  using V = std::vector<std::string>;
  EXPECT_EQ(g.Rules("x ldap://a.b.example.com:8080/Exploit y"), V{"0:callback"});
  EXPECT_EQ(g.Rules("x rmi://1.2.example.com:99/a"), V{"0:callback"});
  EXPECT_TRUE(g.Rules("x ldap://a_b.example.com:8080/Exploit y").empty());  // _ is not in the class
  EXPECT_TRUE(g.Rules("x ldap://a.b.example.com:8/Exploit y").empty());     // one digit
  EXPECT_EQ(g.Rules(Wide("x EVAL  ($_POST[1]")), V{"1:eval"});
  EXPECT_EQ(g.Rules("eVbL\t($_POST"), V{"1:eval"});
  EXPECT_TRUE(g.Rules("evdl($_POST").empty());
  EXPECT_EQ(g.Rules("abcxyz"), V{"2:upto"});
  EXPECT_EQ(g.Rules("abc123xyz"), V{"2:upto"});
  EXPECT_TRUE(g.Rules("abc1234xyz").empty());
  EXPECT_EQ(g.Rules("start-end"), (V{"3:line", "4:dotall"}));
  EXPECT_EQ(g.Rules("start\nend"), V{"4:dotall"});
  EXPECT_EQ(g.Rules("keyXYval"), V{"5:nonspace"});
  EXPECT_TRUE(g.Rules("key\tval").empty());
  g.Rules("key\vval");  // libyara decides whether \v is a space; the gate must not miss it
  EXPECT_EQ(g.Rules(Wide("%APPDATA%\\run")), V{"6:wideonly"});
  EXPECT_TRUE(g.Rules(Wide("%APP\\DATA%\\run")).empty());
  EXPECT_TRUE(g.Rules("%APPDATA%\\run").empty());  // only wide
}

// A hex string nested deeper than the gate follows is searched by its
// literals only: reading it stays within bounds whatever the file holds.
TEST(YaraGate, AHexStringNestedDeepIsReadWithinBounds) {
  std::string rule = "rule deep { strings: $a = { 41 42 43 44 " + std::string(200000, '(') + "45 | 46" +
                     std::string(200000, ')') + " } condition: $a }";
  std::vector<std::string_view> sources{rule};
  auto gate = YaraGate::Build(sources, true);
  ASSERT_TRUE(gate.ok()) << gate.status().message();
  auto scratch = gate.value()->NewScratch();
  ASSERT_TRUE(scratch.ok());
  YaraExternals ext{"x.bin", "\\dir\\", "", "UNKNOWN", "", ""};
  for (uint64_t i = 0; i <= YaraGate::kExactAfterFiles; ++i)
    EXPECT_EQ(gate.value()->RulesThatMayMatch(*scratch.value(), "ABCD E", ext), std::vector<std::string>{"0:deep"});
  EXPECT_TRUE(gate.value()->RulesThatMayMatch(*scratch.value(), "ABC E", ext).empty());
}

TEST(YaraGate, XorAndBase64StringsAreFoundUnderEveryKeyAndAlignment) {
  Gate g({R"(rule x { strings: $a = "Mozilla/5.0" xor(0x01-0xff) condition: $a })",
          R"(rule b { strings: $a = "curl http" base64 condition: $a })"});
  std::string keyed = "Mozilla/5.0";
  for (char& c : keyed) c ^= 0x5c;
  EXPECT_EQ(g.Rules("..." + keyed + "..."), std::vector<std::string>{"0:x"});
  EXPECT_FALSE(g.May("Mozilla/4.0 and curl https"));
  // base64("xcurl http") and base64("xxcurl http"): the string one and two bytes into a group.
  EXPECT_EQ(g.Rules("eGN1cmwgaHR0cA=="), std::vector<std::string>{"1:b"});
  EXPECT_EQ(g.Rules("eHhjdXJsIGh0dHA="), std::vector<std::string>{"1:b"});
  EXPECT_EQ(g.Rules("Y3VybCBodHRw"), std::vector<std::string>{"1:b"});
}

TEST(YaraGate, RegexesNeedTheirLiteralsOrOneOfTheirBranches) {
  Gate g({R"(rule r { strings: $a = /eval\(Request\.Item\[".{1,20}"\]/ condition: $a })",
          R"(rule alt { strings: $a = /(dmlsT1NY|RXZpbE9TW)/ condition: $a })",
          R"(rule opt { strings: $a = /abc(def)?ghi/ condition: $a })"});
  EXPECT_FALSE(g.May("eval(Request.Form[\"x\"]"));
  EXPECT_EQ(g.Rules("eval(Request.Item[\"z\"]"), std::vector<std::string>{"0:r"});
  EXPECT_EQ(g.Rules("..RXZpbE9TW.."), std::vector<std::string>{"1:alt"});
  EXPECT_FALSE(g.May("..dmlsT1N.."));
  // An optional group is not needed: abcghi is a match.
  EXPECT_EQ(g.Rules("abcghi"), std::vector<std::string>{"2:opt"});
}

TEST(YaraGate, ConditionsAreEvaluatedWhereTheFileDecidesThem) {
  Gate g({R"(rule mz { strings: $a = "payload" condition: uint16(0) == 0x5a4d and $a })",
          R"(rule size { condition: filesize < 10 })",
          R"(rule two { strings: $a = "alpha1" $b = "bravo2" $c = "charlie3" condition: 2 of them })",
          R"(rule off { strings: $h = "HEAD" condition: uint32(@h + 4) == 0x01020304 })",
          R"(rule name { condition: filename matches /\.aspx$/i })",
          R"(rule ref { strings: $x = "zzzz" condition: $x } rule uses { condition: ref })",
          R"(private rule p { condition: true })"});
  EXPECT_FALSE(g.May("ELF........ payload ........."));
  EXPECT_EQ(g.Rules("MZ payload ......"), std::vector<std::string>{"0:mz"});
  EXPECT_EQ(g.Rules("tiny"), std::vector<std::string>{"1:size"});
  EXPECT_FALSE(g.May("alpha1 ....... only one of three"));
  EXPECT_EQ(g.Rules("alpha1 charlie3 ......"), std::vector<std::string>{"2:two"});
  // @h of a string that is not there is undefined: so is what is read there.
  EXPECT_FALSE(g.May("no head at all ........"));
  EXPECT_EQ(g.Rules("..HEAD\x04\x03\x02\x01 .."), std::vector<std::string>{"3:off"});
  EXPECT_EQ(g.Rules("not a page ....", "Shell.ASPX"), std::vector<std::string>{"4:name"});
  EXPECT_FALSE(g.May("not a page ....", "shell.aspx.txt"));
  auto both = g.Rules("a zzzz b .........");
  EXPECT_EQ(both, (std::vector<std::string>{"5:ref", "5:uses"}));
}

// A rule none of whose strings is in a file is judged false without its
// condition only where no size, name, byte or other rule could make it true.
TEST(YaraGate, ARuleWithoutItsStringsIsOnlyRuledOutWhereThatIsSure) {
  Gate g({R"(rule plain { strings: $a = "needle77" condition: $a })",
          R"(rule absent { strings: $a = "needle77" condition: not $a and filesize > 40 })",
          R"(rule or_size { strings: $a = "needle77" condition: $a or filesize > 60 })",
          R"(rule neither { strings: $a = "qqqq1" $b = "wwww2" condition: not any of them and filesize > 80 })",
          R"(rule counted { strings: $a = "x1x1x" condition: #a == 0 and uint8(0) == 0x41 })",
          R"(rule own { strings: $o = "0wn3d!" condition: $o } rule via { strings: $v = "viaviavia" condition: own or $v })"});
  EXPECT_EQ(g.Rules("short, clean"), std::vector<std::string>{});
  EXPECT_EQ(g.Rules("a needle77 in a short file"), (std::vector<std::string>{"0:plain", "2:or_size"}));
  EXPECT_EQ(g.Rules(std::string(50, '.')), std::vector<std::string>{"1:absent"});
  EXPECT_EQ(g.Rules(std::string(70, '.')), (std::vector<std::string>{"1:absent", "2:or_size"}));
  EXPECT_EQ(g.Rules(std::string(90, '.')), (std::vector<std::string>{"1:absent", "2:or_size", "3:neither"}));
  EXPECT_EQ(g.Rules("A file that starts so"), std::vector<std::string>{"4:counted"});
  // `via` holds none of its own strings here, but the rule it names matches.
  EXPECT_EQ(g.Rules("only 0wn3d! here"), (std::vector<std::string>{"5:own", "5:via"}));
}

// What libyara is given for the rules that may match a file (TextOf)
// holds what they need: the global rules of their file, the rules they
// name, the modules it imports (the harness compares libyara's matches with
// that text and with the whole set on every file).
TEST(YaraGate, TheTextOfTheRulesThatMayMatchHoldsWhatTheyNeed) {
  Gate g({R"(import "pe"
             global rule small { condition: filesize < 100 }
             rule g1 { strings: $a = "gamma-1" condition: $a }
             rule g2 { strings: $b = "delta-2" condition: $b and not pe.is_pe })",
          R"(private rule p { strings: $p = "pp-token" condition: $p }
             rule q { strings: $q = "qq-token" condition: p and $q }
             rule other { strings: $o = "other-x" condition: $o })"});
  EXPECT_EQ(g.Rules("gamma-1 in a small file"), (std::vector<std::string>{"0:small", "0:g1"}));
  // The global rule is false here: libyara matches nothing of file 0.
  EXPECT_EQ(g.Rules("gamma-1" + std::string(200, '.')), std::vector<std::string>{"0:g1"});
  EXPECT_EQ(g.Rules("delta-2, no PE"), (std::vector<std::string>{"0:small", "0:g2"}));
  EXPECT_EQ(g.Rules(std::string(200, '.') + "pp-token qq-token"), std::vector<std::string>{"1:q"});
  auto scratch = g.gate->NewScratch();
  std::vector<uint32_t> rules;
  ASSERT_TRUE(g.gate->MayMatchRules(*scratch.value(), "pp-token qq-token other-x", {}, &rules));
  auto text = g.gate->TextOf(rules);
  ASSERT_EQ(text.size(), 2u);  // file 0 for its global rule, file 1 for q (with p) and other
  EXPECT_EQ(text[0].first, 0u);
  EXPECT_NE(text[0].second.find("import \"pe\""), std::string::npos);
  EXPECT_NE(text[1].second.find("private rule p"), std::string::npos);
}

TEST(YaraGate, ATextStringAtAnOffsetIsCheckedThere) {
  Gate g({R"(rule head { strings: $a = "<?php" nocase wide ascii condition: $a at 0 })",
          R"(rule later { strings: $g = "GIF89a" $x = "evalx" condition: $g at 0 and $x })"});
  EXPECT_FALSE(g.May("xx <?php at 3, not at 0"));
  EXPECT_EQ(g.Rules("<?PHP at 0"), std::vector<std::string>{"0:head"});
  EXPECT_EQ(g.Rules(Wide("<?php") + " wide at 0"), std::vector<std::string>{"0:head"});
  EXPECT_FALSE(g.May("..GIF89a evalx"));
  EXPECT_EQ(g.Rules("GIF89a evalx"), std::vector<std::string>{"1:later"});
}

TEST(YaraGate, ThePeModuleOfAFileThatIsNoPeIsKnown) {
  Gate g({R"(import "pe" rule exp { condition: pe.exports("VncStartServer") and pe.number_of_exports > 1 })",
          R"(import "pe" rule ispe { condition: pe.is_pe and filesize < 10MB })",
          R"(import "pe" rule notdll { condition: not pe.is_dll() })",
          R"(import "pe" rule cnst { condition: pe.characteristics & pe.DLL })",
          R"(import "pe" rule sig { condition: for any i in (0..pe.number_of_signatures - 1) : (pe.signatures[i].subject contains "Solid Loop") })",
          R"(import "pe" rule notpe { condition: not pe.is_pe })"});
  std::string elf = "\x7f" "ELF" + std::string(100, 'x');
  // not of an undefined value stays unknown; is_pe is 0 (libyara matches notpe).
  EXPECT_EQ(g.Rules(elf), (std::vector<std::string>{"2:notdll", "5:notpe"}));
  // MZ without a PE header: the gate leaves the pe module to libyara.
  std::string mz = "MZ" + std::string(100, 'x');
  EXPECT_EQ(g.Rules(mz), (std::vector<std::string>{"0:exp", "1:ispe", "2:notdll", "3:cnst", "4:sig", "5:notpe"}));
}

TEST(YaraGate, AtomsOfRulesThatDemandFirstBytesAreSearchedInFilesStartingSo) {
  Gate g({R"(rule mz { strings: $a = "shared-token" $b = "mz-only-token" condition: uint16(0) == 0x5a4d and any of them })",
          R"(rule elf { strings: $a = "elf-only-token" condition: $a and uint32be(0) == 0x7f454c46 })",
          R"(rule common { strings: $a = "shared-token" condition: $a })",
          R"(import "pe" rule pefile { strings: $a = "pe-token" condition: $a and pe.number_of_sections > 1 })"});
  const auto& sum = g.gate->summary();
  EXPECT_EQ(sum.common_atoms, 1u);  // shared-token: the rule "common" needs it in every file
  std::string elf = "\x7f" "ELF" + std::string(64, '.');
  std::string mz = "MZ" + std::string(64, '.');
  EXPECT_EQ(g.Rules(elf + "elf-only-token mz-only-token pe-token"), std::vector<std::string>{"1:elf"});
  EXPECT_EQ(g.Rules(mz + "elf-only-token mz-only-token pe-token"), (std::vector<std::string>{"0:mz", "3:pefile"}));
  EXPECT_EQ(g.Rules(mz + "shared-token"), (std::vector<std::string>{"0:mz", "2:common"}));
  EXPECT_EQ(g.Rules(elf + "shared-token"), std::vector<std::string>{"2:common"});
  EXPECT_FALSE(g.May(std::string("M")));
}

TEST(YaraGate, WhatItCannotDecideItLeavesToLibyara) {
  // `not` of a comparison with an undefined value: libyara versions differ, so unknown.
  Gate g({R"(rule n { strings: $h = "HEAD" condition: not (uint32(@h) == 5) })",
          R"(import "math" rule m { condition: math.entropy(0, filesize) > 7.0 })",
          R"(rule broken { strings: $a = "x" condition: $a and @@@ })"});
  g.refused = 1;
  auto rules = g.Rules("nothing here");
  EXPECT_EQ(rules, (std::vector<std::string>{"0:n", "1:m", "2:*"}));
  // HEAD at 0, uint32 there is not 5: libyara matches n.
  EXPECT_EQ(g.Rules("HEAD and more"), (std::vector<std::string>{"0:n", "1:m", "2:*"}));
  EXPECT_FALSE(g.gate->can_spare());
  const auto& sum = g.gate->summary();
  ASSERT_EQ(sum.unread_sources, 1u);
  EXPECT_EQ(sum.unread[0].source, 2u);
  ASSERT_EQ(sum.unconditional.size(), 2u);
  EXPECT_EQ(sum.unconditional[0].source, 0u);
  EXPECT_EQ(sum.unconditional[0].rule, "n");
  EXPECT_EQ(sum.unconditional[1].source, 1u);
  EXPECT_EQ(sum.unconditional[1].rule, "m");
}

// Every rule libyara matches on a file, the gate lets through: the rules
// are signature-base's 741 files and the built-in ones, the files the
// webshell and benign corpora and some of this machine's libraries.
TEST(YaraGate, NeverSparesAFileLibyaraMatches) {
  EXHUNT_REQUIRE_SHARED(sig, "rules-thirdparty/signature-base/yara");
  EXHUNT_REQUIRE_SHARED(shells, "corpus/webshells/files");
  EXHUNT_REQUIRE_SHARED(benign, "corpus/benign-aspx");
  YaraLoad load = CompileYaraSources(BuiltinAndFolder(sig));
  ASSERT_TRUE(load.engine);
  ASSERT_GE(load.sources.size(), 742u);
  std::vector<std::string_view> texts;
  for (const auto& s : load.sources) texts.push_back(s.text);
  auto gate = YaraGate::Build(texts, true);
  ASSERT_TRUE(gate.ok()) << gate.status().message();
  EXPECT_EQ(gate.value()->summary().unread_sources, 0u) << gate.value()->summary().unread.front().why;
  auto scratch = gate.value()->NewScratch();
  auto scanner = load.engine->NewScanner();
  ASSERT_TRUE(scanner.ok());
  load.engine->set_gate_mode(YaraEngine::GateMode::kNever);

  const std::vector<std::string> files = CorporaAndLibraries({shells, benign}, 60);
  size_t matched = 0, spared = 0;
  for (const auto& path : files) {
    std::string bytes = testing::ReadAll(path);
    FileFields f = FieldsOf("\\inetpub\\wwwroot\\aspnet_client\\", path, bytes);
    std::vector<YaraMatch> matches;
    ASSERT_TRUE(load.engine->Scan(*scanner.value(), bytes, f, &matches).ok()) << path;
    auto may = gate.value()->RulesThatMayMatch(*scratch.value(), bytes, ExternalsOf(f));
    for (const auto& m : matches) {
      ++matched;
      EXPECT_NE(std::find(may.begin(), may.end(), std::to_string(m.source) + ":" + m.identifier), may.end())
          << path << ": libyara matches " << load.sources[m.source].origin << ":" << m.identifier
          << " and the gate ruled it out";
    }
    spared += may.empty();
  }
  EXPECT_GT(matched, 100u);  // the webshells are found
  RecordProperty("files", int(files.size()));
  RecordProperty("spared", int(spared));
}

// The engine's answers are the same with and without the gate (built-in
// rules, whose set the gate can spare files of).
TEST(YaraGate, AGatedScanReportsWhatAFullScanDoes) {
  EXHUNT_REQUIRE_SHARED(shells, "corpus/webshells/files");
  YaraLoad load = CompileYaraSources(BuiltinYara());
  ASSERT_TRUE(load.engine && load.engine->gate());
  auto scanner = load.engine->NewScanner();
  ASSERT_TRUE(scanner.ok());
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(shells)) files.push_back(e.path().string());
  files.push_back("/bin/sh");
  size_t found = 0;
  for (const auto& path : files) {
    std::string bytes = testing::ReadAll(path);
    auto [full, gated] = FullAndGated(*load.engine, *scanner.value(), bytes, FieldsOf("\\owa\\auth\\", path, bytes));
    ASSERT_EQ(full.size(), gated.size()) << path;
    for (size_t i = 0; i < full.size(); ++i) EXPECT_EQ(full[i].identifier, gated[i].identifier) << path;
    found += !full.empty();
  }
  EXPECT_GT(found, files.size() / 2);
  EXPECT_GT(load.engine->counts().spared.load(), 0u);  // /bin/sh at least
}

// Past its bound on chosen sets, a file whose rules were chosen is scanned
// with the whole set: the same matches.
TEST(YaraGate, PastItsBoundOnChosenSetsTheWholeSetScans) {
  EXHUNT_REQUIRE_SHARED(shells, "corpus/webshells/files");
  YaraLoad load = CompileYaraSources(BuiltinYara());
  ASSERT_TRUE(load.engine && load.engine->gate());
  auto scanner = load.engine->NewScanner();
  ASSERT_TRUE(scanner.ok());
  load.engine->set_max_choice_sets(1);
  size_t matched = 0, files = 0;
  for (const auto& e : std::filesystem::directory_iterator(shells)) {
    ++files;
    std::string bytes = testing::ReadAll(e.path().string());
    auto [full, gated] =
        FullAndGated(*load.engine, *scanner.value(), bytes, FieldsOf("\\owa\\auth\\", e.path().string(), bytes));
    ASSERT_EQ(full.size(), gated.size()) << e.path();
    matched += full.size();
  }
  const auto& c = load.engine->counts();
  EXPECT_GT(matched, 10u);
  EXPECT_EQ(c.choice_sets.load(), 1u);
  EXPECT_GT(c.chosen.load(), 0u);  // the files of the one choice kept
  // Every full scan, and each gated file neither spared nor of that choice.
  const size_t past_bound = files - c.spared.load() - c.chosen.load();
  EXPECT_GT(past_bound, 0u);
  EXPECT_EQ(c.scanned.load(), files + past_bound);
}

// The same with signature-base and the built-in rules, whose files leave
// some rules undecided in most files: libyara scans those with a set of
// the chosen rules alone, and reports the same matches, strings and all.
TEST(YaraGate, AScanOfTheChosenRulesReportsWhatAFullScanDoes) {
  EXHUNT_REQUIRE_SHARED(sig, "rules-thirdparty/signature-base/yara");
  EXHUNT_REQUIRE_SHARED(shells, "corpus/webshells/files");
  EXHUNT_REQUIRE_SHARED(benign, "corpus/benign-aspx");
  YaraLoad load = CompileYaraSources(BuiltinAndFolder(sig));
  ASSERT_TRUE(load.engine && load.engine->gate()) << "signature-base is not gated";
  auto scanner = load.engine->NewScanner();
  ASSERT_TRUE(scanner.ok());
  const std::vector<std::string> files = CorporaAndLibraries({shells, benign}, 40);
  size_t matched = 0;
  for (const auto& path : files) {
    std::string bytes = testing::ReadAll(path);
    auto [full, gated] =
        FullAndGated(*load.engine, *scanner.value(), bytes, FieldsOf("\\inetpub\\wwwroot\\aspnet_client\\", path, bytes));
    auto key = [](const YaraMatch& m) { return std::to_string(m.source) + ":" + m.identifier + " " + m.strings; };
    std::vector<std::string> a, b;
    for (const auto& m : full) a.push_back(key(m));
    for (const auto& m : gated) b.push_back(key(m));
    std::sort(a.begin(), a.end());
    std::sort(b.begin(), b.end());
    EXPECT_EQ(a, b) << path;
    matched += full.size();
  }
  EXPECT_GT(matched, 100u);
  const auto& c = load.engine->counts();
  EXPECT_GT(c.chosen.load(), files.size() / 2);  // most files: a set of some rules
  EXPECT_GT(c.choice_sets.load(), 1u);
  RecordProperty("chosen", int(c.chosen.load()));
  RecordProperty("spared", int(c.spared.load()));
  RecordProperty("choice_sets", int(c.choice_sets.load()));
}

TEST(YaraGate, ItIsAskedWhileWhatItSparesLibyaraOutweighsItsOwnTime) {
  const uint64_t trial = YaraEngine::kGateTrialNs;
  // During the trial, and while libyara has scanned nothing yet: asked.
  EXPECT_TRUE(GateStillPays(trial - 1, 0, 1'000'000'000, 1'000'000));
  EXPECT_TRUE(GateStillPays(10 * trial, 0, 0, 0));
  // libyara at 1 ns a byte: sparing 3 GB saves 3 s, more than the gate's 2 s.
  EXPECT_TRUE(GateStillPays(2'000'000'000, 3'000'000'000, 1'000'000'000, 1'000'000'000));
  // Sparing 1 GB saves 1 s, less than the gate's 2 s: no longer asked.
  EXPECT_FALSE(GateStillPays(2'000'000'000, 1'000'000'000, 1'000'000'000, 1'000'000'000));
}

TEST(YaraGate, ALargeRuleSetIsNotGated) {
  std::string many = "rule big { strings:";
  for (size_t i = 0; i <= YaraGate::kMaxAtoms; ++i) many += " $s" + std::to_string(i) + " = \"token" + std::to_string(i) + "\"";
  many += " condition: any of them }";
  std::vector<std::string_view> one{many};
  auto gate = YaraGate::Build(one);
  ASSERT_TRUE(gate.ok());
  EXPECT_TRUE(gate.value()->summary().too_many_atoms);
  EXPECT_FALSE(gate.value()->can_spare());
  // Asked anyway, it has no database and rules nothing out.
  auto scratch = gate.value()->NewScratch();
  std::vector<char> sources;
  EXPECT_EQ(gate.value()->MayMatch(*scratch.value(), "nothing", YaraExternals{}, &sources), 1u);
}

TEST(YaraGate, AFileLibyaraRefusesIsLeftOutOfTheGateToo) {
  std::vector<YaraInput> inputs = {{"rule good { strings: $a = \"abcdef\" condition: $a }", "good.yar"},
                                   {"rule bad { condition: $undefined }", "bad.yar"}};
  YaraLoad load = CompileYaraSources(inputs);
  ASSERT_EQ(load.errors.size(), 1u);
  EXPECT_EQ(load.errors[0].first, "bad.yar");
  ASSERT_TRUE(load.engine);
  ASSERT_TRUE(load.engine->gate());
  EXPECT_EQ(load.engine->gate_summary().sources, 1u);
  auto scanner = load.engine->NewScanner();
  ASSERT_TRUE(scanner.ok());
  FileFields f;
  f.path = "\\x.bin";
  std::vector<YaraMatch> matches;
  ASSERT_TRUE(load.engine->Scan(*scanner.value(), "nothing to see", f, &matches).ok());
  EXPECT_TRUE(matches.empty());
  EXPECT_EQ(load.engine->counts().spared.load(), 1u);
  ASSERT_TRUE(load.engine->Scan(*scanner.value(), "..abcdef..", f, &matches).ok());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].identifier, "good");
}

}  // namespace
}  // namespace exhunt
