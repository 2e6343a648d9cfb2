#include "reader/event_offer.h"

#include <algorithm>
#include <iterator>

#include "rule/hs_scan.h"

namespace exhunt {

EventRuleOffer::EventRuleOffer(const RuleSet& rules, const Prefilter& prefilter)
    : pf_(prefilter), index_(rules, prefilter.applicable_rules()) {
  for (unsigned r : pf_.unfiltered_rules()) {
    if (r >= unfiltered_.size()) unfiltered_.resize(r + 1, false);
    unfiltered_[r] = true;
  }
}

std::vector<unsigned> EventRuleOffer::DatabaseRules(std::vector<unsigned> rules) const {
  // Sets this large take a tenth of a second or more to compile; smaller
  // ones are not worth grouping.
  constexpr size_t kGroupFrom = 100;
  std::call_once(plan_once_, [&] {
    std::vector<std::vector<unsigned>> sets;
    for (auto& set : index_.KnownRuleSets())
      if (set.size() >= kGroupFrom) sets.push_back(std::move(set));
    std::stable_sort(sets.begin(), sets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    std::vector<bool> grouped(sets.size(), false);
    for (size_t a = 0; a < sets.size(); ++a) {
      if (grouped[a]) continue;
      std::vector<size_t> group{a};
      std::vector<unsigned> all = sets[a];
      for (size_t b = a + 1; b < sets.size(); ++b) {
        if (grouped[b]) continue;
        std::vector<unsigned> both;
        std::set_intersection(sets[a].begin(), sets[a].end(), sets[b].begin(), sets[b].end(), std::back_inserter(both));
        // Nearly all of b in a, and the union at most a tenth larger than a.
        if (both.size() * 10 < sets[b].size() * 9 ||
            (sets[a].size() + sets[b].size() - both.size()) * 10 > sets[a].size() * 11)
          continue;
        group.push_back(b);
        std::vector<unsigned> merged;
        std::set_union(all.begin(), all.end(), sets[b].begin(), sets[b].end(), std::back_inserter(merged));
        all = std::move(merged);
      }
      if (group.size() < 2) continue;
      for (size_t g : group) {
        grouped[g] = true;
        shared_[sets[g]] = all;
      }
    }
  });
  auto it = shared_.find(rules);
  return it == shared_.end() ? rules : it->second;
}

const EventRuleOffer::SourceDatabase& EventRuleOffer::DatabaseFor(const std::vector<unsigned>& source_rules) const {
  const std::vector<unsigned> rules = DatabaseRules(source_rules);
  SourceDatabase* entry;
  {
    std::lock_guard lock(databases_mu_);
    auto& slot = databases_[rules];
    if (!slot) slot = std::make_unique<SourceDatabase>();
    entry = slot.get();
  }
  std::call_once(entry->once, [&] {
    std::vector<uint8_t> marks(rules.empty() ? 0 : rules.back() + 1, 0);
    for (unsigned r : rules) marks[r] = 1;
    std::vector<unsigned> ids = pf_.LiteralsOf(marks);
    if (ids.empty()) return;  // no literal: no scan
    // Nearly all the prefilter's literals: its database serves as well.
    if (ids.size() * 10 >= pf_.rule_literal_count() * 9) {
      entry->db = pf_.database();
      entry->failed = !entry->db;
      entry->span = pf_.MatchSpan();
      return;
    }
    if (auto own = pf_.CompileLiterals(ids); own.ok()) {
      entry->own = std::move(own.value());
      entry->db = entry->own.get();
      entry->span = pf_.MatchSpan(ids);
    } else {
      entry->db = pf_.database();
      entry->failed = !entry->db;
      entry->span = pf_.MatchSpan();
    }
  });
  return *entry;
}

const std::vector<unsigned>& EventRuleOffer::Offered(const EventRecord& record, HsScratch& hs, Scratch& s) const {
  s.offered.clear();
  // The rules of the event's channel and ID, looked up once per task.
  std::optional<uint32_t> event_id = record.event_id();
  const std::pair<std::string_view, int64_t> key(record.channel(), event_id ? int64_t(*event_id) : -1);
  auto it = s.sources.find(key);
  if (it == s.sources.end()) {
    // A cache: events that make up a new channel each must not grow it
    // without bound (each entry holds a byte per rule).
    if (s.sources.size() >= Scratch::kMaxSources) s.sources.clear();
    it = s.sources.emplace(std::pair<std::string, int64_t>(key.first, key.second), Scratch::Source()).first;
    std::vector<unsigned> rules;
    index_.RulesFor(record.channel(), event_id, &rules);
    for (unsigned r : rules) {
      if (r >= it->second.member.size()) it->second.member.resize(r + 1, 0);
      it->second.member[r] = 1;
      if (r < unfiltered_.size() && unfiltered_[r]) it->second.unfiltered.push_back(r);
    }
    Scratch::Source& added = it->second;
    const SourceDatabase& database = DatabaseFor(rules);
    added.db = database.db;
    added.span = database.span;
    added.scan_failed = database.failed;
    if (added.db && std::find(s.fits.begin(), s.fits.end(), added.db) == s.fits.end()) {
      // Grown on a copy: vectorscan frees the scratch it fails to grow, and
      // the worker's must stay whole for the other databases.
      hs_scratch_t* grown = nullptr;
      if ((!hs || hs_clone_scratch(hs.get(), &grown) == HS_SUCCESS) &&
          hs_alloc_scratch(added.db, &grown) == HS_SUCCESS) {
        hs.reset(grown);
        s.fits.push_back(added.db);
      } else {
        if (grown) hs_free_scratch(grown);
        added.scan_failed = true;  // every rule of the source sees its events
      }
    }
  }
  const Scratch::Source& source = it->second;
  if (source.member.empty()) return s.offered;
  // The rules whose literal the event's values hold: found by the hits, not
  // by walking every rule of the source (a Sysmon process event has ~1,200).
  // One event number stamps both the rules hit and the required literals.
  if (pf_.NextRecord(&s.required)) std::fill(s.stamp.begin(), s.stamp.end(), 0);  // wrapped
  const uint32_t event = s.required.stamp;
  s.hit.clear();
  struct Hit {
    const Prefilter* pf;
    Scratch* s;
    uint32_t event;
  } hit{&pf_, &s, event};
  std::string_view raw = record.Raw();
  auto on_hit = [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
    auto* h = static_cast<Hit*>(ctx);
    if (id < Prefilter::kFirstRuleLiteral) return 0;
    if (int req = h->pf->RequirementOf(id); req >= 0) h->s->required.hit[size_t(req)] = h->event;
    for (unsigned r : h->pf->RulesFor(id)) {
      if (r >= h->s->stamp.size()) h->s->stamp.resize(r + 1, 0);
      if (h->s->stamp[r] == h->event) continue;
      h->s->stamp[r] = h->event;
      h->s->hit.push_back(r);
    }
    return 0;
  };
  hs_error_t err = HS_SUCCESS;  // no database: no literal to look for
  if (source.scan_failed)
    err = HS_INVALID;
  else if (source.db)
    err = ScanBlock(source.db, raw, std::min(raw.size(), source.span), hs.get(), on_hit, &hit, &s.copy);
  std::vector<unsigned>& candidates = s.offered;
  if (err != HS_SUCCESS) {  // no literal can be trusted: every rule of the source sees the event
    for (unsigned r = 0; r < source.member.size(); ++r)
      if (source.member[r]) candidates.push_back(r);
    return candidates;
  }
  candidates = source.unfiltered;
  for (unsigned r : s.hit)
    if (r < source.member.size() && source.member[r]) candidates.push_back(r);
  std::sort(candidates.begin(), candidates.end());
  // Required literals: those the scan hit are known, the others searched
  // for at most once per event.
  candidates.erase(
      std::remove_if(candidates.begin(), candidates.end(),
                     [&](unsigned r) { return pf_.has_requirements(r) && !pf_.MayMatchScanned(r, raw, &s.required); }),
      candidates.end());
  return candidates;
}

const EventRuleOffer& LazyEventRuleOffer::Get(const ReadContext& context) const {
  std::call_once(once_, [&] { offer_ = std::make_unique<EventRuleOffer>(*context.rules, *context.prefilter); });
  return *offer_;
}

}  // namespace exhunt
