#include "reader/evtx_format.h"

#include "base/text.h"

#include <fmt/format.h>
#include <isa-l/crc.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <deque>
#include <span>
#include <unordered_map>

namespace exhunt {

namespace {

constexpr std::string_view kFileSignature("ElfFile\0", 8);
constexpr std::string_view kChunkSignature("ElfChnk\0", 8);
constexpr size_t kChunkHeaderSize = 512;
constexpr size_t kRecordHeaderSize = 24;
// Binary XML inside substitution values inside ...: deeper is damage.
constexpr int kMaxNesting = 16;
constexpr size_t kMaxElementDepth = 256;
// Operations run for one record; a record of at most 64 KiB that needs
// more is built to hurt (templates instantiated inside values, over and over).
constexpr size_t kMaxOpsPerRecord = size_t(1) << 20;

template <class T>
T Load(const char* p) {
  T v;
  memcpy(&v, p, sizeof v);
  return v;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xc0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xe0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(char(0xf0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  }
}

// UTF-16LE code units to UTF-8; unpaired surrogates become U+FFFD.
void AppendUtf16(std::string& out, const char* p, size_t units) {
  // ASCII, four units at a time, straight into the string: most of a log is.
  size_t i = 0;
  const size_t start = out.size();
  out.resize(start + units);
  char* dst = out.data() + start;
  size_t n = 0;
  for (; i + 4 <= units; i += 4, n += 4) {
    uint64_t v = Load<uint64_t>(p + 2 * i);
    if (v & 0xff80ff80ff80ff80ULL) break;
    dst[n] = char(v);
    dst[n + 1] = char(v >> 16);
    dst[n + 2] = char(v >> 32);
    dst[n + 3] = char(v >> 48);
  }
  out.resize(start + n);
  for (; i < units; ++i) {
    uint32_t c = Load<uint16_t>(p + 2 * i);
    if (c < 0x80) {
      out.push_back(char(c));
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < units) {
      uint32_t d = Load<uint16_t>(p + 2 * (i + 1));
      if (d >= 0xdc00 && d < 0xe000) {
        AppendUtf8(out, 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
        ++i;
        continue;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
    AppendUtf8(out, c);
  }
}

// Windows-1252 (the default code page of ANSI strings in EVTX) to UTF-8.
void AppendAnsi(std::string& out, std::string_view s) {
  static constexpr uint16_t kHigh[32] = {0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
                                         0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
                                         0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
                                         0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178};
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(char(c));
    } else if (c < 0xa0) {
      AppendUtf8(out, kHigh[c - 0x80]);
    } else {
      AppendUtf8(out, c);
    }
  }
}

void TrimTrailingNuls(std::string& s, size_t from) {
  while (s.size() > from && s.back() == '\0') s.pop_back();
}

// `digits` uppercase hex digits of v, zero-padded.
void AppendUpperHex(std::string& out, uint64_t v, int digits) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (int i = digits - 1; i >= 0; --i) out.push_back(kDigits[(v >> (4 * i)) & 15]);
}

void AppendGuid(std::string& out, const char* p) {
  out.push_back('{');
  AppendUpperHex(out, Load<uint32_t>(p), 8);
  out.push_back('-');
  AppendUpperHex(out, Load<uint16_t>(p + 4), 4);
  out.push_back('-');
  AppendUpperHex(out, Load<uint16_t>(p + 6), 4);
  out.push_back('-');
  for (int i = 8; i < 16; ++i) {
    if (i == 10) out.push_back('-');
    AppendUpperHex(out, uint8_t(p[i]), 2);
  }
  out.push_back('}');
}

// Whether every byte is zero (an unused chunk or the rest of one).
bool AllZero(std::string_view b) {
  return b.empty() || (b[0] == '\0' && memcmp(b.data(), b.data() + 1, b.size() - 1) == 0);
}

// v as `width` decimal digits, zero-padded.
void AppendPadded(char*& at, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i, v /= 10) at[i] = char('0' + v % 10);
  at += width;
}

// "S-1-5-21-..."; false if the bytes are no SID.
bool AppendSid(std::string& out, std::string_view b) {
  if (b.size() < 8) return false;
  uint8_t revision = uint8_t(b[0]), count = uint8_t(b[1]);
  if (b.size() < 8 + 4 * size_t(count)) return false;
  uint64_t authority = 0;
  for (int i = 2; i < 8; ++i) authority = (authority << 8) | uint8_t(b[size_t(i)]);
  fmt::format_to(std::back_inserter(out), "S-{}-{}", revision, authority);
  for (size_t i = 0; i < count; ++i) fmt::format_to(std::back_inserter(out), "-{}", Load<uint32_t>(b.data() + 8 + 4 * i));
  return true;
}

void AppendHex(std::string& out, std::string_view b) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : b) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
}

