// Fuzz target: arbitrary bytes as a Sigma rule file; loaded rules must give
// a cover per log type and compile into a prefilter database.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rule/prefilter.h"
#include "rule/rule_set.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RuleSet rules;
  rules.AddText(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  for (const auto& kind : EvidenceKinds()) {
    auto pf = Prefilter::Build(rules.Covers(kind.type), kind.type);
    (void)pf;
  }
  return 0;
}
