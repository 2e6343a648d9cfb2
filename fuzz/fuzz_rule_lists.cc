// Fuzz target: the loaders of the file plane's rule lists on arbitrary
// bytes. The first byte picks the loader: a Loki hash, filename or C2 list,
// a known-good baseline, or a YARA source; the rules that load are then
// evaluated on a file record whose path and hashes come from the input.
// Loading may refuse lines or files, never crash; a rule that loaded must
// answer Matches and Explain.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "record/file_record.h"
#include "rule/rule_set.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  RuleSet rules;
  switch (data[0] % 5) {
    case 0:
      rules.AddIocText(text, "fuzz-hash-iocs.txt", IocListKind::kHash);
      break;
    case 1:
      rules.AddIocText(text, "fuzz-filename-iocs.txt", IocListKind::kFileName);
      break;
    case 2:
      rules.AddIocText(text, "fuzz-c2-iocs.txt", IocListKind::kAddress);
      break;
    case 3:
      rules.AddBaselineText(text, "fuzz-baseline.csv");
      break;
    default:
      rules.AddYaraText(text, "fuzz.yar");
      break;
  }
  FileFields f;
  f.rel_path = std::string(text.substr(0, 200));
  f.path = WindowsPath(f.rel_path);
  f.install_path = f.path;
  f.extension = LowerExtension(f.rel_path);
  f.size = size;
  f.filetype = FileTypeOf(text);
  f.sha256 = std::string(text.substr(0, 64));
  f.md5 = std::string(text.substr(0, 32));
  FileRecord record(&f);
  for (const auto& r : rules.rules())
    if (r->AppliesTo(LogType::kFile) && r->Matches(record) && r->Explain(record).size() > (size_t(1) << 20))
      __builtin_trap();
  return 0;
}
