// The rules a scan runs: the built-in Sigma rules plus user directories.
// Loading never stops at a bad file: each failure is kept as a LoadError
// (reported as an error record) and the rest load.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "rule/prefilter.h"
#include "rule/sigma_rule.h"
#include "source/file_system.h"

namespace exhunt {

struct LoadError {
  std::string origin;
  Status status;
};

class RuleSet {
 public:
  // Loads the embedded built-in rules.
  void AddBuiltin();
  // Loads every *.yml / *.yaml below dir (recursively).
  Status AddDirectory(FileSystem* fs, const std::string& dir);
  // Loads one YAML text (may hold several documents separated by ---).
  void AddText(std::string_view text, const std::string& origin);

  const std::vector<std::shared_ptr<const SigmaRule>>& rules() const { return rules_; }
  // What the prefilter of `type` needs: one cover per rule that reads it,
  // indexed by position in rules().
  std::vector<RuleCover> Covers(LogType type) const;
  const std::vector<LoadError>& errors() const { return errors_; }

 private:
  std::vector<std::shared_ptr<const SigmaRule>> rules_;
  std::vector<LoadError> errors_;
};

}  // namespace exhunt
