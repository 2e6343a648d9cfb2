// The literal text every match of a regular expression must contain: what
// the prefilter falls back to when it cannot compile a regex, and what a
// regex's selectivity is judged by.
#pragma once

#include <string>
#include <string_view>

namespace exhunt {

// The longest literal every match of `re` must contain, or "" when none is
// certain. *caseless: the pattern starts with an (?i) flag; its literal is
// then of ASCII bytes only (LongestAsciiRun).
std::string RegexRequiredLiteral(std::string_view re, bool* caseless);

// The longest run of ASCII bytes of `s`. A caseless regex matches letters
// of other scripts in either case (RE2 folds Unicode), where a caseless
// literal search folds ASCII only: only ASCII bytes are certain to be there.
std::string LongestAsciiRun(std::string_view s);

}  // namespace exhunt
