// Known-good baselines of an Exchange server's web files, and the rules of
// the file plane that compare a server against them.
//
// Format (Microsoft's CompareExchangeHashes baselines, read as they are):
// one row per file, "SHA256,build,relative path", the path relative to the
// Exchange install folder ("\ClientAccess\owa\auth\logon.aspx" or without
// the leading backslash), folders named after a build written "version";
// a BOM and CRLF line ends are fine. `exhunt baseline make` writes it.
//
// A file of the Exchange web folders (ClientAccess, FrontEnd\HttpProxy)
// whose hash is in the baseline is known good; whose path is in the
// baseline with other hashes only is changed; whose path is not there at
// all is unknown. Pages (.aspx, .ashx, .asmx, .asax) weigh more than
// scripts and styles (.js, .css, .htm, .html); *.strings.localized.js
// (rewritten per language) are left out, as Microsoft's script did.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rule/rule.h"

namespace exhunt {

class Baseline {
 public:
  enum class Verdict { kKnown, kChanged, kUnknown };
  // Adds the rows of one baseline file; bad rows become `problems`.
  void AddText(std::string_view text, const std::string& origin, std::vector<std::string>* problems);
  // `install_path`: the file's path below the install folder (Windows form).
  Verdict Check(std::string_view install_path, std::string_view sha256) const;
  bool KnownHash(std::string_view sha256) const;
  size_t rows() const { return rows_; }

 private:
  std::unordered_set<std::string> hashes_;
  std::unordered_map<std::string, std::vector<std::string>> by_path_;
  size_t rows_ = 0;
};

// The key a path is compared by: lowercase, backslashes, a leading one,
// each folder named like a build ("15.1.2176.9", "15.2.858") as "version".
std::string BaselinePathKey(std::string_view install_path);
// Whether the baseline rules look at this file: in a web folder, of a
// compared type. `page`: one of the page types.
bool InBaselineScope(std::string_view install_path, bool* page);

class BaselineRule final : public Rule {
 public:
  BaselineRule(std::shared_ptr<const RuleInfo> info, std::shared_ptr<const Baseline> baseline,
               Baseline::Verdict verdict, bool pages);
  bool AppliesTo(LogType type) const override { return type == LogType::kFile; }
  bool Matches(const Record& record) const override;
  const std::vector<std::string>& evidence_fields() const override { return evidence_fields_; }

 private:
  std::shared_ptr<const Baseline> baseline_;
  Baseline::Verdict verdict_;
  bool pages_;
  std::vector<std::string> evidence_fields_;
};

// The four rules (changed/unknown x pages/other files) over one baseline.
std::vector<std::shared_ptr<const Rule>> BaselineRules(const std::shared_ptr<const Baseline>& baseline,
                                                       const std::string& origin);

}  // namespace exhunt
