// The literal prefilter: one vectorscan database per log type holding every
// literal of every rule that reads that type, plus the directive markers
// ("#Fields:", "#Date:") the readers need. A reader runs the database once
// over a whole buffer; only lines with a hit are parsed and evaluated.
// Windows events are scanned one at a time with a database of the literals
// of the rules their channel and ID can meet (CompileLiterals, made by
// reader/event_offer); the whole database of an event type is compiled
// only if someone asks for it.
//
// It knows no rule language: any rule kind that can name literals its
// matches must contain (Sigma's cover today) hands them in as a RuleCover.
//
// Ownership: a Prefilter owns its database (RAII) and is immutable after
// Build, so many threads may scan with it, each with its own Scratch.
#pragma once

#include <hs/hs.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "rule/prefilter_cache.h"
#include "source/evidence_kind.h"

namespace exhunt {

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

// A literal (or, with `regex`, a regular expression) the prefilter may
// search raw record bytes for. Regexes are rewritten so that ^ and $ match
// at field boundaries of the raw line; they may over-match, never under-match.
struct PrefilterLiteral {
  std::string text;
  bool cased = false;
  bool regex = false;
  bool operator==(const PrefilterLiteral& o) const { return text == o.text && cased == o.cased && regex == o.regex; }
};

// A literal as a hash key: its flags and its text.
std::string PrefilterLiteralKey(const PrefilterLiteral& lit);

// What one rule asks of the prefilter for one log type: literals at least
// one of which every record it matches holds, or nullopt (it must see
// every record).
struct RuleCover {
  unsigned rule;  // index into the caller's rule list
  std::optional<std::vector<PrefilterLiteral>> literals;
  // Literal sets every matching record must hit, one literal of each set
  // (regex-free): checked on a candidate line before it is parsed.
  std::vector<std::vector<PrefilterLiteral>> requirements;
};

// The platform prefilter databases are compiled for: this CPU's tuning but
// the baseline x86-64 instruction set (`native`: this CPU's own features).
// Why not native: with AVX2 enabled, vectorscan 5.4's literal matching of
// sets of 9-16 or of more than 32 literals runs at ~1.9 GB/s on log text,
// where the baseline build of the same patterns runs at 4-6 GB/s (measured
// on a Xeon with AVX-512; prefilter_perftest prints both). Baseline databases also load
// on every x86-64 CPU, so the build-time databases are never discarded.
hs_platform_info_t PrefilterPlatform(bool native = false);

class Prefilter {
 public:
  // Literal ids below kFirstRuleLiteral are directive markers.
  static constexpr unsigned kFieldsDirective = 0;
  static constexpr unsigned kDateDirective = 1;
  static constexpr unsigned kCommentLine = 2;  // "\n#": counts comment lines
  static constexpr unsigned kFirstRuleLiteral = 3;

  // `covers` holds one entry per rule that reads `type`. With a cache, a
  // database compiled at build time from the same patterns is used. A
  // database compiled here is for this machine's processor (AVX2/AVX-512
  // literal matchers) unless `portable` (one shipped with the program).
  static Result<std::unique_ptr<Prefilter>> Build(const std::vector<RuleCover>& covers, LogType type,
                                                  const PrefilterCache* cache = nullptr, bool portable = false);

  LogType type() const { return type_; }
  // Null if it could not be compiled. For Windows events it is compiled at
  // the first call (readers scan with CompileLiterals databases).
  const hs_database_t* database() const;
  // Rule indexes (RuleCover::rule) whose cover holds literal `id`.
  const std::vector<unsigned>& RulesFor(unsigned id) const { return rules_by_literal_[id]; }
  size_t LiteralLength(unsigned id) const { return literal_lengths_[id]; }
  // Rules with no cover: they must see every record of this type.
  const std::vector<unsigned>& unfiltered_rules() const { return unfiltered_; }
  // Every rule that applies to this type.
  const std::vector<unsigned>& applicable_rules() const { return applicable_; }
  size_t literal_count() const { return literal_lengths_.size(); }
  // The distinct literals (for `rules check` and for benchmarks against rg).
  const std::vector<PrefilterLiteral>& literals() const { return literals_; }

  // Requirements: whether a single-line record holds a literal of every
  // requirement set of a rule. Literals are searched lazily, each at most
  // once per line (`memo`, reset by StartLine), most selective sets first.
  using LineMemo = std::vector<signed char>;
  bool has_requirements(unsigned rule) const {
    return rule < requirement_sets_.size() && !requirement_sets_[rule].empty();
  }
  void StartLine(LineMemo* memo) const { memo->assign(requirement_literals_.size(), -1); }
  // The requirement literal that equals prefilter literal `id`, or -1: a
  // hit of `id` on a line answers that requirement without a search.
  int RequirementOf(unsigned id) const { return id < requirement_of_.size() ? requirement_of_[id] : -1; }
  // False if a record whose raw line is `line` cannot match `rule`.
  bool MayMatch(unsigned rule, std::string_view line, LineMemo* memo) const;

