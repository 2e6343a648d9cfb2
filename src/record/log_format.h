// Text log formats exhunt reads: IIS W3C extended logs and Exchange's CSV
// logs with "#Fields:" headers (HttpProxy, ECP Server/Activity, Rps_Http,
// and others), plus OABGenerator text lines.
//
// Everything here works on views into a mapped file; nothing copies a log.
// Fields are always resolved by header name, never by position, so rows of
// older builds with fewer columns and mid-file header changes read right.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "source/evidence_kind.h"

namespace exhunt {

// The column names of one "#Fields:" block.
class FieldHeader {
 public:
  FieldHeader() = default;
  explicit FieldHeader(std::vector<std::string> names);
  const std::vector<std::string>& names() const { return names_; }
  // Column index of a name, ASCII case-insensitive; -1 if absent.
  int Find(std::string_view name) const;
  // Names past kMaxHeaderFields that the directive held and this header
  // does not (their columns read as absent).
  size_t dropped() const { return dropped_; }
  void set_dropped(size_t n) { dropped_ = n; }

 private:
  std::vector<std::string> names_;
  size_t dropped_ = 0;
  // Lowercased name -> column; looked up by string_view, without a copy.
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> index_;
};

// Parses the text after "#Fields:" (W3C: space separated; CSV: commas).
FieldHeader ParseFieldsDirective(std::string_view rest, bool csv);
// The same, shared: a server writes the same few headers into thousands of
// files, so each distinct header is parsed once per process (at most
// kMaxCachedHeaders of them are kept; others are parsed each time).
std::shared_ptr<const FieldHeader> SharedFieldHeader(std::string_view rest, bool csv);
inline constexpr size_t kMaxCachedHeaders = 256;

// Limits that make damaged input cheap to reject.
inline constexpr size_t kMaxRecordBytes = 1 << 20;
// Fields of one "#Fields:" header that are kept (Exchange writes about 75,
// IIS about 25): memory must not grow with what an attacker writes there.
inline constexpr size_t kMaxHeaderFields = 1024;

// Splits one W3C line (no line end) on runs of spaces/tabs.
void SplitW3cLine(std::string_view line, std::vector<std::string_view>* out);

enum class CsvParse { kOk, kUnterminatedQuote };

// Parses one RFC 4180 record starting at text[0]. Quoted fields may hold
// commas, doubled quotes and line ends. Unquoted values are views into text;
// unescaped quoted values are appended to `storage` and viewed there.
// *consumed is set to the bytes of the record including its line end.
// On an unterminated quote the record is cut at the first line end instead.
CsvParse ParseCsvRecord(std::string_view text, size_t* consumed, std::vector<std::string_view>* out,
                        StringArena* storage);

// True if a physical line looks like the start of a log record or a
// directive: "#...", or a date "YYYY-MM-DD" (CSV logs begin every record
// with a timestamp; see StartsWithDate). Used to find record starts inside quoted multi-line
// fields and to place chunk boundaries.
bool LooksLikeRecordStart(std::string_view line);

}  // namespace exhunt
