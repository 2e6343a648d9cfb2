#include "source/directive.h"

#include "base/text.h"

namespace exhunt {

Directive ParseDirective(std::string_view line) {
  if (line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Directive d;
  if (line.size() < 2 || line[0] != '#') return d;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return d;
  std::string_view name = line.substr(1, colon - 1);
  d.value = Trim(line.substr(colon + 1));
  static constexpr struct {
    std::string_view text;
    DirectiveName name;
  } kNames[] = {{"Fields", DirectiveName::kFields},
                {"Date", DirectiveName::kDate},
                {"Version", DirectiveName::kVersion},
                {"Software", DirectiveName::kSoftware},
                {"Log-type", DirectiveName::kLogType}};
  d.name = DirectiveName::kOther;
  for (const auto& n : kNames)
    if (EqualsIgnoreCase(name, n.text)) d.name = n.name;
  return d;
}

}  // namespace exhunt
