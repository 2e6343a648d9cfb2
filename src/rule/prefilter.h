// The literal prefilter: one vectorscan database per log type holding every
// literal of every rule that reads that type, plus the directive markers
// ("#Fields:", "#Date:") the readers need. A scan runs the database once
// over a whole buffer; only lines with a hit are parsed and evaluated.
//
// Ownership: a Prefilter owns its database (RAII) and is immutable after
// Build, so many threads may scan with it, each with its own Scratch.
#pragma once

#include <hs/hs.h>

#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/log_format.h"
#include "rule/sigma_rule.h"

namespace exhunt {

struct HsDatabaseDeleter {
  void operator()(hs_database_t* db) const { hs_free_database(db); }
};
struct HsScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};
using HsDatabase = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;
using HsScratch = std::unique_ptr<hs_scratch_t, HsScratchDeleter>;

class Prefilter {
 public:
  // Literal ids below kFirstRuleLiteral are directive markers.
  static constexpr unsigned kFieldsDirective = 0;
  static constexpr unsigned kDateDirective = 1;
  static constexpr unsigned kCommentLine = 2;  // "\n#": counts comment lines
  static constexpr unsigned kFirstRuleLiteral = 3;

  // `rules` are indexed by position; only those that apply to `type` are used.
  static Result<std::unique_ptr<Prefilter>> Build(const std::vector<std::shared_ptr<const SigmaRule>>& rules,
                                                   LogType type);

  LogType type() const { return type_; }
  const hs_database_t* database() const { return db_.get(); }
  // Rule indexes (into the Build vector) whose cover holds literal `id`.
  const std::vector<unsigned>& RulesFor(unsigned id) const { return rules_by_literal_[id]; }
  size_t LiteralLength(unsigned id) const { return literal_lengths_[id]; }
  // Rules with no cover: they must see every record of this type.
  const std::vector<unsigned>& unfiltered_rules() const { return unfiltered_; }
  // Every rule that applies to this type.
  const std::vector<unsigned>& applicable_rules() const { return applicable_; }
  size_t literal_count() const { return literal_lengths_.size(); }
  // The distinct literals (for `rules check` and for benchmarks against rg).
  const std::vector<PrefilterLiteral>& literals() const { return literals_; }

  // Allocates (or grows) a scratch usable with this database.
  Status AllocScratch(HsScratch* scratch) const;

 private:
  Prefilter() = default;
  LogType type_ = LogType::kUnknown;
  HsDatabase db_;
  std::vector<PrefilterLiteral> literals_;
  std::vector<size_t> literal_lengths_;
  std::vector<std::vector<unsigned>> rules_by_literal_;
  std::vector<unsigned> unfiltered_;
  std::vector<unsigned> applicable_;
};

}  // namespace exhunt
