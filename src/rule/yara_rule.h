// YARA as a rule kind: each YARA rule is a Rule of the file plane (its
// RuleInfo from the rule's meta), and a YaraEngine is the YARA files of one
// load (the built-in rules, one --yara folder) compiled once, together,
// into one libyara rule set that all workers share.
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

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "record/file_record.h"
#include "rule/rule.h"
#include "rule/yara_gate.h"

struct YR_RULES;
struct YR_SCAN_CONTEXT;

namespace exhunt {

class YaraRule final : public Rule {
 public:
  YaraRule(std::shared_ptr<const RuleInfo> info, std::string identifier);
  bool AppliesTo(LogType type) const override { return type == LogType::kFile; }
  // The reader records every YARA match in the file record (yara:<id>).
  bool Matches(const Record& record) const override;
  const std::vector<std::string>& evidence_fields() const override { return evidence_fields_; }
  const std::string& identifier() const { return identifier_; }

 private:
  std::string identifier_;
  std::vector<std::string> evidence_fields_;
};

// One YARA source file that compiled, and the rules it holds.
struct YaraSource {
  std::string origin;  // file path or "builtin:yara/..."
  std::string text;
  std::vector<std::shared_ptr<const YaraRule>> rules;
};

struct YaraInput {
  std::string text, origin;
};

class YaraEngine;

// What one load of YARA files gave: the files that compiled (in namespace
// order) with their rules, the ones that did not, and the engine holding
// every rule that compiled (nullptr if none did).
struct YaraLoad {
  std::vector<YaraSource> sources;
  std::vector<std::pair<std::string, Status>> errors;  // origin, why
  std::unique_ptr<YaraEngine> engine;
};

// Compiles the files together, each in its own namespace, with Loki's
// externals: each file once, in one libyara compiler. A file that does not
// compile is an error of its own (naming the file, line and libyara's
// reason) and the others load.
YaraLoad CompileYaraSources(const std::vector<YaraInput>& inputs);

// Whether YARA source `text` may read the identifier `name` (an external):
// a word outside comments and text strings, not a module's function
// (`hash.md5`) and not a meta field (`md5 = "..."`). Errs towards yes.
bool MayReadIdentifier(std::string_view text, std::string_view name);

// Loki's externals of `file` as the gate reads them (views into `file`;
// YaraEngine::Scan gives libyara the same values).
YaraExternals ExternalsOf(const FileFields& file);

struct YaraMatch {
  size_t source = 0;       // index into the sources of the load that built the engine
  std::string identifier;  // rule identifier
  std::string strings;     // "$a@120: eval(Request..." (bounded)
};

// Whether asking the gate still pays, from what it and libyara cost so far
// (see YaraEngine::GateMode): the gate's time (its passes, and libyara's
// compiles and scans of the rules it chose) against what libyara's whole
// set would have spent on the bytes the gate decided, at its measured pace.
bool GateStillPays(uint64_t gate_ns, uint64_t gated_bytes, uint64_t yara_ns, uint64_t yara_bytes);

// A per-worker scanner of an engine; owns the libyara scan context.
class YaraScanner {
 public:
  explicit YaraScanner(YR_SCAN_CONTEXT* s) : scanner_(s) {}
  ~YaraScanner();
  YaraScanner(const YaraScanner&) = delete;
  YaraScanner& operator=(const YaraScanner&) = delete;
  YR_SCAN_CONTEXT* get() const { return scanner_; }

