#include "rule/yara_gate.h"

#include <hs/hs.h>
#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <optional>
#include <unordered_map>
#include <utility>

#include "base/text.h"
#include "rule/hs_scan.h"
#include "rule/prefilter.h"
#include "rule/short_literals.h"

namespace exhunt {

namespace {

// ---------------------------------------------------------------- lexing

enum class Tok : uint8_t { kEnd, kIdent, kString, kCount, kOffset, kLength, kInt, kFloat, kText, kPunct };

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;  // identifier, punctuation, decoded text, or a string's name without its sigil ("a", "a*", "")
  int64_t value = 0;
  size_t begin = 0, end = 0;  // where it stands in the source
};

// Thrown inside the reading of one YARA file, caught where that file is
// read: the file is then scanned by libyara for every file (never gated).
struct ReadError {
  std::string why;
};

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// YARA's tokens, lexed on demand: a hex string or a regex is read raw where
// the grammar allows one (the caller asks, with nothing peeked).
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  const Token& Peek(size_t k = 0) {
    while (buf_.size() <= k) {
      SkipSpace();
      size_t begin = pos_;
      buf_.push_back(Lex());
      buf_.back().begin = begin;
      buf_.back().end = pos_;
    }
    return buf_[k];
  }
  Token Take() {
    Peek();
    Token t = std::move(buf_.front());
    buf_.pop_front();
    return t;
  }
  bool IsPunct(std::string_view p, size_t k = 0) {
    const Token& t = Peek(k);
    return t.kind == Tok::kPunct && t.text == p;
  }
  bool IsIdent(std::string_view w, size_t k = 0) {
    const Token& t = Peek(k);
    return t.kind == Tok::kIdent && t.text == w;
  }
  bool Accept(std::string_view p) {
    if (!IsPunct(p)) return false;
    Take();
    return true;
  }
  bool AcceptIdent(std::string_view w) {
    if (!IsIdent(w)) return false;
    Take();
    return true;
  }
  void Expect(std::string_view p) {
    if (!Accept(p)) Fail("expected '" + std::string(p) + "'");
  }
  // Expect, returning where the token ends.
  size_t ExpectEnd(std::string_view p) {
    if (!IsPunct(p)) Fail("expected '" + std::string(p) + "'");
    return Take().end;
  }
  void ExpectIdent(std::string_view w) {
    if (!AcceptIdent(w)) Fail("expected '" + std::string(w) + "'");
  }
  // Whether the next character (after spaces and comments) is `c`; only
  // when no token is peeked.
  bool NextCharIs(char c) {
    if (!buf_.empty()) return false;
    SkipSpace();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  // The body of a hex string, at its '{' (comments dropped).
  std::string ReadHex() {
    ++pos_;
    std::string body;
    while (pos_ < s_.size() && s_[pos_] != '}') {
      if (s_.compare(pos_, 2, "//") == 0 || s_.compare(pos_, 2, "/*") == 0) {
        SkipSpace();
        continue;
      }
      body += s_[pos_++];
    }
    if (pos_ >= s_.size()) Fail("unterminated hex string");
    ++pos_;
    return body;
  }
  // A regex at its '/': its body as written and its flags.
  std::pair<std::string, std::string> ReadRegex() {
    ++pos_;
    std::string body;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') Fail("unterminated regular expression");
      char c = s_[pos_++];
      if (c == '/') break;
      body += c;
      if (c == '\\') {
        if (pos_ >= s_.size()) Fail("unterminated regular expression");
        body += s_[pos_++];
      }
    }
    std::string flags;
    while (pos_ < s_.size() && (s_[pos_] == 'i' || s_[pos_] == 's')) flags += s_[pos_++];
    return {body, flags};
  }
  std::string_view source() const { return s_; }
  [[noreturn]] void Fail(const std::string& why) const {
    size_t line = 1 + size_t(std::count(s_.begin(), s_.begin() + std::min(pos_, s_.size()), '\n'));
    throw ReadError{"line " + std::to_string(line) + ": " + why};
  }

 private:
  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++pos_;
      } else if (s_.compare(pos_, 2, "//") == 0) {
        size_t nl = s_.find('\n', pos_);
        pos_ = nl == std::string_view::npos ? s_.size() : nl;
      } else if (s_.compare(pos_, 2, "/*") == 0) {
        size_t end = s_.find("*/", pos_ + 2);
        if (end == std::string_view::npos) Fail("unterminated comment");
        pos_ = end + 2;
      } else {
        break;
      }
    }
  }

  std::string Name() {
    size_t b = pos_;
    while (pos_ < s_.size() && IdentChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(b, pos_ - b));
  }

  Token Lex() {
    SkipSpace();
    Token t;
    if (pos_ >= s_.size()) return t;
    char c = s_[pos_];
    if (IdentStart(c)) {
      t.kind = Tok::kIdent;
      t.text = Name();
      return t;
    }
    if (c == '$' || c == '#' || c == '@' || (c == '!' && pos_ + 1 < s_.size() && IdentChar(s_[pos_ + 1]))) {
      ++pos_;
      t.kind = c == '$' ? Tok::kString : c == '#' ? Tok::kCount : c == '@' ? Tok::kOffset : Tok::kLength;
      t.text = Name();
      if (c == '$' && pos_ < s_.size() && s_[pos_] == '*') {
        t.text += '*';
        ++pos_;
      }
      return t;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) return Number();
    if (c == '"') return Text();
    static constexpr const char* kTwo[] = {"==", "!=", "<=", ">=", "<<", ">>", ".."};
    for (const char* p : kTwo)
      if (s_.compare(pos_, 2, p) == 0) {
        pos_ += 2;
        t.kind = Tok::kPunct;
        t.text = p;
        return t;
      }
    if (std::strchr("()[]{},:=<>+-*\\%&|^~./", c) == nullptr) Fail(std::string("unexpected character '") + c + "'");
    ++pos_;
    t.kind = Tok::kPunct;
    t.text = std::string(1, c);
    return t;
  }

  Token Number() {
    Token t;
    t.kind = Tok::kInt;
    uint64_t v = 0;
    auto add = [&](uint64_t base, int d) {
      if (v > (UINT64_MAX - uint64_t(d)) / base) Fail("number too large");
      v = v * base + uint64_t(d);
    };
    if (s_.compare(pos_, 2, "0x") == 0 || s_.compare(pos_, 2, "0X") == 0) {
      pos_ += 2;
      if (pos_ >= s_.size() || HexDigit(s_[pos_]) < 0) Fail("bad hex number");
      while (pos_ < s_.size() && HexDigit(s_[pos_]) >= 0) add(16, HexDigit(s_[pos_++]));
    } else if (s_.compare(pos_, 2, "0o") == 0) {
      pos_ += 2;
      if (pos_ >= s_.size() || s_[pos_] < '0' || s_[pos_] > '7') Fail("bad octal number");
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7') add(8, s_[pos_++] - '0');
    } else {
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) add(10, s_[pos_++] - '0');
      if (pos_ + 1 < s_.size() && s_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(s_[pos_ + 1]))) {
        ++pos_;
        while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
        t.kind = Tok::kFloat;
        return t;
      }
      if (s_.compare(pos_, 2, "KB") == 0 || s_.compare(pos_, 2, "MB") == 0) {
        uint64_t m = s_[pos_] == 'K' ? 1024 : 1024 * 1024;
        if (v > UINT64_MAX / m) Fail("number too large");
        v *= m;
        pos_ += 2;
      }
    }
    if (pos_ < s_.size() && IdentChar(s_[pos_])) Fail("bad number");
    if (v > uint64_t(INT64_MAX)) Fail("number too large");
    t.value = int64_t(v);
    return t;
  }

  Token Text() {
    Token t;
    t.kind = Tok::kText;
    ++pos_;
    for (;;) {
      if (pos_ >= s_.size() || s_[pos_] == '\n') Fail("unterminated text string");
      char c = s_[pos_++];
      if (c == '"') break;
      if (c != '\\') {
        t.text += c;
        continue;
      }
      if (pos_ >= s_.size()) Fail("unterminated text string");
      char e = s_[pos_++];
      switch (e) {
        case 'n': t.text += '\n'; break;
        case 't': t.text += '\t'; break;
        case 'r': t.text += '\r'; break;
        case '"': t.text += '"'; break;
        case '\\': t.text += '\\'; break;
        case 'x': {
          int h = pos_ + 1 < s_.size() ? HexDigit(s_[pos_]) : -1;
          int l = h >= 0 ? HexDigit(s_[pos_ + 1]) : -1;
          if (l < 0) Fail("bad \\x escape");
          t.text += char(h * 16 + l);
          pos_ += 2;
          break;
        }
        default: Fail(std::string("unknown escape \\") + e);
      }
    }
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::deque<Token> buf_;
};

// ---------------------------------------------------------------- atoms

struct Atom {
  std::string bytes;
  bool caseless = false;
  bool operator<(const Atom& o) const { return std::tie(caseless, bytes) < std::tie(o.caseless, o.bytes); }
};

std::string Wide(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (char c : s) {
    out += c;
    out += '\0';
  }
  return out;
}

// What a string needs: any of the alternatives, each a set of literals
// that all appear in every match; empty when not known (anywhere).
using Needs = std::vector<std::vector<std::string>>;

constexpr size_t kMaxRunsPerNeed = 4;  // the longest of a string's runs are searched
constexpr size_t kMaxAlternatives = 64;

// The longest of `runs`, at most kMaxRunsPerNeed, leaving out single bytes
// where longer runs exist.
std::vector<std::string> Longest(std::vector<std::string> runs) {
  std::stable_sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  if (runs.size() > kMaxRunsPerNeed) runs.resize(kMaxRunsPerNeed);
  while (runs.size() > 1 && runs.back().size() < 2) runs.pop_back();
  return runs;
}

// The runs of fixed bytes of a hex string's body, outside alternatives and
// around jumps and wildcards (all in every match); none if the body holds
// what this reader does not know.
std::vector<std::string> HexRuns(std::string_view body) {
  std::string run;
  std::vector<std::string> runs;
  auto cut = [&] {
    if (!run.empty()) runs.push_back(run);
    run.clear();
  };
  int depth = 0;
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      ++depth, ++i;
      cut();
    } else if (c == ')') {
      if (--depth < 0) return {};
      ++i;
    } else if (c == '|') {
      if (depth == 0) return {};
      ++i;
    } else if (c == '[') {
      size_t end = body.find(']', i);
      if (end == std::string_view::npos) return {};
      i = end + 1;
      cut();
    } else if (c == '~') {
      ++i;
      cut();
      while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
      if (i + 2 > body.size()) return {};
      i += 2;
      cut();
    } else if (i + 1 < body.size()) {
      int h = HexDigit(c), l = HexDigit(body[i + 1]);
      bool nibble_ok = (h >= 0 || c == '?') && (l >= 0 || body[i + 1] == '?');
      if (!nibble_ok) return {};
      if (depth == 0 && h >= 0 && l >= 0)
        run += char(h * 16 + l);
      else
        cut();
      i += 2;
    } else {
      return {};
    }
  }
  if (depth != 0) return {};
  cut();
  return Longest(std::move(runs));
}

// A vectorscan escape of byte v: \xhh.
std::string ByteEscape(unsigned v) {
  static const char kDigits[] = "0123456789abcdef";
  return std::string("\\x") + kDigits[(v >> 4) & 15] + kDigits[v & 15];
}

// A vectorscan expression (HS_FLAG_DOTALL) that matches what a string
// matches (a hex string byte for byte, a regex at least), and the length of
// its longest match.
struct ExactPattern {
  std::string expr;
  size_t span = 0;
  bool caseless = false;  // HS_FLAG_CASELESS
};

constexpr size_t kMaxExactSpan = 4096;  // longer hex strings are not verified
constexpr size_t kMaxExactDepth = 16;    // nor ones with deeper alternatives

