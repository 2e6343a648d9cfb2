// Text log formats exhunt reads: IIS W3C extended logs and Exchange's CSV
// logs with "#Fields:" headers (HttpProxy, ECP Server/Activity, Rps_Http,
// and others), plus OABGenerator text lines.
//
// Everything here works on views into a mapped file; nothing copies a log.
// Fields are always resolved by header name, never by position, so rows of
// older builds with fewer columns and mid-file header changes read right.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/time.h"

namespace exhunt {

enum class LogType {
  kUnknown,
  kIisW3c,        // inetpub\logs\LogFiles\W3SVC*\u_ex*.log
  kHttpProxy,     // <install>\Logging\HttpProxy\<Protocol>\*.LOG
  kEcpServer,     // <install>\Logging\ECP\Server\*.LOG
  kEcpActivity,   // <install>\Logging\ECP\Activity\*.LOG
  kOabGenerator,  // <install>\Logging\OABGeneratorLog\*.log
  kRpsHttp,       // <install>\Logging\CmdletInfra\Powershell-Proxy\Http\*Rps_Http_20*
  kExchangeCsv,   // any other Exchange CSV log with a #Fields header
};

// Stable lowercase names used in rules ("service:" of a Sigma logsource),
// output and tests: "iis", "httpproxy", "ecp-server", ...
std::string_view LogTypeName(LogType type);
LogType LogTypeFromName(std::string_view name);
// How a log type's records are laid out: W3C space-separated lines, RFC 4180
// CSV records (which may span lines), or plain text lines (OABGenerator).
enum class RecordFormat { kW3c, kCsv, kText };
RecordFormat RecordFormatOf(LogType type);

// The column names of one "#Fields:" block.
class FieldHeader {
 public:
  FieldHeader() = default;
  explicit FieldHeader(std::vector<std::string> names);
  const std::vector<std::string>& names() const { return names_; }
  // Column index of a name, ASCII case-insensitive; -1 if absent.
  int Find(std::string_view name) const;

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, int> index_;  // lowercased name -> column
};

// The field list a log type writes by default (Exchange 2016/2019, IIS 10),
// as it stands after "#Fields: "; empty for types without one. Used when a
// file has no header before its first record, and by the generator.
std::string_view DefaultFieldsText(LogType type);

// Parses the text after "#Fields:" (W3C: space separated; CSV: commas).
FieldHeader ParseFieldsDirective(std::string_view rest, bool csv);

// Limits that make damaged input cheap to reject.
inline constexpr size_t kMaxRecordBytes = 1 << 20;

// Splits one W3C line (no line end) on runs of spaces/tabs.
void SplitW3cLine(std::string_view line, std::vector<std::string_view>* out);

enum class CsvParse { kOk, kUnterminatedQuote };

// Parses one RFC 4180 record starting at text[0]. Quoted fields may hold
// commas, doubled quotes and line ends. Unquoted values are views into text;
// unescaped quoted values are appended to `storage` and viewed there.
// *consumed is set to the bytes of the record including its line end.
// On an unterminated quote the record is cut at the first line end instead.
CsvParse ParseCsvRecord(std::string_view text, size_t* consumed, std::vector<std::string_view>* out,
                        std::deque<std::string>* storage);

// The physical line containing pos: [start, end) without the line end.
struct LineSpan {
  size_t start = 0;
  size_t end = 0;   // excludes "\r\n" / "\n"
  size_t next = 0;  // first byte after the line end
};
LineSpan LineAt(std::string_view bytes, size_t pos);

// True if a physical line looks like the start of a log record or a
// directive: "#...", or a date "YYYY-MM-DD" (CSV logs begin every record
// with a timestamp). Used to find record starts inside quoted multi-line
// fields and to place chunk boundaries.
bool LooksLikeRecordStart(std::string_view line);

}  // namespace exhunt