void AppendSystemTime(std::string& out, const char* p) {
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}000000Z", Load<uint16_t>(p), Load<uint16_t>(p + 2),
                     Load<uint16_t>(p + 6), Load<uint16_t>(p + 8), Load<uint16_t>(p + 10), Load<uint16_t>(p + 12),
                     Load<uint16_t>(p + 14));
}

// "3.199234e+003": six digits and a three-digit exponent, as Windows prints them.
void AppendReal(std::string& out, double v) {
  std::string s = fmt::format("{:.6e}", v);
  size_t e = s.find('e');
  if (e != std::string::npos && s.size() - e == 4) s.insert(e + 2, "0");
  out += s;
}

size_t FixedSize(uint8_t type) {
  switch (type & 0x7f) {
    case 0x03:
    case 0x04:
      return 1;
    case 0x05:
    case 0x06:
      return 2;
    case 0x07:
    case 0x08:
    case 0x0b:
    case 0x0d:
    case 0x14:
      return 4;
    case 0x09:
    case 0x0a:
    case 0x0c:
    case 0x11:
    case 0x15:
      return 8;
    case 0x0f:
    case 0x12:
      return 16;
    default:
      return 0;
  }
}

template <class T>
void AppendDecimal(std::string& out, const char* p) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, Load<T>(p));
  out.append(buf, end);
}

// "0x" and lowercase hex digits without leading zeros, as Windows renders
// HexInt32/HexInt64 ("0x1fffff", Keywords "0x8020000000000000", "0x0"):
// the form SigmaHQ's rules are written against (libevtx pads to the width).
void AppendHexNumber(std::string& out, uint64_t v) {
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, v, 16);
  out += "0x";
  out.append(buf, r.ptr);
}

// One scalar of a fixed-size type.
void AppendScalar(std::string& out, uint8_t type, const char* p, size_t size) {
  switch (type) {
    case 0x03: return AppendDecimal<int8_t>(out, p);
    case 0x04: return AppendDecimal<uint8_t>(out, p);
    case 0x05: return AppendDecimal<int16_t>(out, p);
    case 0x06: return AppendDecimal<uint16_t>(out, p);
    case 0x07: return AppendDecimal<int32_t>(out, p);
    case 0x08: return AppendDecimal<uint32_t>(out, p);
    case 0x09: return AppendDecimal<int64_t>(out, p);
    case 0x0a: return AppendDecimal<uint64_t>(out, p);
    case 0x0b: return AppendReal(out, Load<float>(p));
    case 0x0c: return AppendReal(out, Load<double>(p));
    case 0x0d: out += Load<uint32_t>(p) ? "true" : "false"; return;
    case 0x0f: return AppendGuid(out, p);
    case 0x11: return AppendFileTime(out, Load<uint64_t>(p));
    case 0x12: return AppendSystemTime(out, p);
    case 0x10:  // size: as wide as its value
    case 0x14:
    case 0x15:
      return AppendHexNumber(out, size == 4 ? Load<uint32_t>(p) : Load<uint64_t>(p));
    default:
      AppendHex(out, std::string_view(p, size));
  }
}

struct Value {
  uint8_t type = 0;
  std::string_view bytes;
};

// One operation of a compiled binary XML fragment.
struct Op {
  enum Kind : uint8_t { kOpen, kAttr, kCloseStart, kCloseEmpty, kEnd, kText, kSubst, kOptionalSubst, kTemplate };
  Kind kind;
  uint8_t type = 0;    // substitution: the declared value type
  uint16_t index = 0;  // substitution: the value's index
  uint32_t ref = 0;    // kOpen/kAttr: name id; kText: literal id; kTemplate: instance id
};

struct Template {
  std::vector<Op> ops;
  std::string problem;  // set: the template does not compile
};

struct Instance {
  const Template* tmpl = nullptr;
  uint32_t values_begin = 0, values_end = 0;  // into Impl::values_
};

}  // namespace

bool LooksLikeEvtx(std::string_view head) { return head.substr(0, 8) == kFileSignature; }

