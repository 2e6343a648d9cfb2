#include "finding/timeline.h"

#include <algorithm>

namespace exhunt {

namespace {

bool SameSource(const SourceRef& a, const SourceRef& b) {
  return a.kind == b.kind && a.position == b.position && a.path == b.path;
}

}  // namespace

std::vector<TimelineEvent> BuildTimeline(const std::vector<const Finding*>& findings) {
  std::vector<TimelineEvent> events;
  for (const Finding* f : findings) {
    if (events.empty() || !SameSource(events.back().source, f->source) || events.back().time != f->time) {
      TimelineEvent e;
      e.time = f->time;
      e.source = f->source;
      e.log_type = f->log_type;
      e.severity = f->rule->severity;
      e.outcome = f->rule->outcome;
      e.keys = f->keys;
      events.push_back(std::move(e));
    }
    TimelineEvent& e = events.back();
    e.rules.push_back(f->rule);
    e.severity = std::max(e.severity, f->rule->severity);
    e.outcome = std::max(e.outcome, f->rule->outcome);
    for (const auto& kv : f->keys)  // the union: a join may have given one finding more keys
      if (std::find(e.keys.begin(), e.keys.end(), kv) == e.keys.end()) e.keys.push_back(kv);
    for (const auto& kv : f->evidence) {
      const std::string& field = kv.first;
      if (std::none_of(e.evidence.begin(), e.evidence.end(), [&](const auto& have) { return have.first == field; }))
        e.evidence.push_back(kv);
    }
  }
  return events;
}

AttackerSummary SummarizeAttackers(const std::vector<TimelineEvent>& events) {
  static constexpr std::string_view kAttackerKeys[] = {"client", "user_agent", "user", "url", "file"};
  std::map<std::string, std::map<std::string, AttackerValue>> seen;
  for (const auto& e : events) {
    if (e.outcome == Outcome::kNone) continue;
    for (const auto& [key, value] : e.keys) {
      if (std::find(std::begin(kAttackerKeys), std::end(kAttackerKeys), key) == std::end(kAttackerKeys)) continue;
      AttackerValue& v = seen[key][value];
      v.value = value;
      ++v.events;
      if (e.time) {
        if (!v.first || *e.time < *v.first) v.first = e.time;
        if (!v.last || *e.time > *v.last) v.last = e.time;
      }
    }
  }
  AttackerSummary out;
  for (auto& [key, values] : seen) {
    std::vector<AttackerValue> list;
    for (auto& [value, v] : values) list.push_back(std::move(v));
    std::stable_sort(list.begin(), list.end(),
                     [](const AttackerValue& a, const AttackerValue& b) { return a.events > b.events; });
    if (list.size() > kMaxAttackerValues) {
      out.more[key] = list.size() - kMaxAttackerValues;
      list.resize(kMaxAttackerValues);
    }
    out.by_key[key] = std::move(list);
  }
  return out;
}

}  // namespace exhunt
