// Which rules may match a Windows event, by its channel and event ID, so
// that an event-log reader offers each event only to the rules whose
// logsource reads it (rule/windows_logsource.h) instead of to every rule of
// the evtx kind. Rules without event sources (no restriction) are offered
// every event. The rules still check their sources in Matches: the index
// only saves the calls that cannot match.
//
// Immutable after construction; safe to read from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rule/rule_set.h"

namespace exhunt {

class EventRuleIndex {
 public:
  // Indexes `rules` (indexes into `set`).
  EventRuleIndex(const RuleSet& set, std::span<const unsigned> rules);
  // The rules that may match an event of `channel` (any case) and
  // `event_id` (nullopt: the event has none that parses); sorted, unique.
  void RulesFor(std::string_view channel, std::optional<uint32_t> event_id, std::vector<unsigned>* out) const;
  // What RulesFor gives for every channel the rules name, with each event
  // ID they name for it and with any other: distinct sets, for planning.
  std::vector<std::vector<unsigned>> KnownRuleSets() const;

 private:
  struct Channel {
    std::vector<unsigned> any_id;
    std::unordered_map<uint32_t, std::vector<unsigned>> by_id;
  };
  static void Add(Channel& c, unsigned rule, std::span<const uint32_t> ids);
  static void Collect(const Channel& c, std::optional<uint32_t> event_id, std::vector<unsigned>* out);
  std::unordered_map<std::string, Channel> channels_;  // lowercase channel
  Channel any_channel_;
};

}  // namespace exhunt
