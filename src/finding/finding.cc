#include "finding/finding.h"

namespace exhunt {

std::string SourceRef::ToString() const {
  switch (kind) {
    case Kind::kLine:
      return path + ":" + std::to_string(position);
    case Kind::kRecord:
      return path + "#" + std::to_string(position);
    case Kind::kOffset:
      return path + "@" + std::to_string(position);
    case Kind::kFile:
      return path;
  }
  return path;
}

bool FindingBefore(const Finding& a, const Finding& b) {
  if (a.host != b.host) return a.host < b.host;
  TimeMs ta = a.time.value_or(0), tb = b.time.value_or(0);
  if (ta != tb) return ta < tb;
  if (a.source.path != b.source.path) return a.source.path < b.source.path;
  if (a.source.position != b.source.position) return a.source.position < b.source.position;
  return a.rule->id < b.rule->id;
}

std::string_view VerdictName(Verdict v) {
  switch (v) {
    case Verdict::kCompromised:
      return "compromised";
    case Verdict::kAttempted:
      return "attempted";
    case Verdict::kNoEvidence:
      return "no-evidence";
    case Verdict::kInsufficientEvidence:
      return "insufficient-evidence";
  }
  return "no-evidence";
}

}  // namespace exhunt

namespace exhunt {

void AddToCoverage(Coverage* c, uint64_t bytes, std::optional<TimeMs> first, std::optional<TimeMs> last,
                   const std::vector<TimeSpan>& spans) {
  c->files += 1;
  c->bytes += bytes;
  for (auto t : {first, last}) {
    if (!t) continue;
    if (!c->first || *t < *c->first) c->first = t;
    if (!c->last || *t > *c->last) c->last = t;
  }
  c->spans.insert(c->spans.end(), spans.begin(), spans.end());
  MergeSpans(&c->spans);
  if (c->spans.size() > kMaxCoverageSpans) {
    c->spans_dropped += c->spans.size() - kMaxCoverageSpans;
    c->spans.resize(kMaxCoverageSpans);
  }
}

}  // namespace exhunt
