#include "rule/prefilter.h"

#include <algorithm>
#include <numeric>
#include <string>
#include <unordered_map>

#include "base/text.h"
#include "rule/regex_literal.h"
#include "source/directive.h"

namespace exhunt {

hs_platform_info_t PrefilterPlatform(bool native) {
  hs_platform_info_t platform{};
  if (hs_populate_platform(&platform) != HS_SUCCESS) platform = {};
  if (!native) platform.cpu_features = 0;
  return platform;
}

std::string PrefilterLiteralKey(const PrefilterLiteral& lit) {
  std::string key;
  key.reserve(lit.text.size() + 2);
  key += lit.cased ? 'C' : 'c';
  key += lit.regex ? 'R' : 'r';
  key += lit.text;
  return key;
}

namespace {

// Whether a literal is rare enough in Windows event values to pick events
// out: three bytes or more, or two that hold a byte of a non-ASCII
// character (a Cyrillic look-alike letter is two UTF-8 bytes) or a caret or
// backtick (cmd.exe and PowerShell escapes, as in "^^" of a DOSfuscated
// command line), which plain event values seldom hold.
bool SelectiveInEvents(std::string_view text) {
  if (text.size() >= 3) return true;
  if (text.size() < 2) return false;
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80 || c == '^' || c == '`'; });
}

}  // namespace