// The hex string `body` as an ExactPattern; nullopt where it holds what is
// not translated here: unbounded jumps, `~`, a longest match over
// kMaxExactSpan.
std::optional<ExactPattern> HexPattern(std::string_view body) {
  size_t i = 0;
  auto space = [&] {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
  };
  auto number = [&](size_t* v) {
    space();
    size_t start = i;
    *v = 0;
    while (i < body.size() && std::isdigit(static_cast<unsigned char>(body[i])) && *v <= kMaxExactSpan)
      *v = *v * 10 + size_t(body[i++] - '0');
    space();
    return i > start && *v <= kMaxExactSpan;
  };
  auto byte = [](int v) { return ByteEscape(unsigned(v)); };
  size_t depth = 0;
  // A sequence up to ')' or '|' or the end, and its longest match.
  std::function<bool(std::string*, size_t*)> sequence = [&](std::string* out, size_t* span) {
    for (;;) {
      space();
      if (i >= body.size() || body[i] == ')' || body[i] == '|') return true;
      char c = body[i];
      if (c == '(') {
        if (++depth > kMaxExactDepth) return false;  // bounded recursion, whatever the file holds
        ++i;
        *out += "(?:";
        size_t longest = 0;
        for (;;) {
          size_t alt = 0;
          if (!sequence(out, &alt)) return false;
          longest = std::max(longest, alt);
          if (i >= body.size()) return false;
          if (body[i++] == ')') break;
          *out += '|';
        }
        *out += ')';
        *span += longest;
        --depth;
      } else if (c == '[') {
        ++i;
        size_t low = 0, high = 0;
        if (!number(&low)) return false;
        if (i < body.size() && body[i] == '-') {
          ++i;
          if (!number(&high)) return false;  // [n-]: unbounded
        } else {
          high = low;
        }
        if (i >= body.size() || body[i] != ']' || high < low) return false;
        ++i;
        *out += ".{" + std::to_string(low) + "," + std::to_string(high) + "}";
        *span += high;
      } else if (i + 1 < body.size()) {
        int h = HexDigit(c), l = HexDigit(body[i + 1]);
        if (h >= 0 && l >= 0) {
          *out += byte(h * 16 + l);
        } else if (h >= 0 && body[i + 1] == '?') {
          *out += "[" + byte(h * 16) + "-" + byte(h * 16 + 15) + "]";
        } else if (c == '?' && l >= 0) {
          *out += "[";
          for (int x = 0; x < 16; ++x) *out += byte(x * 16 + l);
          *out += "]";
        } else if (c == '?' && body[i + 1] == '?') {
          *out += ".";
        } else {
          return false;  // `~` and what is not hex
        }
        i += 2;
        *span += 1;
      } else {
        return false;
      }
      if (*span > kMaxExactSpan) return false;
    }
  };
  ExactPattern p;
  if (!sequence(&p.expr, &p.span) || i != body.size() || p.span == 0) return std::nullopt;
  return p;
}

// libyara looks at most this far from an atom of a regex, before and after
// it (YR_RE_SCAN_LIMIT): no match it reports is longer than twice that.
constexpr size_t kRegexExactSpan = 2 * 4096 + 64;

// One YARA regex (`dotall`: its s flag) as a vectorscan expression that
// matches at least what libyara does, in its wide form (each character
// followed by a zero byte) if `wide`; nullopt where it holds what is not
// translated here. Every character is written as a byte or a class of
// bytes (\w, \s, \d spelled out: no reliance on either engine's tables);
// \b, \B and $ are left out (a match without them is a superset).
std::optional<std::string> RegexExpr(std::string_view re, bool dotall, bool wide) {
  const auto& hex = ByteEscape;
  auto literal = [&](unsigned char c) { return std::isalnum(c) ? std::string(1, char(c)) : hex(c); };
  // The bytes of an escape inside or outside a class: a set of ranges.
  using Ranges = std::vector<std::pair<unsigned, unsigned>>;
  auto escape = [&](char e, Ranges* out, bool* negated) {
    *negated = false;
    switch (e) {
      case 'n': *out = {{10, 10}}; return true;
      case 'r': *out = {{13, 13}}; return true;
      case 't': *out = {{9, 9}}; return true;
      case 'f': *out = {{12, 12}}; return true;
      case 'a': *out = {{7, 7}}; return true;
      case 'w': *out = {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}}; return true;
      case 'W': *out = {{'a', 'z'}, {'A', 'Z'}, {'0', '9'}, {'_', '_'}}; *negated = true; return true;
      case 'd': *out = {{'0', '9'}}; return true;
      case 'D': *out = {{'0', '9'}}; *negated = true; return true;
      // \s with the vertical tab; \S without the certain spaces only.
      case 's': *out = {{9, 13}, {' ', ' '}}; return true;
      case 'S': *out = {{9, 10}, {12, 13}, {' ', ' '}}; *negated = true; return true;
      default:
        if (std::isalnum(static_cast<unsigned char>(e))) return false;  // unknown
        *out = {{static_cast<unsigned char>(e), static_cast<unsigned char>(e)}};
        return true;
    }
  };
  auto klass = [&](const Ranges& ranges, bool negated) {
    std::string c = negated ? "[^" : "[";
    for (auto [lo, hi] : ranges) c += lo == hi ? hex(lo) : hex(lo) + "-" + hex(hi);
    return c + "]";
  };
  auto unit = [&](const std::string& u) { return wide ? "(?:" + u + "\\x00)" : u; };
  std::string out;
  bool quantifiable = false;  // a character or group just ended
  size_t i = 0;
  const size_t n = re.size();
  // The two hex digits of a \x escape at i, read into *b.
  auto hex_digits = [&](unsigned* b) {
    if (i + 2 > n || HexDigit(re[i]) < 0 || HexDigit(re[i + 1]) < 0) return false;
    *b = unsigned(HexDigit(re[i]) * 16 + HexDigit(re[i + 1]));
    i += 2;
    return true;
  };
  while (i < n) {
    char c = re[i];
    if (c == '\\') {
      if (i + 1 >= n) return std::nullopt;
      char e = re[i + 1];
      i += 2;
      if (e == 'b' || e == 'B') {  // left out
        quantifiable = false;
        continue;
      }
      unsigned b = 0;
      if (e == 'x') {
        if (!hex_digits(&b)) return std::nullopt;
        out += unit(hex(b));
      } else {
        Ranges r;
        bool negated = false;
        if (!escape(e, &r, &negated)) return std::nullopt;
        out += unit(r.size() == 1 && r[0].first == r[0].second && !negated ? literal((unsigned char)r[0].first)
                                                                            : klass(r, negated));
      }
      quantifiable = true;
    } else if (c == '[') {
      ++i;
      bool negated = i < n && re[i] == '^';
      if (negated) ++i;
      Ranges ranges;
      bool first = true;
      // One item of the class: a byte (true, in *b) or a set (false).
      auto item = [&](unsigned* b, Ranges* set) -> std::optional<bool> {
        if (i >= n) return std::nullopt;
        char d = re[i++];
        if (d != '\\') {
          *b = static_cast<unsigned char>(d);
          return true;
        }
        if (i >= n) return std::nullopt;
        char e = re[i++];
        if (e == 'x') {
          if (!hex_digits(b)) return std::nullopt;
          return true;
        }
        if (e == 'b' || e == 'B') return std::nullopt;
        bool neg = false;
        if (!escape(e, set, &neg) || neg) return std::nullopt;
        if (set->size() == 1 && (*set)[0].first == (*set)[0].second) {
          *b = (*set)[0].first;
          return true;
        }
        return false;
      };
      for (;;) {
        if (i >= n) return std::nullopt;
        if (re[i] == ']' && !first) {
          ++i;
          break;
        }
        if (re[i] == '[' && i + 1 < n && (re[i + 1] == ':' || re[i + 1] == '=' || re[i + 1] == '.'))
          return std::nullopt;  // POSIX classes: not here
        first = false;
        unsigned lo = 0;
        Ranges set;
        auto kind = item(&lo, &set);
        if (!kind) return std::nullopt;
        if (!*kind) {
          ranges.insert(ranges.end(), set.begin(), set.end());
          continue;
        }
        if (i + 1 < n && re[i] == '-' && re[i + 1] != ']') {
          ++i;
          unsigned hi = 0;
          auto second = item(&hi, &set);
          if (!second || !*second || hi < lo) return std::nullopt;
          ranges.push_back({lo, hi});
        } else {
          ranges.push_back({lo, lo});
        }
      }
      if (ranges.empty()) return std::nullopt;
      out += unit(klass(ranges, negated));
      quantifiable = true;
    } else if (c == '.') {
      ++i;
      out += unit(dotall ? "[\\x00-\\xff]" : "[^\\x0a]");
      quantifiable = true;
    } else if (c == '(') {
      if (i + 1 < n && re[i + 1] == '?') return std::nullopt;
      ++i;
      out += "(?:";
      quantifiable = false;
    } else if (c == ')') {
      ++i;
      out += ")";
      quantifiable = true;
    } else if (c == '|') {
      ++i;
      out += "|";
      quantifiable = false;
    } else if (c == '^') {
      ++i;
      out += c;
      quantifiable = false;
    } else if (c == '$') {
      // Left out: ScanBlock searches a block's end in a copy followed by
      // newlines, where the file's end is not the data's.
      ++i;
      quantifiable = false;
    } else if (c == '*' || c == '+' || c == '?' || c == '{') {
      if (!quantifiable) return std::nullopt;
      if (c == '{') {
        size_t close = re.find('}', i);
        if (close == std::string_view::npos) return std::nullopt;
        std::string_view inner = re.substr(i + 1, close - i - 1);
        if (inner.empty() || inner.find_first_not_of("0123456789,") != std::string_view::npos ||
            std::count(inner.begin(), inner.end(), ',') > 1)
          return std::nullopt;
        size_t comma = inner.find(',');
        std::string low(inner.substr(0, comma)), high;
        if (comma != std::string_view::npos) high = std::string(inner.substr(comma + 1));
        if (low.empty() && comma == std::string_view::npos) return std::nullopt;
        if (low.empty()) low = "0";  // {,m}: libyara's, not PCRE's
        // Repeats past kMaxExactSpan: not searched (vectorscan compiles them slowly).
        if (low.size() > 5 || high.size() > 5 || std::stoul(low) > kMaxExactSpan) return std::nullopt;
        if (!high.empty() && (std::stoul(high) < std::stoul(low) || std::stoul(high) > kMaxExactSpan))
          return std::nullopt;
        out += "{" + low + (comma == std::string_view::npos ? "" : "," + high) + "}";
        i = close + 1;
      } else {
        out += c;
        ++i;
      }
      if (i < n && re[i] == '?') ++i;  // lazy: the same matches
      quantifiable = false;
    } else if (c == ']' || c == '}') {
      return std::nullopt;
    } else {
      ++i;
      out += unit(literal(static_cast<unsigned char>(c)));
      quantifiable = true;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

// The index of the ']' that closes the character class opening at `at`.
size_t ClassEnd(std::string_view re, size_t at) {
  size_t j = at + 1;
  if (j < re.size() && re[j] == '^') ++j;
  if (j < re.size() && re[j] == ']') ++j;
  for (; j < re.size() && re[j] != ']'; ++j)
    if (re[j] == '\\') ++j;
  return j < re.size() ? j : std::string_view::npos;
}

// One branch of a YARA regex: its literal runs at the top level (each in
// every match) and its groups that must match at least once; false where
// the syntax is not known here.
struct RegexSequence {
  std::vector<std::string> runs;
  std::vector<std::string_view> groups;  // the inside of each required group
};

bool ReadSequence(std::string_view re, RegexSequence* out) {
  std::string run;
  auto cut = [&] {
    if (!run.empty()) out->runs.push_back(run);
    run.clear();
  };
  size_t i = 0;
  const size_t n = re.size();
  // Whether a quantifier follows at i, and whether it allows zero repeats.
  auto quantifier = [&](size_t at, bool* optional, size_t* len) {
    if (at >= n) return false;
    char q = re[at];
    size_t j = at + 1;
    if (q == '*' || q == '?') {
      *optional = true;
    } else if (q == '+') {
      *optional = false;
    } else if (q == '{') {
      size_t close = re.find('}', at);
      if (close == std::string_view::npos) return false;
      std::string_view inner = re.substr(at + 1, close - at - 1);
      if (inner.empty() || inner.find_first_not_of("0123456789,") != std::string_view::npos) return false;
      std::string_view low = inner.substr(0, inner.find(','));
      *optional = low.find_first_not_of('0') == std::string_view::npos;  // {,m}, {0}, {0,m}
      j = close + 1;
    } else {
      return false;
    }
    if (j < n && re[j] == '?') ++j;  // lazy
    *len = j - at;
    return true;
  };
  while (i < n) {
    char c = re[i];
    int literal = -1;  // the byte of a literal atom at i, or -1
    size_t len = 1;
    if (c == '|') return false;  // split by the caller
    bool group = false;
    if (c == '(') {
      group = true;
      int depth = 0;
      size_t j = i;
      for (; j < n; ++j) {
        if (re[j] == '\\') {
          ++j;
        } else if (re[j] == '[') {
          j = ClassEnd(re, j);
          if (j == std::string_view::npos) return false;
        } else if (re[j] == '(') {
          ++depth;
        } else if (re[j] == ')' && --depth == 0) {
          break;
        }
      }
      if (j >= n) return false;
      len = j + 1 - i;
    } else if (c == '[') {
      size_t j = ClassEnd(re, i);
      if (j == std::string_view::npos) return false;
      len = j + 1 - i;
    } else if (c == '\\') {
      if (i + 1 >= n) return false;
      char e = re[i + 1];
      len = 2;
      if (e == 'x') {
        int h = i + 3 < n ? HexDigit(re[i + 2]) : -1;
        int l = h >= 0 ? HexDigit(re[i + 3]) : -1;
        if (l < 0) return false;
        literal = h * 16 + l;
        len = 4;
      } else if (e == 'n') {
        literal = '\n';
      } else if (e == 't') {
        literal = '\t';
      } else if (e == 'r') {
        literal = '\r';
      } else if (e == 'f') {
        literal = '\f';
      } else if (e == 'a') {
        literal = '\a';
      } else if (std::isalnum(static_cast<unsigned char>(e))) {
        literal = -1;  // \w \s \d \b and the like: a class or an assertion
      } else {
        literal = static_cast<unsigned char>(e);
      }
    } else if (c == '.' || c == '^' || c == '$') {
      literal = -1;
    } else if (c == '*' || c == '+' || c == '?' || c == '{' || c == ')') {
      return false;  // a quantifier with nothing before it, or a stray brace: not read here
    } else {
      literal = static_cast<unsigned char>(c);
    }
    bool optional = false;
    size_t qlen = 0;
    bool quantified = quantifier(i + len, &optional, &qlen);
    if (literal >= 0 && !(quantified && optional)) {
      run += char(literal);
      if (quantified) cut();  // repeated: what follows is not adjacent
    } else {
      cut();
      if (group && !(quantified && optional) && len > 2) out->groups.push_back(re.substr(i + 1, len - 2));
    }
    i += len + qlen;
  }
  cut();
  return true;
}

// The top-level branches of a regex (split at '|' outside groups and
// classes); none if it is not balanced.
std::vector<std::string_view> Branches(std::string_view re) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t j = 0; j < re.size(); ++j) {
    if (re[j] == '\\') {
      ++j;
    } else if (re[j] == '[') {
      j = ClassEnd(re, j);
      if (j == std::string_view::npos) return {};
    } else if (re[j] == '(') {
      ++depth;
    } else if (re[j] == ')') {
      if (--depth < 0) return {};
    } else if (re[j] == '|' && depth == 0) {
      out.push_back(re.substr(start, j - start));
      start = j + 1;
    }
  }
  if (depth != 0) return {};
  out.push_back(re.substr(start));
  return out;
}

