// Fuzz target: the record-level parsers (RFC 4180 records, W3C lines,
// header directives, times) on arbitrary bytes. Consumed lengths must stay
// inside the input and always make progress.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "base/time.h"
#include "record/log_format.h"
#include "record/log_record.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> out;
  StringArena storage;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t consumed = 0;
    ParseCsvRecord(text.substr(pos), &consumed, &out, &storage);
    if (consumed == 0 || consumed > text.size() - pos) __builtin_trap();
    pos += consumed;
  }
  SplitW3cLine(text, &out);
  FieldHeader h = ParseFieldsDirective(text, true);
  FieldHeader w = ParseFieldsDirective(text, false);
  (void)h.Find("DateTime");
  (void)w.Find("date");
  ParseIsoTime(text);
  ExtractOabDownloadPath(text);
  IsInsideOabDirectory(text, {"\\program files\\microsoft\\exchange server\\v15\\"});
  LineAt(text, size / 2);
  return 0;
}
