#include "base/text.h"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace exhunt {

std::string AsciiLowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

bool EndsWithIgnoreCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

namespace {

#if defined(__x86_64__)
// 32 candidate positions a step; returns where the scalar tail starts, or
// a match through *found.
__attribute__((target("avx2"))) size_t FindIgnoreCaseAvx2(std::string_view hay, std::string_view needle, size_t i,
                                                          size_t end, size_t* found) {
  const size_t n = needle.size();
  const __m256i vfirst = _mm256_set1_epi8(char(needle[0] | 0x20)), vlast = _mm256_set1_epi8(char(needle[n - 1] | 0x20));
  const __m256i fold = _mm256_set1_epi8(0x20);
  for (; i + 32 <= end; i += 32) {
    __m256i a = _mm256_or_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay.data() + i)), fold);
    __m256i b = _mm256_or_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(hay.data() + i + n - 1)), fold);
    uint32_t mask = uint32_t(_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(a, vfirst), _mm256_cmpeq_epi8(b, vlast))));
    while (mask) {
      size_t k = i + size_t(__builtin_ctz(mask));
      if (EqualsIgnoreCase(hay.substr(k, n), needle)) {
        *found = k;
        return i;
      }
      mask &= mask - 1;
    }
  }
  return i;
}
#endif

}  // namespace

size_t FindIgnoreCase(std::string_view hay, std::string_view needle, size_t from) {
  const size_t n = needle.size();
  if (n == 0) return from <= hay.size() ? from : std::string_view::npos;
  if (from > hay.size() || hay.size() - from < n) return std::string_view::npos;
  // Candidate positions are [from, end). Bytes are compared with bit 0x20
  // set, which folds ASCII case and lets a few non-letters through; every
  // candidate is verified.
  const size_t end = hay.size() - n + 1;
  const char first = char(needle[0] | 0x20), last = char(needle[n - 1] | 0x20);
  size_t i = from;
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) {
    size_t found = std::string_view::npos;
    i = FindIgnoreCaseAvx2(hay, needle, i, end, &found);
    if (found != std::string_view::npos) return found;
  }
  const __m128i vfirst = _mm_set1_epi8(first), vlast = _mm_set1_epi8(last), fold = _mm_set1_epi8(0x20);
  for (; i + 16 <= end; i += 16) {
    __m128i a = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i)), fold);
    __m128i b = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + i + n - 1)), fold);
    unsigned mask = unsigned(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, vfirst), _mm_cmpeq_epi8(b, vlast))));
    while (mask) {
      size_t k = i + size_t(__builtin_ctz(mask));
      if (EqualsIgnoreCase(hay.substr(k, n), needle)) return k;
      mask &= mask - 1;
    }
  }
#endif
  for (; i < end; ++i)
    if (char(hay[i] | 0x20) == first && char(hay[i + n - 1] | 0x20) == last &&
        EqualsIgnoreCase(hay.substr(i, n), needle))
      return i;
  return std::string_view::npos;
}

namespace {

bool GlobMatchAt(std::string_view p, size_t pi, std::string_view t, size_t ti, bool cased) {
  // Iterative matcher with single backtrack point (classic '*' algorithm).
  size_t star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      if (pc == '*') {
        star_p = ++pi;
        star_t = ti;
        continue;
      }
      if (pc == '?') {
        ++pi;
        ++ti;
        continue;
      }
      size_t adv = 1;
      if (pc == '\\' && pi + 1 < p.size() && (p[pi + 1] == '*' || p[pi + 1] == '?' || p[pi + 1] == '\\')) {
        pc = p[pi + 1];
        adv = 2;
      }
      bool eq = cased ? pc == t[ti] : AsciiLower(pc) == AsciiLower(t[ti]);
      if (eq) {
        pi += adv;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text, bool cased) {
  return GlobMatchAt(pattern, 0, text, 0, cased);
}

bool HasWildcard(std::string_view p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '\\' && i + 1 < p.size() && (p[i + 1] == '*' || p[i + 1] == '?' || p[i + 1] == '\\')) {
      ++i;
      continue;
    }
    if (p[i] == '*' || p[i] == '?') return true;
  }
  return false;
}

std::vector<std::string> GlobLiteralPieces(std::string_view p) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size() && (p[i + 1] == '*' || p[i + 1] == '?' || p[i + 1] == '\\')) {
      cur += p[++i];
    } else if (c == '*' || c == '?') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::string GlobUnescape(std::string_view p) {
  auto pieces = GlobLiteralPieces(p);
  return pieces.empty() ? std::string() : pieces[0];
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

void AppendJsonEscaped(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = b[i];
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (c < 0x20 || c == 0x7f) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += char(c);
          }
      }
      ++i;
      continue;
    }
    // One valid UTF-8 sequence is copied whole; anything else is U+FFFD for one byte.
    if (size_t len = Utf8SequenceLength(s, i)) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
}