// What a YARA regex needs, read conservatively: each top-level branch
// needs its literal runs, or else what its first required group needs.
Needs RegexNeeds(std::string_view re, int depth = 0) {
  if (depth > 4) return {};
  Needs out;
  for (std::string_view branch : Branches(re)) {
    RegexSequence seq;
    if (!ReadSequence(branch, &seq)) return {};
    if (!seq.runs.empty()) {
      out.push_back(Longest(std::move(seq.runs)));
    } else if (!seq.groups.empty()) {
      Needs inner = RegexNeeds(seq.groups.front(), depth + 1);
      if (inner.empty()) return {};
      out.insert(out.end(), inner.begin(), inner.end());
    } else {
      return {};  // a branch that needs no literal: the regex may match anywhere
    }
    if (out.size() > kMaxAlternatives) return {};
  }
  return out;
}



constexpr const char* kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kXorPiece = 8;  // bytes of a xor string searched under each key

// The base64 text of `s` placed `align` bytes into a 3-byte group: only the
// characters made of s's bits alone (those of the bytes around it vary).
std::string Base64Piece(std::string_view s, int align, const std::string& alphabet) {
  std::string data(size_t(align), '\0');
  data += s;
  const size_t bits = data.size() * 8;
  std::string out;
  for (size_t j = (8 * size_t(align) + 5) / 6; 6 * j + 6 <= bits; ++j) {
    size_t b = 6 * j, i = b / 8;
    unsigned window = unsigned(static_cast<unsigned char>(data[i])) << 8;
    if (i + 1 < data.size()) window |= static_cast<unsigned char>(data[i + 1]);
    out += alphabet[(window >> (10 - b % 8)) & 63];
  }
  return out;
}

// ---------------------------------------------------------------- conditions

enum class Op : uint8_t {
  kUnknown, kBool, kInt, kText,
  kFilesize, kRead, kExternal,
  kString, kCount,  // value: string index, or -1 for the one a for..of binds
  kOffset,          // @a[i] or !a[i]: undefined where the string is absent
  kStringAt,        // $a at kids[0]
  kRule,            // value: rule index
  kNot, kAnd, kOr,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kContains, kIContains, kStartsWith, kIStartsWith, kEndsWith, kIEndsWith, kIEquals,
  kAdd, kSub, kMul, kDiv, kMod, kShl, kShr, kBitAnd, kBitOr, kBitXor, kNeg, kBitNot,
  kOf,  // quantifier `quant` over `set`; body, or the strings themselves
  kMatches,  // kids[0] matches regexes[value]
  kPe,       // pe.<text>...: libyara's pe module, known on files that are no PE
  kAnyInRange,  // for any i in (kids[0]..kids[1]) : (...)
};

enum class Quant : uint8_t { kAll, kAny, kNone, kCount, kPercent };

struct Node {
  Op op = Op::kUnknown;
  Quant quant = Quant::kAny;
  uint8_t width = 0;  // kRead: bytes
  bool is_signed = false, big_endian = false;
  int64_t value = 0;
  std::string text;
  std::vector<uint32_t> kids;  // operands; kOf: the count or percent, if any
  std::vector<uint32_t> set;   // kOf: string indices
  int64_t body = -1;           // kOf
};

enum class External : uint8_t { kFilename, kFilepath, kExtension, kFiletype, kMd5, kOwner };
constexpr const char* kExternalNames[] = {"filename", "filepath", "extension", "filetype", "md5", "owner"};

struct GateString {
  int32_t header = -1;  // the first two bytes (LE) its rule demands, or -1
  // The bytes of each form a match takes, where they are fixed (a text
  // string without xor or base64); empty otherwise.
  std::vector<Atom> whole;
  // Alternatives, each of atom ids that all appear in a match; none: the
  // string may be anywhere.
  std::vector<std::vector<uint32_t>> forms;
  // Where known (hex strings; regexes, as a superset), what matches it:
  // searched when its atoms leave its rule undecided.
  std::optional<ExactPattern> exact;
};

struct GateRule {
  std::string name;
  uint32_t source = 0;
  bool is_private = false;
  uint32_t root = 0;
  uint32_t first_string = 0, end_string = 0;  // its strings: [first, end)
  // False in every file where none of its strings is present, whatever the
  // file's size, bytes and names (most rules): only evaluated where one is.
  bool needs_a_string = false;
  bool is_global = false;
  std::vector<uint32_t> uses;  // the rules its condition names
  std::string text;            // as written, from `private`/`global`/`rule` to its '}'
};

// A value as far as exhunt knows it. kUndef is libyara's undefined (the
// offset of a match that does not exist, and what is computed from it);
// kNotTrue is a comparison with an undefined operand: libyara versions make
// it false or undefined, so it is never true and counts as false in `and`,
// `or` and a rule's result, but `not` of it may be true.
struct Val {
  enum Kind : uint8_t { kUnknown, kBool, kInt, kText, kUndef, kNotTrue } kind = kUnknown;
  int64_t i = 0;
  std::string_view s;
  static Val Unknown() { return {}; }
  static Val Bool(bool b) { return {kBool, b ? 1 : 0, {}}; }
  static Val Int(int64_t v) { return {kInt, v, {}}; }
  static Val Text(std::string_view t) { return {kText, 0, t}; }
  static Val Undef() { return {kUndef, 0, {}}; }
  static Val NotTrue() { return {kNotTrue, 0, {}}; }
};

enum Tri : uint8_t { kFalse, kTrue, kMaybe };

Tri Truth(const Val& v) {
  switch (v.kind) {
    case Val::kBool:
    case Val::kInt: return v.i != 0 ? kTrue : kFalse;
    case Val::kText: return v.s.empty() ? kFalse : kTrue;
    case Val::kUndef:
    case Val::kNotTrue: return kFalse;
    default: return kMaybe;
  }
}

Val FromTri(Tri t) { return t == kMaybe ? Val::Unknown() : Val::Bool(t == kTrue); }

}  // namespace

// ---------------------------------------------------------------- the gate

// A vectorscan database compiled when first needed, by one worker while
// the others go on without it.
class LazyDatabase {
 public:
  // The database, compiled now by `compile` (returning an HsDatabase) if no
  // worker has begun it; null while another compiles it, or if it failed.
  template <class Compile>
  const hs_database_t* Get(Compile&& compile) const {
    int state = state_.load(std::memory_order_acquire);
    if (state == kNone) {
      int expected = kNone;
      if (!state_.compare_exchange_strong(expected, kCompiling)) return nullptr;
      db_ = compile();
      state = db_ ? kReady : kFailed;
      state_.store(state, std::memory_order_release);
    }
    return state == kReady ? db_.get() : nullptr;
  }
  bool started() const { return state_.load(std::memory_order_relaxed) != kNone; }

 private:
  enum State { kNone, kCompiling, kReady, kFailed };
  mutable std::atomic<int> state_{kNone};
  mutable HsDatabase db_;  // written by the worker that began it, read once kReady
};

struct YaraGate::Impl {
  std::vector<Node> nodes;
  std::vector<GateString> strings;
  std::vector<GateRule> rules;
  std::vector<std::pair<uint32_t, uint32_t>> source_rules;  // [first, last) per source
  std::vector<char> unread;                                 // per source
  std::vector<std::vector<std::string>> imports;            // per source: the modules it imports
  std::map<Atom, uint32_t> atom_ids;
  std::vector<std::unique_ptr<RE2>> regexes;  // of `matches`, read as bytes
  // The atoms of strings whose rule demands no first bytes, searched in
  // every file; and per first two bytes, the atoms only rules demanding
  // them need, compiled at the first file that starts so. Atoms of two or
  // three bytes are searched apart (ShortLiterals): those of every file in
  // a file of no listed first bytes, with the header's in one that has.
  std::vector<uint32_t> common_atoms;
  std::vector<uint32_t> common_short_atoms;
  ShortLiterals short_atoms;
  HsDatabase db;
  bool compiled = false;  // the databases are made (or there are no atoms)
  struct HeaderAtoms {
    uint16_t header = 0;
    std::vector<uint32_t> atoms;        // of four bytes or more: vectorscan
    std::vector<uint32_t> short_atoms;  // of two or three: with the common ones
    mutable std::once_flag once;
    mutable HsDatabase db;
    mutable ShortLiterals shorts;
    mutable bool failed = false;
    // With kMergeHeaderAtoms atoms or more: one database of the common
    // atoms and its own (the others search the two databases until it is
    // ready); then one pass.
    LazyDatabase merged;
  };
  // Atoms of two or three bytes are searched by ShortLiterals, not
  // vectorscan, where there are this many (signature-base: 478).
  static constexpr size_t kShortAtomsApart = 32;
  // ELF's 704 atoms in signature-base, a second pass of 0.25 s over the
  // 500 libraries (376 MB) beside the common atoms' 0.64 s; PE's 10,750.
  static constexpr size_t kMergeHeaderAtoms = 256;
  std::vector<std::unique_ptr<HeaderAtoms>> by_header;  // sorted by header
  // Per rule with strings of an exact pattern: those strings, the longest
  // match, and their database, compiled when first needed.
  struct Exact {
    std::vector<uint32_t> strings;
    size_t span = 0;
    LazyDatabase db;
    mutable std::vector<uint32_t> searched;  // those db holds (written by its compile)
    // The files and bytes its atoms left it undecided in, until searched.
    mutable std::atomic<uint64_t> undecided_files{0}, undecided_bytes{0};
    bool Due(size_t file_bytes) const {
      if (db.started()) return true;
      uint64_t files = undecided_files.fetch_add(1, std::memory_order_relaxed) + 1;
      uint64_t bytes = undecided_bytes.fetch_add(file_bytes, std::memory_order_relaxed) + file_bytes;
      return files >= YaraGate::kExactAfterFiles || bytes >= YaraGate::kExactAfterBytes;
    }
  };
  std::vector<std::unique_ptr<Exact>> exact_of;  // by rule; null: none
  std::vector<const Atom*> atom_of;                      // by id
  size_t longest_atom = 0;
  // The public rules that need one of their strings, by atom (offsets into
  // rules_of_atom, one more than atoms); the public rules that do not.
  std::vector<uint32_t> rules_of_atom_at, rules_of_atom, judged_always;

