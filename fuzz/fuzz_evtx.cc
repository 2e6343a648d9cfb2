// Fuzz target: the EVTX decoder on arbitrary bytes, as a file header and as
// one chunk. Every record either decodes or is skipped with a reason; the
// decoder never crashes, hangs or reads outside the chunk, and every event
// it returns has a root element and canonical fields built from it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "reader/evtx_format.h"
#include "record/event_record.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  (void)ReadEvtxFileHeader(bytes);
  // The input as a chunk: with its own signature, or given one.
  std::string chunk(bytes.substr(0, kEvtxChunkSize));
  if (chunk.compare(0, 8, std::string_view("ElfChnk\0", 8)) != 0) chunk.insert(0, std::string_view("ElfChnk\0", 8));
  EvtxChunkDecoder decoder;
  std::vector<std::string> problems;
  if (decoder.Open(chunk, &problems) != EvtxChunkDecoder::OpenResult::kChunk) return 0;
  EventXml xml;
  EventRecord record;
  EvtxRecordInfo info;
  std::string why;
  size_t steps = 0;
  for (auto step = decoder.Next(&xml, &info, &why); step != EvtxChunkDecoder::Step::kEnd;
       step = decoder.Next(&xml, &info, &why)) {
    if (++steps > kEvtxChunkSize) __builtin_trap();  // each step consumes bytes
    if (step == EvtxChunkDecoder::Step::kSkipped) {
      if (why.empty()) __builtin_trap();
      continue;
    }
    if (xml.elements.empty() || xml.elements[0].parent != -1) __builtin_trap();
    record.Reset(xml);
    (void)record.Field("EventID");
    (void)record.Field("Data[2]");
  }
  return 0;
}
