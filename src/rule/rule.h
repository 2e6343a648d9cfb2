// One detection as the engine runs it, whatever its kind: a Sigma rule on
// records, a YARA rule on file bytes, an IOC list on names and hashes.
//
// The scanner's evaluator sees only this interface: which evidence kinds a
// rule reads, whether a record matches, which fields a finding shows. The
// kind-specific engines (vectorscan literals for Sigma, libyara for YARA)
// run inside the readers and record what they found in the record itself,
// so that Matches is always a question about the record. A Rule is
// immutable once loaded and safe to evaluate from many threads at once.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "record/log_record.h"
#include "rule/prefilter.h"
#include "rule/rule_info.h"
#include "rule/windows_logsource.h"
#include "source/evidence_kind.h"

namespace exhunt {

class Rule {
 public:
  virtual ~Rule() = default;

  // The kind-neutral description findings and reports carry.
  const std::shared_ptr<const RuleInfo>& info() const { return info_; }
  const std::string& id() const { return info_->id; }
  const std::string& title() const { return info_->title; }
  const std::string& origin() const { return info_->origin; }
  Severity severity() const { return info_->severity; }

  // Which evidence kinds this rule reads.
  virtual bool AppliesTo(LogType type) const = 0;
  virtual bool Matches(const Record& record) const = 0;
  // Fields worth showing as evidence in a finding.
  virtual const std::vector<std::string>& evidence_fields() const = 0;
  // What in a matching record made it match, when the fields do not say
  // (an IOC list: the entry and its comment); "" if nothing to add.
  virtual std::string Explain(const Record&) const { return ""; }

  // Literals for the prefilter of a text kind (see SigmaRule); rules of
  // other kinds have none and are offered every record of their kinds.
  virtual std::optional<std::vector<PrefilterLiteral>> Cover(LogType) const { return std::nullopt; }
  virtual std::vector<std::vector<PrefilterLiteral>> Requirements(LogType) const { return {}; }
  // The Windows events this rule reads (a Sigma logsource of product
  // windows); empty: no restriction. An event-log reader offers the rule
  // only those events (rule/event_rule_index.h).
  virtual std::span<const WindowsEventSource> event_sources() const { return {}; }
  // Whether Matches may read field `name` (any case): a reader computes
  // costly fields (a file's MD5 and SHA-1) only when some rule matches on
  // them. Showing a field as evidence does not count.
  virtual bool MatchesOnField(std::string_view) const { return false; }

 protected:
  std::shared_ptr<const RuleInfo> info_;
};

}  // namespace exhunt
