// Records: what rules evaluate. A Record answers field lookups by the names
// rules use and exposes the raw bytes for keyword searches.
//
// LogRecord is one row of a text log. Its field names resolve through a
// per-log-type map (FieldMap) so that one rule vocabulary works across
// formats: SigmaHQ webserver names (cs-uri-query = stem + "?" + query,
// c-useragent, sc-status) on IIS, Exchange column names (UrlStem, UserAgent,
// HttpStatus) on IIS as well as on HttpProxy, and derived fields such as the
// ECP "Cmd" or the OABGenerator "DownloadPath".
//
// Lifetime: a LogRecord holds views into the mapped file and into its own
// storage; it is valid while the mapping lives and until it is reset.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/text.h"
#include "base/time.h"
#include "record/log_format.h"

namespace exhunt {

class Record {
 public:
  virtual ~Record() = default;
  // Value of a field by rule name (ASCII case-insensitive), or nullopt if
  // this record has no such field. Empty W3C values ("-") read as "".
  virtual std::optional<std::string_view> Field(std::string_view name) const = 0;
  // The record's bytes as they stand in the evidence (for keyword rules).
  virtual std::string_view Raw() const = 0;
  // When the event happened, if the record tells.
  virtual std::optional<TimeMs> Time() const = 0;
  // A field as a finding shows it: the logged value where the record has a
  // field of exactly that name, else the rule-name resolution of Field().
  virtual std::optional<std::string_view> EvidenceValue(std::string_view name) const { return Field(name); }
};

// How a literal a rule looks for in a field appears in the raw bytes of a
// record. The prefilter uses this to search raw bytes without parsing.
enum class RawForm {
  kVerbatim,      // the value is a slice of the raw record
  kPlusForSpace,  // IIS encodes spaces as '+' in cs(User-Agent) etc.
  kUrlJoined,     // stem "?" query, stored as "stem query" in IIS
  kNone,          // computed; the raw bytes need not contain the value
};

struct FieldBinding;

// Memo of rule field name -> binding (and column index for the current
// header). One per worker and log type: not shared between threads. The
// names are views into rules, which outlive every scan.
class FieldBindingCache {
 public:
  struct Entry;
  const Entry& Get(LogType type, std::string_view name);

 private:
  std::unordered_map<std::string_view, std::unique_ptr<Entry>> map_;
};

// File-wide facts a reader needs to resolve fields.
struct LogContext {
  LogType type = LogType::kUnknown;
  // W3C "#Date:" of the current block, for logs without a date column.
  std::optional<TimeMs> directive_date;
  // Exchange install roots as they would appear in Windows paths inside
  // logs, without drive letter, lowercase, backslash-separated, ending in
  // '\': e.g. "\program files\microsoft\exchange server\v15\".
  std::vector<std::string> install_roots;
  // Optional memo for field lookups; nullptr: resolve every time.
  FieldBindingCache* cache = nullptr;
};

// Resolution of one rule field name for one log type.
struct FieldBinding {
  enum class Kind { kColumn, kUrl, kExtension, kEcpKey, kDownloadPath, kDownloadPathInOab, kLine };
  Kind kind = Kind::kColumn;
  std::string column;  // header name (kColumn, kExtension: stem column) or ECP key
  bool plus_decode = false;
  RawForm raw_form = RawForm::kVerbatim;
};

// Maps a rule field name to how it reads on a log type. Unknown names bind
// to the header column of that name.
FieldBinding BindField(LogType type, std::string_view name);

struct FieldBindingCache::Entry {
  FieldBinding binding;
  const FieldHeader* header = nullptr;  // header the column index belongs to
  int column = -1;
};

class LogRecord final : public Record {
 public:
  // Fills the record from already split values.
  void Reset(const LogContext* ctx, const FieldHeader* header, std::string_view raw);
  void set_raw(std::string_view raw) { raw_ = raw; }
  std::vector<std::string_view>& values() { return values_; }
  StringArena& storage() { return storage_; }

  std::optional<std::string_view> Field(std::string_view name) const override;
  std::string_view Raw() const override { return raw_; }
  std::optional<std::string_view> EvidenceValue(std::string_view name) const override;
  std::optional<std::string_view> Column(std::string_view header_name) const;
  std::optional<std::string_view> Resolve(const FieldBinding& binding) const;

  // Event time from the record's date/time columns (or the text for
  // OABGenerator lines); nullopt if none parses.
  std::optional<TimeMs> Time() const override;

 private:
  const LogContext* ctx_ = nullptr;
  const FieldHeader* header_ = nullptr;
  std::string_view raw_;
  std::vector<std::string_view> values_;
  mutable StringArena storage_;
};

// OABGenerator: the path in "Download failed and temporary file '<path>'
// needs to be removed", quotes stripped; empty if the line has none.
std::string_view ExtractOabDownloadPath(std::string_view line);
// True if a Windows path lies inside <install>\ClientAccess\OAB\ of one of
// the install roots (drive letter and case ignored). UNC paths, paths with
// ".." and paths elsewhere are outside.
bool IsInsideOabDirectory(std::string_view path, const std::vector<std::string>& install_roots);

}  // namespace exhunt