  const HeaderAtoms* ForHeader(std::string_view bytes) const {
    if (bytes.size() < 2) return nullptr;
    uint16_t h = uint16_t(static_cast<unsigned char>(bytes[0]) | (static_cast<unsigned char>(bytes[1]) << 8));
    auto it = std::lower_bound(by_header.begin(), by_header.end(), h,
                               [](const auto& e, uint16_t v) { return e->header < v; });
    return it != by_header.end() && (*it)->header == h ? it->get() : nullptr;
  }

  // The short atoms of every file and `more`.
  ShortLiterals ShortsOf(const std::vector<uint32_t>& more) const {
    std::vector<ShortLiterals::Literal> lits;
    for (const auto* ids : {&common_short_atoms, &more})
      for (uint32_t a : *ids) lits.push_back({atom_of[a]->bytes, atom_of[a]->caseless, a});
    return ShortLiterals(lits);
  }

  uint32_t Add(Node n) {
    nodes.push_back(std::move(n));
    return uint32_t(nodes.size() - 1);
  }
  // vectorscan's literal API refuses a literal that starts with a NUL
  // byte: the rest of it is as certain to be there. nullopt: nothing left.
  // Single bytes cost vectorscan more than they rule out: a form is
  // searched for by its literals of two bytes or more.
  static constexpr size_t kMinAtom = 2;
  // The length of literal `lit` as searched: without its leading NUL bytes.
  static size_t SearchedLength(std::string_view lit) {
    size_t lead = lit.find_first_not_of('\0');
    return lead == std::string_view::npos ? 0 : lit.size() - lead;
  }
  std::optional<uint32_t> AtomId(Atom a) {
    size_t length = SearchedLength(a.bytes);
    if (length < kMinAtom) return std::nullopt;
    a.bytes.erase(0, a.bytes.size() - length);
    auto [it, fresh] = atom_ids.emplace(std::move(a), uint32_t(atom_ids.size()));
    return it->second;
  }
};

struct YaraGate::Scratch::State {
  HsScratch hs;
  std::set<const void*> fits;  // header databases the scratch was grown for
  std::vector<uint8_t> hits;  // per atom
  std::vector<int8_t> memo;   // per rule: -1 not yet, else Tri
  std::vector<uint32_t> hit_list, judged;  // the atoms found, the rules with a memo
  std::vector<uint32_t> candidates;        // the public rules judged for the file
  std::vector<uint32_t> chosen;            // MayMatch's rules
  std::string copy;                        // ScanBlock's
  ShortLiterals::Scratch short_scratch;
  // Per string: ruled out by its exact pattern (for the file), or found by
  // it while searching; the strings so marked.
  std::vector<uint8_t> absent, exact_found;
  std::vector<uint32_t> absent_list;
};

YaraGate::Scratch::~Scratch() = default;

namespace {

// Reads one YARA file into the gate's tables.
class SourceReader {
 public:
  SourceReader(std::string_view text, uint32_t source, YaraGate::Impl& g, YaraGate::Summary& sum)
      : lx_(text), source_(source), g_(g), sum_(sum) {}

  void Read() {
    while (lx_.Peek().kind != Tok::kEnd) {
      bool is_import = lx_.IsIdent("import");
      if (lx_.AcceptIdent("import") || lx_.AcceptIdent("include")) {
        Token name = lx_.Take();
        if (name.kind != Tok::kText) lx_.Fail("expected a quoted name");
        if (is_import) g_.imports[source_].push_back(name.text);
        continue;
      }
      size_t begin = lx_.Peek().begin;
      bool is_private = false, is_global = false;
      for (;;) {
        if (lx_.AcceptIdent("private"))
          is_private = true;
        else if (lx_.AcceptIdent("global"))
          is_global = true;
        else
          break;
      }
      lx_.ExpectIdent("rule");
      ReadRule(is_private, is_global, begin);
    }
  }

 private:
  void ReadRule(bool is_private, bool is_global, size_t begin) {
    Token name = lx_.Take();
    if (name.kind != Tok::kIdent) lx_.Fail("expected a rule name");
    if (lx_.Accept(":"))
      while (lx_.Peek().kind == Tok::kIdent) lx_.Take();  // tags
    lx_.Expect("{");
    string_names_.clear();
    first_string_ = uint32_t(g_.strings.size());
    if (lx_.IsIdent("meta") && lx_.IsPunct(":", 1)) {
      lx_.Take(), lx_.Take();
      while (lx_.Peek().kind == Tok::kIdent && !lx_.IsIdent("strings") && !lx_.IsIdent("condition")) {
        lx_.Take();
        lx_.Expect("=");
        lx_.Accept("-");
        Token v = lx_.Take();
        if (v.kind != Tok::kText && v.kind != Tok::kInt && v.kind != Tok::kIdent && v.kind != Tok::kFloat)
          lx_.Fail("bad meta value");
      }
    }
    if (lx_.IsIdent("strings") && lx_.IsPunct(":", 1)) {
      lx_.Take(), lx_.Take();
      while (lx_.Peek().kind == Tok::kString) ReadString();
    }
    lx_.ExpectIdent("condition");
    lx_.Expect(":");
    GateRule rule;
    rule.name = name.text;
    rule.source = source_;
    rule.is_private = is_private;
    rule.root = Expr(0);
    rule.first_string = first_string_;
    rule.end_string = uint32_t(g_.strings.size());
    rule.is_global = is_global;
    RulesNamed(rule.root, &rule.uses);
    rule.text = std::string(lx_.source().substr(begin, lx_.ExpectEnd("}") - begin));
    if (auto key = HeaderKey(rule.root))
      for (size_t i = first_string_; i < g_.strings.size(); ++i) g_.strings[i].header = *key;
    rules_by_name_[name.text] = uint32_t(g_.rules.size());
    g_.rules.push_back(rule);
    ++sum_.rules;
  }

  void ReadString() {
    Token id = lx_.Take();
    if (id.text.ends_with('*')) lx_.Fail("bad string name");
    lx_.Expect("=");
    enum { kText, kHex, kRegex } kind = kText;
    std::string body, flags;
    if (lx_.NextCharIs('{')) {
      kind = kHex;
      body = lx_.ReadHex();
    } else if (lx_.NextCharIs('/')) {
      kind = kRegex;
      std::tie(body, flags) = lx_.ReadRegex();
    } else {
      Token t = lx_.Take();
      if (t.kind != Tok::kText) lx_.Fail("expected a string value");
      body = std::move(t.text);
    }
    bool nocase = flags.find('i') != std::string::npos, wide = false, ascii = false;
    bool xor_mod = false, base64 = false, base64wide = false;
    int64_t xor_low = 0, xor_high = 255;
    std::string alphabet = kBase64Alphabet;
    for (;;) {
      if (lx_.AcceptIdent("nocase")) {
        nocase = true;
      } else if (lx_.AcceptIdent("wide")) {
        wide = true;
      } else if (lx_.AcceptIdent("ascii")) {
        ascii = true;
      } else if (lx_.AcceptIdent("fullword") || lx_.AcceptIdent("private")) {
      } else if (lx_.AcceptIdent("xor")) {
        xor_mod = true;
        if (lx_.Accept("(")) {
          Token low = lx_.Take();
          if (low.kind != Tok::kInt) lx_.Fail("bad xor range");
          xor_low = xor_high = low.value;
          if (lx_.Accept("-")) {
            Token high = lx_.Take();
            if (high.kind != Tok::kInt) lx_.Fail("bad xor range");
            xor_high = high.value;
          }
          lx_.Expect(")");
          if (xor_low < 0 || xor_high > 255 || xor_low > xor_high) lx_.Fail("bad xor range");
        }
      } else if (lx_.IsIdent("base64") || lx_.IsIdent("base64wide")) {
        (lx_.Take().text == "base64" ? base64 : base64wide) = true;
        if (lx_.Accept("(")) {
          Token a = lx_.Take();
          if (a.kind != Tok::kText || a.text.size() != 64) lx_.Fail("bad base64 alphabet");
          alphabet = a.text;
          lx_.Expect(")");
        }
      } else {
        break;
      }
    }
    Needs needs;
    if (kind == kText && !body.empty())
      needs = {{body}};
    else if (kind == kHex)
      needs = {HexRuns(body)};
    else if (kind == kRegex)
      needs = RegexNeeds(body);
    if (!needs.empty() && needs[0].empty()) needs.clear();
    if (kind == kHex) nocase = false;
    // Every form the string may take in a file; a match holds one, and
    // each literal of it.
    Needs forms;
    for (const auto& need : needs) {
      if (!wide || ascii) forms.push_back(need);
      if (wide) {
        std::vector<std::string> w;
        for (const auto& lit : need) w.push_back(Wide(lit));
        forms.push_back(std::move(w));
      }
    }
    if (kind == kText && (base64 || base64wide)) {
      Needs encoded;
      if (ascii || wide) encoded = forms;  // over-inclusive: still sound
      for (const auto& f : forms)
        for (int a = 0; a < 3; ++a) {
          std::string piece = Base64Piece(f[0], a, alphabet);
          if (base64) encoded.push_back({piece});
          if (base64wide) encoded.push_back({Wide(piece)});
        }
      forms = std::move(encoded);
    } else if (kind == kText && xor_mod) {
      // A piece of each form under each key (libyara xors the wide form
      // whole, its zero bytes too).
      Needs keyed;
      for (const auto& f : forms)
        for (int64_t k = xor_low; k <= xor_high; ++k) {
          std::string piece = f[0].substr(0, kXorPiece);
          for (char& c : piece) c = char(c ^ char(k));
          keyed.push_back({std::move(piece)});
        }
      forms = std::move(keyed);
    }
    GateString s;
    if (kind == kText && !xor_mod && !base64 && !base64wide && !body.empty()) {
      if (!wide || ascii) s.whole.push_back({body, nocase});
      if (wide) s.whole.push_back({Wide(body), nocase});
    }
    if (kind == kHex) {
      s.exact = HexPattern(body);
    } else if (kind == kRegex) {
      // ascii unless only wide; both forms as alternatives.
      bool dotall = flags.find('s') != std::string::npos, has_plain = !wide || ascii;
      std::optional<std::string> plain, widened;
      if (has_plain) plain = RegexExpr(body, dotall, false);
      if (wide) widened = RegexExpr(body, dotall, true);
      if (plain && widened)
        s.exact = ExactPattern{"(?:" + *plain + ")|(?:" + *widened + ")", kRegexExactSpan, nocase};
      else if (plain && !wide)
        s.exact = ExactPattern{*plain, kRegexExactSpan, nocase};
      else if (widened && !has_plain)
        s.exact = ExactPattern{*widened, kRegexExactSpan, nocase};
    }
    for (auto& form : forms) {
      // Where a form has a literal of four bytes or more, its shorter ones
      // are left out: they would rule out little more and cost a lot more.
      auto length = YaraGate::Impl::SearchedLength;
      bool has_long = std::any_of(form.begin(), form.end(), [&](const std::string& lit) { return length(lit) >= 4; });
      std::vector<uint32_t> ids;
      for (auto& lit : form)
        if (!has_long || length(lit) >= 4)
          if (auto id = g_.AtomId({std::move(lit), nocase})) ids.push_back(*id);
      if (ids.empty()) {  // a form without an atom: the string may be anywhere
        s.forms.clear();
        break;
      }
      s.forms.push_back(std::move(ids));
    }
    ++sum_.strings;
    if (s.forms.empty()) ++sum_.atomless_strings;
    string_names_.push_back(id.text);
    g_.strings.push_back(std::move(s));
  }

