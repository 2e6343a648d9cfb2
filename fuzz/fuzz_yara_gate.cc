// Fuzz target: the YARA gate. The first byte chooses: bytes as a file
// judged by the built-in rules and a set of rules using every construct the
// gate reads (its atoms, conditions, the pe module, undefined values), or
// bytes as a YARA rule file the gate reads and then judges itself by. The
// gate never crashes and never reads outside the file; on files (the rules
// kept across inputs, so that the exact patterns of rules left undecided
// in YaraGate::kExactAfterFiles files are searched too), libyara
// runs beside it, and a rule libyara matches that the gate ruled out is a
// crash (the gate must only rule out what libyara cannot match), as is
// libyara judging the text of the rules the gate chose (TextOf) otherwise
// than the whole set.
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rule/rule_set.h"
#include "rule/yara_gate.h"
#include "rule/yara_rule.h"

using namespace exhunt;

namespace {

constexpr const char* kRules[] = {
    R"(rule t { strings: $a = "EvilTool" wide ascii nocase $b = "Moz" xor(1-3) $c = "curl http" base64 base64wide
       condition: uint16(0) == 0x5a4d and 2 of them or #a > 2 and filesize < 1MB })",
    R"(rule h { strings: $h = { 4D 5A ?? ?? 5? [2-4] ( DE AD | BE EF ) } $r = /eval\(Request(\.Item)?\[.{1,9}\]/i
       condition: for any of ($h, $r) : ($ at 0 or # > 1) and uint32(@h + 4) ^ 0xff == 3 })",
    R"(rule w { strings: $w = /ev[a-c]l\s{0,3}\(\$_(POST|GET)\[[^\]]{,8}\]/ wide ascii nocase
       $k = /key\S+v\x61l\b/ $d = /%[^%\\]{2,9}%\\./s wide condition: any of them })",
    R"(import "pe" rule p { condition: pe.is_pe and pe.exports("x") or not pe.is_dll() or
       for any i in (0..pe.number_of_sections - 1) : (pe.sections[i].name == ".text") })",
    R"(rule n { condition: filename matches /\.aspx$/i and extension == ".aspx" and filepath icontains "\\owa\\"
       and uint8(filesize - 1) == 0x0a and int16be(2) < -3 and (filesize \ 3) % 2 == 1 << 1 })",
};

// A gate and, as its oracle, libyara over the same sources.
struct Judged {
  std::unique_ptr<YaraGate> gate;
  std::unique_ptr<YaraGate::Scratch> scratch;
  YaraLoad yara;
  std::unique_ptr<YaraScanner> scanner;

  explicit Judged(const std::vector<std::string>& texts) {
    std::vector<std::string_view> views(texts.begin(), texts.end());
    gate = std::move(YaraGate::Build(views, true).value());
    scratch = std::move(gate->NewScratch().value());
    std::vector<YaraInput> inputs;
    for (size_t i = 0; i < texts.size(); ++i) inputs.push_back({texts[i], std::to_string(i)});
    yara = CompileYaraSources(inputs);
    if (!yara.errors.empty() || gate->summary().unread_sources != 0) __builtin_trap();
    yara.engine->set_gate_mode(YaraEngine::GateMode::kNever);
    scanner = std::move(yara.engine->NewScanner().value());
  }

  void Judge(std::string_view bytes) {
    FileFields f;
    f.path = "\\owa\\auth\\" + std::string(bytes.substr(0, std::min<size_t>(bytes.size(), 12)));
    f.extension = ".aspx";
    f.filetype = "UNKNOWN";
    std::vector<char> sources;
    size_t n = gate->MayMatch(*scratch, bytes, ExternalsOf(f), &sources);
    size_t flagged = 0;
    for (char s : sources) flagged += s != 0;
    if (n != flagged || sources.size() != gate->summary().sources) __builtin_trap();
    std::vector<YaraMatch> matches;
    (void)yara.engine->Scan(*scanner, bytes, f, &matches);
    auto may = gate->RulesThatMayMatch(*scratch, bytes, ExternalsOf(f));
    std::vector<std::string> full;
    for (const auto& m : matches) {
      full.push_back(yara.sources[m.source].origin + ":" + m.identifier);
      if (std::find(may.begin(), may.end(), full.back()) == may.end()) __builtin_trap();
    }
    // libyara given only the text of the rules that may match judges them
    // as in the whole set.
    std::vector<uint32_t> rules;
    if (!gate->MayMatchRules(*scratch, bytes, ExternalsOf(f), &rules) || rules.empty()) return;
    std::vector<YaraInput> inputs;
    for (auto& [source, text] : gate->TextOf(rules)) inputs.push_back({text, std::to_string(source)});
    YaraLoad some = CompileYaraSources(inputs);
    if (!some.errors.empty() || !some.engine) __builtin_trap();
    some.engine->set_gate_mode(YaraEngine::GateMode::kNever);
    auto some_scanner = some.engine->NewScanner();
    std::vector<YaraMatch> chosen;
    (void)some.engine->Scan(*some_scanner.value(), bytes, f, &chosen);
    std::vector<std::string> names;
    for (const auto& m : chosen) names.push_back(some.sources[m.source].origin + ":" + m.identifier);
    std::sort(full.begin(), full.end());
    std::sort(names.begin(), names.end());
    if (names != full) __builtin_trap();
  }
};

std::vector<std::string> BuiltinTexts() {
  RuleSet rules;
  rules.AddBuiltin();
  std::vector<std::string> texts;
  for (const YaraSource* s : rules.yara_sources()) texts.push_back(s->text);
  return texts;
}

struct Fixture {
  Judged builtin{BuiltinTexts()};
  Judged crafted{std::vector<std::string>(std::begin(kRules), std::end(kRules))};
};

void Judge(const YaraGate& gate, YaraGate::Scratch& scratch, std::string_view bytes) {
  YaraExternals ext{bytes.substr(0, std::min<size_t>(bytes.size(), 12)), "\\owa\\auth\\", ".aspx", "UNKNOWN", "", ""};
  std::vector<char> sources;
  size_t n = gate.MayMatch(scratch, bytes, ext, &sources);
  size_t flagged = 0;
  for (char f : sources) flagged += f != 0;
  if (n != flagged || sources.size() != gate.summary().sources) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    fixture.builtin.Judge(bytes);
    fixture.crafted.Judge(bytes);
    return 0;
  }
  std::vector<std::string_view> one{bytes};
  auto gate = YaraGate::Build(one, true);
  if (!gate.ok()) return 0;  // vectorscan refused an atom: reported, never fatal
  auto scratch = gate.value()->NewScratch();
  if (!scratch.ok()) return 0;
  Judge(*gate.value(), *scratch.value(), bytes);
  return 0;
}
