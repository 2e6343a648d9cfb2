// A Sigma detection rule: parsed from YAML, evaluated against Records.
//
// Supported now: selections as maps, lists of maps and keyword lists;
// values as strings (with * ? wildcards), numbers, booleans and null;
// modifiers contains, startswith, endswith, all, re (with i, m, s), cased,
// exists, windash, cidr (IPv4 and IPv6), lt/lte/gt/gte, fieldref, and the
// value encodings base64, base64offset, utf16le/wide, utf16be, utf16
// (applied to the values in the order written); conditions with and/or/not/parentheses,
// "1 of X*", "all of X*", "1 of them", "all of them", and lists of
// conditions. Anything else is refused at load time with a message naming
// it, never silently ignored.
//
// exhunt extensions (ignored by other Sigma tools): `outcome:` one of
// probe | attempt | exploit | compromise, which feeds the host verdict, and
// `marks:`, the names verdict combinations refer to (finding/verdict.h).
//
// The code is split by stage: sigma_parse.cc (YAML -> rule), sigma_match.cc
// (rule x record -> bool), sigma_cover.cc (rule -> prefilter literals).
//
// A SigmaRule is immutable after Parse and safe to evaluate from many
// threads at once.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/log_format.h"
#include "record/log_record.h"
#include "rule/prefilter.h"
#include "rule/regex_literal.h"
#include "rule/rule.h"
#include "rule/rule_info.h"
#include "rule/windows_logsource.h"

namespace re2 {
class RE2;
}

namespace YAML {
class Node;
}

namespace exhunt {

// A cidr value, parsed once when the rule loads: an address as 16 bytes
// (IPv4 mapped into ::ffff:0:0/96) and how many leading bits must agree.
struct CidrNetwork {
  std::array<uint8_t, 16> address{};
  int bits = 0;
  bool valid = false;  // the value is no network: it matches nothing
};
CidrNetwork ParseCidr(std::string_view cidr);

struct FieldMatcher {
  enum class Op { kEquals, kContains, kStartsWith, kEndsWith, kRegex, kExists, kCidr, kLt, kLte, kGt, kGte };
  std::string field;  // empty: keyword search over the raw record
  Op op = Op::kEquals;
  bool cased = false;
  bool all = false;                 // every value must match (default: any)
  bool exists = true;               // for kExists
  bool fieldref = false;            // values name other fields of the record to compare with
  bool encoded = false;             // values are encoded bytes (base64, UTF-16): no wildcards, no escapes
  std::vector<std::string> values;  // null values are stored as nullopt in is_null
  std::vector<bool> is_null;
  std::vector<bool> wildcard;          // value holds an unescaped * or ?
  std::vector<std::string> unescaped;  // value with escapes resolved (no wildcard)
  std::vector<std::shared_ptr<const re2::RE2>> regexes;
  // For kRegex: a literal every match of value i holds ("" if none is
  // certain), searched caseless before the regex runs and the one the
  // prefilter takes for it.
  std::vector<std::string> regex_literals;
  std::vector<CidrNetwork> networks;  // for kCidr, one per value
};

// Whether regex value i of `m` ignores case (|re|i or an (?i) flag in it):
// RE2 then folds the case of every script, not only ASCII's.
bool RegexCaseless(const FieldMatcher& m, size_t i);

// OR of alternatives; each alternative is an AND of field matchers.
struct Selection {
  std::string name;
  std::vector<std::vector<FieldMatcher>> alternatives;
};

struct ConditionNode {
  enum class Kind { kAnd, kOr, kNot, kSelection, kConst };
  Kind kind = Kind::kConst;
  int selection = -1;  // kSelection
  bool value = false;  // kConst (e.g. "1 of x*" matching no selection)
  std::vector<ConditionNode> children;
};

struct LogSource {
  std::string product, service, category;
};

// The values of Sigma placeholders (`%Workstations%`), which a site
// configures for the rules that use the `expand` modifier: name (without
// the percent signs, case-insensitive) -> values.
struct SigmaPlaceholders {
  std::map<std::string, std::vector<std::string>> values;
};
// A YAML map of placeholder names to a value or a list of values.
Result<SigmaPlaceholders> ParseSigmaPlaceholders(std::string_view yaml, const std::string& origin);

// A YAML scalar's text; "" for a missing node, a map or a list.
std::string YamlScalar(const YAML::Node& n);

// The metadata every Sigma document carries (id, title, description, level,
// exhunt's outcome and marks, CVE and ATT&CK tags, name), for detection and
// correlation rules alike.
Status ParseRuleMetadata(const YAML::Node& doc, const std::string& origin, RuleInfo* info);

class SigmaRule final : public Rule {
 public:
  // Parses one YAML document. `origin` names the file for messages.
  // `placeholders`: the values of the %name% placeholders that `|expand`
  // replaces; a placeholder without values refuses the rule by name.
  static Result<std::shared_ptr<const SigmaRule>> Parse(std::string_view yaml, const std::string& origin,
                                                        const SigmaPlaceholders* placeholders = nullptr);

  const LogSource& logsource() const { return logsource_; }
  // Fields worth showing as evidence: the rule's `fields:` list, else every
  // field its detection names.
  const std::vector<std::string>& evidence_fields() const override { return evidence_fields_; }

  // Which text-log types this rule reads.
  bool AppliesTo(LogType type) const override;

  bool Matches(const Record& record) const override;

  // A set of literals at least one of which is present in the raw bytes of
  // any record of `type` that this rule matches; nullopt if no such set is
  // known (the rule must then see every record).
  std::optional<std::vector<PrefilterLiteral>> Cover(LogType type) const override;
  // Every literal set that a matching record's raw bytes must hit: the
  // covers of each branch of the condition's top-level "and" (regexes
  // replaced by the literal they must contain). A record that misses one
  // set cannot match, so a reader may skip parsing it for this rule.
  std::vector<std::vector<PrefilterLiteral>> Requirements(LogType type) const override;
  std::span<const WindowsEventSource> event_sources() const override { return windows_sources_; }
  bool MatchesOnField(std::string_view name) const override;

 private:
  SigmaRule() = default;
  bool EvalNode(const ConditionNode& node, const Record& record, std::span<signed char> memo) const;
  bool EvalSelection(int index, const Record& record) const;
  // Narrows windows_sources_ to the event IDs the detection itself demands
  // (every way the condition can be true needs EventID to be one of them),
  // so that an event reader offers the rule only those events.
  void NarrowSourcesByEventId();

  std::vector<std::string> evidence_fields_;
  LogSource logsource_;
  // Product windows: the events the logsource means (rule/windows_logsource.h);
  // a record of none of them does not match.
  std::vector<WindowsEventSource> windows_sources_;
  std::vector<std::vector<uint32_t>> narrowed_ids_;  // what windows_sources_'s event_ids view after narrowing
  std::vector<Selection> selections_;
  ConditionNode condition_;
};

// Exposed for tests.
bool MatchFieldMatcher(const FieldMatcher& m, const Record& record);

}  // namespace exhunt