  // Whether a pe-module value is false or undefined on a file that is no
  // PE (see Evaluator: kPe): a field or function, not a constant.
  bool NeedsPe(const Node& n) const {
    return n.op == Op::kPe &&
           std::any_of(n.text.begin(), n.text.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
  }

  // The first two bytes of the file (little-endian) that a condition
  // demands at its top level: a conjunct `uintN(0) == K` (N of 16 or 32
  // bits, either byte order), or one that the pe module makes false or
  // undefined on a file that does not start with MZ. A file with other
  // first bytes makes that conjunct, and the rule, false whatever the
  // rule's strings: their atoms need not be searched in it.
  std::optional<uint16_t> HeaderKey(uint32_t root) const {
    const Node& top = g_.nodes[root];
    std::vector<uint32_t> conjuncts = top.op == Op::kAnd ? top.kids : std::vector<uint32_t>{root};
    for (uint32_t k : conjuncts) {
      const Node& c = g_.nodes[k];
      if (NeedsPe(c)) return uint16_t(0x5a4d);
      bool comparison = c.op >= Op::kEq && c.op <= Op::kIEquals;
      if (comparison)
        for (uint32_t side : c.kids)
          if (NeedsPe(g_.nodes[side]) && g_.nodes[side].text != "is_pe") return uint16_t(0x5a4d);
      if (c.op != Op::kEq) continue;
      for (int side = 0; side < 2; ++side) {
        const Node& read = g_.nodes[c.kids[side]];
        const Node& value = g_.nodes[c.kids[1 - side]];
        if (read.op != Op::kRead || read.is_signed || read.width < 2 || value.op != Op::kInt) continue;
        const Node& at = g_.nodes[read.kids[0]];
        if (at.op != Op::kInt || at.value != 0) continue;
        uint64_t v = uint64_t(value.value);
        if (v >> (8 * read.width)) continue;  // no file has it: left to the evaluator
        uint16_t first = read.big_endian ? uint16_t((v >> (8 * read.width - 8)) & 0xff) |
                                               uint16_t(((v >> (8 * read.width - 16)) & 0xff) << 8)
                                         : uint16_t(v & 0xffff);
        return first;
      }
    }
    return std::nullopt;
  }

  // The rules the condition under `id` names.
  void RulesNamed(uint32_t id, std::vector<uint32_t>* out) const {
    const Node& n = g_.nodes[id];
    if (n.op == Op::kRule) out->push_back(uint32_t(n.value));
    for (uint32_t k : n.kids) RulesNamed(k, out);
    if (n.body >= 0) RulesNamed(uint32_t(n.body), out);
  }

  uint32_t Unknown() { return g_.Add(Node{}); }
  uint32_t Make(Op op, std::vector<uint32_t> kids) {
    Node n;
    n.op = op;
    n.kids = std::move(kids);
    return g_.Add(std::move(n));
  }
  uint32_t Constant(Op op, int64_t v) {
    Node n;
    n.op = op;
    n.value = v;
    return g_.Add(std::move(n));
  }

  // The string of this rule named `name`; -1 for the bare `$` of a for..of.
  int64_t StringIndex(const std::string& name) {
    if (name.empty()) {
      if (binding_depth_ == 0) lx_.Fail("'$' outside a for..of");
      return -1;
    }
    for (size_t i = 0; i < string_names_.size(); ++i)
      if (string_names_[i] == name) return int64_t(first_string_ + i);
    lx_.Fail("undefined string $" + name);
  }

  // `them` or `( $a, $b*, ... )`.
  std::vector<uint32_t> StringSet() {
    std::vector<uint32_t> set;
    auto add_matching = [&](const std::string& pattern) {
      bool wildcard = pattern.ends_with('*');
      std::string_view stem = wildcard ? std::string_view(pattern).substr(0, pattern.size() - 1) : pattern;
      size_t before = set.size();
      for (size_t i = 0; i < string_names_.size(); ++i)
        if (wildcard ? std::string_view(string_names_[i]).starts_with(stem) : string_names_[i] == stem)
          set.push_back(uint32_t(first_string_ + i));
      if (set.size() == before) lx_.Fail("no string matches $" + pattern);
    };
    if (lx_.AcceptIdent("them")) {
      add_matching("*");
      return set;
    }
    lx_.Expect("(");
    do {
      Token t = lx_.Take();
      if (t.kind != Tok::kString) lx_.Fail("expected a string in a set");  // rule sets: not read
      add_matching(t.text);
    } while (lx_.Accept(","));
    lx_.Expect(")");
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
  }

  void Range() {
    lx_.Expect("(");
    Expr(0);
    lx_.Expect("..");
    Expr(0);
    lx_.Expect(")");
  }

  // After `of`: the set, an optional `in (range)`, and for a `for`, its body.
  uint32_t Of(Quant quant, int64_t count_node, bool with_body) {
    Node n;
    n.op = Op::kOf;
    n.quant = quant;
    if (count_node >= 0) n.kids.push_back(uint32_t(count_node));
    n.set = StringSet();
    if (!with_body && lx_.AcceptIdent("in")) Range();
    if (with_body) {
      lx_.Expect(":");
      lx_.Expect("(");
      ++binding_depth_;
      n.body = Expr(0);
      --binding_depth_;
      lx_.Expect(")");
    }
    return g_.Add(std::move(n));
  }

  // A quantifier, from its first token on: all, any, none, N or N%.
  void Quantifier(Quant* quant, int64_t* count_node) {
    *count_node = -1;
    if (lx_.AcceptIdent("all")) {
      *quant = Quant::kAll;
    } else if (lx_.AcceptIdent("any")) {
      *quant = Quant::kAny;
    } else if (lx_.AcceptIdent("none")) {
      *quant = Quant::kNone;
    } else {
      *count_node = Expr(10);
      *quant = Quant::kCount;
      if (lx_.IsPunct("%") && lx_.IsIdent("of", 1)) {
        lx_.Take();
        *quant = Quant::kPercent;
      }
    }
  }

  static int Precedence(const Token& t, Op* op) {
    static const std::unordered_map<std::string, std::pair<int, Op>> kIdentOps = {
        {"or", {1, Op::kOr}},
        {"and", {2, Op::kAnd}},
        {"contains", {4, Op::kContains}},
        {"icontains", {4, Op::kIContains}},
        {"startswith", {4, Op::kStartsWith}},
        {"istartswith", {4, Op::kIStartsWith}},
        {"endswith", {4, Op::kEndsWith}},
        {"iendswith", {4, Op::kIEndsWith}},
        {"iequals", {4, Op::kIEquals}},
        {"matches", {4, Op::kMatches}},
    };
    static const std::unordered_map<std::string, std::pair<int, Op>> kPunctOps = {
        {"==", {4, Op::kEq}},      {"!=", {4, Op::kNe}},      {"<", {5, Op::kLt}},      {"<=", {5, Op::kLe}},
        {">", {5, Op::kGt}},       {">=", {5, Op::kGe}},      {"|", {6, Op::kBitOr}},   {"^", {7, Op::kBitXor}},
        {"&", {8, Op::kBitAnd}},   {"<<", {9, Op::kShl}},     {">>", {9, Op::kShr}},    {"+", {10, Op::kAdd}},
        {"-", {10, Op::kSub}},     {"*", {11, Op::kMul}},     {"\\", {11, Op::kDiv}},   {"%", {11, Op::kMod}},
    };
    const auto* table = t.kind == Tok::kIdent ? &kIdentOps : t.kind == Tok::kPunct ? &kPunctOps : nullptr;
    if (!table) return -1;
    auto it = table->find(t.text);
    if (it == table->end()) return -1;
    *op = it->second.second;
    return it->second.first;
  }

  uint32_t Expr(int min_prec) {
    uint32_t lhs = Unary();
    for (;;) {
      Op op;
      int prec = Precedence(lx_.Peek(), &op);
      if (prec < 0 || prec < min_prec) return lhs;
      // `N % of`: the percent of a quantifier, not a modulo.
      if (op == Op::kMod && lx_.IsIdent("of", 1)) return lhs;
      lx_.Take();
      if (op == Op::kMatches) {  // matches /regex/: read here, not as an operand
        if (!lx_.NextCharIs('/')) lx_.Fail("expected a regex after 'matches'");
        auto [body, flags] = lx_.ReadRegex();
        lhs = Matches(lhs, body, flags);
        continue;
      }
      uint32_t rhs = Expr(prec + 1);
      if (op == Op::kAnd || op == Op::kOr) {
        // Flatten chains: a and b and c is one node.
        Node& l = g_.nodes[lhs];
        if (l.op == op && !l.kids.empty()) {
          l.kids.push_back(rhs);
          continue;
        }
      }
      lhs = Make(op, {lhs, rhs});
    }
  }

  // `x matches /re/` as RE2 over bytes (Latin-1), which libyara's regexes
  // are a subset of for what it accepts; one RE2 cannot read is unknown.
  uint32_t Matches(uint32_t subject, const std::string& body, const std::string& flags) {
    RE2::Options opts;
    opts.set_encoding(RE2::Options::EncodingLatin1);
    opts.set_case_sensitive(flags.find('i') == std::string::npos);
    opts.set_dot_nl(flags.find('s') != std::string::npos);
    opts.set_log_errors(false);
    opts.set_max_mem(1 << 20);
    // RE2's \s leaves out \v, libyara's does not: such a regex is not read.
    if (body.find("\\s") != std::string::npos || body.find("\\S") != std::string::npos) return Unknown();
    auto re = std::make_unique<RE2>(body, opts);
    if (!re->ok()) return Unknown();
    Node n;
    n.op = Op::kMatches;
    n.kids.push_back(subject);
    n.value = int64_t(g_.regexes.size());
    g_.regexes.push_back(std::move(re));
    return g_.Add(std::move(n));
  }

  uint32_t Unary() {
    if (lx_.AcceptIdent("not")) return Make(Op::kNot, {Expr(3)});
    if (lx_.AcceptIdent("defined")) {
      Expr(3);
      return Unknown();
    }
    if (lx_.Accept("-")) return Make(Op::kNeg, {Unary()});
    if (lx_.Accept("~")) return Make(Op::kBitNot, {Unary()});
    return Primary();
  }

  // A module's value, a loop variable or an unknown name, with its
  // member accesses, subscripts and calls: not evaluated.
  uint32_t Postfix() {
    for (;;) {
      if (lx_.Accept(".")) {
        if (lx_.Take().kind != Tok::kIdent) lx_.Fail("expected a member name");
      } else if (lx_.Accept("[")) {
        Expr(0);
        lx_.Expect("]");
      } else if (lx_.Accept("(")) {
        // Arguments: expressions or regexes (`pe.exports(/x/)`), read
        // before anything is peeked past the parenthesis.
        auto argument = [&] {
          if (lx_.NextCharIs('/'))
            lx_.ReadRegex();
          else
            Expr(0);
        };
        if (lx_.NextCharIs('/') || !lx_.Accept(")")) {
          argument();
          while (lx_.Accept(",")) argument();
          lx_.Expect(")");
        }
      } else {
        return Unknown();
      }
    }
  }

  uint32_t For() {
    Quant quant;
    int64_t count_node;
    Quantifier(&quant, &count_node);
    if (lx_.AcceptIdent("of")) return Of(quant, count_node, true);
    std::vector<std::string> vars;
    do {
      Token v = lx_.Take();
      if (v.kind != Tok::kIdent) lx_.Fail("expected a loop variable");
      vars.push_back(v.text);
    } while (lx_.Accept(","));
    lx_.ExpectIdent("in");
    int64_t low = -1, high = -1;
    if (lx_.Accept("(")) {
      low = Expr(0);
      if (lx_.Accept("..")) {
        high = Expr(0);
      } else {
        low = -1;
        while (lx_.Accept(",")) Expr(0);
      }
      lx_.Expect(")");
    } else {
      Token t = lx_.Take();
      if (t.kind != Tok::kIdent) lx_.Fail("expected an iterable");
      Postfix();
    }
    lx_.Expect(":");
    lx_.Expect("(");
    size_t before = loop_vars_.size();
    loop_vars_.insert(loop_vars_.end(), vars.begin(), vars.end());
    Expr(0);
    loop_vars_.resize(before);
    lx_.Expect(")");
    // `for any i in (a..b)`: never true over an empty or undefined range.
    if (quant == Quant::kAny && high >= 0) return Make(Op::kAnyInRange, {uint32_t(low), uint32_t(high)});
    return Unknown();
  }

  uint32_t Primary() {
    Token t = lx_.Take();
    switch (t.kind) {
      case Tok::kInt: {
        if (lx_.IsIdent("of") || (lx_.IsPunct("%") && lx_.IsIdent("of", 1))) {
          uint32_t count = Constant(Op::kInt, t.value);
          Quant q = lx_.Accept("%") ? Quant::kPercent : Quant::kCount;
          lx_.ExpectIdent("of");
          return Of(q, count, false);
        }
        return Constant(Op::kInt, t.value);
      }
      case Tok::kFloat: return Unknown();
      case Tok::kText: {
        Node n;
        n.op = Op::kText;
        n.text = std::move(t.text);
        return g_.Add(std::move(n));
      }
      case Tok::kString: {
        if (t.text.ends_with('*')) lx_.Fail("a string wildcard outside a set");
        int64_t s = StringIndex(t.text);
        if (lx_.AcceptIdent("at")) {
          Node n;
          n.op = Op::kStringAt;
          n.value = s;
          n.kids.push_back(Expr(6));
          return g_.Add(std::move(n));
        } else if (lx_.AcceptIdent("in")) {
          Range();
        }
        return Constant(Op::kString, s);
      }
      case Tok::kCount: {
        int64_t s = StringIndex(t.text);
        if (lx_.AcceptIdent("in")) Range();
        return Constant(Op::kCount, s);
      }
      case Tok::kOffset:
      case Tok::kLength: {
        int64_t s = StringIndex(t.text);
        if (lx_.Accept("[")) {
          Expr(0);
          lx_.Expect("]");
        }
        return Constant(Op::kOffset, s);
      }
      case Tok::kPunct: {
        if (t.text != "(") lx_.Fail("unexpected '" + t.text + "'");
        uint32_t inner = Expr(0);
        lx_.Expect(")");
        if (lx_.IsIdent("of") || (lx_.IsPunct("%") && lx_.IsIdent("of", 1))) {
          Quant q = lx_.Accept("%") ? Quant::kPercent : Quant::kCount;
          lx_.ExpectIdent("of");
          return Of(q, inner, false);
        }
        return inner;
      }
      case Tok::kIdent: return Identifier(t.text);
      default: lx_.Fail("expression ends early");
    }
  }

  uint32_t Identifier(const std::string& word) {
    if (std::find(loop_vars_.begin(), loop_vars_.end(), word) != loop_vars_.end()) return Postfix();
    if (word == "true" || word == "false") return Constant(Op::kBool, word == "true");
    if (word == "filesize") return Constant(Op::kFilesize, 0);
    if (word == "entrypoint") return Unknown();
    if (word == "all" || word == "any" || word == "none") {
      Quant q = word == "all" ? Quant::kAll : word == "any" ? Quant::kAny : Quant::kNone;
      lx_.ExpectIdent("of");
      return Of(q, -1, false);
    }
    if (word == "for") return For();
    if (word == "pe" && lx_.IsPunct(".")) {
      lx_.Take();
      Token member = lx_.Take();
      if (member.kind != Tok::kIdent) lx_.Fail("expected a member of pe");
      Postfix();
      Node n;
      n.op = Op::kPe;
      n.text = member.text;
      return g_.Add(std::move(n));
    }
    static const std::unordered_map<std::string, std::pair<uint8_t, uint8_t>> kReads = {
        {"uint8", {1, 0}},    {"uint16", {2, 0}},    {"uint32", {4, 0}},    {"int8", {1, 1}},
        {"int16", {2, 1}},    {"int32", {4, 1}},     {"uint8be", {1, 2}},   {"uint16be", {2, 2}},
        {"uint32be", {4, 2}}, {"int8be", {1, 3}},    {"int16be", {2, 3}},   {"int32be", {4, 3}},
    };
    if (auto it = kReads.find(word); it != kReads.end()) {
      lx_.Expect("(");
      Node n;
      n.op = Op::kRead;
      n.width = it->second.first;
      n.is_signed = it->second.second & 1;
      n.big_endian = it->second.second & 2;
      n.kids.push_back(Expr(0));
      lx_.Expect(")");
      return g_.Add(std::move(n));
    }
    for (size_t e = 0; e < std::size(kExternalNames); ++e)
      if (word == kExternalNames[e]) return Constant(Op::kExternal, int64_t(e));
    if (auto it = rules_by_name_.find(word); it != rules_by_name_.end() && !lx_.IsPunct(".")) {
      return Constant(Op::kRule, it->second);
    }
    return Postfix();
  }

  Lexer lx_;
  uint32_t source_;
  YaraGate::Impl& g_;
  YaraGate::Summary& sum_;
  std::unordered_map<std::string, uint32_t> rules_by_name_;
  std::vector<std::string> string_names_;
  uint32_t first_string_ = 0;
  std::vector<std::string> loop_vars_;
  int binding_depth_ = 0;
};

// Whether string s may be in the file: one of its forms has all its atoms
// there (or it has none), and its exact pattern did not rule it out.
bool StringMayBePresent(const YaraGate::Impl& g, const YaraGate::Scratch::State& st, uint32_t s) {
  if (s < st.absent.size() && st.absent[s]) return false;
  const auto& forms = g.strings[s].forms;
  if (forms.empty()) return true;
  for (const auto& form : forms) {
    bool all = true;
    for (uint32_t a : form) all = all && st.hits[a];
    if (all) return true;
  }
  return false;
}

// Evaluates conditions for one file.
class Evaluator {
 public:
  Evaluator(const YaraGate::Impl& g, YaraGate::Scratch::State& st, std::string_view bytes, const YaraExternals& ext)
      : g_(g), st_(st), bytes_(bytes), ext_(ext) {}
  // An evaluator of no file in particular: its size, bytes, names and
  // modules unknown, only which strings are present (st.hits) known.
  static Evaluator AnyFile(const YaraGate::Impl& g, YaraGate::Scratch::State& st) {
    static const YaraExternals kNone{};
    Evaluator e(g, st, {}, kNone);
    e.any_file_ = true;
    return e;
  }

