// Fuzz target: Windows events as JSON on arbitrary bytes: the splitter finds
// top-level values (each inside the input, in order, never empty), the parser
// turns each into an event or refuses it with a reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reader/event_json.h"
#include "record/event_record.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  JsonValueSplitter splitter(bytes);
  EventJsonParser parser;
  EventXml xml;
  EventRecord record;
  std::string why;
  size_t begin = 0, end = 0, last_end = 0;
  for (auto step = splitter.Next(&begin, &end); step != JsonValueSplitter::Step::kEnd;
       step = splitter.Next(&begin, &end)) {
    if (begin < last_end || end <= begin || end > size) __builtin_trap();
    last_end = end;
    if (step != JsonValueSplitter::Step::kValue) continue;
    if (parser.Parse(bytes.substr(begin, end - begin), &xml, &why)) {
      if (xml.elements.empty()) __builtin_trap();
      record.Reset(xml);
      (void)record.Field("EventID");
    } else if (why.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}
