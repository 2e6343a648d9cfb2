// Small, allocation-free text helpers shared by readers, rules and reporters.
// All case folding is ASCII only: log field names and the literals of
// detection rules are ASCII, and folding non-ASCII bytes would change bytes
// that a rule did not ask to change.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace exhunt {

// The value of a hexadecimal digit, or -1.
inline int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }
std::string AsciiLowerCopy(std::string_view s);
// Inline: rules compare field names with it for every field they read.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  return true;
}
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix);
// Position of needle in hay ignoring ASCII case, or npos.
size_t FindIgnoreCase(std::string_view hay, std::string_view needle, size_t from = 0);
inline bool ContainsIgnoreCase(std::string_view hay, std::string_view needle) {
  return FindIgnoreCase(hay, needle) != std::string_view::npos;
}

// Sigma wildcard match: '*' any run, '?' one byte, '\*' '\?' '\\' literal.
// Whole-string match; `cased` selects byte-exact comparison.
bool GlobMatch(std::string_view pattern, std::string_view text, bool cased);
// True if the pattern holds an unescaped wildcard.
bool HasWildcard(std::string_view pattern);
// The literal pieces between wildcards, escapes resolved.
std::vector<std::string> GlobLiteralPieces(std::string_view pattern);
// Escapes resolved, for a pattern without wildcards.
std::string GlobUnescape(std::string_view pattern);

std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
// "500", "64K", "100M", "2G" (binary units) as bytes; nullopt if malformed.
std::optional<uint64_t> ParseByteSize(std::string_view s);
// The parts with `sep` between them.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// Appends s to out as the body of a JSON string (no quotes). Invalid UTF-8
// bytes become U+FFFD so that every output line is valid JSON.
void AppendJsonEscaped(std::string& out, std::string_view s);

// One CSV cell: quoted (with doubled quotes) only if it holds , " CR or LF.
// The length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 if
// the bytes there are no valid sequence (overlong, surrogate, cut short).
size_t Utf8SequenceLength(std::string_view s, size_t i);
// s with every invalid byte and every NUL as U+FFFD: text any database
// column takes.
std::string ValidUtf8Text(std::string_view s);

std::string CsvCell(std::string_view s);

// The physical line containing pos: [start, end) without the line end.
struct LineSpan {
  size_t start = 0;
  size_t end = 0;   // excludes "\r\n" / "\n"
  size_t next = 0;  // first byte after the line end
};
LineSpan LineAt(std::string_view bytes, size_t pos);

// True if s starts with a date "YYYY-MM-DD".
bool StartsWithDate(std::string_view s);

// Strings that keep their capacity across Reset(): values a record computes
// (unescaped quoted fields, joined URLs) live here without a heap
// allocation per record once the arena has grown. A string returned by
// Next() keeps its address, and views into it stay valid, until Reset().
class StringArena {
 public:
  std::string& Next() {
    if (used_ == items_.size()) items_.push_back(std::make_unique<std::string>());
    std::string& s = *items_[used_++];
    s.clear();
    return s;
  }
  void Reset() { used_ = 0; }

 private:
  std::vector<std::unique_ptr<std::string>> items_;
  size_t used_ = 0;
};

// Parses a decimal unsigned integer; false on anything else.
bool ParseUint(std::string_view s, uint64_t* out);

}  // namespace exhunt

namespace exhunt {
// Number of bytes equal to c in [data, data+n). SIMD where available.
uint64_t CountByte(const char* data, size_t n, char c);
// Calls f(pos) for every position of byte c in [data, data+n), in order,
// SIMD where available. Stops early if f returns false.
template <class F>
void ForEachByte(const char* data, size_t n, char c, F f);
}  // namespace exhunt

namespace exhunt {
namespace internal {
// 64-bit mask of positions of c in data[0..64). Requires 64 readable bytes.
uint64_t ByteMask64(const char* data, char c);
}  // namespace internal

template <class F>
void ForEachByte(const char* data, size_t n, char c, F f) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    uint64_t m = internal::ByteMask64(data + i, c);
    while (m) {
      if (!f(i + size_t(__builtin_ctzll(m)))) return;
      m &= m - 1;
    }
  }
  for (; i < n; ++i)
    if (data[i] == c && !f(i)) return;
}
}  // namespace exhunt