  Tri Rule(uint32_t r) {
    int8_t& m = st_.memo[r];
    if (m < 0) {
      st_.judged.push_back(r);
      const GateRule& rule = g_.rules[r];
      bool none = rule.needs_a_string && !any_file_;
      for (uint32_t s = rule.first_string; none && s < rule.end_string; ++s) none = !Present(s);
      m = none ? int8_t(kFalse) : int8_t(Truth(Eval(rule.root)));
    }
    return Tri(m);
  }

 private:
  bool Present(int64_t s) const { return StringMayBePresent(g_, st_, uint32_t(s < 0 ? bound_ : s)); }

  std::string_view ExternalValue(int64_t e) const {
    switch (External(e)) {
      case External::kFilename: return ext_.filename;
      case External::kFilepath: return ext_.filepath;
      case External::kExtension: return ext_.extension;
      case External::kFiletype: return ext_.filetype;
      case External::kMd5: return ext_.md5;
      case External::kOwner: return ext_.owner;
    }
    return {};
  }

  Val Read(const Node& n) {
    Val at = Eval(n.kids[0]);
    if (at.kind == Val::kUndef) return Val::Undef();  // no offset: nothing read
    if (at.kind != Val::kInt) return Val::Unknown();
    // libyara reads nothing outside the file: undefined.
    if (at.i < 0 || uint64_t(at.i) + n.width > bytes_.size()) return Val::Undef();
    const auto* p = reinterpret_cast<const unsigned char*>(bytes_.data()) + at.i;
    uint64_t v = 0;
    for (int k = 0; k < n.width; ++k) v |= uint64_t(p[n.big_endian ? n.width - 1 - k : k]) << (8 * k);
    if (n.is_signed) {
      uint64_t sign = uint64_t(1) << (8 * n.width - 1);
      return Val::Int(int64_t(v ^ sign) - int64_t(sign));
    }
    return Val::Int(int64_t(v));
  }

  Val Of(const Node& n) {
    int64_t need = 0;
    if (n.quant == Quant::kCount || n.quant == Quant::kPercent) {
      Val q = Eval(n.kids[0]);
      if (q.kind != Val::kInt) return Val::Unknown();
      need = q.i;
    }
    size_t total = n.set.size(), maybe = 0, sure = 0;
    int64_t saved = bound_;
    for (uint32_t s : n.set) {
      Tri t;
      if (n.body < 0) {
        t = Present(s) ? kMaybe : kFalse;
      } else {
        bound_ = s;
        t = Truth(Eval(uint32_t(n.body)));
      }
      if (t != kFalse) ++maybe;
      if (t == kTrue) ++sure;
    }
    bound_ = saved;
    switch (n.quant) {
      case Quant::kAll: return maybe < total ? Val::Bool(false) : sure == total ? Val::Bool(true) : Val::Unknown();
      case Quant::kAny: return maybe == 0 ? Val::Bool(false) : sure > 0 ? Val::Bool(true) : Val::Unknown();
      case Quant::kNone: return sure > 0 ? Val::Bool(false) : maybe == 0 ? Val::Bool(true) : Val::Unknown();
      case Quant::kCount:
        return int64_t(maybe) < need ? Val::Bool(false) : int64_t(sure) >= need ? Val::Bool(true) : Val::Unknown();
      case Quant::kPercent:
        // However libyara rounds, it needs at least the floor of the share.
        return need > 0 && need <= 100 && int64_t(maybe) < need * int64_t(total) / 100 ? Val::Bool(false)
                                                                                       : Val::Unknown();
    }
    return Val::Unknown();
  }

  static Val Compare(Op op, const Val& a, const Val& b) {
    if (a.kind == Val::kUndef || b.kind == Val::kUndef) return Val::NotTrue();
    if (a.kind == Val::kInt && b.kind == Val::kInt) {
      switch (op) {
        case Op::kEq: return Val::Bool(a.i == b.i);
        case Op::kNe: return Val::Bool(a.i != b.i);
        case Op::kLt: return Val::Bool(a.i < b.i);
        case Op::kLe: return Val::Bool(a.i <= b.i);
        case Op::kGt: return Val::Bool(a.i > b.i);
        case Op::kGe: return Val::Bool(a.i >= b.i);
        default: return Val::Unknown();
      }
    }
    if (a.kind == Val::kText && b.kind == Val::kText) {
      switch (op) {
        case Op::kEq: return Val::Bool(a.s == b.s);
        case Op::kNe: return Val::Bool(a.s != b.s);
        case Op::kContains: return Val::Bool(a.s.find(b.s) != std::string_view::npos);
        case Op::kIContains: return Val::Bool(ContainsIgnoreCase(a.s, b.s));
        case Op::kStartsWith: return Val::Bool(a.s.starts_with(b.s));
        case Op::kIStartsWith: return Val::Bool(StartsWithIgnoreCase(a.s, b.s));
        case Op::kEndsWith: return Val::Bool(a.s.ends_with(b.s));
        case Op::kIEndsWith: return Val::Bool(EndsWithIgnoreCase(a.s, b.s));
        case Op::kIEquals: return Val::Bool(EqualsIgnoreCase(a.s, b.s));
        default: return Val::Unknown();
      }
    }
    return Val::Unknown();
  }

  static Val Arithmetic(Op op, const Val& a, const Val& b) {
    // libyara: arithmetic on an undefined integer is undefined.
    if ((a.kind == Val::kUndef && (b.kind == Val::kUndef || b.kind == Val::kInt || b.kind == Val::kUnknown)) ||
        (b.kind == Val::kUndef && (a.kind == Val::kInt || a.kind == Val::kUnknown)))
      return Val::Undef();
    if (a.kind != Val::kInt || b.kind != Val::kInt) return Val::Unknown();
    int64_t r = 0;
    switch (op) {
      case Op::kAdd:
        if (__builtin_add_overflow(a.i, b.i, &r)) return Val::Unknown();
        return Val::Int(r);
      case Op::kSub:
        if (__builtin_sub_overflow(a.i, b.i, &r)) return Val::Unknown();
        return Val::Int(r);
      case Op::kMul:
        if (__builtin_mul_overflow(a.i, b.i, &r)) return Val::Unknown();
        return Val::Int(r);
      case Op::kDiv:
        if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return Val::Unknown();
        return Val::Int(a.i / b.i);
      case Op::kMod:
        if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return Val::Unknown();
        return Val::Int(a.i % b.i);
      case Op::kShl:
        if (b.i < 0 || b.i > 63) return Val::Unknown();
        return Val::Int(int64_t(uint64_t(a.i) << b.i));
      case Op::kShr:
        if (b.i < 0 || b.i > 63) return Val::Unknown();
        return Val::Int(a.i >> b.i);
      case Op::kBitAnd: return Val::Int(a.i & b.i);
      case Op::kBitOr: return Val::Int(a.i | b.i);
      case Op::kBitXor: return Val::Int(a.i ^ b.i);
      default: return Val::Unknown();
    }
  }

