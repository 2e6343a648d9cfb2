// IOC lists as a rule kind, in Loki's formats, so that the lists
// responders keep (signature-base's iocs/, their own) load unchanged:
//   hash lists      HASH;COMMENT  or  HASH;SCORE;COMMENT  (MD5, SHA-1 or SHA-256)
//   filename lists  REGEX;SCORE  or  REGEX;SCORE;FALSE-POSITIVE-REGEX, matched
//                   (case-insensitively) against the Windows form of a file's
//                   path (record/file_record.h)
//   C2 lists        ADDRESS  or  ADDRESS;SCORE, a "# comment" line naming the
//                   entries below it; matched against the client address of
//                   log records (domains are counted and not used: the logs
//                   exhunt reads name clients, not destinations)
// A list's kind comes from its file name (Loki's convention: "hash",
// "filename", "c2"). Entries are grouped into one rule per list and
// severity; a comment line "# outcome: compromise" (exhunt's own; other
// tools take it for a comment) says what a hit means for the host verdict,
// else a hit states no outcome. Score as for YARA: >= 90 high, >= 70 medium, >= 40 low; no
// score: high, as Loki scores a hash hit 100); a bad line is reported and
// the rest load. A finding's evidence names the entry that matched.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rule/rule.h"

namespace re2 {
class RE2;
}

namespace exhunt {

enum class IocListKind { kHash, kFileName, kAddress };

// The kind a list's file name says, or nullopt.
std::optional<IocListKind> IocListKindOf(std::string_view file_name);

struct IocEntry {
  std::string value;    // hash or address, lowercase; or the regex text
  std::string comment;  // what the list says of it
  std::shared_ptr<const re2::RE2> regex, false_positive;
};

class IocRule final : public Rule {
 public:
  IocRule(std::shared_ptr<const RuleInfo> info, IocListKind kind, std::vector<IocEntry> entries);
  ~IocRule() override;
  bool AppliesTo(LogType type) const override;
  bool Matches(const Record& record) const override;
  std::string Explain(const Record& record) const override;
  const std::vector<std::string>& evidence_fields() const override { return evidence_fields_; }
  std::optional<std::vector<PrefilterLiteral>> Cover(LogType type) const override;
  size_t size() const { return entries_.size(); }
  // A hash list reads the digests its entries are (SHA256, SHA1, MD5).
  bool MatchesOnField(std::string_view name) const override;

 private:
  const IocEntry* Find(const Record& record) const;
  // Whether a hash list holds entries of `hex_digits` (32 MD5, 40 SHA-1, 64 SHA-256).
  bool HoldsHashesOfLength(size_t hex_digits) const;

  IocListKind kind_;
  std::vector<IocEntry> entries_;
  std::unordered_map<std::string, size_t> by_value_;  // hashes and addresses
  bool lengths_[65] = {};                             // hash lists: which hash lengths they hold
  struct NameSet;                   // every filename regex, matched at once (re2's RE2::Set)
  std::unique_ptr<NameSet> names_;
  std::vector<std::string> evidence_fields_;
};

struct IocList {
  std::vector<std::shared_ptr<const IocRule>> rules;
  std::vector<std::string> problems;  // "line 12: ...", at most a few, then a count
};

// Parses one list; `origin` names it in rule ids ("ioc:<origin name>:<severity>").
IocList ParseIocList(std::string_view text, const std::string& origin, IocListKind kind);

}  // namespace exhunt
