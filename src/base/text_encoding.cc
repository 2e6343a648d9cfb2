#include "base/text_encoding.h"

#include <cstdint>
#include <cstring>

namespace exhunt {

namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(char(cp));
  } else if (cp < 0x800) {
    out->push_back(char(0xC0 | (cp >> 6)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(char(0xE0 | (cp >> 12)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(char(0xF0 | (cp >> 18)));
    out->push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(char(0x80 | (cp & 0x3F)));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

}  // namespace

TextEncoding GuessTextEncoding(std::string_view head) {
  if (head.size() >= 2 && head[0] == '\xFF' && head[1] == '\xFE') return TextEncoding::kUtf16Le;
  if (head.size() >= 2 && head[0] == '\xFE' && head[1] == '\xFF') return TextEncoding::kUtf16Be;
  // Without a mark: ASCII text with a NUL in every other byte.
  const size_t n = std::min<size_t>(head.size(), 512) / 2 * 2;
  if (n >= 8) {
    size_t odd = 0, even = 0;
    for (size_t i = 0; i < n; ++i) (i % 2 ? odd : even) += head[i] == '\0';
    if (odd == n / 2 && even == 0) return TextEncoding::kUtf16Le;
    if (even == n / 2 && odd == 0) return TextEncoding::kUtf16Be;
  }
  // CR alone: a CR and no LF in the head, and the CRs not at its very end only.
  if (head.empty()) return TextEncoding::kPlain;  // (an empty mapping's data() may be null)
  if (!memchr(head.data(), '\n', head.size())) {
    const char* cr = static_cast<const char*>(memchr(head.data(), '\r', head.size()));
    if (cr && size_t(cr - head.data()) + 1 < head.size()) return TextEncoding::kCrOnly;
  }
  return TextEncoding::kPlain;
}

std::string_view TextEncodingName(TextEncoding e) {
  switch (e) {
    case TextEncoding::kPlain:
      return "UTF-8";
    case TextEncoding::kUtf16Le:
      return "UTF-16LE";
    case TextEncoding::kUtf16Be:
      return "UTF-16BE";
    case TextEncoding::kCrOnly:
      return "CR line ends";
  }
  return "UTF-8";
}

bool ToPlainText(std::string_view bytes, TextEncoding encoding, size_t max_bytes, std::string* out) {
  out->clear();
  if (encoding == TextEncoding::kPlain || encoding == TextEncoding::kCrOnly) {
    if (bytes.size() > max_bytes) return false;
    out->assign(bytes);
    if (encoding == TextEncoding::kCrOnly)
      for (char& c : *out)
        if (c == '\r') c = '\n';
    return true;
  }
  const bool le = encoding == TextEncoding::kUtf16Le;
  size_t i = 0;
  if (bytes.size() >= 2 && ((le && bytes[0] == '\xFF' && bytes[1] == '\xFE') ||
                            (!le && bytes[0] == '\xFE' && bytes[1] == '\xFF')))
    i = 2;
  out->reserve(std::min(max_bytes, bytes.size() / 2 + 16));
  auto unit = [&](size_t at) -> uint32_t {
    uint8_t a = uint8_t(bytes[at]), b = uint8_t(bytes[at + 1]);
    return le ? uint32_t(a | (b << 8)) : uint32_t((a << 8) | b);
  };
  for (; i + 1 < bytes.size(); i += 2) {
    uint32_t u = unit(i);
    uint32_t cp = u;
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 < bytes.size()) {
        uint32_t low = unit(i + 2);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          cp = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
          i += 2;
        } else {
          cp = kReplacement;
        }
      } else {
        cp = kReplacement;
      }
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      cp = kReplacement;
    }
    AppendUtf8(cp, out);
    if (out->size() > max_bytes) {
      out->clear();
      return false;
    }
  }
  if (i < bytes.size()) AppendUtf8(kReplacement, out);  // a dangling odd byte
  return out->size() <= max_bytes;
}

}  // namespace exhunt