uint32_t Crc32(std::string_view bytes, uint32_t crc) {
  // ISA-L's (carry-less multiplication): every chunk's records are checked,
  // and zlib's crc32_z was 4 % of a SigmaHQ scan's CPU.
  return crc32_gzip_refl(crc, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

Result<EvtxFileHeader> ReadEvtxFileHeader(std::string_view bytes) {
  if (bytes.size() < 128 || !LooksLikeEvtx(bytes)) return Status::Corrupt("no EVTX file signature");
  const char* p = bytes.data();
  EvtxFileHeader h;
  h.first_chunk = Load<uint64_t>(p + 8);
  h.last_chunk = Load<uint64_t>(p + 16);
  h.next_record_id = Load<uint64_t>(p + 24);
  h.minor = Load<uint16_t>(p + 36);
  h.major = Load<uint16_t>(p + 38);
  h.chunk_count = Load<uint16_t>(p + 42);
  h.flags = Load<uint32_t>(p + 120);
  h.checksum_ok = Crc32(bytes.substr(0, 120)) == Load<uint32_t>(p + 124);
  return h;
}

TimeMs FileTimeToMs(uint64_t filetime) {
  constexpr int64_t kEpochDiff = 116444736000000000LL;  // 1601 -> 1970 in 100 ns
  return (int64_t(filetime) - kEpochDiff) / 10000;
}

std::string FormatFileTime(uint64_t filetime) {
  std::string out;
  AppendFileTime(out, filetime);
  return out;
}

void AppendFileTime(std::string& out, uint64_t filetime) {
  uint64_t ticks = filetime % 10000000;  // 100 ns within the second
  int64_t secs = int64_t(filetime / 10000000) - 11644473600LL;
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t rem = secs - days * 86400;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  char buf[32], *at = buf;
  AppendPadded(at, uint64_t(y), y > 9999 ? 5 : 4);  // FILETIME reaches the year 30828
  *at++ = '-';
  AppendPadded(at, uint64_t(m), 2);
  *at++ = '-';
  AppendPadded(at, uint64_t(d), 2);
  *at++ = 'T';
  AppendPadded(at, uint64_t(rem / 3600), 2);
  *at++ = ':';
  AppendPadded(at, uint64_t(rem / 60 % 60), 2);
  *at++ = ':';
  AppendPadded(at, uint64_t(rem % 60), 2);
  *at++ = '.';
  AppendPadded(at, ticks, 7);
  memcpy(at, "00Z", 3);
  out.append(buf, at + 3);
}

struct EvtxChunkDecoder::Impl {
  std::string_view chunk;
  size_t pos = 0, end = 0;  // the next record; where records end
  bool cut_short = false;   // the file ends inside this chunk
  std::unordered_map<uint32_t, uint32_t> name_ids;  // chunk offset -> id
  std::deque<std::string> names;  // stable: events hold views
  std::unordered_map<uint32_t, std::unique_ptr<Template>> templates;  // definition offset -> template
  std::vector<std::string> literals;
  // Per record.
  std::vector<Instance> instances;
  std::vector<Value> values;
  std::vector<Op> stream_ops;
  size_t ops_run = 0;
  EventXml* xml = nullptr;
  std::vector<int> stack;
  std::vector<uint8_t> dropped;  // by element: left out when it closes
  std::vector<std::pair<size_t, std::string>> repeats;  // element, text of a copy after it
  bool in_attribute = false;

  bool In(size_t off, size_t len) const { return off <= chunk.size() && len <= chunk.size() - off; }

  // The id of the name at `off`, decoded once per chunk; -1 if damaged.
  int64_t Name(uint32_t off) {
    auto it = name_ids.find(off);
    if (it != name_ids.end()) return it->second;
    if (!In(off, 8)) return -1;
    uint16_t chars = Load<uint16_t>(chunk.data() + off + 6);
    if (!In(off + 8, size_t(chars) * 2)) return -1;
    std::string s;
    AppendUtf16(s, chunk.data() + off + 8, chars);
    names.push_back(std::move(s));
    name_ids.emplace(off, uint32_t(names.size() - 1));
    return int64_t(names.size() - 1);
  }

  // Whether a name reference at `p` points to a name: one seen before, or
  // one whose length fits the chunk.
  bool PlausibleNameAt(size_t p, size_t limit) {
    if (p + 4 > limit) return false;
    uint32_t off = Load<uint32_t>(chunk.data() + p);
    if (name_ids.count(off)) return true;
    if (off < kChunkHeaderSize || !In(off, 8)) return false;
    size_t chars = Load<uint16_t>(chunk.data() + off + 6);
    return In(off + 8, chars * 2 + 2) && Load<uint16_t>(chunk.data() + off + 8 + chars * 2) == 0;
  }

  // Reads a name reference at `p` (a chunk offset); the name may follow
  // inline, then `p` moves past it.
  bool NameRef(size_t& p, size_t limit, uint32_t* id, std::string* why) {
    if (p + 4 > limit) return (*why = "name reference past the end", false);
    uint32_t off = Load<uint32_t>(chunk.data() + p);
    p += 4;
    int64_t n = Name(off);
    if (n < 0) return (*why = fmt::format("name at offset {} outside the chunk", off), false);
    if (off == p) {  // defined here: skip the definition
      size_t len = 8 + size_t(Load<uint16_t>(chunk.data() + off + 6)) * 2 + 2;
      if (p + len > limit) return (*why = "name definition past the end", false);
      p += len;
    }
    *id = uint32_t(n);
    return true;
  }

  // Compiles binary XML tokens in [p, limit) into ops, stopping at the end
  // of the fragment. Template instances are parsed (their templates
  // compiled once) and become kTemplate ops. `in_value`: the bytes are a
  // substitution value (element starts carry no dependency identifier).
  bool Compile(size_t& p, size_t limit, bool in_value, bool allow_templates, std::vector<Op>* ops,
               std::string* why) {
    const char* d = chunk.data();
    size_t depth = 0;
    while (p < limit) {
      uint8_t token = uint8_t(d[p]);
      switch (token & 0x1f) {
        case 0x00:  // end of fragment
          ++p;
          return true;
        case 0x0f:  // fragment header
          if (p + 4 > limit) return (*why = "fragment header past the end", false);
          p += 4;
          break;
        case 0x01: {  // open start element
          size_t q = p + 1;
          // A dependency identifier comes first, except in substitution
          // values; some writers leave it out elsewhere too, which shows as
          // a name offset that only makes sense without it.
          if (!in_value && !(!PlausibleNameAt(p + 7, limit) && PlausibleNameAt(p + 5, limit))) q += 2;
          q += 4;  // data size
          uint32_t name = 0;
          if (q > limit || !NameRef(q, limit, &name, why)) {
            if (why->empty()) *why = "element past the end";
            return false;
          }
          if (token & 0x40) q += 4;  // attribute list size
          if (q > limit) return (*why = "attribute list past the end", false);
          if (++depth > kMaxElementDepth) return (*why = "elements nested too deep", false);
          ops->push_back({Op::kOpen, 0, 0, name});
          p = q;
          break;
        }
        case 0x02:
          ops->push_back({Op::kCloseStart});
          ++p;
          break;
        case 0x03:
          ops->push_back({Op::kCloseEmpty});
          ++p;
          if (depth > 0) --depth;
          if (depth == 0 && in_value) return true;
          break;
        case 0x04:
          ops->push_back({Op::kEnd});
          ++p;
          if (depth > 0) --depth;
          if (depth == 0 && in_value) return true;
          break;
        case 0x05: {  // value text: type byte, then a sized UTF-16 string
          if (p + 4 > limit) return (*why = "value past the end", false);
          uint16_t chars = Load<uint16_t>(d + p + 2);
          if (p + 4 + size_t(chars) * 2 > limit) return (*why = "value text past the end", false);
          std::string s;
          if (uint8_t(d[p + 1]) == 0x02) {
            AppendAnsi(s, std::string_view(d + p + 4, chars));
          } else {
            AppendUtf16(s, d + p + 4, chars);
          }
          literals.push_back(std::move(s));
          ops->push_back({Op::kText, 0, 0, uint32_t(literals.size() - 1)});
          p += 4 + size_t(chars) * 2;
          break;
        }
        case 0x06: {  // attribute
          size_t q = p + 1;
          uint32_t name = 0;
          if (!NameRef(q, limit, &name, why)) return false;
          ops->push_back({Op::kAttr, 0, 0, name});
          p = q;
          break;
        }
        case 0x07:    // CDATA section
        case 0x0b: {  // PI data
          if (p + 3 > limit) return (*why = "CDATA past the end", false);
          uint16_t chars = Load<uint16_t>(d + p + 1);
          if (p + 3 + size_t(chars) * 2 > limit) return (*why = "CDATA text past the end", false);
          if ((token & 0x1f) == 0x07) {
            std::string s;
            AppendUtf16(s, d + p + 3, chars);
            literals.push_back(std::move(s));
            ops->push_back({Op::kText, 0, 0, uint32_t(literals.size() - 1)});
          }
          p += 3 + size_t(chars) * 2;
          break;
        }
        case 0x08: {  // character reference
          if (p + 3 > limit) return (*why = "character reference past the end", false);
          std::string s;
          AppendUtf8(s, Load<uint16_t>(d + p + 1));
          literals.push_back(std::move(s));
          ops->push_back({Op::kText, 0, 0, uint32_t(literals.size() - 1)});
          p += 3;
          break;
        }
        case 0x09: {  // entity reference
          size_t q = p + 1;
          uint32_t name = 0;
          if (!NameRef(q, limit, &name, why)) return false;
          const std::string& n = names[name];
          std::string s = n == "lt" ? "<" : n == "gt" ? ">" : n == "amp" ? "&" : n == "quot" ? "\"" : n == "apos" ? "'" : "&" + n + ";";
          literals.push_back(std::move(s));
          ops->push_back({Op::kText, 0, 0, uint32_t(literals.size() - 1)});
          p = q;
          break;
        }
        case 0x0a: {  // PI target
          size_t q = p + 1;
          uint32_t name = 0;
          if (!NameRef(q, limit, &name, why)) return false;
          p = q;
          break;
        }
        case 0x0c: {  // template instance
          if (!allow_templates) return (*why = "template instance inside a template", false);
          uint32_t id = 0;
          if (!Instantiate(p, limit, &id, why)) return false;
          ops->push_back({Op::kTemplate, 0, 0, id});
          if (in_value && depth == 0) return true;
          break;
        }
        case 0x0d:
        case 0x0e: {  // substitutions
          if (p + 4 > limit) return (*why = "substitution past the end", false);
          ops->push_back({(token & 0x1f) == 0x0d ? Op::kSubst : Op::kOptionalSubst, uint8_t(d[p + 3]),
                          Load<uint16_t>(d + p + 1), 0});
          p += 4;
          break;
        }
        default:
          return (*why = fmt::format("unknown binary XML token 0x{:02x} at offset {}", token, p), false);
      }
    }
    if (in_value && depth == 0) return true;
    return (*why = "binary XML without its end", false);
  }

  const Template* GetTemplate(uint32_t def, std::string* why) {
    auto it = templates.find(def);
    if (it != templates.end()) {
      if (!it->second->problem.empty()) return (*why = it->second->problem, nullptr);
      return it->second.get();
    }
    auto t = std::make_unique<Template>();
    if (!In(def, 24)) {
      t->problem = fmt::format("template at offset {} outside the chunk", def);
    } else {
      uint32_t size = Load<uint32_t>(chunk.data() + def + 20);
      size_t p = def + 24;
      if (!In(p, size)) {
        t->problem = fmt::format("template at offset {} longer than the chunk", def);
      } else if (!Compile(p, def + 24 + size_t(size), false, false, &t->ops, &t->problem)) {
        t->problem = fmt::format("template at offset {}: {}", def, t->problem);
      }
    }
    const Template* result = t.get();
    templates.emplace(def, std::move(t));
    if (!result->problem.empty()) return (*why = result->problem, nullptr);
    return result;
  }

  // A template instance at `p`: the template (defined here or earlier in
  // the chunk) and its values.
  bool Instantiate(size_t& p, size_t limit, uint32_t* id, std::string* why) {
    const char* d = chunk.data();
    if (p + 10 > limit) return (*why = "template instance past the end", false);
    uint32_t def = Load<uint32_t>(d + p + 6);
    p += 10;
    if (def == p) {  // the definition follows
      if (p + 24 > limit) return (*why = "template definition past the end", false);
      size_t len = 24 + size_t(Load<uint32_t>(d + p + 20));
      if (len > limit - p) return (*why = "template definition past the end", false);
      p += len;
    }
    const Template* t = GetTemplate(def, why);
    if (!t) return false;
    if (p + 4 > limit) return (*why = "template values past the end", false);
    uint32_t count = Load<uint32_t>(d + p);
    p += 4;
    if (count > (limit - p) / 4) return (*why = fmt::format("{} template values cannot fit", count), false);
    Instance inst{t, uint32_t(values.size()), 0};
    size_t data = p + size_t(count) * 4;
    for (uint32_t i = 0; i < count; ++i) {
      uint16_t size = Load<uint16_t>(d + p + 4 * size_t(i));
      uint8_t type = uint8_t(d[p + 4 * size_t(i) + 2]);
      if (size > limit - data) return (*why = fmt::format("template value {} past the end", i), false);
      values.push_back({type, std::string_view(d + data, size)});
      data += size;
    }
    inst.values_end = uint32_t(values.size());
    p = data;
    instances.push_back(inst);
    *id = uint32_t(instances.size() - 1);
    return true;
  }

  // ---- building the event's tree -----------------------------------------

  std::string& Target() {
    EventXml::Element& e = xml->elements[size_t(stack.back())];
    if (in_attribute) return xml->value(xml->attrs.back().value);
    return xml->value(e.text);
  }

  // Runs compiled operations with the substitution values
  // values[first, first + count): indexes, not a view, since values holding
  // binary XML add values of their own while the operations run.
  bool Run(const std::vector<Op>& ops, size_t first, size_t count, int nesting, std::string* why) {
    for (const Op& op : ops) {
      if (++ops_run > kMaxOpsPerRecord) return (*why = "event too large to decode", false);
      switch (op.kind) {
        case Op::kOpen: {
          int parent = stack.empty() ? -1 : stack.back();
          if (parent >= 0) xml->elements[size_t(parent)].has_children = true;
          EventXml::Element e;
          e.name = names[op.ref];
          e.parent = parent;
          e.attr_begin = e.attr_end = uint32_t(xml->attrs.size());
          e.text = xml->NewValue();
          xml->elements.push_back(e);
          dropped.push_back(0);
          stack.push_back(int(xml->elements.size() - 1));
          in_attribute = false;
          break;
        }
        case Op::kAttr: {
          if (stack.empty()) return (*why = "attribute outside an element", false);
          xml->attrs.push_back({names[op.ref], xml->NewValue()});
          xml->elements[size_t(stack.back())].attr_end = uint32_t(xml->attrs.size());
          in_attribute = true;
          break;
        }
        case Op::kCloseStart:
          in_attribute = false;
          break;
        case Op::kCloseEmpty:
        case Op::kEnd: {
          if (stack.empty()) return (*why = "end of an element never opened", false);
          size_t self = size_t(stack.back());
          stack.pop_back();
          in_attribute = false;
          if (dropped[self]) {  // it and everything in it
            xml->attrs.resize(xml->elements[self].attr_begin);
            xml->elements.resize(self);
            dropped.resize(self);
            if (!stack.empty() && size_t(stack.back()) + 1 == self) xml->elements[self - 1].has_children = false;
          } else if (!repeats.empty()) {
            RepeatElement(self);
          }
          break;
        }
        case Op::kText:
          if (stack.empty()) break;  // text outside the root: not part of the event
          Target() += literals[op.ref];
          break;
        case Op::kSubst:
        case Op::kOptionalSubst: {
          if (op.index >= count) {
            if (op.kind == Op::kOptionalSubst) break;
            return (*why = fmt::format("substitution {} of {} values", op.index, count), false);
          }
          const Value v = values[first + op.index];
          if (v.type == 0x00) {
            // An optional substitution without value leaves out the
            // attribute or the element it is in.
            if (op.kind == Op::kOptionalSubst && !stack.empty()) {
              if (in_attribute) {
                xml->attrs.pop_back();
                xml->elements[size_t(stack.back())].attr_end = uint32_t(xml->attrs.size());
                in_attribute = false;
              } else {
                dropped[size_t(stack.back())] = 1;
              }
            }
            break;
          }
          if (v.type == 0x21) {
            if (nesting >= kMaxNesting) return (*why = "binary XML nested too deep", false);
            if (!RunValueXml(v.bytes, nesting + 1, why)) return false;
            break;
          }
          if (stack.empty()) break;
          if ((v.type & 0x80) && !in_attribute) {
            // An array in an element's content: the element once per item.
            std::vector<std::string> items;
            ArrayItems(v, &items);
            size_t self = size_t(stack.back());
            if (!items.empty()) Target() += items[0];
            for (size_t i = 1; i < items.size(); ++i) repeats.emplace_back(self, std::move(items[i]));
            break;
          }
          AppendValue(Target(), v);
          break;
        }
        case Op::kTemplate: {
          if (nesting >= kMaxNesting) return (*why = "templates nested too deep", false);
          const Instance inst = instances[op.ref];
          if (!Run(inst.tmpl->ops, inst.values_begin, inst.values_end - inst.values_begin, nesting + 1, why))
            return false;
          break;
        }
      }
    }
    return true;
  }

  // A substitution value that holds binary XML (an element, a fragment or a
  // template instance) of its own.
  bool RunValueXml(std::string_view bytes, int nesting, std::string* why) {
    size_t p = size_t(bytes.data() - chunk.data());
    size_t limit = p + bytes.size();
    std::vector<Op> ops;
    while (p < limit) {
      size_t before = p;
      if (!Compile(p, limit, true, true, &ops, why)) return false;
      if (p == before) break;
    }
    return Run(ops, 0, 0, nesting, why);
  }

  // The copies of element `self` that the array items of its content ask
  // for, each with the same attributes and one item as text.
  void RepeatElement(size_t self) {
    for (auto& [element, text] : repeats) {
      if (element != self) continue;
      EventXml::Element copy = xml->elements[self];
      copy.has_children = false;
      copy.attr_begin = uint32_t(xml->attrs.size());
      for (uint32_t a = xml->elements[self].attr_begin; a < xml->elements[self].attr_end; ++a) {
        uint32_t v = xml->NewValue();
        xml->value(v) = xml->value(xml->attrs[a].value);
        xml->attrs.push_back({xml->attrs[a].name, v});
      }
      copy.attr_end = uint32_t(xml->attrs.size());
      copy.text = xml->NewValue();
      xml->value(copy.text) = std::move(text);
      xml->elements.push_back(copy);
      dropped.push_back(0);
    }
    std::erase_if(repeats, [self](const auto& r) { return r.first == self; });
  }

  static void ArrayItems(const Value& v, std::vector<std::string>* items) {
    const uint8_t type = uint8_t(v.type & 0x7f);
    std::string_view b = v.bytes;
    if (type == 0x01 || type == 0x02) {  // strings, each with its terminator
      std::string all;
      if (type == 0x01) {
        AppendUtf16(all, b.data(), b.size() / 2);
      } else {
        AppendAnsi(all, b);
      }
      if (!all.empty() && all.back() == '\0') all.pop_back();  // the last item's terminator
      for (auto piece : Split(all, '\0')) items->emplace_back(piece);
      return;
    }
    size_t size = FixedSize(type);
    if (type == 0x10) size = 8;
    if (type == 0x13) {  // SIDs, each as long as its own count says
      for (size_t i = 0; i + 8 <= b.size();) {
        size_t len = 8 + 4 * size_t(uint8_t(b[i + 1]));
        std::string item;
        if (i + len > b.size() || !AppendSid(item, b.substr(i, len))) break;
        items->push_back(std::move(item));
        i += len;
      }
      return;
    }
    if (size == 0) {
      items->emplace_back();
      AppendHex(items->back(), b);
      return;
    }
    for (size_t i = 0; i + size <= b.size(); i += size) {
      items->emplace_back();
      AppendScalar(items->back(), type, b.data() + i, size);
    }
  }

  // A value as text; an array (where no element repeats for it, as in an
  // attribute) as its items joined by commas.
  static void AppendValue(std::string& out, const Value& v) {
    const size_t start = out.size();
    std::string_view b = v.bytes;
    if (v.type & 0x80) {
      std::vector<std::string> items;
      ArrayItems(v, &items);
      out += Join(items, ",");
      return;
    }
    switch (v.type) {
      case 0x01:
        AppendUtf16(out, b.data(), b.size() / 2);
        TrimTrailingNuls(out, start);
        return;
      case 0x02:
        AppendAnsi(out, b);
        TrimTrailingNuls(out, start);
        return;
      case 0x13:
        if (!AppendSid(out, b)) AppendHex(out, b);
        return;
      case 0x10:  // size: 4 or 8 bytes
        if (b.size() == 4 || b.size() == 8) return AppendScalar(out, v.type, b.data(), b.size());
        break;
      default:
        if (size_t size = FixedSize(v.type); size != 0 && b.size() >= size)
          return AppendScalar(out, v.type, b.data(), size);
    }
    AppendHex(out, b);  // binary, and anything of a size its type does not have
  }

  void ResetChunkState() {
    name_ids.clear();
    names.clear();
    templates.clear();
    literals.clear();
  }
};

EvtxChunkDecoder::EvtxChunkDecoder() : impl_(std::make_unique<Impl>()) {}
EvtxChunkDecoder::~EvtxChunkDecoder() = default;

EvtxChunkDecoder::OpenResult EvtxChunkDecoder::Open(std::string_view chunk, std::vector<std::string>* problems) {
  Impl& m = *impl_;
  m.ResetChunkState();
  m.chunk = chunk;
  m.pos = m.end = 0;
  if (chunk.size() < kChunkHeaderSize || chunk.substr(0, 8) != kChunkSignature) {
    bool zero = AllZero(chunk);
    if (zero) return OpenResult::kEmpty;
    problems->push_back(chunk.size() < kChunkHeaderSize ? "chunk cut short" : "no chunk signature");
    return OpenResult::kNotAChunk;
  }
  const char* d = chunk.data();
  uint32_t header_crc = Crc32(chunk.substr(128, kChunkHeaderSize - 128), Crc32(chunk.substr(0, 120)));
  if (header_crc != Load<uint32_t>(d + 124)) problems->push_back("chunk header checksum mismatch");
  uint32_t free_space = Load<uint32_t>(d + 48);
  m.cut_short = chunk.size() < kEvtxChunkSize;
  if (m.cut_short) {
    problems->push_back(fmt::format("chunk cut short ({} of {} bytes); the records it holds whole are read",
                                    chunk.size(), kEvtxChunkSize));
    if (free_space > chunk.size()) free_space = uint32_t(chunk.size());
  }
  if (free_space < kChunkHeaderSize || free_space > chunk.size()) {
    problems->push_back(fmt::format("free space offset {} outside the chunk; records read to its end", free_space));
    free_space = uint32_t(chunk.size());
  } else if (!m.cut_short &&
             Crc32(chunk.substr(kChunkHeaderSize, free_space - kChunkHeaderSize)) != Load<uint32_t>(d + 52)) {
    problems->push_back("event records checksum mismatch");
  }
  m.pos = kChunkHeaderSize;
  m.end = free_space;
  return OpenResult::kChunk;
}

EvtxChunkDecoder::Step EvtxChunkDecoder::Next(EventXml* xml, EvtxRecordInfo* info, std::string* why) {
  Impl& m = *impl_;
  const char* d = m.chunk.data();
  if (m.pos + kRecordHeaderSize > m.end) return Step::kEnd;
  const size_t at = m.pos;
  uint32_t size = Load<uint32_t>(d + at + 4);
  bool framed = Load<uint32_t>(d + at) == 0x00002a2a && size >= kRecordHeaderSize + 4 && size <= m.end - at &&
                Load<uint32_t>(d + at + size - 4) == size;
  if (!framed && m.cut_short && Load<uint32_t>(d + at) == 0x00002a2a && size > m.end - at) {
    m.pos = m.end;
    *why = fmt::format("record at chunk offset {} cut off by the end of the file", at);
    return Step::kSkipped;
  }
  if (!framed) {
    // Look for the next record signature; what lies between is lost.
    size_t next = at + 1;
    while (next + kRecordHeaderSize <= m.end && Load<uint32_t>(d + next) != 0x00002a2a) ++next;
    if (next + kRecordHeaderSize > m.end) next = m.end;
    m.pos = next;
    bool zero = AllZero(std::string_view(d + at, next - at));
    if (zero) return next >= m.end ? Step::kEnd : Next(xml, info, why);
    *why = fmt::format("damaged record at chunk offset {}: {} bytes skipped", at, next - at);
    return Step::kSkipped;
  }
  m.pos = at + size;
  info->id = Load<uint64_t>(d + at + 8);
  info->written_time = Load<uint64_t>(d + at + 16);
  info->offset = uint32_t(at);

  xml->Clear();
  m.xml = xml;
  m.stack.clear();
  m.dropped.clear();
  m.repeats.clear();
  m.in_attribute = false;
  m.instances.clear();
  m.values.clear();
  m.stream_ops.clear();
  m.ops_run = 0;
  size_t p = at + kRecordHeaderSize;
  size_t limit = at + size - 4;
  std::string problem;
  bool ok = m.Compile(p, limit, false, true, &m.stream_ops, &problem) && m.Run(m.stream_ops, 0, 0, 0, &problem);
  if (ok && xml->elements.empty()) problem = "no event in the record", ok = false;
  if (!ok) {
    *why = fmt::format("record {} (chunk offset {}): {}", info->id, at, problem);
    return Step::kSkipped;
  }
  return Step::kEvent;
}

size_t EvtxChunkCount(size_t file_size) {
  return file_size > kEvtxFileHeaderSize ? (file_size - kEvtxFileHeaderSize + kEvtxChunkSize - 1) / kEvtxChunkSize : 0;
}

void DecodeEvtxChunks(std::string_view file, size_t first, size_t last, EvtxChunkDecoder& decoder, EventXml& xml,
                      const std::function<void(const EventXml&, const EvtxRecordInfo&, size_t chunk)>& on_event,
                      const std::function<void(std::string problem, bool record_lost)>& on_problem) {
  std::vector<std::string> problems;
  EvtxRecordInfo info;
  std::string why;
  last = std::min(last, EvtxChunkCount(file.size()));
  for (size_t c = first; c < last; ++c) {
    problems.clear();
    auto opened = decoder.Open(file.substr(kEvtxFileHeaderSize + c * kEvtxChunkSize, kEvtxChunkSize), &problems);
    for (auto& p : problems) on_problem(fmt::format("chunk {}: {}", c, p), false);
    if (opened != EvtxChunkDecoder::OpenResult::kChunk) continue;
    for (auto step = decoder.Next(&xml, &info, &why); step != EvtxChunkDecoder::Step::kEnd;
         step = decoder.Next(&xml, &info, &why)) {
      if (step == EvtxChunkDecoder::Step::kSkipped) {
        on_problem(fmt::format("chunk {}: {}", c, why), true);
      } else {
        on_event(xml, info, c);
      }
    }
  }
}

}  // namespace exhunt
