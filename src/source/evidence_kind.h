// The one table of evidence kinds: for each log type exhunt reads, its
// name, how its records are laid out, the fields it writes by default,
// which Sigma logsources address it, which field vocabulary its rules use,
// and how discovery recognises it (by path, by header, by file name).
//
// Every stage reads this table; a new log type is one new entry (plus a
// reader in reader/ if its bytes are in a new format). The table is
// constant data and safe to read from any thread.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace exhunt {

// The id of one entry of the table.
enum class LogType {
  kUnknown,
  kIisW3c,        // inetpub\logs\LogFiles\W3SVC*\u_ex*.log
  kHttpProxy,     // <install>\Logging\HttpProxy\<Protocol>\*.LOG
  kEcpServer,     // <install>\Logging\ECP\Server\*.LOG
  kEcpActivity,   // <install>\Logging\ECP\Activity\*.LOG
  kOabGenerator,  // <install>\Logging\OABGeneratorLog\*.log
  kRpsHttp,       // <install>\Logging\CmdletInfra\Powershell-Proxy\Http\*Rps_Http_20*
  kExchangeCsv,   // any other Exchange CSV log with a #Fields header
  kEvtx,          // Windows\System32\winevt\Logs\*.evtx, or any file with the EVTX signature
  kEventJson,     // Windows events exported as JSON (evtx_dump, Winlogbeat, OTRF/Mordor), found by content
  kFile,          // the file plane: any other regular file (webshells, dumps, archives)
};

// How a log type's records are laid out: W3C space-separated lines, RFC 4180
// CSV records (which may span lines), plain text lines (OABGenerator), or a
// whole file as one record of its metadata, hashes and content matches, or
// Windows events (EVTX files, JSON exports).
enum class RecordFormat { kW3c, kCsv, kText, kFile, kEvtx, kJsonEvents };

// Which names rules may use for fields (record/log_record.cc binds them).
enum class FieldVocabulary {
  kIis,       // W3C names plus the SigmaHQ webserver and Exchange names
  kExchange,  // Exchange CSV column names plus the SigmaHQ webserver names
  kEcp,       // kExchange plus the typed keys of EventData ("Cmd", "S:URL")
  kOab,       // kExchange plus the derived "DownloadPath" and "DownloadPathInOab"
  kFile,      // a file's own fields (record/file_record.h): Path, Name, Extension, SHA256, ...
  kWindows,   // the canonical fields of a Windows event (record/event_record.h)
};

// One Sigma logsource pattern; "*" matches any value, anything else
// (including "") must be equal.
struct LogSourcePattern {
  std::string_view product, service, category;
};

struct EvidenceKind {
  LogType type;
  std::string_view name;  // stable lowercase name: rules, output, tests
  RecordFormat format;
  // The field list as it stands after "#Fields: " (Exchange 2016/2019,
  // IIS 10); used when a file has no header before its first record.
  std::string_view default_fields;
  std::span<const LogSourcePattern> logsources;
  FieldVocabulary vocabulary;
  // Discovery. A path (lowercase, '/'-separated, with a leading '/')
  // holding `path_part` and a file name holding `name_part` is this kind;
  // `confirm_by_content` kinds are read to be sure (other files share
  // their folders).
  std::string_view path_part, name_part;
  bool confirm_by_content;
  // The value of a "#Log-type:" header naming this kind: '|'-separated
  // case-insensitive globs.
  std::string_view log_type_header;
  // Comma-separated column names whose presence in a "#Fields:" header
  // tells this kind apart from other Exchange CSV logs.
  std::string_view fields_signature;
  // A file-name part that names this kind when its content alone does not.
  std::string_view name_hint;
  // The start of a "#Software:" value that names this kind.
  std::string_view software_header;
  // Whether the head of its files names the running Exchange build
  // ("#Version:" or version columns), which the exposure plane reads.
  bool head_shows_build;
  // Whether the folder at `path_part` names a family of its own (an
  // HttpProxy protocol, an IIS site): coverage is judged per family.
  bool family_by_folder = false;
  // Whether the file name (without extension) names the family: an event
  // log's channel ("evtx/security").
  bool family_by_file_name = false;
  // The first bytes that make a file this kind wherever it lies.
  std::string_view magic = {};
};

// Every kind exhunt reads, kUnknown excluded, in report order.
std::span<const EvidenceKind> EvidenceKinds();
// The entry of a type; kUnknown has an entry of its own (format kText).
const EvidenceKind& KindOf(LogType type);
std::string_view LogTypeName(LogType type);
LogType LogTypeFromName(std::string_view name);
// The evidence family of a file, the unit coverage is judged in: the kind's
// name, plus the folder that names the family where the kind has one
// ("httpproxy/ecp", "iis/w3svc1", "ecp-server"). Lowercase.
std::string EvidenceFamily(LogType type, std::string_view rel_path);
// Whether `family` belongs to `pattern`: equal, or pattern is its kind
// ("iis" holds "iis/w3svc1").
bool FamilyMatches(std::string_view family, std::string_view pattern);
inline RecordFormat RecordFormatOf(LogType type) { return KindOf(type).format; }
// Whether the kind's records are Windows events (EVTX or JSON): fields of
// their own, every value verbatim in the record's raw text, values that may
// span lines.
inline bool HoldsWindowsEvents(LogType type) { return KindOf(type).vocabulary == FieldVocabulary::kWindows; }
// The kind whose records are W3C lines (IIS): the only one without commas
// in its "#Fields:" header.
LogType W3cLogType();
bool MatchesLogSource(const EvidenceKind& kind, std::string_view product, std::string_view service,
                      std::string_view category);

}  // namespace exhunt
