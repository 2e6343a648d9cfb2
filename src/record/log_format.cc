#include "record/log_format.h"

#include <cstring>
#include <map>
#include <mutex>

#include "base/text.h"

namespace exhunt {

FieldHeader::FieldHeader(std::vector<std::string> names) : names_(std::move(names)) {
  for (size_t i = 0; i < names_.size(); ++i) index_.emplace(AsciiLowerCopy(names_[i]), int(i));
}

int FieldHeader::Find(std::string_view name) const {
  // Field names are short: fold case on the stack.
  char buffer[128];
  if (name.size() > sizeof buffer) {
    auto it = index_.find(AsciiLowerCopy(name));
    return it == index_.end() ? -1 : it->second;
  }
  for (size_t i = 0; i < name.size(); ++i) buffer[i] = AsciiLower(name[i]);
  auto it = index_.find(std::string_view(buffer, name.size()));
  return it == index_.end() ? -1 : it->second;
}

std::shared_ptr<const FieldHeader> SharedFieldHeader(std::string_view rest, bool csv) {
  static std::mutex mu;
  static std::map<std::pair<bool, std::string>, std::shared_ptr<const FieldHeader>, std::less<>> cache;
  constexpr size_t kMaxCachedHeaderBytes = 16384;  // a long header an attacker wrote is parsed, not kept
  if (rest.size() > kMaxCachedHeaderBytes) return std::make_shared<const FieldHeader>(ParseFieldsDirective(rest, csv));
  std::pair<bool, std::string> key(csv, std::string(rest));
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(key); it != cache.end()) return it->second;
  }
  auto header = std::make_shared<const FieldHeader>(ParseFieldsDirective(rest, csv));
  std::lock_guard<std::mutex> lock(mu);
  if (cache.size() < kMaxCachedHeaders) cache.emplace(std::move(key), header);
  return header;
}

FieldHeader ParseFieldsDirective(std::string_view rest, bool csv) {
  std::vector<std::string> names;
  size_t total = 0;
  rest = Trim(rest);
  // Names up to the cap; the rest only counted.
  auto add = [&](std::string_view name) {
    if (total++ < kMaxHeaderFields) names.emplace_back(name);
  };
  if (csv) {
    size_t start = 0;
    for (;;) {
      size_t comma = rest.find(',', start);
      add(Trim(rest.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (rest.empty()) total = 0, names.clear();
  } else {
    size_t i = 0;
    while (i < rest.size()) {
      while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
      size_t start = i;
      while (i < rest.size() && rest[i] != ' ' && rest[i] != '\t') ++i;
      if (i > start) add(rest.substr(start, i - start));
    }
  }
  FieldHeader header(std::move(names));
  header.set_dropped(total > kMaxHeaderFields ? total - kMaxHeaderFields : 0);
  return header;
}

void SplitW3cLine(std::string_view line, std::vector<std::string_view>* out) {
  out->clear();
  if (!memchr(line.data(), '\t', line.size())) {
    size_t start = 0;
    ForEachByte(line.data(), line.size(), ' ', [&](size_t pos) {
      if (pos > start) out->push_back(line.substr(start, pos - start));
      start = pos + 1;
      return true;
    });
    if (start < line.size()) out->push_back(line.substr(start));
    return;
  }
  size_t i = 0, n = line.size();
  while (i < n) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= n) break;
    size_t start = i;
    while (i < n && line[i] != ' ' && line[i] != '\t') ++i;
    out->push_back(line.substr(start, i - start));
  }
}

CsvParse ParseCsvRecord(std::string_view text, size_t* consumed, std::vector<std::string_view>* out,
                        StringArena* storage) {
  out->clear();
  // Fast path: a record on one line without quotes splits on commas.
  {
    const void* nl = memchr(text.data(), '\n', text.size());
    size_t end = nl ? size_t(static_cast<const char*>(nl) - text.data()) : text.size();
    if (!memchr(text.data(), '"', end)) {
      *consumed = nl ? end + 1 : end;
      if (end > 0 && text[end - 1] == '\r') --end;
      size_t start = 0;
      ForEachByte(text.data(), end, ',', [&](size_t pos) {
        out->push_back(text.substr(start, pos - start));
        start = pos + 1;
        return true;
      });
      out->push_back(text.substr(start, end - start));
      return CsvParse::kOk;
    }
  }
  const size_t n = text.size();
  size_t i = 0;
  for (;;) {
    if (i < n && text[i] == '"') {
      // Quoted field: find the closing quote, unescaping "" pairs.
      size_t j = i + 1;
      bool escaped = false;
      bool closed = false;
      while (j < n && j - i < kMaxRecordBytes) {
        const char* q = static_cast<const char*>(memchr(text.data() + j, '"', n - j));
        if (!q) break;
        j = size_t(q - text.data());
        if (j + 1 < n && text[j + 1] == '"') {
          escaped = true;
          j += 2;
          continue;
        }
        closed = true;
        break;
      }
      if (closed) {
        // A quoted field that runs into a line starting like a record is a
        // stray quote, not a multi-line value: it must not swallow the
        // records in between.
        std::string_view span = text.substr(i, j - i);
        for (size_t nl = span.find('\n'); nl != std::string_view::npos; nl = span.find('\n', nl + 1)) {
          if (StartsWithDate(text.substr(i + nl + 1))) {
            closed = false;
            break;
          }
        }
      }
      if (!closed) {
        // Fall back to the physical line: a broken quote must not swallow the file.
        LineSpan line = LineAt(text, 0);
        out->clear();
        for (auto part : Split(text.substr(0, line.end), ',')) out->push_back(part);
        *consumed = line.next;
        return CsvParse::kUnterminatedQuote;
      }
      std::string_view inner = text.substr(i + 1, j - i - 1);
      if (escaped) {
        std::string& s = storage->Next();
        s.reserve(inner.size());
        for (size_t k = 0; k < inner.size(); ++k) {
          s += inner[k];
          if (inner[k] == '"' && k + 1 < inner.size() && inner[k + 1] == '"') ++k;
        }
        out->push_back(s);
      } else {
        out->push_back(inner);
      }
      i = j + 1;
      // Anything between the closing quote and the separator is kept loosely:
      // skip to the next separator.
      while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') ++i;
    } else {
      size_t j = i;
      while (j < n && text[j] != ',' && text[j] != '\n' && text[j] != '\r') ++j;
      out->push_back(text.substr(i, j - i));
      i = j;
    }
    if (i >= n) {
      *consumed = n;
      return CsvParse::kOk;
    }
    if (text[i] == ',') {
      ++i;
      if (i >= n) {
        out->push_back(std::string_view());
        *consumed = n;
        return CsvParse::kOk;
      }
      continue;
    }
    // Line end.
    if (text[i] == '\r') ++i;
    if (i < n && text[i] == '\n') ++i;
    *consumed = i;
    return CsvParse::kOk;
  }
}

bool LooksLikeRecordStart(std::string_view line) { return (!line.empty() && line[0] == '#') || StartsWithDate(line); }

}  // namespace exhunt
