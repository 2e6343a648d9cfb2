// Sigma correlation rules (the Sigma v2 correlation specification):
// event_count, value_count, temporal and temporal_ordered over the hits of
// the rules they name, per group of field values, inside a timespan.
//
// A correlation reads no record itself. While a scan runs, each hit of a
// rule it names becomes an Observation (the hit's time, its group-by
// values, the counted field's value); when the host is done, Evaluate
// finds the windows that meet the condition. Base rules named by a
// correlation without `generate: true` raise no finding of their own.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "rule/rule_info.h"

namespace YAML {
class Node;
}

namespace exhunt {

enum class CorrelationType { kEventCount, kValueCount, kTemporal, kTemporalOrdered };
std::string_view CorrelationTypeName(CorrelationType t);

// gt/gte/lt/lte/eq, all that are given must hold (gte and lte: a range).
struct CorrelationCondition {
  std::optional<uint64_t> gt, gte, lt, lte, eq;
  bool Holds(uint64_t n) const;
  std::string ToString() const;  // ">= 20"
};

class CorrelationRule {
 public:
  // One YAML document holding `correlation:`. `origin` names the file.
  static Result<std::shared_ptr<const CorrelationRule>> Parse(const YAML::Node& doc, const std::string& origin);

  const std::shared_ptr<const RuleInfo>& info() const { return info_; }
  CorrelationType type() const { return type_; }
  // The rules it correlates, by name or id, as written.
  const std::vector<std::string>& rules() const { return rules_; }
  const std::vector<std::string>& group_by() const { return group_by_; }
  TimeMs timespan() const { return timespan_; }
  const CorrelationCondition& condition() const { return condition_; }
  // value_count: the field whose distinct values are counted.
  const std::string& value_field() const { return value_field_; }
  // Whether the named rules also raise findings of their own.
  bool generate() const { return generate_; }
  // The field of rule `member` (index into rules()) that holds group-by
  // field `group` (an alias maps it per rule; else it is the same name).
  const std::string& FieldFor(const std::string& group, size_t member) const;

 private:
  CorrelationRule() = default;
  std::shared_ptr<const RuleInfo> info_;
  CorrelationType type_ = CorrelationType::kEventCount;
  std::vector<std::string> rules_;
  std::vector<std::string> group_by_;
  TimeMs timespan_ = 0;
  CorrelationCondition condition_;
  std::string value_field_;
  bool generate_ = false;
  // alias -> rule name or id -> field
  std::map<std::string, std::map<std::string, std::string>> aliases_;
};

// One hit of a rule a correlation names.
struct Observation {
  unsigned member = 0;  // index into CorrelationRule::rules()
  TimeMs time = 0;
  std::string group;  // the group-by values, joined by '\x1f'
  std::string value;  // value_count: the counted field's value
  uint64_t tag = 0;   // the caller's: where the hit was
};

// A window that meets the condition: the observations that make it, by
// index into the vector Evaluate was given (after it sorted them).
struct CorrelationHit {
  std::string group;
  size_t first = 0, last = 0;  // the window's first and last observation
  uint64_t count = 0;          // events (event_count, temporal) or distinct values (value_count)
};

// Sorts `obs` by group and time and returns each window that meets the
// condition; windows of one group do not overlap (after a hit, the next
// window starts after it).
std::vector<CorrelationHit> EvaluateCorrelation(const CorrelationRule& rule, std::vector<Observation>* obs);

// The group-by values of `group`, one per group_by() field.
std::vector<std::string> SplitGroup(const std::string& group);

}  // namespace exhunt
