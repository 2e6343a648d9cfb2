#include "rule/event_rule_index.h"

#include <algorithm>

#include "base/text.h"

namespace exhunt {

void EventRuleIndex::Add(Channel& c, unsigned rule, std::span<const uint32_t> ids) {
  if (ids.empty()) {
    c.any_id.push_back(rule);
    return;
  }
  for (uint32_t id : ids) c.by_id[id].push_back(rule);
}

EventRuleIndex::EventRuleIndex(const RuleSet& set, std::span<const unsigned> rules) {
  for (unsigned r : rules) {
    auto sources = set.rules()[r]->event_sources();
    if (sources.empty()) {
      any_channel_.any_id.push_back(r);
      continue;
    }
    for (const auto& s : sources)
      Add(s.channel.empty() ? any_channel_ : channels_[AsciiLowerCopy(s.channel)], r, s.event_ids);
  }
}

void EventRuleIndex::Collect(const Channel& c, std::optional<uint32_t> event_id, std::vector<unsigned>* out) {
  out->insert(out->end(), c.any_id.begin(), c.any_id.end());
  if (!event_id) return;
  auto it = c.by_id.find(*event_id);
  if (it != c.by_id.end()) out->insert(out->end(), it->second.begin(), it->second.end());
}

void EventRuleIndex::RulesFor(std::string_view channel, std::optional<uint32_t> event_id,
                              std::vector<unsigned>* out) const {
  out->clear();
  Collect(any_channel_, event_id, out);
  auto it = channels_.find(AsciiLowerCopy(channel));
  if (it != channels_.end()) Collect(it->second, event_id, out);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

std::vector<std::vector<unsigned>> EventRuleIndex::KnownRuleSets() const {
  std::vector<std::vector<unsigned>> out;
  std::vector<unsigned> set;
  auto add = [&](std::string_view channel, std::optional<uint32_t> id) {
    RulesFor(channel, id, &set);
    if (!set.empty()) out.push_back(set);
  };
  for (const auto& [channel, c] : channels_) {
    add(channel, std::nullopt);
    for (const auto& [id, rules] : c.by_id) add(channel, id);
    for (const auto& [id, rules] : any_channel_.by_id) add(channel, id);
  }
  for (const auto& [id, rules] : any_channel_.by_id) add("", id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace exhunt
