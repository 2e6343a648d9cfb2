// The literal text every match of a regular expression must contain: what
// the prefilter falls back to when it cannot compile a regex, and what a
// regex's selectivity is judged by.
#pragma once

#include <string>
#include <string_view>

namespace exhunt {

// The longest literal every match of `re` must contain, or "" when none is
// certain. *caseless: the pattern starts with an (?i) flag.
std::string RegexRequiredLiteral(std::string_view re, bool* caseless);

}  // namespace exhunt
