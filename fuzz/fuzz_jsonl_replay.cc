// Fuzz target: exhunt's JSONL results read back (exhunt import, exhunt
// report, rows from a Velociraptor server) on arbitrary bytes. Every line
// is a record or refused with a reason; what was read renders through
// every reporter; and reading back what the JSONL reporter wrote gives the
// same JSONL again (the records are a fixed point of write-then-read).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "report/jsonl_replay.h"
#include "report/reporter.h"

using namespace exhunt;

namespace {

std::string Replay(std::string_view bytes, bool all_reporters) {
  std::ostringstream jsonl, other;
  auto jsonl_reporter = NewReporter(ReportOptions{ReportFormat::kJsonl}, jsonl);
  std::vector<std::unique_ptr<ScanSink>> others;
  std::vector<ScanSink*> sinks{jsonl_reporter.get()};
  if (all_reporters) {
    for (ReportFormat f : {ReportFormat::kText, ReportFormat::kCsv, ReportFormat::kHtml}) {
      ReportOptions o;
      o.format = f;
      others.push_back(NewReporter(o, other));
      sinks.push_back(others.back().get());
    }
  }
  TeeSink all(sinks);
  all.Begin(ScanInfo{{"fuzz"}});
  JsonlReplay replay(all);
  size_t start = 0;
  while (start <= bytes.size()) {
    size_t nl = bytes.find('\n', start);
    std::string_view line = bytes.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    Status s = replay.Line(line);
    if (!s.ok() && s.message().empty()) __builtin_trap();
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  all.End(replay.Finish());
  return jsonl.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string once = Replay(bytes, true);
  const std::string twice = Replay(once, false);
  if (once != twice) __builtin_trap();
  return 0;
}