  Val Eval(uint32_t id) {
    const Node& n = g_.nodes[id];
    switch (n.op) {
      case Op::kUnknown: return Val::Unknown();
      case Op::kBool: return Val::Bool(n.value != 0);
      case Op::kInt: return Val::Int(n.value);
      case Op::kText: return Val::Text(n.text);
      case Op::kFilesize: return any_file_ ? Val::Unknown() : Val::Int(int64_t(bytes_.size()));
      case Op::kRead: return any_file_ ? Val::Unknown() : Read(n);
      case Op::kExternal: return any_file_ ? Val::Unknown() : Val::Text(ExternalValue(n.value));
      case Op::kString: return Present(n.value) ? Val::Unknown() : Val::Bool(false);
      case Op::kCount: return Present(n.value) ? Val::Unknown() : Val::Int(0);
      case Op::kOffset: return Present(n.value) ? Val::Unknown() : Val::Undef();
      case Op::kStringAt: {
        if (!Present(n.value)) return Val::Bool(false);
        Val at = Eval(n.kids[0]);
        const auto& whole = g_.strings[size_t(n.value < 0 ? bound_ : n.value)].whole;
        if (at.kind != Val::kInt || whole.empty()) return Val::Unknown();
        // A match at `at` holds one of the string's forms there.
        for (const Atom& form : whole)
          if (at.i >= 0 && uint64_t(at.i) + form.bytes.size() <= bytes_.size() &&
              (form.caseless ? EqualsIgnoreCase(bytes_.substr(size_t(at.i), form.bytes.size()), form.bytes)
                             : bytes_.substr(size_t(at.i), form.bytes.size()) == form.bytes))
            return Val::Unknown();
        return Val::Bool(false);
      }
      case Op::kRule: return FromTri(Rule(uint32_t(n.value)));
      case Op::kNot: {
        Val v = Eval(n.kids[0]);
        if (v.kind == Val::kUndef || v.kind == Val::kNotTrue) return Val::Unknown();
        Tri t = Truth(v);
        return t == kMaybe ? Val::Unknown() : Val::Bool(t == kFalse);
      }
      case Op::kAnd:
      case Op::kOr: {
        // The operand value that decides: false for `and`, true for `or`.
        const Tri decides = n.op == Op::kAnd ? kFalse : kTrue;
        bool maybe = false;
        for (uint32_t k : n.kids) {
          Tri t = Truth(Eval(k));
          if (t == decides) return Val::Bool(decides == kTrue);
          maybe = maybe || t == kMaybe;
        }
        return maybe ? Val::Unknown() : Val::Bool(decides == kFalse);
      }
      case Op::kNeg: {
        Val v = Eval(n.kids[0]);
        if (v.kind == Val::kUndef) return Val::Undef();
        return v.kind == Val::kInt && v.i != INT64_MIN ? Val::Int(-v.i) : Val::Unknown();
      }
      case Op::kBitNot: {
        Val v = Eval(n.kids[0]);
        if (v.kind == Val::kUndef) return Val::Undef();
        return v.kind == Val::kInt ? Val::Int(~v.i) : Val::Unknown();
      }
      case Op::kOf: return Of(n);
      case Op::kAnyInRange: {
        Val low = Eval(n.kids[0]), high = Eval(n.kids[1]);
        if (low.kind == Val::kUndef || high.kind == Val::kUndef) return Val::NotTrue();
        if (low.kind == Val::kInt && high.kind == Val::kInt && low.i > high.i) return Val::NotTrue();
        return Val::Unknown();
      }
      case Op::kPe: {
        // A file that does not start with MZ (or is shorter than a DOS
        // header) is no PE to libyara: its pe module sets is_pe to 0 and
        // its constants, nothing else; fields and functions are undefined.
        bool pe = bytes_.size() >= 64 && bytes_[0] == 'M' && bytes_[1] == 'Z';
        if (pe || any_file_) return Val::Unknown();
        if (n.text == "is_pe") return Val::Int(0);
        bool constant = std::none_of(n.text.begin(), n.text.end(), [](char c) { return std::islower(static_cast<unsigned char>(c)); });
        return constant ? Val::Unknown() : Val::Undef();
      }
      case Op::kMatches: {
        Val v = Eval(n.kids[0]);
        if (v.kind == Val::kUndef) return Val::NotTrue();
        if (v.kind != Val::kText) return Val::Unknown();
        // libyara: an empty string matches nothing.
        if (v.s.empty()) return Val::Bool(false);
        return Val::Bool(RE2::PartialMatch(v.s, *g_.regexes[size_t(n.value)]));
      }
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe:
      case Op::kContains:
      case Op::kIContains:
      case Op::kStartsWith:
      case Op::kIStartsWith:
      case Op::kEndsWith:
      case Op::kIEndsWith:
      case Op::kIEquals: return Compare(n.op, Eval(n.kids[0]), Eval(n.kids[1]));
      default: return Arithmetic(n.op, Eval(n.kids[0]), Eval(n.kids[1]));
    }
  }

