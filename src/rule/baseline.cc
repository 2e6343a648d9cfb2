#include "rule/baseline.h"

#include <algorithm>

#include "base/text.h"

namespace exhunt {

namespace {

bool LooksLikeBuildFolder(std::string_view name) {
  int dots = 0;
  for (char c : name) {
    if (c == '.')
      ++dots;
    else if (c < '0' || c > '9')
      return false;
  }
  return dots >= 2 && !name.empty() && name.front() != '.' && name.back() != '.';
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

}  // namespace

std::string BaselinePathKey(std::string_view install_path) {
  std::string p = AsciiLowerCopy(install_path);
  for (char& c : p)
    if (c == '/') c = '\\';
  if (p.empty() || p[0] != '\\') p.insert(p.begin(), '\\');
  std::string out;
  size_t start = 1;
  while (start <= p.size()) {
    size_t end = p.find('\\', start);
    if (end == std::string::npos) end = p.size();
    std::string_view part(p.data() + start, end - start);
    out += '\\';
    out += LooksLikeBuildFolder(part) ? std::string_view("version") : part;
    start = end + 1;
  }
  return out;
}

bool InBaselineScope(std::string_view install_path, bool* page) {
  std::string p = AsciiLowerCopy(install_path);
  if (!StartsWithIgnoreCase(p, "\\clientaccess\\") && !StartsWithIgnoreCase(p, "\\frontend\\httpproxy\\"))
    return false;
  if (EndsWithIgnoreCase(p, ".strings.localized.js")) return false;
  for (std::string_view ext : {".aspx", ".ashx", ".asmx", ".asax"})
    if (EndsWithIgnoreCase(p, ext)) {
      *page = true;
      return true;
    }
  for (std::string_view ext : {".js", ".css", ".htm", ".html"})
    if (EndsWithIgnoreCase(p, ext)) {
      *page = false;
      return true;
    }
  return false;
}

void Baseline::AddText(std::string_view text, const std::string& origin, std::vector<std::string>* problems) {
  size_t line_no = 0, bad = 0;
  for (auto raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.empty() || line[0] == '#') continue;
    auto parts = Split(line, ',');
    if (parts.size() < 3 || !IsHex64(Trim(parts[0]))) {
      if (bad++ < 5) problems->push_back(origin + ": line " + std::to_string(line_no) + ": not SHA256,build,path");
      continue;
    }
    // A path may hold commas: everything after the second one.
    size_t second = line.find(',', line.find(',') + 1);
    std::string hash = AsciiLowerCopy(Trim(parts[0]));
    std::string key = BaselinePathKey(Trim(line.substr(second + 1)));
    auto& list = by_path_[key];
    if (std::find(list.begin(), list.end(), hash) == list.end()) list.push_back(hash);
    hashes_.insert(std::move(hash));
    ++rows_;
  }
  if (bad > 5) problems->push_back(origin + ": " + std::to_string(bad - 5) + " more rows not read");
}

Baseline::Verdict Baseline::Check(std::string_view install_path, std::string_view sha256) const {
  std::string hash = AsciiLowerCopy(sha256);
  auto it = by_path_.find(BaselinePathKey(install_path));
  if (it == by_path_.end()) return hashes_.count(hash) ? Verdict::kKnown : Verdict::kUnknown;
  for (const auto& h : it->second)
    if (h == hash) return Verdict::kKnown;
  return Verdict::kChanged;
}

bool Baseline::KnownHash(std::string_view sha256) const { return hashes_.count(AsciiLowerCopy(sha256)) > 0; }

BaselineRule::BaselineRule(std::shared_ptr<const RuleInfo> info, std::shared_ptr<const Baseline> baseline,
                           Baseline::Verdict verdict, bool pages)
    : baseline_(std::move(baseline)), verdict_(verdict), pages_(pages) {
  info_ = std::move(info);
  evidence_fields_ = {"InstallPath", "SHA256", "Size", "Modified"};
}

bool BaselineRule::Matches(const Record& record) const {
  auto path = record.Field("InstallPath");
  auto hash = record.Field("SHA256");
  bool page = false;
  if (!path || path->empty() || !hash || !InBaselineScope(*path, &page) || page != pages_) return false;
  return baseline_->Check(*path, *hash) == verdict_;
}

std::vector<std::shared_ptr<const Rule>> BaselineRules(const std::shared_ptr<const Baseline>& baseline,
                                                       const std::string& origin) {
  struct Spec {
    Baseline::Verdict verdict;
    bool pages;
    const char* id;
    const char* title;
    Severity severity;
    Outcome outcome;
  };
  const Spec specs[] = {
      {Baseline::Verdict::kChanged, true, "exhunt.baseline.changed_page",
       "Exchange page changed: its hash is not the baseline's for this path", Severity::kHigh, Outcome::kCompromise},
      {Baseline::Verdict::kChanged, false, "exhunt.baseline.changed_script",
       "Exchange script or style changed: its hash is not the baseline's for this path", Severity::kMedium,
       Outcome::kNone},
      {Baseline::Verdict::kUnknown, true, "exhunt.baseline.unknown_page",
       "Page in an Exchange web folder that the baseline does not know", Severity::kMedium, Outcome::kNone},
      {Baseline::Verdict::kUnknown, false, "exhunt.baseline.unknown_script",
       "Script or style in an Exchange web folder that the baseline does not know", Severity::kLow, Outcome::kNone},
  };
  std::vector<std::shared_ptr<const Rule>> out;
  for (const auto& s : specs) {
    auto info = std::make_shared<RuleInfo>();
    info->kind = RuleKind::kBaseline;
    info->id = s.id;
    info->title = s.title;
    info->description = "Compared with the known-good baseline " + origin + ".";
    info->origin = origin;
    info->severity = s.severity;
    info->outcome = s.outcome;
    info->attack = {"T1505.003"};
    if (s.pages && s.verdict == Baseline::Verdict::kChanged) info->marks = {"webshell.file"};
    out.push_back(std::make_shared<const BaselineRule>(std::move(info), baseline, s.verdict, s.pages));
  }
  return out;
}

}  // namespace exhunt