Result<std::unique_ptr<Prefilter>> Prefilter::Build(const std::vector<RuleCover>& covers, LogType type,
                                                    const PrefilterCache* cache, bool portable) {
  std::unique_ptr<Prefilter> pf(new Prefilter());
  pf->type_ = type;
  // Directive markers first, byte-exact.
  pf->literals_.push_back({std::string(kFieldsMarker), true});
  pf->literals_.push_back({std::string(kDateMarker), true});
  pf->literals_.push_back({"\n#", true});
  pf->rules_by_literal_.resize(3);
  // Literal -> id, so that thousands of rules' literals are merged in linear time.
  std::unordered_map<std::string, unsigned> literal_ids, requirement_ids;
  for (unsigned i = 0; i < pf->literals_.size(); ++i) literal_ids.emplace(PrefilterLiteralKey(pf->literals_[i]), i);
  for (const auto& rc : covers) {
    const unsigned r = rc.rule;
    pf->applicable_.push_back(r);
    if (!rc.requirements.empty()) {
      if (pf->requirement_sets_.size() <= r) pf->requirement_sets_.resize(r + 1);
      // A set that holds every literal of the rule's cover is met by the
      // very hit that made the line a candidate for this rule: no search.
      auto implied = [&](const std::vector<PrefilterLiteral>& set) {
        if (!rc.literals || rc.literals->empty()) return false;
        for (const auto& lit : *rc.literals) {
          PrefilterLiteral as_requirement = lit;
          if (lit.regex) {
            bool caseless = false;
            as_requirement = {RegexRequiredLiteral(lit.text, &caseless), false, false};
            if (as_requirement.text.empty()) return false;
          }
          if (std::find(set.begin(), set.end(), as_requirement) == set.end()) return false;
        }
        return true;
      };
      for (const auto& set : rc.requirements) {
        if (implied(set)) continue;
        std::vector<uint32_t> ids;
        for (const auto& lit : set) {
          auto [it, added] = requirement_ids.emplace(PrefilterLiteralKey(lit), unsigned(pf->requirement_literals_.size()));
          if (added) pf->requirement_literals_.push_back(lit);
          ids.push_back(it->second);
        }
        pf->requirement_sets_[r].push_back(std::move(ids));
      }
    }
    const auto& cover = rc.literals;
    if (!cover) {
      pf->unfiltered_.push_back(r);
      continue;
    }
    // A literal with a line end cannot occur inside one text-log line; an
    // event's value may hold one, so there the rule reads every event.
    // An event is scanned whole, every value at once: a literal of one or
    // two bytes ("0", "C", "10") is in nearly every event, so it would cost
    // a hit per event and rule out nothing; such a rule reads every event.
    const bool multi_line_values = HoldsWindowsEvents(type);
    if (multi_line_values && std::any_of(cover->begin(), cover->end(), [](const auto& l) {
          return l.text.find('\n') != std::string::npos || (!l.regex && !SelectiveInEvents(l.text));
        })) {
      pf->unfiltered_.push_back(r);
      continue;
    }
    for (const auto& lit : *cover) {
      if (lit.text.find('\n') != std::string::npos) continue;  // cannot occur inside one line
      auto [it, added] = literal_ids.emplace(PrefilterLiteralKey(lit), unsigned(pf->literals_.size()));
      if (added) {
        pf->literals_.push_back(lit);
        pf->rules_by_literal_.emplace_back();
      }
      auto& list = pf->rules_by_literal_[it->second];
      if (list.empty() || list.back() != r) list.push_back(r);  // covers come rule by rule
    }
  }
  // Windows events are scanned whole, one at a time: requirement literals
  // long enough to be selective join the database, and the scan that finds
  // an event's rules answers them too (MayMatchScanned).
  pf->requirement_scanned_.assign(pf->requirement_literals_.size(), 0);
  if (HoldsWindowsEvents(type)) {
    for (size_t i = 0; i < pf->requirement_literals_.size(); ++i) {
      const PrefilterLiteral& lit = pf->requirement_literals_[i];
      if (lit.regex || lit.text.size() < 4 || lit.text.find('\n') != std::string::npos) continue;
      auto [it, added] = literal_ids.emplace(PrefilterLiteralKey(lit), unsigned(pf->literals_.size()));
      if (added) {
        pf->literals_.push_back(lit);
        pf->rules_by_literal_.emplace_back();
      }
      pf->requirement_scanned_[i] = 1;
    }
  }
  // Literals become escaped expressions so that literals and regexes share
  // one database. A regex vectorscan cannot compile falls back to the
  // literal it must contain, or leaves its rules unfiltered.
  auto literal_pattern = [](const std::string& text) {
    static const char* kHex = "0123456789abcdef";
    std::string pattern;
    for (unsigned char c : text) {
      pattern += "\\x";
      pattern += kHex[c >> 4];
      pattern += kHex[c & 15];
    }
    return pattern;
  };
  // Most selective sets first: a set whose shortest literal is longest
  // rules a line out soonest ("/powershell" before "@").
  for (auto& sets : pf->requirement_sets_)
    std::stable_sort(sets.begin(), sets.end(), [&](const auto& x, const auto& y) {
      auto shortest = [&](const std::vector<uint32_t>& set) {
        size_t n = SIZE_MAX;
        for (uint32_t id : set) n = std::min(n, pf->requirement_literals_[id].text.size());
        return n;
      };
      return shortest(x) > shortest(y);
    });
  std::vector<unsigned> all;
  bool fell_back = false;
  for (;;) {
    pf->patterns_.clear();
    pf->flags_.clear();
    all.clear();
    for (unsigned i = 0; i < pf->literals_.size(); ++i) {
      const auto& lit = pf->literals_[i];
      pf->patterns_.push_back(lit.regex ? lit.text : literal_pattern(lit.text));
      pf->flags_.push_back((lit.cased ? 0 : HS_FLAG_CASELESS) | HS_FLAG_MULTILINE);
      all.push_back(i);
    }
    if (!fell_back) {
      pf->cache_key_ = PrefilterCacheKey(pf->patterns_, pf->flags_);
      if (cache) {
        if (hs_database_t* found = cache->Find(pf->cache_key_)) {
          pf->db_.reset(found);
          pf->from_cache_ = true;
          break;
        }
      }
    }
    // Events are scanned with the databases of their sources' rules
    // (CompileLiterals); the whole one is compiled only if asked for.
    // Literals cannot be refused, so nothing is learnt by compiling now.
    if (HoldsWindowsEvents(type) &&
        std::none_of(pf->literals_.begin(), pf->literals_.end(), [](const auto& l) { return l.regex; })) {
      pf->lazy_ = true;
      pf->portable_ = portable;
      break;
    }
    int bad = -1;
    auto db = pf->Compile(all, /*native=*/!portable, &bad);
    if (db.ok()) {
      pf->db_ = std::move(db.value());
      break;
    }
    if (bad < 0 || size_t(bad) >= pf->literals_.size() || !pf->literals_[size_t(bad)].regex) return db.status();
    auto& lit = pf->literals_[size_t(bad)];
    bool caseless;
    std::string fallback = RegexRequiredLiteral(lit.text, &caseless);
    if (fallback.empty()) {
      for (unsigned r : pf->rules_by_literal_[size_t(bad)])
        if (std::find(pf->unfiltered_.begin(), pf->unfiltered_.end(), r) == pf->unfiltered_.end())
          pf->unfiltered_.push_back(r);
      fallback = "\n\n\n";  // never in a line; the rules above read every record anyway
    }
    lit = {fallback, false, false};
    fell_back = true;
    pf->cache_key_.clear();
  }
  for (const auto& lit : pf->literals_) pf->literal_lengths_.push_back(lit.regex ? 0 : lit.text.size());
  for (const auto& lit : pf->literals_) {
    auto it = lit.regex ? requirement_ids.end() : requirement_ids.find(PrefilterLiteralKey(lit));
    pf->requirement_of_.push_back(it == requirement_ids.end() ? -1 : int(it->second));
  }
  return pf;
}

