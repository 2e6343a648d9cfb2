// Log text that is not UTF-8 with LF line ends, as copies of Exchange and
// IIS logs arrive: UTF-16 (PowerShell's Out-File writes UTF-16LE by
// default; with or without a byte-order mark) and line ends of CR alone.
// Readers turn such bytes into UTF-8 with LF line ends, line for line, so
// that every later stage and every line number stays the same.
#pragma once

#include <string>
#include <string_view>

namespace exhunt {

enum class TextEncoding {
  kPlain,    // UTF-8 or ASCII with LF (or CRLF) line ends: read as is
  kUtf16Le,  // with or without the FF FE mark
  kUtf16Be,  // with or without the FE FF mark
  kCrOnly,   // 8-bit text whose lines end in CR alone
};

// What the first bytes of a file say (a few KiB are enough).
TextEncoding GuessTextEncoding(std::string_view head);
std::string_view TextEncodingName(TextEncoding e);  // "UTF-16LE", "CR line ends", ...

// `bytes` as UTF-8 with LF line ends (a byte-order mark dropped, unpaired
// surrogates and a dangling odd byte as U+FFFD). False, with `out` cleared,
// if the text would exceed `max_bytes`.
bool ToPlainText(std::string_view bytes, TextEncoding encoding, size_t max_bytes, std::string* out);

}  // namespace exhunt
