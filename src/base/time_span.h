// Stretches of time that evidence covers, and the gaps between them.
//
// A span is a stretch in which every two neighbouring records lie at most
// kCoverageGap apart: logs are "there" for it. Readers emit spans per file,
// the scanner merges them per evidence family, verdicts ask which part of
// a campaign window they leave uncovered. Plain values, no ownership.
#pragma once

#include <vector>

#include "base/time.h"

namespace exhunt {

constexpr TimeMs kDayMs = 86400000;
// Records further apart than this leave a gap: a quiet night is no gap, a
// day without a single record is one.
constexpr TimeMs kCoverageGap = kDayMs;

struct TimeSpan {
  TimeMs first = 0, last = 0;  // inclusive
  bool operator==(const TimeSpan& o) const { return first == o.first && last == o.last; }
};

// Adds the time of one more record: extends the last span when `t` lies
// within `join` of it (records mostly come in time order), else starts one.
// MergeSpans afterwards puts records that came out of order right.
void AddToSpans(std::vector<TimeSpan>* spans, TimeMs t, TimeMs join = kCoverageGap);

// Sorts `spans` and joins those that overlap or lie at most `join` apart.
void MergeSpans(std::vector<TimeSpan>* spans, TimeMs join = kCoverageGap);

// The parts of `spans` (merged) inside [from, to].
std::vector<TimeSpan> ClipSpans(const std::vector<TimeSpan>& spans, TimeMs from, TimeMs to);

// The parts of `window` that `spans` (merged, sorted) leave uncovered: the
// stretches longer than `join` with no span, including a late start and an
// early end.
std::vector<TimeSpan> UncoveredParts(const std::vector<TimeSpan>& spans, TimeSpan window, TimeMs join = kCoverageGap);

}  // namespace exhunt