bool Prefilter::Contains(uint32_t requirement, std::string_view bytes) const {
  const PrefilterLiteral& lit = requirement_literals_[requirement];
  return lit.cased ? bytes.find(lit.text) != std::string_view::npos : ContainsIgnoreCase(bytes, lit.text);
}

bool Prefilter::MayMatch(unsigned rule, std::string_view line, LineMemo* memo) const {
  return EverySetMet(rule, [&](uint32_t id) {
    signed char& known = (*memo)[id];
    if (known < 0) known = Contains(id, line) ? 1 : 0;
    return known == 1;
  });
}

bool Prefilter::MayMatchScanned(unsigned rule, std::string_view raw, EventMemo* memo) const {
  const uint32_t now = memo->stamp;
  return EverySetMet(rule, [&](uint32_t id) {
    if (memo->hit[id] == now) return true;
    if (requirement_scanned_[id] || memo->searched[id] == now) return false;  // the scan or a search said no
    memo->searched[id] = now;
    if (!Contains(id, raw)) return false;
    memo->hit[id] = now;
    return true;
  });
}

std::vector<unsigned> Prefilter::LiteralsOf(std::span<const uint8_t> rules) const {
  auto member = [&](unsigned r) { return r < rules.size() && rules[r] != 0; };
  // The requirement literals of those rules.
  std::vector<char> required(requirement_literals_.size(), 0);
  for (unsigned r = 0; r < rules.size() && r < requirement_sets_.size(); ++r)
    if (member(r))
      for (const auto& set : requirement_sets_[r])
        for (uint32_t id : set) required[id] = 1;
  std::vector<unsigned> ids;
  for (unsigned i = kFirstRuleLiteral; i < literals_.size(); ++i) {
    const auto& users = rules_by_literal_[i];
    const int req = requirement_of_[i];
    if (std::any_of(users.begin(), users.end(), member) || (req >= 0 && required[size_t(req)])) ids.push_back(i);
  }
  return ids;
}

const hs_database_t* Prefilter::database() const {
  if (lazy_)
    std::call_once(lazy_once_, [this] {
      std::vector<unsigned> all(patterns_.size());
      for (unsigned i = 0; i < all.size(); ++i) all[i] = i;
      if (auto db = Compile(all, !portable_); db.ok()) db_ = std::move(db.value());
    });
  return db_.get();
}

size_t Prefilter::MatchSpan(std::span<const unsigned> ids) const {
  size_t span = 0;
  for (unsigned id : ids) {
    if (id >= literals_.size() || literals_[id].regex) return SIZE_MAX;
    span = std::max(span, literals_[id].text.size());
  }
  return span;
}

size_t Prefilter::MatchSpan() const {
  std::vector<unsigned> all(literals_.size());
  std::iota(all.begin(), all.end(), 0u);
  return MatchSpan(all);
}

Result<HsDatabase> Prefilter::CompileLiterals(std::span<const unsigned> ids) const {
  return Compile(ids, /*native=*/true);
}

Result<HsDatabase> Prefilter::Compile(std::span<const unsigned> ids, bool native, int* refused) const {
  std::vector<const char*> exprs;
  std::vector<unsigned> flags;
  for (unsigned id : ids) {
    if (id >= patterns_.size()) return Status::InvalidArgument("no prefilter literal " + std::to_string(id));
    exprs.push_back(patterns_[id].c_str());
    flags.push_back(flags_[id]);
  }
  if (exprs.empty()) return Status::InvalidArgument("no literal to compile");
  hs_platform_info_t platform = PrefilterPlatform(native);
  hs_database_t* db = nullptr;
  hs_compile_error_t* err = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), unsigned(exprs.size()), HS_MODE_BLOCK, &platform, &db,
                       &err) != HS_SUCCESS) {
    // The id of the expression refused (vectorscan gives its position).
    if (refused && err && err->expression >= 0 && size_t(err->expression) < ids.size())
      *refused = int(ids[size_t(err->expression)]);
    std::string msg = err && err->message ? err->message : "unknown error";
    hs_free_compile_error(err);
    return Status::InvalidArgument("vectorscan: " + msg);
  }
  return HsDatabase(db);
}

Result<std::string> Prefilter::Serialize() const {
  char* bytes = nullptr;
  size_t length = 0;
  if (!database() || hs_serialize_database(database(), &bytes, &length) != HS_SUCCESS)
    return Status::IoError("vectorscan: cannot serialize");
  std::string out(bytes, length);
  free(bytes);
  return out;
}

Status Prefilter::AllocScratch(HsScratch* scratch) const {
  hs_scratch_t* s = scratch->release();
  bool ok = database() && hs_alloc_scratch(database(), &s) == HS_SUCCESS;
  scratch->reset(s);
  return ok ? Status::Ok() : Status::IoError("vectorscan: cannot allocate scratch");
}

}  // namespace exhunt
