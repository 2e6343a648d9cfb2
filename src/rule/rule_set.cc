#include "rule/rule_set.h"

#include <atomic>
#include <thread>

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "base/text.h"
#include "base/yaml_load.h"
#include "rule/builtin_rules.h"

namespace exhunt {

namespace {

bool IsSigmaFile(std::string_view name) {
  return EndsWithIgnoreCase(name, ".yml") || EndsWithIgnoreCase(name, ".yaml");
}
bool IsYaraFile(std::string_view name) { return EndsWithIgnoreCase(name, ".yar") || EndsWithIgnoreCase(name, ".yara"); }

// `path` itself if it is a file, else the regular files directly in it
// whose names `wanted` takes, sorted.
Status FilesAt(FileSystem* fs, const std::string& path, bool (*wanted)(std::string_view),
               std::vector<std::string>* files) {
  auto info = fs->Stat(path);
  if (!info.ok()) return info.status();
  if (info->is_regular) {
    files->push_back(path);
    return Status::Ok();
  }
  std::vector<DirEntry> entries;
  if (Status s = fs->List(path, &entries); !s.ok()) return s;
  for (const auto& e : entries)
    if (e.is_regular && wanted(e.name)) files->push_back(JoinPath(path, e.name));
  std::sort(files->begin(), files->end());
  return Status::Ok();
}

}  // namespace

void RuleSet::AddBuiltin() {
  std::vector<YaraInput> yara;
  for (const auto& f : BuiltinRuleFiles()) {
    if (StartsWithIgnoreCase(f.path, "sigma/") && IsSigmaFile(f.path))
      AddText(f.content, "builtin:" + std::string(f.path));
    else if (StartsWithIgnoreCase(f.path, "yara/") && IsYaraFile(f.path))
      yara.push_back({std::string(f.content), "builtin:" + std::string(f.path)});
    else if (StartsWithIgnoreCase(f.path, "iocs/"))
      if (auto kind = IocListKindOf(f.path)) AddIocText(f.content, "builtin:" + std::string(f.path), *kind);
  }
  AddYaraTexts(yara);
}

void RuleSet::AddIocText(std::string_view text, const std::string& origin, IocListKind kind) {
  IocList list = ParseIocList(text, origin, kind);
  for (auto& p : list.problems) errors_.push_back({origin, Status::InvalidArgument(origin + ": " + p)});
  for (auto& rule : list.rules) Add(std::move(rule));
}

void RuleSet::AddBaselineText(std::string_view text, const std::string& origin) {
  const bool first = !baseline_;
  if (first) baseline_ = std::make_shared<Baseline>();
  std::vector<std::string> problems;
  baseline_->AddText(text, origin, &problems);
  for (auto& p : problems) errors_.push_back({origin, Status::InvalidArgument(p)});
  if (first)
    for (auto& rule : BaselineRules(baseline_, origin)) Add(std::move(rule));
}

Status RuleSet::AddBaseline(FileSystem* fs, const std::string& path) {
  std::vector<std::string> files;
  if (Status s = FilesAt(
          fs, path, [](std::string_view n) { return EndsWithIgnoreCase(n, ".csv"); }, &files);
      !s.ok())
    return s;
  if (files.empty()) return Status::NotFound(path + ": no *.csv baseline in this folder");
  for (const auto& p : files) {
    auto file = fs->Open(p);
    if (!file.ok()) {
      errors_.push_back({p, file.status()});
      continue;
    }
    AddBaselineText(file.value()->bytes(), p);
  }
  return Status::Ok();
}

Status RuleSet::AddIocDirectory(FileSystem* fs, const std::string& dir) {
  std::vector<std::string> files;
  if (Status s = FilesAt(
          fs, dir, [](std::string_view) { return true; }, &files);
      !s.ok())
    return s;
  for (const auto& p : files) {
    auto kind = IocListKindOf(p);
    if (!kind) {
      errors_.push_back({p, Status::InvalidArgument(p + ": not an IOC list exhunt reads (its name says neither "
                                                        "hash, filename nor c2)")});
      continue;
    }
    auto file = fs->Open(p);
    if (!file.ok()) {
      errors_.push_back({p, file.status()});
      continue;
    }
    AddIocText(file.value()->bytes(), p, *kind);
  }
  return Status::Ok();
}

void RuleSet::AddYaraTexts(const std::vector<YaraInput>& files) {
  if (files.empty()) return;
  YaraLoad load = CompileYaraSources(files);
  for (auto& [origin, status] : load.errors) errors_.push_back({origin, status});
  if (!load.engine) return;
  const size_t engine = yara_.size();
  for (size_t k = 0; k < load.sources.size(); ++k)
    for (const auto& rule : load.sources[k].rules)
      if (Add(rule)) yara_index_[{engine, k, rule->identifier()}] = unsigned(rules_.size() - 1);
  yara_.push_back({std::move(load.engine), std::move(load.sources)});
}

std::vector<const YaraSource*> RuleSet::yara_sources() const {
  std::vector<const YaraSource*> out;
  for (const auto& g : yara_)
    for (const auto& s : g.sources) out.push_back(&s);
  return out;
}

std::vector<const YaraEngine*> RuleSet::yara_engines() const {
  std::vector<const YaraEngine*> out;
  for (const auto& g : yara_) out.push_back(g.engine.get());
  return out;
}

std::optional<unsigned> RuleSet::YaraRuleIndex(size_t engine, size_t source, const std::string& identifier) const {
  auto it = yara_index_.find({engine, source, identifier});
  if (it == yara_index_.end()) return std::nullopt;
  return it->second;
}

namespace {

// A Sigma document with a top-level `correlation:` key.
bool IsCorrelationDocument(std::string_view doc) {
  for (size_t pos = 0; pos < doc.size();) {
    size_t nl = doc.find('\n', pos);
    std::string_view line = doc.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (line.starts_with("correlation:")) return true;
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

std::vector<RuleSet::ParsedDocument> RuleSet::ParseDocuments(std::string_view text, const std::string& origin) const {
  // Split YAML documents on lines that are exactly "---".
  std::vector<std::string_view> docs;
  size_t doc_start = 0, pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (Trim(text.substr(pos, end - pos)) == "---" && text.substr(pos, 3) == "---") {
      docs.push_back(text.substr(doc_start, pos - doc_start));
      doc_start = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  docs.push_back(text.substr(doc_start));
  std::vector<ParsedDocument> out;
  int n = 0;
  for (auto doc : docs) {
    if (Trim(doc).empty()) continue;
    ParsedDocument parsed;
    parsed.name = docs.size() > 1 ? origin + "#" + std::to_string(++n) : origin;
    if (IsCorrelationDocument(doc)) {
      parsed.correlation = std::string(doc);
    } else if (auto rule = SigmaRule::Parse(doc, parsed.name, &placeholders_); rule.ok()) {
      parsed.rule = std::move(rule.value());
    } else {
      parsed.status = rule.status();
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

void RuleSet::Absorb(std::vector<ParsedDocument> docs) {
  for (auto& d : docs) {
    if (d.correlation)
      AddCorrelation(*d.correlation, d.name);
    else if (d.rule)
      Add(std::move(d.rule));
    else
      errors_.push_back({d.name, d.status});
  }
}

void RuleSet::AddText(std::string_view text, const std::string& origin) {
  Absorb(ParseDocuments(text, origin));
  Link();
}

Status RuleSet::LoadSigmaPlaceholders(FileSystem* fs, const std::string& path) {
  auto file = fs->Open(path);
  if (!file.ok()) return file.status();
  auto parsed = ParseSigmaPlaceholders(file.value()->bytes(), path);
  if (!parsed.ok()) return parsed.status();
  placeholders_ = std::move(parsed.value());
  return Status::Ok();
}

void RuleSet::AddCorrelation(std::string_view doc, const std::string& origin) {
  Result<std::shared_ptr<const CorrelationRule>> rule = Status::InvalidArgument(origin + ": not YAML");
  try {
    rule = CorrelationRule::Parse(LoadYaml(doc), origin);
  } catch (const YAML::Exception& e) {
    rule = Status::InvalidArgument(origin + ": " + e.what());
  }
  if (!rule.ok()) {
    errors_.push_back({origin, rule.status()});
    return;
  }
  const std::string& id = rule.value()->info()->id;
  auto taken = [&](const std::string& other_id, const std::string& other_origin) {
    if (other_id != id) return false;
    errors_.push_back({origin, Status::InvalidArgument(origin + ": duplicate rule id " + id + " (first in " +
                                                       other_origin + ")")});
    return true;
  };
  for (const auto& r : rules_)
    if (taken(r->id(), r->origin())) return;
  for (const auto& c : correlations_)
    if (taken(c->info()->id, c->info()->origin)) return;
  correlations_.push_back(std::move(rule.value()));
}

void RuleSet::Link() {
  inputs_.assign(rules_.size(), {});
  feeds_only_.assign(rules_.size(), 0);
  link_errors_.clear();
  for (unsigned c = 0; c < correlations_.size(); ++c) {
    const CorrelationRule& corr = *correlations_[c];
    for (unsigned m = 0; m < corr.rules().size(); ++m) {
      const std::string& ref = corr.rules()[m];
      bool found = false;
      for (unsigned r = 0; r < rules_.size(); ++r) {
        const RuleInfo& info = *rules_[r]->info();
        if (info.kind != RuleKind::kSigma || (info.name != ref && info.id != ref)) continue;
        inputs_[r].push_back({c, m});
        if (!corr.generate()) feeds_only_[r] = 1;
        found = true;
        break;
      }
      if (!found) {
        bool is_correlation = std::any_of(correlations_.begin(), correlations_.end(), [&](const auto& other) {
          return other->info()->name == ref || other->info()->id == ref;
        });
        link_errors_.push_back(
            {corr.info()->origin,
             Status::InvalidArgument(corr.info()->origin + ": correlation " + corr.info()->id + " names '" + ref +
                                     (is_correlation ? "', a correlation: correlations of correlations are not supported"
                                                     : "', which no loaded rule is called (name or id)"))});
      }
    }
  }
}

const std::vector<RuleSet::CorrelationInput>& RuleSet::CorrelationInputs(unsigned rule) const {
  static const std::vector<CorrelationInput> kNone;
  return rule < inputs_.size() ? inputs_[rule] : kNone;
}

std::vector<LoadError> RuleSet::errors() const {
  std::vector<LoadError> all = errors_;
  all.insert(all.end(), link_errors_.begin(), link_errors_.end());
  return all;
}

RuleSet::DigestNeeds RuleSet::FileDigestsNeeded() const {
  DigestNeeds needs;
  for (const auto& g : yara_)
    if (g.engine && g.engine->reads_md5()) needs.md5 = true;
  for (const auto& rule : rules_) {
    if (!rule->AppliesTo(LogType::kFile)) continue;
    needs.md5 = needs.md5 || rule->MatchesOnField("MD5");
    needs.sha1 = needs.sha1 || rule->MatchesOnField("SHA1");
  }
  return needs;
}

bool RuleSet::Add(std::shared_ptr<const Rule> rule) {
  auto [at, added] = index_by_id_.emplace(rule->id(), rules_.size());
  if (!added) {
    const Rule& first = *rules_[at->second];
    errors_.push_back({rule->origin(), Status::InvalidArgument(rule->origin() + ": duplicate rule id " + rule->id() +
                                                               " (first in " + first.origin() + ")")});
    return false;
  }
  rules_.push_back(std::move(rule));
  return true;
}

std::vector<RuleCover> RuleSet::Covers(LogType type) const {
  std::vector<RuleCover> out;
  // Literals serve readers whose records' raw bytes hold every field value
  // as it stands: text logs, and events (EventRecord::Raw, every decoded
  // value). A file's rules are offered every file.
  const RecordFormat format = RecordFormatOf(type);
  const bool raw_text = format != RecordFormat::kFile;
  for (unsigned r = 0; r < rules_.size(); ++r) {
    if (!rules_[r]->AppliesTo(type)) continue;
    if (raw_text)
      out.push_back({r, rules_[r]->Cover(type), rules_[r]->Requirements(type)});
    else
      out.push_back({r, std::nullopt, {}});
  }
  return out;
}

Status RuleSet::AddDirectory(FileSystem* fs, const std::string& dir, Files which) {
  auto is_ioc = [](std::string_view name) { return EndsWithIgnoreCase(name, ".txt") && IocListKindOf(name); };
  auto wanted = [&](std::string_view name) {
    return (which != Files::kYara && IsSigmaFile(name)) || (which != Files::kSigma && IsYaraFile(name)) ||
           (which == Files::kAll && is_ioc(name));
  };
  auto info = fs->Stat(dir);
  if (!info.ok()) return info.status();
  if (info->is_regular) {
    auto file = fs->Open(dir);
    if (!file.ok()) return file.status();
    if (IsYaraFile(dir))
      AddYaraText(file.value()->bytes(), dir);
    else
      AddText(file.value()->bytes(), dir);
    return Status::Ok();
  }
  std::vector<std::string> stack = {dir};
  std::vector<std::string> files;
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    std::vector<DirEntry> entries;
    Status s = fs->List(d, &entries);
    if (!s.ok()) {
      errors_.push_back({d, s});
      continue;
    }
    for (const auto& e : entries) {
      std::string p = JoinPath(d, e.name);
      if (e.is_dir)
        stack.push_back(p);
      else if (e.is_regular && wanted(e.name))
        files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  // Sigma files are parsed on every load thread (YAML is most of a large
  // rule folder's start-up) and taken in file order, as if one by one.
  std::vector<std::string> sigma_texts(files.size());
  std::vector<std::vector<ParsedDocument>> parsed(files.size());
  std::vector<Status> open_errors(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (IsYaraFile(files[i]) || is_ioc(files[i])) continue;
    auto file = fs->Open(files[i]);
    if (file.ok())
      sigma_texts[i] = std::string(file.value()->bytes());
    else
      open_errors[i] = file.status();
  }
  {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i; (i = next.fetch_add(1)) < files.size();)
        if (!sigma_texts[i].empty()) parsed[i] = ParseDocuments(sigma_texts[i], files[i]);
    };
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < load_threads_; ++t) threads.emplace_back(work);
    work();
    for (auto& t : threads) t.join();
  }
  std::vector<YaraInput> yara;  // compiled together at the end: one engine per folder
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& p = files[i];
    if (IsYaraFile(p) || is_ioc(p)) {
      auto file = fs->Open(p);
      if (!file.ok()) {
        errors_.push_back({p, file.status()});
      } else if (IsYaraFile(p)) {
        yara.push_back({std::string(file.value()->bytes()), p});
      } else {
        AddIocText(file.value()->bytes(), p, *IocListKindOf(p));
      }
      continue;
    }
    if (!open_errors[i].ok())
      errors_.push_back({p, open_errors[i]});
    else
      Absorb(std::move(parsed[i]));
  }
  Link();
  AddYaraTexts(yara);
  return Status::Ok();
}

}  // namespace exhunt
