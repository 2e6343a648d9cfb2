#include "reader/event_offer.h"

namespace exhunt {

EventRuleOffer::EventRuleOffer(const RuleSet& rules, const Prefilter& prefilter)
    : pf_(prefilter), index_(rules, prefilter.applicable_rules()) {
  for (unsigned r : pf_.unfiltered_rules()) {
    if (r >= unfiltered_.size()) unfiltered_.resize(r + 1, false);
    unfiltered_[r] = true;
  }
}

const std::vector<unsigned>& EventRuleOffer::Offered(const EventRecord& record, hs_scratch_t* hs,
                                                     Scratch& s) const {
  s.offered.clear();
  // The rules of the event's channel and ID, looked up once per task.
  std::optional<uint32_t> event_id = record.event_id();
  std::pair<std::string, int64_t> key(record.channel(), event_id ? int64_t(*event_id) : -1);
  auto it = s.by_source.find(key);
  if (it == s.by_source.end()) {
    it = s.by_source.emplace(std::move(key), std::vector<unsigned>()).first;
    index_.RulesFor(record.channel(), event_id, &it->second);
  }
  const std::vector<unsigned>& by_source = it->second;
  if (by_source.empty()) return s.offered;
  // The literals of the event's values.
  if (++s.event == 0) {  // the stamps wrapped: start again
    std::fill(s.stamp.begin(), s.stamp.end(), 0);
    s.event = 1;
  }
  struct Hit {
    const Prefilter* pf;
    Scratch* s;
  } hit{&pf_, &s};
  std::string_view raw = record.Raw();
  hs_error_t err = hs_scan(
      pf_.database(), raw.data(), unsigned(raw.size()), 0, hs,
      [](unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
        auto* h = static_cast<Hit*>(ctx);
        if (id < Prefilter::kFirstRuleLiteral) return 0;
        for (unsigned r : h->pf->RulesFor(id)) {
          if (r >= h->s->stamp.size()) h->s->stamp.resize(r + 1, 0);
          h->s->stamp[r] = h->s->event;
        }
        return 0;
      },
      &hit);
  if (err != HS_SUCCESS) {  // no literal can be trusted: every rule of the source sees the event
    s.offered = by_source;
    return s.offered;
  }
  bool memo_ready = false;
  for (unsigned r : by_source) {
    const bool literal_hit = r < s.stamp.size() && s.stamp[r] == s.event;
    if (!literal_hit && !(r < unfiltered_.size() && unfiltered_[r])) continue;
    if (pf_.has_requirements(r)) {
      if (!memo_ready) {
        pf_.StartLine(&s.memo);
        memo_ready = true;
      }
      if (!pf_.MayMatch(r, raw, &s.memo)) continue;
    }
    s.offered.push_back(r);
  }
  return s.offered;
}

const EventRuleOffer& LazyEventRuleOffer::Get(const ReadContext& context) const {
  std::call_once(once_, [&] { offer_ = std::make_unique<EventRuleOffer>(*context.rules, *context.prefilter); });
  return *offer_;
}

}  // namespace exhunt
