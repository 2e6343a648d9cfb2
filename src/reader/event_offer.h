// Which rules one Windows event is offered, for every reader of events
// (EVTX, JSON exports): the rules whose logsource reads its channel and
// event ID (rule/event_rule_index.h), and of those only the ones whose
// prefilter literal the event's values hold (or that have none) and whose
// every required literal is there, as the text-log reader asks of a line.
// Values are verbatim in EventRecord::Raw, so a rule dropped here cannot
// match.
//
// Built once per reader and kind; Offered runs on any worker with that
// worker's Scratch and vectorscan scratch.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reader/reader.h"
#include "record/event_record.h"
#include "rule/event_rule_index.h"

namespace exhunt {

class EventRuleOffer {
 public:
  EventRuleOffer(const RuleSet& rules, const Prefilter& prefilter);

  // What one task keeps between events.
  struct Scratch {
    // The rules of one (channel, ID): membership by rule index, and those
    // without a literal, which see every such event.
    struct Source {
      std::vector<uint8_t> member;
      std::vector<unsigned> unfiltered;
    };
    std::map<std::pair<std::string, int64_t>, Source> sources;
    std::vector<uint32_t> stamp;  // by rule: the event number (required.stamp) whose literal hit it
    std::vector<unsigned> hit;      // rules whose literal the current event holds
    Prefilter::EventMemo required;  // the required literals the event holds
    std::vector<unsigned> offered;
  };
  // The rules to offer `record`: sorted, unique, valid until the next call.
  const std::vector<unsigned>& Offered(const EventRecord& record, hs_scratch_t* hs, Scratch& s) const;

 private:
  const Prefilter& pf_;
  EventRuleIndex index_;
  std::vector<bool> unfiltered_;  // by rule: no literal, sees every event of its sources
};

// An EventRuleOffer made at the first call and kept: a reader serves one
// scan, whose rules and prefilters do not change.
class LazyEventRuleOffer {
 public:
  const EventRuleOffer& Get(const ReadContext& context) const;

 private:
  mutable std::once_flag once_;
  mutable std::unique_ptr<EventRuleOffer> offer_;
};

}  // namespace exhunt
