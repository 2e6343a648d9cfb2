#include "record/log_record.h"

#include <array>
#include <cstring>

#include "base/text.h"

namespace exhunt {

namespace {

struct Alias {
  std::string_view names;  // '|' separated rule names, lowercase
  FieldBinding binding;
};

FieldBinding Column(std::string col, RawForm form = RawForm::kVerbatim, bool plus = false) {
  FieldBinding b;
  b.kind = FieldBinding::Kind::kColumn;
  b.column = std::move(col);
  b.raw_form = form;
  b.plus_decode = plus;
  return b;
}

FieldBinding Kind(FieldBinding::Kind kind, std::string col, RawForm form) {
  FieldBinding b;
  b.kind = kind;
  b.column = std::move(col);
  b.raw_form = form;
  return b;
}

bool NameIn(std::string_view lower, std::string_view names) {
  for (auto n : Split(names, '|'))
    if (n == lower) return true;
  return false;
}

const std::vector<Alias>& IisAliases() {
  static const std::vector<Alias> aliases = {
      {"cs-uri-query|c-uri|cs-uri|url|uri", Kind(FieldBinding::Kind::kUrl, "", RawForm::kUrlJoined)},
      {"urlstem|c-uri-stem|cs-uri-stem", Column("cs-uri-stem")},
      {"urlquery|c-uri-query", Column("cs-uri-query")},
      {"method|cs-method|c-method", Column("cs-method")},
      {"httpstatus|status|sc-status", Column("sc-status")},
      {"useragent|c-useragent|cs-user-agent|cs(user-agent)", Column("cs(User-Agent)", RawForm::kPlusForSpace, true)},
      {"referer|cs-referer|cs-referrer|cs(referer)", Column("cs(Referer)", RawForm::kPlusForSpace, true)},
      {"cookie|cs-cookie|cs(cookie)", Column("cs(Cookie)", RawForm::kPlusForSpace, true)},
      {"clientipaddress|clientip|c-ip|src_ip", Column("c-ip")},
      {"serverport|s-port|dst_port", Column("s-port")},
      {"authenticateduser|cs-username|username", Column("cs-username")},
      {"c-uri-extension", Kind(FieldBinding::Kind::kExtension, "cs-uri-stem", RawForm::kVerbatim)},
      {"urlhost|cs-host|host", Column("cs-host")},
      {"serverhostname|s-computername", Column("s-computername")},
  };
  return aliases;
}

const std::vector<Alias>& ExchangeAliases() {
  static const std::vector<Alias> aliases = {
      {"cs-uri-query|c-uri|cs-uri|url|uri", Kind(FieldBinding::Kind::kUrl, "", RawForm::kUrlJoined)},
      {"c-uri-stem|cs-uri-stem", Column("UrlStem")},
      {"c-uri-query", Column("UrlQuery")},
      {"cs-method|c-method", Column("Method")},
      {"status|sc-status", Column("HttpStatus")},
      {"c-useragent|cs-user-agent", Column("UserAgent")},
      {"c-ip|clientip|src_ip", Column("ClientIpAddress")},
      {"cs-host|host", Column("UrlHost")},
      {"cs-username|username", Column("AuthenticatedUser")},
  };
  return aliases;
}

}  // namespace

FieldBinding BindField(LogType type, std::string_view name) {
  std::string lower = AsciiLowerCopy(name);
  if (lower == "_raw" || lower == "line") return Kind(FieldBinding::Kind::kLine, "", RawForm::kVerbatim);
  const FieldVocabulary vocabulary = KindOf(type).vocabulary;
  // An event's fields are its own (record/event_record.h), each verbatim.
  if (vocabulary == FieldVocabulary::kWindows) return Column(std::string(name));
  if (vocabulary == FieldVocabulary::kIis) {
    for (const auto& a : IisAliases())
      if (NameIn(lower, a.names)) return a.binding;
    return Column(std::string(name));
  }
  if (vocabulary == FieldVocabulary::kEcp) {
    if (lower == "cmd") return Kind(FieldBinding::Kind::kEcpKey, "S:CMD", RawForm::kVerbatim);
    if (lower == "requesturl") return Kind(FieldBinding::Kind::kEcpKey, "S:URL", RawForm::kVerbatim);
    if (lower.size() > 2 && lower.find(':') != std::string::npos)
      return Kind(FieldBinding::Kind::kEcpKey, std::string(name), RawForm::kVerbatim);
  }
  if (vocabulary == FieldVocabulary::kOab) {
    if (lower == "downloadpath") return Kind(FieldBinding::Kind::kDownloadPath, "", RawForm::kVerbatim);
    if (lower == "downloadpathinoab") return Kind(FieldBinding::Kind::kDownloadPathInOab, "", RawForm::kNone);
  }
  for (const auto& a : ExchangeAliases())
    if (NameIn(lower, a.names)) return a.binding;
  return Column(std::string(name));
}

void LogRecord::Reset(const LogContext* ctx, const FieldHeader* header, std::string_view raw) {
  ctx_ = ctx;
  header_ = header;
  raw_ = raw;
  values_.clear();
  storage_.Reset();
}

std::optional<std::string_view> LogRecord::Column(std::string_view header_name) const {
  if (!header_) return std::nullopt;
  int i = header_->Find(header_name);
  if (i < 0) return std::nullopt;
  // A row of an older build may have fewer columns than the header: the
  // field exists in the format but this row did not write it.
  if (size_t(i) >= values_.size()) return std::string_view();
  std::string_view v = values_[size_t(i)];
  if (ctx_ && RecordFormatOf(ctx_->type) == RecordFormat::kW3c && v == "-") return std::string_view();
  return v;
}

namespace {

std::string_view EcpValue(std::string_view data, std::string_view key) {
  // EventData is "K:NAME=value;K:NAME=value;..." where values may hold ';'
  // (script in a Set-*VirtualDirectory URL). A value ends where the next
  // typed key starts.
  std::string needle = std::string(key) + "=";
  size_t pos = FindIgnoreCase(data, needle);
  while (pos != std::string_view::npos && pos > 0 && data[pos - 1] != ';') pos = FindIgnoreCase(data, needle, pos + 1);
  if (pos == std::string_view::npos) return std::string_view();
  size_t start = pos + needle.size();
  static constexpr std::array<std::string_view, 7> kNext = {";S:", ";Dbl:", ";I32:", ";I64:", ";F:", ";B:", ";Str:"};
  size_t end = data.size();
  for (auto n : kNext) {
    size_t p = data.find(n, start);
    if (p != std::string_view::npos && p < end) end = p;
  }
  return data.substr(start, end - start);
}

}  // namespace

std::optional<std::string_view> LogRecord::Resolve(const FieldBinding& b) const {
  using K = FieldBinding::Kind;
  switch (b.kind) {
    case K::kLine:
      return raw_;
    case K::kColumn: {
      auto v = Column(b.column);
      if (!v || !b.plus_decode || v->find('+') == std::string_view::npos) return v;
      std::string& s = storage_.Next();
      s.assign(*v);
      for (char& c : s)
        if (c == '+') c = ' ';
      return std::string_view(s);
    }
    case K::kUrl: {
      bool iis = ctx_ && KindOf(ctx_->type).vocabulary == FieldVocabulary::kIis;
      auto stem = Column(iis ? "cs-uri-stem" : "UrlStem");
      auto query = Column(iis ? "cs-uri-query" : "UrlQuery");
      if (!stem && !query) return std::nullopt;
      std::string_view st = stem.value_or(std::string_view());
      std::string_view q = query.value_or(std::string_view());
      if (q.empty()) return st;
      std::string& s = storage_.Next();
      s.assign(st);
      if (q[0] != '?') s += '?';
      s += q;
      return std::string_view(s);
    }
    case K::kExtension: {
      auto stem = Column(b.column);
      if (!stem) return std::nullopt;
      size_t slash = stem->rfind('/');
      size_t dot = stem->rfind('.');
      if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return std::string_view();
      return stem->substr(dot + 1);
    }
    case K::kEcpKey: {
      auto data = Column("EventData");
      if (!data) return std::nullopt;
      return EcpValue(*data, b.column);
    }
    case K::kDownloadPath:
      return ExtractOabDownloadPath(raw_);
    case K::kDownloadPathInOab: {
      std::string_view path = ExtractOabDownloadPath(raw_);
      if (path.empty()) return std::nullopt;
      static const std::vector<std::string> kNone;
      return IsInsideOabDirectory(path, ctx_ ? ctx_->install_roots : kNone) ? std::string_view("true")
                                                                            : std::string_view("false");
    }
  }
  return std::nullopt;
}

const FieldBindingCache::Entry& FieldBindingCache::Get(LogType type, std::string_view name) {
  auto it = map_.find(name);
  if (it != map_.end()) return *it->second;
  auto e = std::make_unique<Entry>();
  e->binding = BindField(type, name);
  return *map_.emplace(name, std::move(e)).first->second;
}

std::optional<std::string_view> LogRecord::Field(std::string_view name) const {
  if (!ctx_ || !ctx_->cache) return Resolve(BindField(ctx_ ? ctx_->type : LogType::kUnknown, name));
  auto& entry = const_cast<FieldBindingCache::Entry&>(ctx_->cache->Get(ctx_->type, name));
  if (entry.binding.kind != FieldBinding::Kind::kColumn || entry.binding.plus_decode) return Resolve(entry.binding);
  // Plain columns: remember the index for this header.
  if (entry.header != header_) {
    entry.header = header_;
    entry.column = header_ ? header_->Find(entry.binding.column) : -1;
  }
  if (entry.column < 0) return std::nullopt;
  if (size_t(entry.column) >= values_.size()) return std::string_view();
  std::string_view v = values_[size_t(entry.column)];
  if (RecordFormatOf(ctx_->type) == RecordFormat::kW3c && v == "-") return std::string_view();
  return v;
}

std::optional<std::string_view> LogRecord::EvidenceValue(std::string_view name) const {
  auto v = Column(name);
  return v ? v : Field(name);
}

std::optional<TimeMs> LogRecord::Time() const {
  if (!ctx_) return std::nullopt;
  if (RecordFormatOf(ctx_->type) == RecordFormat::kW3c) {
    auto date = Column("date");
    auto time = Column("time");
    if (!time) return std::nullopt;
    if (date && !date->empty()) return ParseDateAndTime(*date, *time);
    if (ctx_->directive_date) {
      TimeMs day = *ctx_->directive_date / 86400000LL * 86400000LL;
      auto t = ParseDateAndTime("1970-01-01", *time);
      if (t) return day + *t;
    }
    return std::nullopt;
  }
  for (std::string_view name : {"DateTime", "TimeStamp", "date-time"}) {
    auto v = Column(name);
    if (v && !v->empty()) return ParseIsoTime(*v);
  }
  // Text lines: the first "YYYY-MM-DD?hh:mm:ss[.fff][Z]" anywhere near the start.
  std::string_view text = raw_.substr(0, 256);
  for (size_t i = 0; i + 19 <= text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') continue;
    std::string_view rest = text.substr(i);
    if (!LooksLikeRecordStart(rest)) continue;
    size_t end = 19;
    while (end < rest.size() && (rest[end] == '.' || rest[end] == 'Z' || (rest[end] >= '0' && rest[end] <= '9'))) ++end;
    auto t = ParseIsoTime(rest.substr(0, end));
    if (t) return t;
  }
  return std::nullopt;
}

std::string_view ExtractOabDownloadPath(std::string_view line) {
  static constexpr std::string_view kStart = "Download failed and temporary file ";
  static constexpr std::string_view kEnd = " needs to be removed";
  size_t s = FindIgnoreCase(line, kStart);
  if (s == std::string_view::npos) return std::string_view();
  s += kStart.size();
  size_t e = FindIgnoreCase(line, kEnd, s);
  if (e == std::string_view::npos) return std::string_view();
  std::string_view path = Trim(line.substr(s, e - s));
  if (path.size() >= 2 && (path.front() == '\'' || path.front() == '"') && path.back() == path.front())
    path = path.substr(1, path.size() - 2);
  return path;
}

bool IsInsideOabDirectory(std::string_view path, const std::vector<std::string>& install_roots) {
  std::string p = AsciiLowerCopy(path);
  for (char& c : p)
    if (c == '/') c = '\\';
  if (p.rfind("\\\\", 0) == 0) return false;  // UNC: another host or a loopback share
  if (p.find("..") != std::string::npos) return false;
  if (p.size() >= 2 && p[1] == ':') p = p.substr(2);
  if (install_roots.empty()) {
    // No tree to tell where Exchange lives: accept any "...\ClientAccess\OAB\" folder.
    return p.find("\\clientaccess\\oab\\") != std::string::npos;
  }
  // The tree may hold the drive below folders of its own ("C/", "EXCH01/"
  // in a triage collection), or start inside the install folder: the
  // install folder the log names and one the tree holds must end alike
  // (one is the end of the other).
  size_t oab = p.find("\\clientaccess\\oab\\");
  if (oab == std::string::npos) return false;
  const std::string install = p.substr(0, oab + 1);
  auto ends_with = [](const std::string& s, const std::string& end) {
    return s.size() >= end.size() && s.compare(s.size() - end.size(), end.size(), end) == 0;
  };
  for (const auto& root : install_roots)
    if (install.size() > 1 && (ends_with(root, install) || ends_with(install, root))) return true;
  return false;
}

}  // namespace exhunt