 private:
  friend class YaraEngine;
  YR_SCAN_CONTEXT* scanner_;
  std::unique_ptr<YaraGate::Scratch> gate_;
  std::vector<uint32_t> rules_;  // the gate's answer for the file at hand
};

// The compiled rules of one load, shared by every worker (each with its own
// YaraScanner).
class YaraEngine {
 public:
  ~YaraEngine();
  Result<std::unique_ptr<YaraScanner>> NewScanner() const;
  // Scans `bytes` with the externals of `file`; appends the matches. A
  // timeout or engine error returns its status with the matches so far.
  // A file the gate shows no rule can match is not handed to libyara; one
  // it shows some rules may match is scanned with a libyara set of those
  // rules alone (see ChoiceSet).
  Status Scan(YaraScanner& scanner, std::string_view bytes, const FileFields& file, std::vector<YaraMatch>* out) const;
  size_t rule_count() const { return rule_count_; }
  // Whether a rule may read the `md5` external (a file's MD5 is then worth
  // computing before the scan).
  bool reads_md5() const { return reads_md5_; }
  // The gate in front of libyara (nullptr: every file is scanned with the
  // whole set; see YaraGate::can_spare). kAuto asks it while it pays: after
  // its first kGateTrialNs of work, only while GateStillPays. libyara's pace
  // with the whole set is measured on the files the gate cannot decide and
  // on one file in kProbeEvery until kGateTrialNs of it are measured. Tests
  // set kAlways and kNever to compare both.
  enum class GateMode { kAuto, kAlways, kNever };
  static constexpr uint64_t kGateTrialNs = 200'000'000;
  static constexpr uint64_t kProbeEvery = 8;
  // The rules the gate leaves to libyara for a file are compiled into a set
  // of their own, once per choice of rules, and kept compact (saved and
  // loaded back: a set libyara compiles holds ~7 MB however small, a loaded
  // one what it needs). Past these bounds a new choice is scanned with the
  // whole set.
  static constexpr size_t kMaxChoiceSets = 1024;
  static constexpr size_t kMaxChoiceBytes = size_t(64) << 20;
  void set_max_choice_sets(size_t n) { max_choice_sets_ = n; }  // tests
  const YaraGate* gate() const { return gate_.get(); }
  // What the gate read of the files (also when it is not used: why).
  const YaraGate::Summary& gate_summary() const { return gate_summary_; }
  void set_gate_mode(GateMode mode) { gate_mode_ = mode; }
  // Files handed to libyara and files the gate spared it, over all scans.
  // scanned: with the whole set; chosen: with a set of the rules the gate
  // chose; spared: not scanned. gated_bytes: of the chosen and spared.
  struct Counts {
    std::atomic<uint64_t> files{0}, scanned{0}, chosen{0}, spared{0}, choice_sets{0};
    std::atomic<uint64_t> gate_ns{0}, gated_bytes{0}, yara_ns{0}, yara_bytes{0};
  };
  const Counts& counts() const { return counts_; }

 private:
  friend YaraLoad CompileYaraSources(const std::vector<YaraInput>& inputs);
  YaraEngine() = default;
  YR_RULES* rules_ = nullptr;
  size_t rule_count_ = 0;
  bool reads_md5_ = false;
  int timeout_seconds_ = 60;
  bool UseGate() const;
  struct ChoiceSet;  // yara_rule.cc
  std::shared_ptr<ChoiceSet> ChoiceFor(const std::vector<uint32_t>& rules) const;
  // A scanner of `rules` as the engine scans (fast mode, its timeout); null if libyara cannot make one.
  YR_SCAN_CONTEXT* LibyaraScanner(YR_RULES* rules) const;
  Status RunLibyara(YR_SCAN_CONTEXT* s, std::string_view bytes, const FileFields& file, const YaraExternals& ext,
                    std::vector<YaraMatch>* out) const;
  std::unique_ptr<YaraGate> gate_;
  YaraGate::Summary gate_summary_;
  GateMode gate_mode_ = GateMode::kAuto;
  mutable Counts counts_;
  mutable std::mutex choices_mu_;
  mutable std::map<std::vector<uint32_t>, std::shared_ptr<ChoiceSet>> choices_;
  mutable std::atomic<size_t> choice_bytes_{0};
  size_t max_choice_sets_ = kMaxChoiceSets;
};

}  // namespace exhunt