  const YaraGate::Impl& g_;
  YaraGate::Scratch::State& st_;
  std::string_view bytes_;
  const YaraExternals& ext_;
  int64_t bound_ = -1;
  bool any_file_ = false;
};

int OnAtom(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto* st = static_cast<YaraGate::Scratch::State*>(ctx);
  if (!st->hits[id]) {
    st->hits[id] = 1;
    st->hit_list.push_back(id);
  }
  return 0;
}

}  // namespace

namespace {

// One vectorscan database that reports the atoms `ids` under their ids.
Result<HsDatabase> CompileAtoms(const YaraGate::Impl& g, const std::vector<uint32_t>& ids) {
  if (ids.empty()) return HsDatabase();
  std::vector<const char*> exprs;
  std::vector<size_t> lens;
  std::vector<unsigned> flags, hs_ids;
  for (uint32_t id : ids) {
    const Atom& atom = *g.atom_of[id];
    exprs.push_back(atom.bytes.data());
    lens.push_back(atom.bytes.size());
    flags.push_back(HS_FLAG_SINGLEMATCH | (atom.caseless ? HS_FLAG_CASELESS : 0));
    hs_ids.push_back(id);
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_lit_multi(exprs.data(), flags.data(), hs_ids.data(), lens.data(), unsigned(exprs.size()),
                           HS_MODE_BLOCK, nullptr, &db, &err) != HS_SUCCESS) {
    std::string why = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    return Status::Engine("vectorscan cannot compile the YARA atoms: " + why);
  }
  return HsDatabase(db);
}

}  // namespace

YaraGate::YaraGate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraGate::~YaraGate() = default;

Result<std::unique_ptr<YaraGate>> YaraGate::Build(std::span<const std::string_view> sources, bool always_compile) {
  auto g = std::make_unique<Impl>();
  Summary sum;
  sum.sources = sources.size();
  g->unread.assign(sources.size(), 0);
  g->imports.resize(sources.size());
  for (size_t s = 0; s < sources.size(); ++s) {
    size_t nodes = g->nodes.size(), strings = g->strings.size(), rules = g->rules.size();
    Summary before = sum;
    try {
      SourceReader(sources[s], uint32_t(s), *g, sum).Read();
    } catch (const ReadError& e) {
      // Unread: drop what was read of it (its atoms stay: harmless) and scan it always.
      g->nodes.resize(nodes);
      g->strings.resize(strings);
      g->rules.resize(rules);
      g->imports[s].clear();
      sum = before;
      g->unread[s] = 1;
      ++sum.unread_sources;
      if (sum.unread.size() < 10) sum.unread.push_back({s, e.why});
    }
    g->source_rules.emplace_back(uint32_t(rules), uint32_t(g->rules.size()));
  }
  sum.atoms = g->atom_ids.size();
  // Evaluations where none of the strings is present.
  auto no_strings = [&g] {
    Scratch::State st;
    st.hits.assign(g->atom_ids.size(), 0);
    st.memo.assign(g->rules.size(), -1);
    return st;
  };
  {
    // Rules that may match an empty file holding none of their strings
    // (module conditions, loops): every file goes to libyara for them.
    Scratch::State probe = no_strings();
    YaraExternals none{};
    Evaluator eval(*g, probe, std::string_view(), none);
    for (uint32_t r = 0; r < g->rules.size(); ++r)
      if (!g->rules[r].is_private && eval.Rule(r) != kFalse)
        sum.unconditional.push_back({g->rules[r].source, g->rules[r].name});
  }
  {
    // Which rules are false wherever none of their strings is present. A
    // rule that names another rule is always evaluated (the other's strings
    // are not among its own).
    Scratch::State probe = no_strings();
    Evaluator eval = Evaluator::AnyFile(*g, probe);
    for (uint32_t r = 0; r < g->rules.size(); ++r)
      g->rules[r].needs_a_string = g->rules[r].uses.empty() && eval.Rule(r) == kFalse;
  }
  {
    std::vector<std::vector<uint32_t>> by_atom(g->atom_ids.size());
    for (uint32_t r = 0; r < g->rules.size(); ++r) {
      const GateRule& rule = g->rules[r];
      if (rule.is_private) continue;
      if (!rule.needs_a_string) {
        g->judged_always.push_back(r);
        continue;
      }
      for (uint32_t s = rule.first_string; s < rule.end_string; ++s)
        for (const auto& form : g->strings[s].forms)
          for (uint32_t a : form)
            if (by_atom[a].empty() || by_atom[a].back() != r) by_atom[a].push_back(r);
    }
    g->rules_of_atom_at.push_back(0);
    for (const auto& rules : by_atom) {
      g->rules_of_atom.insert(g->rules_of_atom.end(), rules.begin(), rules.end());
      g->rules_of_atom_at.push_back(uint32_t(g->rules_of_atom.size()));
    }
  }
  g->exact_of.resize(g->rules.size());
  for (uint32_t r = 0; r < g->rules.size(); ++r)
    for (uint32_t str = g->rules[r].first_string; str < g->rules[r].end_string; ++str)
      if (const auto& p = g->strings[str].exact) {
        auto& exact = g->exact_of[r];
        if (!exact) exact = std::make_unique<Impl::Exact>();
        exact->strings.push_back(str);
        exact->span = std::max(exact->span, p->span);
      }
  g->atom_of.assign(g->atom_ids.size(), nullptr);
  for (const auto& [atom, id] : g->atom_ids) {
    g->atom_of[id] = &atom;
    g->longest_atom = std::max(g->longest_atom, atom.bytes.size());
  }
  {
    // Which atoms every file needs, which only files of some first bytes.
    std::vector<char> common(g->atom_ids.size(), 0);
    std::map<uint16_t, std::vector<uint32_t>> keyed;
    for (const auto& str : g->strings)
      for (const auto& form : str.forms)
        for (uint32_t a : form) {
          if (str.header < 0)
            common[a] = 1;
          else
            keyed[uint16_t(str.header)].push_back(a);
        }
    // A few short atoms stay in vectorscan: it searches a small set of them
    // fast (the built-in rules' two: 75 ms over the 500 libraries of
    // yara_gate_perftest, 102 ms apart, where they are never found and the
    // walk reads every byte).
    size_t shorts = size_t(std::count_if(g->atom_of.begin(), g->atom_of.end(), [](const Atom* atom) {
      return ShortLiterals::Fits(atom->bytes.size());
    }));
    const bool apart = shorts >= Impl::kShortAtomsApart;
    auto is_short = [&g, apart](uint32_t a) { return apart && ShortLiterals::Fits(g->atom_of[a]->bytes.size()); };
    for (uint32_t a = 0; a < common.size(); ++a)
      if (common[a]) (is_short(a) ? g->common_short_atoms : g->common_atoms).push_back(a);
    g->short_atoms = g->ShortsOf({});
    for (auto& [header, atoms] : keyed) {
      auto h = std::make_unique<Impl::HeaderAtoms>();
      h->header = header;
      std::sort(atoms.begin(), atoms.end());
      atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
      for (uint32_t a : atoms)
        if (!common[a]) (is_short(a) ? h->short_atoms : h->atoms).push_back(a);
      if (!h->atoms.empty() || !h->short_atoms.empty()) g->by_header.push_back(std::move(h));
    }
  }
  sum.common_atoms = g->common_atoms.size();
  sum.too_many_atoms = g->common_atoms.size() > kMaxAtoms;
  bool spares = sum.unconditional.empty() && sum.unread_sources == 0 && !sum.too_many_atoms;
  if (!g->atom_ids.empty() && (spares || always_compile)) {
    auto common = CompileAtoms(*g, g->common_atoms);
    if (!common.ok()) return common.status();
    g->db = std::move(common.value());
  }
  g->compiled = g->atom_ids.empty() || g->db || g->common_atoms.empty();
  auto gate = std::unique_ptr<YaraGate>(new YaraGate(std::move(g)));
  gate->summary_ = std::move(sum);
  return gate;
}

Result<std::unique_ptr<YaraGate::Scratch>> YaraGate::NewScratch() const {
  auto scratch = std::make_unique<Scratch>();
  scratch->state_ = std::make_unique<Scratch::State>();
  if (impl_->db) {
    hs_scratch_t* s = nullptr;
    if (hs_alloc_scratch(impl_->db.get(), &s) != HS_SUCCESS) return Status::Engine("vectorscan: cannot allocate scratch");
    scratch->state_->hs.reset(s);
  }
  return scratch;
}

namespace {

// Grows the worker's scratch (once per database `key`) to fit `db` too.
bool FitScratch(YaraGate::Scratch::State& st, const void* key, const hs_database_t* db) {
  if (st.fits.count(key)) return true;
  hs_scratch_t* raw = st.hs.release();
  bool ok = hs_alloc_scratch(db, &raw) == HS_SUCCESS;
  st.hs.reset(raw);
  if (ok) st.fits.insert(key);
  return ok;
}

// Scans `bytes` for the atoms of every file and those of files of h's first
// bytes: in one pass where h's merged database is ready, else in two.
bool ScanHeaderAtoms(const YaraGate::Impl& g, const YaraGate::Impl::HeaderAtoms& h, YaraGate::Scratch::State& st,
                     std::string_view bytes) {
  std::call_once(h.once, [&] {
    h.shorts = g.ShortsOf(h.short_atoms);
    auto db = CompileAtoms(g, h.atoms);
    if (db.ok())
      h.db = std::move(db.value());
    else
      h.failed = true;
  });
  if (h.failed) return false;
  h.shorts.Find(bytes, st.short_scratch, [&st](uint32_t id) { OnAtom(id, 0, 0, 0, &st); });
  auto scan = [&](const void* key, const hs_database_t* db) {
    return FitScratch(st, key, db) &&
           ScanBlock(db, bytes, g.longest_atom, st.hs.get(), OnAtom, &st, &st.copy) == HS_SUCCESS;
  };
  if (g.db && h.atoms.size() >= YaraGate::Impl::kMergeHeaderAtoms)
    if (const hs_database_t* merged = h.merged.Get([&] {
          std::vector<uint32_t> both = g.common_atoms;
          both.insert(both.end(), h.atoms.begin(), h.atoms.end());
          auto db = CompileAtoms(g, both);
          return db.ok() ? std::move(db.value()) : HsDatabase();
        }))
      return scan(&h.merged, merged);
  if (g.db && !scan(&g.db, g.db.get())) return false;
  return !h.db || scan(&h, h.db.get());
}

// Finds which atoms `bytes` holds (st.hits); false if vectorscan failed.
bool FindAtoms(const YaraGate::Impl& g, YaraGate::Scratch::State& st, std::string_view bytes) {
  // Only what the last file set is reset.
  if (st.hits.size() != g.atom_ids.size()) st.hits.assign(g.atom_ids.size(), 0);
  for (uint32_t a : st.hit_list) st.hits[a] = 0;
  st.hit_list.clear();
  if (st.memo.size() != g.rules.size()) st.memo.assign(g.rules.size(), -1);
  if (st.absent.size() != g.strings.size()) {
    st.absent.assign(g.strings.size(), 0);
    st.exact_found.assign(g.strings.size(), 0);
  }
  for (uint32_t s : st.absent_list) st.absent[s] = 0;
  st.absent_list.clear();
  for (uint32_t r : st.judged) st.memo[r] = -1;
  st.judged.clear();
  if (!g.compiled || bytes.size() > UINT32_MAX) return false;
  if (g.atom_ids.empty()) return true;
  if (const auto* h = g.ForHeader(bytes)) return ScanHeaderAtoms(g, *h, st, bytes);
  if (g.db && ScanBlock(g.db.get(), bytes, g.longest_atom, st.hs.get(), OnAtom, &st, &st.copy) != HS_SUCCESS)
    return false;
  g.short_atoms.Find(bytes, st.short_scratch, [&st](uint32_t id) { OnAtom(id, 0, 0, 0, &st); });
  return true;
}

}  // namespace

namespace {

int OnExact(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  static_cast<YaraGate::Scratch::State*>(ctx)->exact_found[id] = 1;
  return 0;
}

// Searches `bytes` for the exact patterns of rule r's strings that its
// atoms left possible, marking those not found absent; false if it could
// not (no database, or vectorscan failed): then nothing is marked.
bool SearchExact(const YaraGate::Impl& g, YaraGate::Scratch::State& st, uint32_t r, std::string_view bytes) {
  const auto& exact = *g.exact_of[r];
  if (std::none_of(exact.strings.begin(), exact.strings.end(),
                   [&](uint32_t s) { return StringMayBePresent(g, st, s); }))
    return false;  // the atoms decided
  // One worker compiles; the others leave the rule undecided meanwhile.
  // All together; else those vectorscan takes alone (it refuses some
  // regexes: empty matches, constructs it lacks).
  const hs_database_t* db = exact.db.Get([&] {
    auto compile = [&](const std::vector<uint32_t>& strings) -> HsDatabase {
      std::vector<const char*> exprs;
      std::vector<unsigned> flags, ids;
      for (uint32_t s : strings) {
        const ExactPattern& p = *g.strings[s].exact;
        exprs.push_back(p.expr.c_str());
        flags.push_back(HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH | (p.caseless ? HS_FLAG_CASELESS : 0));
        ids.push_back(s);
      }
      hs_database_t* db = nullptr;
      hs_compile_error_t* err = nullptr;
      hs_error_t rc = hs_compile_multi(exprs.data(), flags.data(), ids.data(), unsigned(exprs.size()), HS_MODE_BLOCK,
                                       nullptr, &db, &err);
      hs_free_compile_error(err);
      return rc == HS_SUCCESS ? HsDatabase(db) : HsDatabase();
    };
    exact.searched = exact.strings;
    HsDatabase all = compile(exact.searched);
    if (all || exact.strings.size() == 1) return all;
    exact.searched.clear();
    for (uint32_t s : exact.strings)
      if (compile({s})) exact.searched.push_back(s);
    return exact.searched.empty() ? HsDatabase() : compile(exact.searched);
  });
  if (!db || !FitScratch(st, &exact, db)) return false;
  for (uint32_t s : exact.searched) st.exact_found[s] = 0;
  if (ScanBlock(db, bytes, exact.span, st.hs.get(), OnExact, &st, &st.copy) != HS_SUCCESS) return false;
  for (uint32_t s : exact.searched)
    if (!st.exact_found[s] && !st.absent[s]) {
      st.absent[s] = 1;
      st.absent_list.push_back(s);
    }
  return true;
}

// The public rules (of the sources read) that may match `bytes`, in order;
// false if vectorscan failed (then nothing is ruled out). A rule that needs
// one of its strings is judged only if one of its atoms was found.
bool JudgeRules(const YaraGate::Impl& g, YaraGate::Scratch::State& st, std::string_view bytes,
                const YaraExternals& ext, std::vector<uint32_t>* rules) {
  rules->clear();
  if (!FindAtoms(g, st, bytes)) return false;
  Evaluator eval(g, st, bytes, ext);
  std::vector<uint32_t>& candidates = st.candidates;
  candidates = g.judged_always;
  for (uint32_t a : st.hit_list)
    candidates.insert(candidates.end(), g.rules_of_atom.begin() + g.rules_of_atom_at[a],
                      g.rules_of_atom.begin() + g.rules_of_atom_at[a + 1]);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  size_t searched = 0;
  for (uint32_t r : candidates) {
    Tri t = eval.Rule(r);
    // Left undecided by the atoms: the exact patterns of its strings decide
    // more (for a few rules per file).
    if (t != kFalse && g.exact_of[r] && searched < YaraGate::kMaxExactRulesPerFile &&
        g.exact_of[r]->Due(bytes.size()) &&
        SearchExact(g, st, r, bytes)) {
      ++searched;
      st.memo[r] = -1;
      t = eval.Rule(r);
    }
    if (t != kFalse) rules->push_back(r);
  }
  return true;
}

}  // namespace

size_t YaraGate::MayMatch(Scratch& scratch, std::string_view bytes, const YaraExternals& ext,
                          std::vector<char>* out) const {
  const Impl& g = *impl_;
  auto& st = *scratch.state_;
  if (!JudgeRules(g, st, bytes, ext, &st.chosen)) {
    out->assign(g.unread.size(), 1);
    return out->size();
  }
  out->assign(g.unread.begin(), g.unread.end());  // an unread source: always
  for (uint32_t r : st.chosen) (*out)[g.rules[r].source] = 1;
  return size_t(std::count(out->begin(), out->end(), 1));
}

bool YaraGate::MayMatchRules(Scratch& scratch, std::string_view bytes, const YaraExternals& ext,
                             std::vector<uint32_t>* rules) const {
  rules->clear();
  return summary_.unread_sources == 0 && JudgeRules(*impl_, *scratch.state_, bytes, ext, rules);
}

std::vector<std::pair<size_t, std::string>> YaraGate::TextOf(std::span<const uint32_t> rules) const {
  const Impl& g = *impl_;
  // The rules asked for, the global rules of their sources, and every rule
  // these name, however deep.
  std::vector<char> keep(g.rules.size(), 0);
  std::vector<uint32_t> todo(rules.begin(), rules.end());
  std::vector<char> source_seen(g.unread.size(), 0);
  for (uint32_t r : rules) {
    uint32_t s = g.rules[r].source;
    if (source_seen[s]) continue;
    source_seen[s] = 1;
    for (uint32_t x = g.source_rules[s].first; x < g.source_rules[s].second; ++x)
      if (g.rules[x].is_global) todo.push_back(x);
  }
  while (!todo.empty()) {
    uint32_t r = todo.back();
    todo.pop_back();
    if (keep[r]) continue;
    keep[r] = 1;
    for (uint32_t u : g.rules[r].uses) todo.push_back(u);
  }
  std::vector<std::pair<size_t, std::string>> out;
  for (size_t s = 0; s < g.unread.size(); ++s) {
    std::string text;
    for (uint32_t r = g.source_rules[s].first; r < g.source_rules[s].second; ++r)
      if (keep[r]) text += g.rules[r].text + "\n";
    if (text.empty()) continue;
    std::string head;
    for (const std::string& module : g.imports[s]) head += "import \"" + module + "\"\n";
    out.emplace_back(s, head + text);
  }
  return out;
}

std::vector<std::string> YaraGate::RulesThatMayMatch(Scratch& scratch, std::string_view bytes,
                                                     const YaraExternals& ext) const {
  const Impl& g = *impl_;
  std::vector<uint32_t> rules;
  if (!JudgeRules(g, *scratch.state_, bytes, ext, &rules))  // every public rule
    for (uint32_t r = 0; r < g.rules.size(); ++r)
      if (!g.rules[r].is_private) rules.push_back(r);
  std::vector<std::string> out;
  auto next = rules.begin();
  for (size_t s = 0; s < g.unread.size(); ++s) {
    if (g.unread[s]) out.push_back(std::to_string(s) + ":*");
    for (; next != rules.end() && g.rules[*next].source == s; ++next)
      out.push_back(std::to_string(s) + ":" + g.rules[*next].name);
  }
  return out;
}

}  // namespace exhunt
