// What a reader of events gathers while it reads (one per task, joined in
// task order): records, first and last time, the covered spans, and its
// problems, of which at most kMaxProblemsListed are listed and the rest
// counted. For the event readers (EVTX, JSON exports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time_span.h"
#include "reader/reader.h"

namespace exhunt {

struct GatheredFacts {
  static constexpr size_t kMaxProblemsListed = 64;
  uint64_t records = 0, skipped = 0;
  std::optional<TimeMs> first, last;
  std::vector<TimeSpan> spans;
  std::vector<std::string> problems;
  size_t unlisted = 0;

  void AddTime(TimeMs t);
  void AddProblem(std::string problem);
  // Adds what a later task gathered.
  void Absorb(GatheredFacts&& other);
  // The file's facts; `skipped_what` names what `skipped` counts ("damaged
  // records", "values"). `problems` first: problems of the file as a whole.
  FileFacts ToFileFacts(std::vector<std::string> problems, std::string_view skipped_what);
};

}  // namespace exhunt
