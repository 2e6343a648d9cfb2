// The rules a scan runs, of every kind: the built-in Sigma and YARA rules
// plus user directories and IOC lists. Loading never stops at a bad file:
// each failure is kept as a LoadError (reported as an error record) and the
// rest load. Rule ids are unique across kinds.
#pragma once

#include <algorithm>
#include <map>
#include <thread>
#include <unordered_map>
#include <memory>
#include <optional>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "rule/prefilter.h"
#include "rule/baseline.h"
#include "rule/correlation_rule.h"
#include "rule/ioc_rule.h"
#include "rule/rule.h"
#include "rule/sigma_rule.h"
#include "rule/yara_rule.h"
#include "source/file_system.h"

namespace exhunt {

struct LoadError {
  std::string origin;
  Status status;
};

class RuleSet {
 public:
  // Loads the embedded built-in rules (Sigma and YARA).
  void AddBuiltin();
  // Which rule files a directory load takes.
  enum class Files { kAll, kSigma, kYara };
  // Loads every rule file below dir (recursively), or dir itself if it is a
  // file: *.yml / *.yaml as Sigma, *.yar / *.yara as YARA, and (kAll only)
  // *.txt IOC lists whose names say their kind (ioc_rule.h).
  Status AddDirectory(FileSystem* fs, const std::string& dir, Files which = Files::kAll);
  // The values of Sigma placeholders for rules with `|expand`; set before
  // loading the rules that use them.
  void SetSigmaPlaceholders(SigmaPlaceholders placeholders) { placeholders_ = std::move(placeholders); }
  // The same from a YAML file (name: value or name: [values]).
  Status LoadSigmaPlaceholders(FileSystem* fs, const std::string& path);
  // Loads one YAML text (may hold several documents separated by ---).
  void AddText(std::string_view text, const std::string& origin);
  // How many threads parse a directory's Sigma files (default: the CPUs).
  void set_load_threads(unsigned n) { load_threads_ = std::max(1u, n); }
  // Loads YARA source files, compiled together into one engine (see
  // yara_rule.h); a file that does not compile is a LoadError of its own.
  void AddYaraTexts(const std::vector<YaraInput>& files);
  void AddYaraText(std::string_view text, const std::string& origin) {
    AddYaraTexts({{std::string(text), origin}});
  }
  // Loads the IOC lists in dir (or dir itself if it is a file), each of the
  // kind its name says (ioc_rule.h); a file of no known kind is a LoadError.
  Status AddIocDirectory(FileSystem* fs, const std::string& dir);
  void AddIocText(std::string_view text, const std::string& origin, IocListKind kind);
  // Loads a known-good baseline (baseline.h) from a file, or every *.csv in
  // a folder; the first one adds the baseline rules, later ones add rows.
  Status AddBaseline(FileSystem* fs, const std::string& path);
  void AddBaselineText(std::string_view text, const std::string& origin);
  // The baseline, if one was loaded: files it knows are known good.
  const Baseline* baseline() const { return baseline_.get(); }

  // Which digests of a file's content some rule may read, beyond SHA-256
  // (always: the built-in IOCs and baselines are SHA-256): MD5 for YARA's
  // `md5` external, MD5 and SHA-1 for rules that match on them
  // (Rule::MatchesOnField; a finding that only shows them has them filled then).
  struct DigestNeeds {
    bool md5 = false, sha1 = false;
  };
  DigestNeeds FileDigestsNeeded() const;

  // A rule of any kind; refused (a LoadError) if its id is taken.
  bool Add(std::shared_ptr<const Rule> rule);

  const std::vector<std::shared_ptr<const Rule>>& rules() const { return rules_; }
  // What the prefilter of `type` needs: one cover per rule that reads it,
  // indexed by position in rules().
  std::vector<RuleCover> Covers(LogType type) const;
  // Every file or rule that did not load, and every correlation that names
  // a rule no load supplied.
  std::vector<LoadError> errors() const;

  // Sigma correlation rules (rule/correlation_rule.h), and for a rule of
  // rules() the correlations that take its hits.
  struct CorrelationInput {
    unsigned correlation;  // index into correlations()
    unsigned member;       // index into that correlation's rules()
  };
  const std::vector<std::shared_ptr<const CorrelationRule>>& correlations() const { return correlations_; }
  const std::vector<CorrelationInput>& CorrelationInputs(unsigned rule) const;
  // A rule named by a correlation without `generate: true`: its hits feed
  // the correlation and raise no finding of their own.
  bool FeedsOnly(unsigned rule) const { return rule < feeds_only_.size() && feeds_only_[rule]; }

  // The YARA sources that compiled, and the engines they compiled into (one
  // per load: the built-in rules, each --yara folder).
  std::vector<const YaraSource*> yara_sources() const;
  std::vector<const YaraEngine*> yara_engines() const;
  // The sources of engine `engine` (index into yara_engines()), in namespace order.
  const std::vector<YaraSource>& yara_sources_of(size_t engine) const { return yara_[engine].sources; }
  // The index in rules() of the YARA rule `identifier` of source `source` of
  // engine `engine`; nullopt if it was refused (a duplicate id).
  std::optional<unsigned> YaraRuleIndex(size_t engine, size_t source, const std::string& identifier) const;

 private:
  std::vector<std::shared_ptr<const Rule>> rules_;
  struct YaraGroup {
    std::unique_ptr<YaraEngine> engine;
    std::vector<YaraSource> sources;
  };
  std::vector<YaraGroup> yara_;
  std::shared_ptr<Baseline> baseline_;
  std::map<std::tuple<size_t, size_t, std::string>, unsigned> yara_index_;
  std::vector<LoadError> errors_;
  std::vector<std::shared_ptr<const CorrelationRule>> correlations_;
  std::vector<std::vector<CorrelationInput>> inputs_;  // by rule index
  std::vector<char> feeds_only_;                       // by rule index
  std::vector<LoadError> link_errors_;
  SigmaPlaceholders placeholders_;
  std::unordered_map<std::string, size_t> index_by_id_;  // rule id -> index in rules_
  unsigned load_threads_ = std::max(1u, std::thread::hardware_concurrency());
  // One YAML document of a rule file: a detection rule, a correlation (its
  // text, loaded in order since it links by name), or why it was refused.
  struct ParsedDocument {
    std::string name;
    std::shared_ptr<const SigmaRule> rule;
    std::optional<std::string> correlation;
    Status status;
  };
  // Parses a rule file's documents; reads only the placeholders, so files
  // may be parsed on several threads at once.
  std::vector<ParsedDocument> ParseDocuments(std::string_view text, const std::string& origin) const;
  void Absorb(std::vector<ParsedDocument> docs);
  void AddCorrelation(std::string_view doc, const std::string& origin);
  // Resolves the correlations' rule names against the rules loaded so far.
  void Link();
};

}  // namespace exhunt
