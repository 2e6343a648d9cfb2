// exhunt rules list | check | literals
#include <fmt/format.h>

#include <map>
#include <set>

#include "cli/commands.h"
#include "rule/prefilter.h"
#include "rule/rule_set.h"
#include "rule/yara_rule.h"

namespace exhunt {

int RunRules(const RulesCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  if (!o.sigma_placeholders.empty()) {
    if (Status s = rules.LoadSigmaPlaceholders(fs.get(), o.sigma_placeholders); !s.ok()) {
      err << "exhunt: --sigma-placeholders: " << s.message() << "\n";
      return 2;
    }
  }
  if (!o.no_builtin && (o.action == "list" || o.dirs.empty())) rules.AddBuiltin();
  for (const auto& d : o.dirs) {
    Status s = rules.AddDirectory(fs.get(), d);
    if (!s.ok()) {
      err << "exhunt: " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (o.action == "literals") {
    // The literals the prefilter searches, one per line (for rg -F -f in benchmarks).
    std::set<std::string> seen;
    for (const auto& kind : EvidenceKinds()) {
      auto pf = Prefilter::Build(rules.Covers(kind.type), kind.type);
      if (!pf.ok()) continue;
      const auto& lits = pf.value()->literals();
      for (size_t i = Prefilter::kFirstRuleLiteral; i < lits.size(); ++i)
        if (seen.insert(lits[i].text).second) out << lits[i].text << "\n";
    }
    return 0;
  }
  if (o.action == "list") {
    for (const auto& r : rules.rules()) {
      std::vector<std::string> logs;
      for (const auto& kind : EvidenceKinds())
        if (r->AppliesTo(kind.type)) logs.emplace_back(kind.name);
      std::string cves;
      for (const auto& c : r->info()->cves) cves += (cves.empty() ? "" : " ") + c;
      out << fmt::format("{:<9} {:<52} {:<28} {}\n", SeverityName(r->severity()), r->id(), cves,
                         logs.empty() ? std::string("(no text log)") : logs[0]);
    }
    for (const auto& c : rules.correlations())
      out << fmt::format("{:<9} {:<52} {:<28} {} of {} within {} s\n", SeverityName(c->info()->severity), c->info()->id,
                         Join(c->info()->cves, " "), CorrelationTypeName(c->type()), Join(c->rules(), ", "),
                         c->timespan() / 1000);
    out << rules.rules().size() << " rules";
    if (!rules.correlations().empty()) out << ", " << rules.correlations().size() << " correlations";
    out << "\n";
    return 0;
  }
  // check: load, report errors and rules that must see every record.
  int problems = 0;
  for (const auto& e : rules.errors()) {
    out << "error  " << e.status.message() << "\n";
    ++problems;
  }
  size_t slow = 0;
  std::map<RuleKind, size_t> by_kind;
  for (const auto& r : rules.rules()) {
    ++by_kind[r->info()->kind];
    for (const auto& kind : EvidenceKinds()) {
      const LogType t = kind.type;
      // Files have no prefilter: they are offered to every rule of their kind.
      if (!r->AppliesTo(t) || kind.format == RecordFormat::kFile) continue;
      auto cover = r->Cover(t);
      if (!cover) {
        out << fmt::format("slow   {} ({}): no literal to prefilter on; reads every {} record\n", r->id(), r->origin(),
                           LogTypeName(t));
        ++slow;
      } else {
        size_t shortest = SIZE_MAX;
        for (const auto& l : *cover) shortest = std::min(shortest, l.text.size());
        if (shortest < 4)
          out << fmt::format("slow   {} ({}): shortest prefilter literal has {} bytes\n", r->id(), r->origin(),
                             shortest);
      }
    }
  }
  // YARA files that every file must go through libyara for: the gate
  // (rule/yara_gate.h) cannot rule any file out for them.
  auto engines = rules.yara_engines();
  for (size_t e = 0; e < engines.size(); ++e) {
    if (engines[e]->gate()) continue;
    const auto& sources = rules.yara_sources_of(e);
    const auto& sum = engines[e]->gate_summary();
    // The gate's sources are the engine's (the files that compiled).
    auto origin = [&](size_t source) { return source < sources.size() ? sources[source].origin : "?"; };
    std::string why;
    if (sum.unread_sources > 0) {
      why = fmt::format("{} file(s) exhunt cannot read: {}: {}", sum.unread_sources, origin(sum.unread.front().source),
                        sum.unread.front().why);
    } else if (!sum.unconditional.empty()) {
      std::vector<std::string> some;
      for (size_t i = 0; i < sum.unconditional.size() && i < 3; ++i)
        some.push_back(origin(sum.unconditional[i].source) + ":" + sum.unconditional[i].rule);
      why = fmt::format("{} rule(s) may match a file whatever its bytes: {}", sum.unconditional.size(), Join(some, ", "));
    } else if (sum.too_many_atoms) {
      why = fmt::format("{} literals to search in every file, more than the {} the gate pays for", sum.common_atoms,
                        YaraGate::kMaxAtoms);
    } else {
      why = "the gate could not be built";
    }
    std::string where = sources.empty() ? "rules" : sources.front().origin;
    if (size_t slash = where.rfind('/'); slash != std::string::npos) where = where.substr(0, slash);
    out << fmt::format("slow   YARA files of {}: every file goes to libyara ({})\n", where, why);
    ++slow;
  }
  std::vector<std::string> kinds;
  for (const auto& [k, n] : by_kind) kinds.push_back(fmt::format("{} {}", n, RuleKindName(k)));
  if (!rules.correlations().empty()) kinds.push_back(fmt::format("{} correlation", rules.correlations().size()));
  out << fmt::format("{} rules loaded ({}), {} not loaded, {} slow\n", rules.rules().size() + rules.correlations().size(),
                     kinds.empty() ? std::string("none") : Join(kinds, ", "), rules.errors().size(), slow);
  return problems ? 1 : 0;
}

}  // namespace exhunt
