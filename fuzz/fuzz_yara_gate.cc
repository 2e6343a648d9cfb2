// Fuzz target: the YARA gate. The first byte chooses: bytes as a file
// judged by the built-in rules and a set of rules using every construct the
// gate reads (its atoms, conditions, the pe module, undefined values), or
// bytes as a YARA rule file the gate reads and then judges itself by. The
// gate never crashes, never reads outside the file, and always names every
// source it cannot rule out.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rule/rule_set.h"
#include "rule/yara_gate.h"

using namespace exhunt;

namespace {

constexpr const char* kRules[] = {
    R"(rule t { strings: $a = "EvilTool" wide ascii nocase $b = "Moz" xor(1-3) $c = "curl http" base64 base64wide
       condition: uint16(0) == 0x5a4d and 2 of them or #a > 2 and filesize < 1MB })",
    R"(rule h { strings: $h = { 4D 5A ?? ?? 5? [2-4] ( DE AD | BE EF ) ~00 } $r = /eval\(Request(\.Item)?\[.{1,9}\]/i
       condition: for any of ($h, $r) : ($ at 0 or # > 1) and uint32(@h + 4) ^ 0xff == 3 })",
    R"(import "pe" rule p { condition: pe.is_pe and pe.exports("x") or not pe.is_dll() or
       for any i in (0..pe.number_of_sections - 1) : (pe.sections[i].name == ".text") })",
    R"(rule n { condition: filename matches /\.aspx$/i and extension == ".aspx" and filepath icontains "\\owa\\"
       and uint8(filesize - 1) == 0x0a and int16be(2) < -3 and (filesize \ 3) % 2 == 1 << 1 })",
};

struct Fixture {
  std::unique_ptr<YaraGate> builtin, crafted;
  std::unique_ptr<YaraGate::Scratch> builtin_scratch, crafted_scratch;
  std::vector<std::string> texts;
  Fixture() {
    RuleSet rules;
    rules.AddBuiltin();
    for (const YaraSource* s : rules.yara_sources()) texts.push_back(s->text);
    std::vector<std::string_view> b(texts.begin(), texts.end());
    builtin = std::move(YaraGate::Build(b, true).value());
    builtin_scratch = std::move(builtin->NewScratch().value());
    std::vector<std::string_view> c(std::begin(kRules), std::end(kRules));
    crafted = std::move(YaraGate::Build(c, true).value());
    crafted_scratch = std::move(crafted->NewScratch().value());
    if (crafted->summary().unread_sources != 0) __builtin_trap();
  }
};

void Judge(const YaraGate& gate, YaraGate::Scratch& scratch, std::string_view bytes) {
  std::string_view name = bytes.substr(0, std::min<size_t>(bytes.size(), 12));
  YaraExternals ext{name, "\\owa\\auth\\", ".aspx", "UNKNOWN", "", ""};
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
    Judge(*fixture.builtin, *fixture.builtin_scratch, bytes);
    Judge(*fixture.crafted, *fixture.crafted_scratch, bytes);
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
