#include "base/time_span.h"

#include <algorithm>

namespace exhunt {

void MergeSpans(std::vector<TimeSpan>* spans, TimeMs join) {
  auto& s = *spans;
  std::sort(s.begin(), s.end(), [](const TimeSpan& a, const TimeSpan& b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (out > 0 && s[i].first - s[out - 1].last <= join) {
      s[out - 1].last = std::max(s[out - 1].last, s[i].last);
    } else {
      s[out++] = s[i];
    }
  }
  s.resize(out);
}

std::vector<TimeSpan> ClipSpans(const std::vector<TimeSpan>& spans, TimeMs from, TimeMs to) {
  std::vector<TimeSpan> out;
  for (const auto& s : spans) {
    TimeSpan c{std::max(s.first, from), std::min(s.last, to)};
    if (c.first <= c.last) out.push_back(c);
  }
  return out;
}

std::vector<TimeSpan> UncoveredParts(const std::vector<TimeSpan>& spans, TimeSpan window, TimeMs join) {
  std::vector<TimeSpan> out;
  // `covered_to`: the window is covered up to here (a record at most `join`
  // earlier vouches for the time after it).
  TimeMs covered_to = window.first;
  bool started = false;
  for (const auto& s : spans) {
    if (s.last < window.first - join) continue;
    if (s.first > window.last) break;
    TimeMs reach = started ? covered_to : window.first;
    if (s.first - reach > join) out.push_back({reach, std::min(s.first, window.last)});
    covered_to = std::max(covered_to, s.last);
    started = true;
  }
  if (!started) return {window};
  if (window.last - covered_to > join) out.push_back({covered_to, window.last});
  return out;
}

void AddToSpans(std::vector<TimeSpan>* spans, TimeMs t, TimeMs join) {
  if (!spans->empty() && t >= spans->back().first - join && t <= spans->back().last + join) {
    spans->back().first = std::min(spans->back().first, t);
    spans->back().last = std::max(spans->back().last, t);
  } else {
    spans->push_back({t, t});
  }
}

}  // namespace exhunt
