// YARA as a rule kind: each YARA rule is a Rule of the file plane (its
// RuleInfo from the rule's meta), and YaraEngine is every loaded YARA
// source compiled once into one libyara rule set that all workers share.
//
// Meta read (all optional): description (the title), severity (info ...
// critical) or else Loki's score (>= 90 high, >= 70 medium, >= 40 low,
// below: info; none: medium, as Loki's default of 75), outcome (probe ...
// compromise; none: the finding does not move the verdict), cve, attack,
// marks (comma-separated lists).
//
// The externals of Loki are defined for every file scanned: filename,
// filepath (the directory), extension (lowercase, with the dot), filetype
// (record/file_record.h FileTypeOf), md5, owner. Each source file is a
// namespace of its own; a file that does not compile is one LoadError and
// the others load. `include` is refused (a rule directory is loaded whole).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "record/file_record.h"
#include "rule/rule.h"

struct YR_RULES;
struct YR_SCAN_CONTEXT;

namespace exhunt {

class YaraRule final : public Rule {
 public:
  YaraRule(std::shared_ptr<const RuleInfo> info, std::string yara_namespace, std::string identifier);
  bool AppliesTo(LogType type) const override { return type == LogType::kFile; }
  // The reader records every YARA match in the file record (yara:<id>).
  bool Matches(const Record& record) const override;
  const std::vector<std::string>& evidence_fields() const override { return evidence_fields_; }
  const std::string& yara_namespace() const { return namespace_; }
  const std::string& identifier() const { return identifier_; }

 private:
  std::string namespace_, identifier_;
  std::vector<std::string> evidence_fields_;
};

// One YARA source file that compiled alone, and the rules it holds.
struct YaraSource {
  std::string origin;  // file path or "builtin:yara/..."
  std::string text;
  std::vector<std::shared_ptr<const YaraRule>> rules;
};

// Compiles one source file alone (its own namespace, Loki's externals).
// On failure the message names the file, line and libyara's reason.
Result<YaraSource> CompileYaraSource(std::string_view text, const std::string& origin);

struct YaraMatch {
  size_t source = 0;       // index into the sources the engine was built from
  std::string identifier;  // rule identifier
  std::string strings;     // "$a@120: eval(Request..." (bounded)
};

// A per-worker scanner of an engine; owns the libyara scan context.
class YaraScanner {
 public:
  explicit YaraScanner(YR_SCAN_CONTEXT* s) : scanner_(s) {}
  ~YaraScanner();
  YaraScanner(const YaraScanner&) = delete;
  YaraScanner& operator=(const YaraScanner&) = delete;
  YR_SCAN_CONTEXT* get() const { return scanner_; }

 private:
  YR_SCAN_CONTEXT* scanner_;
};

class YaraEngine {
 public:
  // Compiles every source into one rule set (each in its namespace).
  static Result<std::unique_ptr<YaraEngine>> Build(const std::vector<const YaraSource*>& sources);
  ~YaraEngine();
  Result<std::unique_ptr<YaraScanner>> NewScanner() const;
  // Scans `bytes` with the externals of `file`; appends the matches. A
  // timeout or engine error returns its status with the matches so far.
  Status Scan(YaraScanner& scanner, std::string_view bytes, const FileFields& file,
              std::vector<YaraMatch>* out) const;
  size_t rule_count() const { return rule_count_; }

 private:
  YaraEngine() = default;
  YR_RULES* rules_ = nullptr;
  std::vector<std::string> namespaces_;  // by source index
  size_t rule_count_ = 0;
  int timeout_seconds_ = 60;
};

}  // namespace exhunt
