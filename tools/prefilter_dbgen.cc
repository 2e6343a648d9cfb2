// exhunt-dbgen OUT.cc: compiles the prefilter database of every evidence
// kind for the built-in rules and writes them, serialized, as a C++ source
// that the exhunt binary links (see rule/prefilter_cache.h). Run at build
// time by CMake.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

#include "rule/prefilter.h"
#include "rule/rule_set.h"

using namespace exhunt;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: exhunt-dbgen OUT.cc\n";
    return 2;
  }
  RuleSet rules;
  rules.AddBuiltin();
  if (!rules.errors().empty()) {
    std::cerr << "exhunt-dbgen: " << rules.errors()[0].status.message() << "\n";
    return 1;
  }
  std::string out =
      "// Generated at build time by exhunt-dbgen from the built-in rules. Do not edit.\n"
      "#include <vector>\n\n#include \"rule/prefilter_cache.h\"\n\nnamespace exhunt {\n\n"
      "std::span<const PrefilterCacheEntry> BuiltinPrefilterDatabases() {\n"
      "  static const std::vector<PrefilterCacheEntry> entries = {\n";
  static const char* kHex = "0123456789abcdef";
  for (const auto& kind : EvidenceKinds()) {
    auto pf = Prefilter::Build(rules.Covers(kind.type), kind.type, nullptr, /*portable=*/true);
    if (!pf.ok()) {
      std::cerr << "exhunt-dbgen: " << kind.name << ": " << pf.status().message() << "\n";
      return 1;
    }
    if (pf.value()->cache_key().empty()) continue;  // a regex fell back: compiled at run time
    auto bytes = pf.value()->Serialize();
    if (!bytes.ok()) {
      std::cerr << "exhunt-dbgen: " << bytes.status().message() << "\n";
      return 1;
    }
    out += "      // " + std::string(kind.name) + ", " + std::to_string(bytes.value().size()) + " bytes\n";
    out += "      {\"" + pf.value()->cache_key() + "\", std::string_view(\n";
    const std::string& b = bytes.value();
    for (size_t i = 0; i < b.size(); i += 64) {
      out += "          \"";
      for (size_t k = i; k < std::min(b.size(), i + 64); ++k) {
        unsigned char c = static_cast<unsigned char>(b[k]);
        out += "\\x";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
      out += "\"\n";
    }
    out += "          , " + std::to_string(b.size()) + ")},\n";
  }
  out += "  };\n  return entries;\n}\n\n}  // namespace exhunt\n";
  std::string tmp = std::string(argv[1]) + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out;
    if (!f) {
      std::cerr << "exhunt-dbgen: cannot write " << tmp << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), argv[1]) != 0) {
    std::cerr << "exhunt-dbgen: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
