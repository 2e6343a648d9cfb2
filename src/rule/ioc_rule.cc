#include "rule/ioc_rule.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <map>

#include "base/text.h"

namespace exhunt {

namespace {

// The file digests a hash list may hold, by field and length in hex digits.
constexpr std::pair<std::string_view, size_t> kDigestFields[] = {{"SHA256", 64}, {"SHA1", 40}, {"MD5", 32}};

}  // namespace

namespace {

constexpr size_t kMaxProblemsListed = 5;

// Windows paths: case does not matter.
RE2::Options PathRegexOptions() {
  RE2::Options opt;
  opt.set_case_sensitive(false);
  opt.set_log_errors(false);
  return opt;
}

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return !s.empty();
}

bool LooksLikeAddress(std::string_view s) {
  if (s.empty()) return false;
  bool v4 = true, v6 = s.find(':') != std::string_view::npos;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.')) v4 = false;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
      v6 = false;
  }
  return (v4 && std::count(s.begin(), s.end(), '.') == 3) || v6;
}

Severity FromScore(std::optional<uint64_t> score) {
  if (!score) return Severity::kHigh;
  if (*score >= 90) return Severity::kHigh;
  if (*score >= 70) return Severity::kMedium;
  if (*score >= 40) return Severity::kLow;
  return Severity::kInfo;
}

std::string_view BaseName(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view KindTitle(IocListKind k) {
  switch (k) {
    case IocListKind::kHash:
      return "File hash on an IOC list";
    case IocListKind::kFileName:
      return "File name or path on an IOC list";
    case IocListKind::kAddress:
      return "Client address on an IOC list";
  }
  return "";
}

}  // namespace

std::optional<IocListKind> IocListKindOf(std::string_view file_name) {
  std::string lower = AsciiLowerCopy(BaseName(file_name));
  if (lower.find("hash") != std::string::npos) return IocListKind::kHash;
  if (lower.find("filename") != std::string::npos) return IocListKind::kFileName;
  if (lower.find("c2") != std::string::npos) return IocListKind::kAddress;
  return std::nullopt;
}

struct IocRule::NameSet {
  explicit NameSet(const RE2::Options& o) : set(o, RE2::UNANCHORED) {}
  RE2::Set set;
};

IocRule::IocRule(std::shared_ptr<const RuleInfo> info, IocListKind kind, std::vector<IocEntry> entries)
    : kind_(kind), entries_(std::move(entries)) {
  info_ = std::move(info);
  for (size_t i = 0; i < entries_.size(); ++i)
    if (kind_ != IocListKind::kFileName) by_value_.emplace(entries_[i].value, i);
  for (const auto& e : entries_)
    if (kind_ == IocListKind::kHash && e.value.size() < std::size(lengths_)) lengths_[e.value.size()] = true;
  if (kind_ == IocListKind::kFileName) {
    RE2::Options opt = PathRegexOptions();
    opt.set_max_mem(int64_t(256) << 20);
    names_ = std::make_unique<NameSet>(opt);
    bool ok = true;
    for (const auto& e : entries_) ok = ok && names_->set.Add(e.value, nullptr) >= 0;
    if (!ok || !names_->set.Compile()) names_.reset();  // each regex alone then (every one compiled)
  }
  if (kind_ == IocListKind::kAddress)
    evidence_fields_ = {"ClientIpAddress", "UrlStem", "UserAgent"};
  else
    evidence_fields_ = {"Path", "SHA256", "MD5", "Size", "Modified"};
}

IocRule::~IocRule() = default;

bool IocRule::AppliesTo(LogType type) const {
  const bool file = KindOf(type).format == RecordFormat::kFile;
  return type != LogType::kUnknown && (kind_ == IocListKind::kAddress ? !file : file);
}

const IocEntry* IocRule::Find(const Record& record) const {
  auto lookup = [&](std::optional<std::string_view> v) -> const IocEntry* {
    if (!v || v->empty()) return nullptr;
    auto it = by_value_.find(AsciiLowerCopy(*v));
    return it == by_value_.end() ? nullptr : &entries_[it->second];
  };
  switch (kind_) {
    case IocListKind::kHash:
      // Only the digests the list holds: a file's MD5 and SHA-1 are not
      // computed unless some rule matches on them (RuleSet::FileDigestsNeeded).
      for (const auto& [field, length] : kDigestFields)
        if (HoldsHashesOfLength(length))
          if (const IocEntry* e = lookup(record.Field(field))) return e;
      return nullptr;
    case IocListKind::kAddress:
      return lookup(record.Field("ClientIpAddress"));
    case IocListKind::kFileName: {
      auto path = record.Field("Path");
      if (!path) return nullptr;
      auto hit = [&](const IocEntry& e) { return !(e.false_positive && RE2::PartialMatch(*path, *e.false_positive)); };
      if (names_) {
        std::vector<int> ids;
        if (!names_->set.Match(*path, &ids)) return nullptr;
        std::sort(ids.begin(), ids.end());
        for (int i : ids)
          if (hit(entries_[size_t(i)])) return &entries_[size_t(i)];
        return nullptr;
      }
      for (const auto& e : entries_)
        if (RE2::PartialMatch(*path, *e.regex) && hit(e)) return &e;
      return nullptr;
    }
  }
  return nullptr;
}

bool IocRule::Matches(const Record& record) const { return Find(record) != nullptr; }

