#include "rule/correlation_rule.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/text.h"
#include "rule/sigma_rule.h"

namespace exhunt {

namespace {

std::vector<std::string> ScalarOrList(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
  } else if (n.IsSequence()) {
    for (const auto& v : n) out.push_back(YamlScalar(v));
  }
  return out;
}

// "30s", "5m", "1h", "2d", "1w" -> milliseconds.
std::optional<TimeMs> ParseTimespan(std::string_view s) {
  s = Trim(s);
  if (s.size() < 2) return std::nullopt;
  TimeMs unit = 0;
  switch (s.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60 * 1000;
      break;
    case 'h':
      unit = 3600 * 1000;
      break;
    case 'd':
      unit = 86400 * 1000;
      break;
    case 'w':
      unit = 7 * 86400 * 1000LL;
      break;
    default:
      return std::nullopt;
  }
  TimeMs n = 0;
  for (char c : s.substr(0, s.size() - 1)) {
    if (c < '0' || c > '9' || n > (TimeMs(1) << 40)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n > 0 ? std::optional<TimeMs>(n * unit) : std::nullopt;
}

std::optional<uint64_t> Count(const YAML::Node& n) {
  std::string s = YamlScalar(n);
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoull(s);
}

}  // namespace

std::string_view CorrelationTypeName(CorrelationType t) {
  switch (t) {
    case CorrelationType::kEventCount:
      return "event_count";
    case CorrelationType::kValueCount:
      return "value_count";
    case CorrelationType::kTemporal:
      return "temporal";
    case CorrelationType::kTemporalOrdered:
      return "temporal_ordered";
  }
  return "event_count";
}

bool CorrelationCondition::Holds(uint64_t n) const {
  return (!gt || n > *gt) && (!gte || n >= *gte) && (!lt || n < *lt) && (!lte || n <= *lte) && (!eq || n == *eq);
}

std::string CorrelationCondition::ToString() const {
  std::vector<std::string> parts;
  if (gt) parts.push_back("> " + std::to_string(*gt));
  if (gte) parts.push_back(">= " + std::to_string(*gte));
  if (lt) parts.push_back("< " + std::to_string(*lt));
  if (lte) parts.push_back("<= " + std::to_string(*lte));
  if (eq) parts.push_back("= " + std::to_string(*eq));
  return Join(parts, " and ");
}

Result<std::shared_ptr<const CorrelationRule>> CorrelationRule::Parse(const YAML::Node& doc, const std::string& origin) {
  std::shared_ptr<CorrelationRule> rule(new CorrelationRule());
  auto info = std::make_shared<RuleInfo>();
  info->kind = RuleKind::kSigma;
  info->origin = origin;
  rule->info_ = info;
  try {
    if (Status meta = ParseRuleMetadata(doc, origin, info.get()); !meta.ok()) return meta;
    const YAML::Node c = doc["correlation"];
    if (!c || !c.IsMap()) return Status::InvalidArgument(origin + ": correlation must be a map");
    const std::string type = YamlScalar(c["type"]);
    if (type == "event_count")
      rule->type_ = CorrelationType::kEventCount;
    else if (type == "value_count")
      rule->type_ = CorrelationType::kValueCount;
    else if (type == "temporal")
      rule->type_ = CorrelationType::kTemporal;
    else if (type == "temporal_ordered")
      rule->type_ = CorrelationType::kTemporalOrdered;
    else
      return Status::Unsupported(origin + ": correlation type '" + type + "' is not one of event_count, value_count, "
                                 "temporal, temporal_ordered");
    rule->rules_ = ScalarOrList(c["rules"]);
    if (rule->rules_.empty()) return Status::InvalidArgument(origin + ": correlation names no rules");
    if ((rule->type_ == CorrelationType::kTemporal || rule->type_ == CorrelationType::kTemporalOrdered) &&
        rule->rules_.size() < 2)
      return Status::InvalidArgument(origin + ": a " + type + " correlation needs at least two rules");
    rule->group_by_ = ScalarOrList(c["group-by"]);
    auto span = ParseTimespan(YamlScalar(c["timespan"]));
    if (!span) return Status::InvalidArgument(origin + ": correlation timespan must be like 30s, 5m, 1h or 2d");
    rule->timespan_ = *span;
    if (const auto g = c["generate"]; g) rule->generate_ = g.IsScalar() && (g.Scalar() == "true" || g.Scalar() == "yes");
    if (const auto a = c["aliases"]; a) {
      if (!a.IsMap()) return Status::InvalidArgument(origin + ": correlation aliases must be a map");
      for (const auto& kv : a) {
        if (!kv.second.IsMap()) return Status::InvalidArgument(origin + ": alias " + kv.first.Scalar() + " must map rules to fields");
        for (const auto& per_rule : kv.second) rule->aliases_[kv.first.Scalar()][per_rule.first.Scalar()] = YamlScalar(per_rule.second);
      }
    }
    const YAML::Node cond = c["condition"];
    if (cond) {
      if (!cond.IsMap()) return Status::InvalidArgument(origin + ": correlation condition must be a map");
      for (const auto& kv : cond) {
        const std::string key = kv.first.Scalar();
        if (key == "field") {
          rule->value_field_ = YamlScalar(kv.second);
          continue;
        }
        auto n = Count(kv.second);
        if (!n) return Status::InvalidArgument(origin + ": correlation condition " + key + " needs a whole number");
        if (key == "gt")
          rule->condition_.gt = n;
        else if (key == "gte")
          rule->condition_.gte = n;
        else if (key == "lt")
          rule->condition_.lt = n;
        else if (key == "lte")
          rule->condition_.lte = n;
        else if (key == "eq")
          rule->condition_.eq = n;
        else
          return Status::Unsupported(origin + ": correlation condition '" + key + "' is not supported");
      }
    }
    const CorrelationCondition& k = rule->condition_;
    const bool counted = rule->type_ == CorrelationType::kEventCount || rule->type_ == CorrelationType::kValueCount;
    if (counted && !k.gt && !k.gte && !k.eq && !k.lt && !k.lte)
      return Status::InvalidArgument(origin + ": a " + type + " correlation needs a condition (gte, gt, eq, ...)");
    // A window is judged when an event closes it: "fewer than N events"
    // would need the events that did not happen. Refused, never guessed.
    if (counted && !k.gt && !k.gte && !k.eq)
      return Status::Unsupported(origin + ": a correlation condition with only an upper bound (lt/lte) is not "
                                 "supported; give a lower bound too");
    if (rule->type_ == CorrelationType::kValueCount && rule->value_field_.empty())
      return Status::InvalidArgument(origin + ": a value_count correlation needs condition.field");
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument(origin + ": " + e.what());
  }
  return std::shared_ptr<const CorrelationRule>(std::move(rule));
}

const std::string& CorrelationRule::FieldFor(const std::string& group, size_t member) const {
  auto alias = aliases_.find(group);
  if (alias != aliases_.end() && member < rules_.size()) {
    auto it = alias->second.find(rules_[member]);
    if (it != alias->second.end()) return it->second;
  }
  return group;
}

std::vector<std::string> SplitGroup(const std::string& group) {
  std::vector<std::string> out;
  for (auto part : Split(group, '\x1f')) out.emplace_back(part);
  return out;
}

std::vector<CorrelationHit> EvaluateCorrelation(const CorrelationRule& rule, std::vector<Observation>* obs_in) {
  std::vector<Observation>& obs = *obs_in;
  std::stable_sort(obs.begin(), obs.end(), [](const Observation& a, const Observation& b) {
    if (a.group != b.group) return a.group < b.group;
    if (a.time != b.time) return a.time < b.time;
    return a.member < b.member;
  });
  std::vector<CorrelationHit> hits;
  const TimeMs span = rule.timespan();
  const size_t members = rule.rules().size();
  for (size_t b = 0; b < obs.size();) {
    size_t e = b;
    while (e < obs.size() && obs[e].group == obs[b].group) ++e;
    switch (rule.type()) {
      case CorrelationType::kEventCount:
      case CorrelationType::kValueCount:
      case CorrelationType::kTemporal: {
        // A window ends at each event in turn; its start follows so that
        // it never spans more than the timespan.
        std::map<std::string, uint64_t> values;
        std::vector<uint64_t> per_member(members, 0);
        auto add = [&](const Observation& o) {
          if (rule.type() == CorrelationType::kValueCount) ++values[o.value];
          if (o.member < members) ++per_member[o.member];
        };
        auto remove = [&](const Observation& o) {
          if (rule.type() == CorrelationType::kValueCount) {
            auto it = values.find(o.value);
            if (it != values.end() && --it->second == 0) values.erase(it);
          }
          if (o.member < members) --per_member[o.member];
        };
        size_t i = b;
        for (size_t j = b; j < e; ++j) {
          add(obs[j]);
          while (obs[j].time - obs[i].time > span) remove(obs[i++]);
          bool hit = false;
          uint64_t count = j - i + 1;
          if (rule.type() == CorrelationType::kEventCount) {
            hit = rule.condition().Holds(count);
          } else if (rule.type() == CorrelationType::kValueCount) {
            count = values.size();
            hit = rule.condition().Holds(count);
          } else {
            hit = std::all_of(per_member.begin(), per_member.end(), [](uint64_t n) { return n > 0; });
          }
          if (!hit) continue;
          hits.push_back({obs[j].group, i, j, count});
          // The next window starts after this one.
          values.clear();
          std::fill(per_member.begin(), per_member.end(), 0);
          i = j + 1;
        }
        break;
      }
      case CorrelationType::kTemporalOrdered: {
        // start[k]: the latest first event of a chain that has seen rules
        // 0..k in that order; a chain completes when its last rule comes
        // within the timespan of its start.
        std::vector<std::optional<size_t>> start(members);
        for (size_t j = b; j < e; ++j) {
          const unsigned m = obs[j].member;
          if (m >= members) continue;
          if (m == 0) {
            start[0] = j;
          } else if (start[m - 1] && obs[j].time - obs[*start[m - 1]].time <= span) {
            start[m] = start[m - 1];
          }
          if (m + 1 == members && start[m] && obs[j].time - obs[*start[m]].time <= span) {
            hits.push_back({obs[j].group, *start[m], j, j - *start[m] + 1});
            std::fill(start.begin(), start.end(), std::nullopt);
          }
        }
        break;
      }
    }
    b = e;
  }
  return hits;
}

}  // namespace exhunt