  // The same for records scanned whole, one at a time (Windows events),
  // with stamps instead of a memo reset per record. Requirement literals of
  // four bytes or more are in the database of an event type: the record's
  // scan marks hit[r] = stamp (RequirementOf maps the hit), and no mark
  // means absent. Shorter ones are searched for in the raw bytes at most
  // once per record (searched[r]). Start a record with NextRecord, which
  // says whether the stamps wrapped (stamps kept elsewhere are stale then).
  struct EventMemo {
    uint32_t stamp = 0;
    std::vector<uint32_t> hit, searched;
  };
  bool NextRecord(EventMemo* memo) const {
    const bool wrapped = ++memo->stamp == 0;
    if (wrapped) {  // forget everything
      memo->hit.assign(requirement_literals_.size(), 0);
      memo->searched.assign(requirement_literals_.size(), 0);
      memo->stamp = 1;
    }
    memo->hit.resize(requirement_literals_.size(), 0);
    memo->searched.resize(requirement_literals_.size(), 0);
    return wrapped;
  }
  bool MayMatchScanned(unsigned rule, std::string_view raw, EventMemo* memo) const;

  // The cache key of this database ("" if a regex had to be replaced by its
  // literal: such a database is never cached), whether it came from the
  // cache, and its serialized form (for tools/prefilter_dbgen.cc).
  const std::string& cache_key() const { return cache_key_; }
  bool from_cache() const { return from_cache_; }
  Result<std::string> Serialize() const;

  // Allocates (or grows) a scratch usable with this database.
  Status AllocScratch(HsScratch* scratch) const;

  // Databases for records only some rules may match (a Windows event is
  // offered the rules of its channel and ID): `rules` marks rule indexes
  // (rules[r] != 0). LiteralsOf gives the ids of the literals those rules
  // need, sorted: their cover literals and the requirement literals the
  // scan answers for them. CompileLiterals makes a database of `ids` only
  // that reports each under its id in database(), so that a scan of it
  // finds what a scan of database() finds for those rules; for this
  // processor. A scratch must be grown for it (hs_alloc_scratch).
  std::vector<unsigned> LiteralsOf(std::span<const uint8_t> rules) const;
  Result<HsDatabase> CompileLiterals(std::span<const unsigned> ids) const;
  // The longest match a database of `ids` (all: database()) can make: its
  // longest literal, or SIZE_MAX if it holds a regex (ScanBlock's context).
  size_t MatchSpan(std::span<const unsigned> ids) const;
  size_t MatchSpan() const;
  // How many literal ids are rules' (not directive markers).
  size_t rule_literal_count() const { return literals_.size() - kFirstRuleLiteral; }

 private:
  Prefilter() = default;
  LogType type_ = LogType::kUnknown;
  mutable HsDatabase db_;
  bool lazy_ = false;  // db_ compiled by the first database()
  bool portable_ = false;
  mutable std::once_flag lazy_once_;
  // A database of literal ids `ids` (patterns_, flags_); *refused: the id
  // of the expression vectorscan refused, if it names one.
  Result<HsDatabase> Compile(std::span<const unsigned> ids, bool native, int* refused = nullptr) const;
  std::vector<PrefilterLiteral> literals_;
  std::vector<size_t> literal_lengths_;
  std::vector<std::vector<unsigned>> rules_by_literal_;
  std::vector<unsigned> unfiltered_;
  std::vector<unsigned> applicable_;
  // Requirement literals and, by rule index, its sets as literal ids.
  std::vector<PrefilterLiteral> requirement_literals_;
  std::vector<std::vector<std::vector<uint32_t>>> requirement_sets_;
  std::vector<int> requirement_of_;  // by prefilter literal id
  std::vector<char> requirement_scanned_;  // by requirement literal: in the database
  // What database() was compiled from, by literal id (CompileLiterals).
  std::vector<std::string> patterns_;
  std::vector<unsigned> flags_;
  // Whether requirement literal `requirement` is in `bytes` (a search).
  bool Contains(uint32_t requirement, std::string_view bytes) const;
  // Whether a literal of each of the rule's requirement sets is present,
  // as `present(requirement literal)` answers.
  template <class Present>
  bool EverySetMet(unsigned rule, Present present) const {
    if (rule >= requirement_sets_.size()) return true;
    for (const auto& set : requirement_sets_[rule])
      if (std::none_of(set.begin(), set.end(), present)) return false;
    return true;
  }
  std::string cache_key_;
  bool from_cache_ = false;
};

}  // namespace exhunt