std::string IocRule::Explain(const Record& record) const {
  const IocEntry* e = Find(record);
  if (!e) return "";
  return e->value + (e->comment.empty() ? "" : " (" + e->comment + ")");
}

std::optional<std::vector<PrefilterLiteral>> IocRule::Cover(LogType type) const {
  if (kind_ != IocListKind::kAddress || !AppliesTo(type)) return std::nullopt;
  std::vector<PrefilterLiteral> out;
  for (const auto& e : entries_) out.push_back({e.value, false, false});
  return out;
}

bool IocRule::MatchesOnField(std::string_view name) const {
  for (const auto& [field, length] : kDigestFields)
    if (EqualsIgnoreCase(name, field)) return HoldsHashesOfLength(length);
  return kind_ == IocListKind::kFileName ? EqualsIgnoreCase(name, "Path")
                                         : kind_ == IocListKind::kAddress && EqualsIgnoreCase(name, "ClientIpAddress");
}

bool IocRule::HoldsHashesOfLength(size_t hex_digits) const {
  return kind_ == IocListKind::kHash && hex_digits < std::size(lengths_) && lengths_[hex_digits];
}

IocList ParseIocList(std::string_view text, const std::string& origin, IocListKind kind) {
  IocList out;
  std::map<Severity, std::vector<IocEntry>> by_severity;
  size_t problems = 0, domains = 0, line_no = 0;
  auto problem = [&](const std::string& p) {
    if (problems++ < kMaxProblemsListed) out.problems.push_back("line " + std::to_string(line_no) + ": " + p);
  };
  std::string group;  // a C2 list's "# comment" for the entries below it
  Outcome outcome = Outcome::kNone;
  for (auto raw : Split(text, '\n')) {
    ++line_no;
    std::string_view line = Trim(raw);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::string_view comment = Trim(line.substr(1));
      // exhunt's own directive (other tools read it as a comment): what a hit means for the host.
      if (StartsWithIgnoreCase(comment, "outcome:")) {
        if (auto o = ParseOutcome(AsciiLowerCopy(Trim(comment.substr(8)))))
          outcome = *o;
        else
          problem("unknown outcome: " + std::string(comment));
        continue;
      }
      group = std::string(comment);
      continue;
    }
    std::vector<std::string_view> parts = Split(line, ';');
    IocEntry e;
    std::optional<uint64_t> score;
    auto read_score = [&](std::string_view s) {
      uint64_t n = 0;
      if (ParseUint(Trim(s), &n)) score = n;
      return score.has_value();
    };
    if (kind == IocListKind::kHash) {
      std::string_view h = Trim(parts[0]);
      if (!IsHex(h) || (h.size() != 32 && h.size() != 40 && h.size() != 64)) {
        problem("not an MD5, SHA-1 or SHA-256 hash");
        continue;
      }
      e.value = AsciiLowerCopy(h);
      size_t comment_at = 1;
      if (parts.size() > 2 && read_score(parts[1])) comment_at = 2;
      for (size_t i = comment_at; i < parts.size(); ++i)
        e.comment += std::string(i > comment_at ? ";" : "") + std::string(parts[i]);
      e.comment = std::string(Trim(e.comment));
    } else if (kind == IocListKind::kAddress) {
      std::string_view a = Trim(parts[0]);
      if (parts.size() > 1) read_score(parts[1]);
      if (!LooksLikeAddress(a)) {
        ++domains;
        continue;
      }
      e.value = AsciiLowerCopy(a);
      e.comment = group;
    } else {
      if (parts.size() < 2 || !read_score(parts[1])) {
        problem("not REGEX;SCORE[;FALSE-POSITIVE-REGEX]");
        continue;
      }
      const RE2::Options opt = PathRegexOptions();
      auto re = std::make_shared<const RE2>(std::string(parts[0]), opt);
      if (!re->ok()) {
        problem("regex does not compile: " + re->error());
        continue;
      }
      e.value = std::string(parts[0]);
      e.regex = std::move(re);
      if (parts.size() > 2 && !Trim(parts[2]).empty()) {
        auto fp = std::make_shared<const RE2>(std::string(Trim(parts[2])), opt);
        if (!fp->ok()) {
          problem("false-positive regex does not compile: " + fp->error());
          continue;
        }
        e.false_positive = std::move(fp);
      }
      e.comment = group;
    }
    by_severity[FromScore(score)].push_back(std::move(e));
  }
  if (problems > kMaxProblemsListed)
    out.problems.push_back(std::to_string(problems - kMaxProblemsListed) + " more lines not loaded");
  if (domains)
    out.problems.push_back(std::to_string(domains) +
                           " domain entries not used: the logs exhunt reads name clients, not destinations");
  const std::string name(BaseName(origin));
  for (auto& [severity, entries] : by_severity) {
    auto info = std::make_shared<RuleInfo>();
    info->kind = RuleKind::kIoc;
    info->id = "ioc:" + name + ":" + std::string(SeverityName(severity));
    info->title = std::string(KindTitle(kind)) + " (" + name + ")";
    info->description = std::to_string(entries.size()) + " entries of " + origin;
    info->origin = origin;
    info->severity = severity;
    info->outcome = outcome;
    out.rules.push_back(std::make_shared<const IocRule>(std::move(info), kind, std::move(entries)));
  }
  return out;
}

}  // namespace exhunt
