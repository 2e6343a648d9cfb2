// Which rules one Windows event is offered, for every reader of events
// (EVTX, JSON exports): the rules whose logsource reads its channel and
// event ID (rule/event_rule_index.h), and of those only the ones whose
// prefilter literal the event's values hold (or that have none) and whose
// every required literal is there, as the text-log reader asks of a line.
// Values are verbatim in EventRecord::Raw, so a rule dropped here cannot
// match.
//
// An event is scanned for the literals of its own rules only: the rules of
// one (channel, ID) get a database of their literals (Prefilter::
// CompileLiterals), compiled when the first such event comes and shared by
// the workers; a Security logon event is not scanned for the ~10,000
// literals of the process-creation rules. Rules that need nine tenths of
// the prefilter's literals use its whole database; rules without any
// literal need no scan.
//
// Built once per reader and kind; Offered runs on any worker with that
// worker's Scratch and vectorscan scratch.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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
      const hs_database_t* db = nullptr;  // null: no literal to scan for
      size_t span = SIZE_MAX;             // the database's longest match
      bool scan_failed = false;           // no database or no scratch for it
    };
    // By (channel, event ID or -1); found without copying the channel.
    struct SourceKeyLess {
      using is_transparent = void;
      template <class A, class B>
      bool operator()(const A& a, const B& b) const {
        const std::string_view x(a.first), y(b.first);
        return x != y ? x < y : a.second < b.second;
      }
    };
    std::map<std::pair<std::string, int64_t>, Source, SourceKeyLess> sources;
    static constexpr size_t kMaxSources = 256;
    // The databases the worker's scratch was grown for in this task (a
    // database per rule set of the index: bounded by the rules).
    std::vector<const hs_database_t*> fits;
    std::vector<uint32_t> stamp;    // by rule: the event number (required.stamp) whose literal hit it
    std::vector<unsigned> hit;      // rules whose literal the current event holds
    Prefilter::EventMemo required;  // the required literals the event holds
    std::vector<unsigned> offered;
    std::string copy;  // ScanBlock's: the end of an event (or the whole, with regexes)
  };
  // The rules to offer `record`: sorted, unique, valid until the next call.
  // `hs` is the worker's vectorscan scratch (grown for a source's database).
  const std::vector<unsigned>& Offered(const EventRecord& record, HsScratch& hs, Scratch& s) const;

 private:
  // The database the events of one rule set are scanned with.
  struct SourceDatabase {
    std::once_flag once;
    HsDatabase own;                     // of the set's literals only
    const hs_database_t* db = nullptr;  // own, the prefilter's (nearly all its literals), or null (none)
    bool failed = false;                // neither could be compiled
    size_t span = SIZE_MAX;             // its longest match (Prefilter::MatchSpan)
  };
  // The database for `rules` (sorted), made at the first call.
  const SourceDatabase& DatabaseFor(const std::vector<unsigned>& rules) const;
  // The rules whose database serves the events of `rules`: large sets of
  // the index that are nearly alike (the process-creation rules with
  // Sysmon's own and with Security's own) share the database of their
  // union, so ~10,000 literals are compiled once, not once per set.
  std::vector<unsigned> DatabaseRules(std::vector<unsigned> rules) const;

  const Prefilter& pf_;
  EventRuleIndex index_;
  std::vector<bool> unfiltered_;  // by rule: no literal, sees every event of its sources
  mutable std::once_flag plan_once_;
  mutable std::map<std::vector<unsigned>, std::vector<unsigned>> shared_;  // a set -> its group's union
  mutable std::mutex databases_mu_;
  mutable std::map<std::vector<unsigned>, std::unique_ptr<SourceDatabase>> databases_;  // by sorted rule indexes
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
