// EVTX decode throughput on one core: every chunk of every EVTX file under
// the given folders, read into memory first, decoded ROUNDS times into
// events and their canonical fields. Prints events/s, MB/s and a checksum
// (events and the bytes of every field value) that must not change with a
// faster decoder.
//
//   evtx_format_perftest [--rounds N] DIR...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/text.h"
#include "reader/evtx_format.h"
#include "record/event_record.h"

using namespace exhunt;

int main(int argc, char** argv) {
  int rounds = 5;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
      continue;
    }
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(argv[i], ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && EndsWithIgnoreCase(it->path().string(), ".evtx")) files.push_back(it->path());
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: evtx_format_perftest [--rounds N] DIR...  (no EVTX file found)\n");
    return 2;
  }
  std::vector<std::string> data;
  size_t bytes = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    data.push_back(s.str());
    bytes += data.back().size();
  }
  EvtxChunkDecoder decoder;
  EventXml xml;
  EventRecord record;
  uint64_t events = 0, checksum = 0;
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    events = checksum = 0;
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& d : data)
      DecodeEvtxChunks(
          d, 0, SIZE_MAX, decoder, xml,
          [&](const EventXml& event, const EvtxRecordInfo&, size_t) {
            record.Reset(event);
            ++events;
            for (const auto& f : record.fields()) checksum += f.value.size();
          },
          [](std::string, bool) {});
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::printf("%zu files, %.1f MB, %llu events, checksum %llu\n", files.size(), bytes / 1e6,
              (unsigned long long)events, (unsigned long long)checksum);
  std::printf("decode + canonical fields, one core: %.3f s (best of %d), %.0f events/s, %.0f MB/s\n", best, rounds,
              events / best, bytes / 1e6 / best);
  return 0;
}