size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  if (i >= n) return 0;
  unsigned char c = b[i];
  if (c < 0x80) return 1;
  size_t len = 0;
  uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4;
    cp = c & 0x07;
  }
  if (len == 0 || i + len > n) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b[i + k] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b[i + k] & 0x3F);
  }
  // Overlong forms, surrogates and out-of-range code points are not valid.
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

std::string ValidUtf8Text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = s[i] == '\0' ? 0 : Utf8SequenceLength(s, i);
    if (len) {
      out.append(s.data() + i, len);
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string CsvCell(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool ParseUint(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  *out = v;
  return true;
}

}  // namespace exhunt

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace exhunt {

namespace {

uint64_t CountByteScalar(const char* data, size_t n, char c) {
  uint64_t count = 0;
  for (size_t i = 0; i < n; ++i) count += data[i] == c;
  return count;
}

#if defined(__x86_64__)
__attribute__((target("avx2,popcnt"))) uint64_t CountByteAvx2(const char* data, size_t n, char c) {
  uint64_t count = 0;
  size_t i = 0;
  const __m256i needle = _mm256_set1_epi8(c);
  for (; i + 64 <= n; i += 64) {
    __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i));
    __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(data + i + 32));
    uint64_t m = uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, needle)))) |
                 (uint64_t(uint32_t(_mm256_movemask_epi8(_mm256_cmpeq_epi8(b, needle)))) << 32);
    count += uint64_t(_mm_popcnt_u64(m));
  }
  return count + CountByteScalar(data + i, n - i, c);
}

uint64_t CountByteSse2(const char* data, size_t n, char c) {
  // Sum of byte-compare masks, folded every 255 blocks to avoid overflow.
  uint64_t count = 0;
  size_t i = 0;
  const __m128i needle = _mm_set1_epi8(c);
  const __m128i zero = _mm_setzero_si128();
  while (i + 16 <= n) {
    __m128i acc = zero;
    for (int k = 0; k < 255 && i + 16 <= n; ++k, i += 16) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + i));
      acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, needle));
    }
    __m128i sums = _mm_sad_epu8(acc, zero);
    count += uint64_t(_mm_cvtsi128_si64(sums)) + uint64_t(_mm_extract_epi16(sums, 4));
  }
  return count + CountByteScalar(data + i, n - i, c);
}
#endif

}  // namespace

namespace internal {
uint64_t ByteMask64(const char* data, char c) {
#if defined(__x86_64__)
  const __m128i needle = _mm_set1_epi8(c);
  uint64_t m = 0;
  for (int k = 0; k < 4; ++k) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * k));
    m |= uint64_t(uint32_t(_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle))) & 0xFFFF) << (16 * k);
  }
  return m;
#else
  uint64_t m = 0;
  for (int k = 0; k < 64; ++k) m |= uint64_t(data[k] == c) << k;
  return m;
#endif
}
}  // namespace internal

uint64_t CountByte(const char* data, size_t n, char c) {
#if defined(__x86_64__)
  static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
  return avx2 ? CountByteAvx2(data, n, c) : CountByteSse2(data, n, c);
#else
  return CountByteScalar(data, n, c);
#endif
}

LineSpan LineAt(std::string_view bytes, size_t pos) {
  LineSpan s;
  if (pos > bytes.size()) pos = bytes.size();
  size_t start = 0;
  if (pos > 0) {
    const void* prev = memrchr(bytes.data(), '\n', pos);
    if (prev) start = size_t(static_cast<const char*>(prev) - bytes.data()) + 1;
  }
  const void* nl = pos < bytes.size() ? memchr(bytes.data() + pos, '\n', bytes.size() - pos) : nullptr;
  size_t end = nl ? size_t(static_cast<const char*>(nl) - bytes.data()) : bytes.size();
  s.start = start;
  s.next = nl ? end + 1 : end;
  s.end = (end > start && bytes[end - 1] == '\r') ? end - 1 : end;
  return s;
}

bool StartsWithDate(std::string_view s) {
  if (s.size() < 10) return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  return s[4] == '-' && s[7] == '-';
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::optional<uint64_t> ParseByteSize(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t shift = 0;
  switch (s.back()) {
    case 'k':
    case 'K':
      shift = 10;
      break;
    case 'm':
    case 'M':
      shift = 20;
      break;
    case 'g':
    case 'G':
      shift = 30;
      break;
    case 't':
    case 'T':
      shift = 40;
      break;
    default:
      break;
  }
  if (shift) s.remove_suffix(1);
  uint64_t v = 0;
  if (!ParseUint(s, &v) || v > (UINT64_MAX >> shift)) return std::nullopt;
  return v << shift;
}

}  // namespace exhunt
