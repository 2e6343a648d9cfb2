#include "rule/regex_literal.h"

#include <cctype>

namespace exhunt {

// Conservative: any top-level alternation gives up;
// groups and classes end a run; a char made optional by ?, * or {0 is dropped.
std::string RegexRequiredLiteral(std::string_view re, bool* caseless) {
  *caseless = false;
  size_t i = 0;
  if (re.substr(0, 2) == "(?") {
    size_t close = re.find(')');
    std::string_view flags = close == std::string_view::npos ? "-" : re.substr(2, close - 2);
    if (flags.find_first_not_of("imsU") == std::string_view::npos) {  // "(?i)" flags, not a group
      *caseless = flags.find('i') != std::string_view::npos;
      i = close + 1;
    }
  }
  // Give up on a top-level '|'.
  int depth = 0;
  for (size_t k = i; k < re.size(); ++k) {
    char c = re[k];
    if (c == '\\') {
      ++k;
    } else if (c == '[') {
      while (k < re.size() && re[k] != ']') k += re[k] == '\\' ? 2 : 1;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth == 0) {
      return "";
    }
  }
  std::string best, cur;
  auto flush = [&] {
    if (cur.size() > best.size()) best = cur;
    cur.clear();
  };
  while (i < re.size()) {
    char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      char e = re[i + 1];
      if (isalnum(static_cast<unsigned char>(e))) {  // \w \d \s \b ...: a class or an assertion
        flush();
        i += 2;
        continue;
      }
      cur += e;
      i += 2;
    } else if (c == '(') {
      flush();
      int d = 0;
      for (; i < re.size(); ++i) {
        if (re[i] == '\\') {
          ++i;
          continue;
        }
        if (re[i] == '(') ++d;
        if (re[i] == ')' && --d == 0) break;
      }
      ++i;
      continue;
    } else if (c == '[') {
      flush();
      while (i < re.size() && re[i] != ']') i += re[i] == '\\' ? 2 : 1;
      ++i;
      continue;
    } else if (c == '?' || c == '*' || (c == '{' && i + 1 < re.size() && re[i + 1] == '0')) {
      if (!cur.empty()) cur.pop_back();
      flush();
      ++i;
      if (c == '{')
        while (i < re.size() && re[i - 1] != '}') ++i;
      continue;
    } else if (c == '+') {
      flush();
      ++i;
      continue;
    } else if (c == '{') {
      flush();
      while (i < re.size() && re[i] != '}') ++i;
      ++i;
      continue;
    } else if (c == '.' || c == '^' || c == '$' || c == '|' || c == ')') {
      flush();
      ++i;
      continue;
    } else {
      cur += c;
      ++i;
    }
    // A quantifier right after the char just added may make it optional.
  }
  flush();
  return *caseless ? LongestAsciiRun(best) : best;
}

std::string LongestAsciiRun(std::string_view s) {
  std::string_view best;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) continue;
    if (i - start > best.size()) best = s.substr(start, i - start);
    start = i + 1;
  }
  return std::string(best);
}

}  // namespace exhunt
