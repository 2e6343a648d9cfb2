#include "exposure/tree_assessment.h"

#include <algorithm>
#include <deque>
#include <map>

#include "base/text.h"
#include "reader/iis_config.h"
#include "reader/pe_version.h"
#include "record/log_format.h"

namespace exhunt {

namespace {

// The versions and update level each known EOMTv2 rule pattern had; every
// pattern but the last was bypassed within days of its release.
struct RulePattern {
  const char* input;
  const char* pattern;
  bool current;
};
constexpr RulePattern kProxyNotShellPatterns[] = {
    {"{REQUEST_URI}", ".*autodiscover\\.json.*\\@.*Powershell.*", false},
    {"{REQUEST_URI}", ".*autodiscover\\.json.*Powershell.*", false},
    {"{UrlDecode: {REQUEST_URI}}", ".*autodiscover\\.json.*Powershell.*", false},
    {"{UrlDecode:{REQUEST_URI}}", ".*autodiscover\\.json.*Powershell.*", false},
    {"{UrlDecode:{REQUEST_URI}}", "(?=.*autodiscover)(?=.*powershell)", true},
};
constexpr const char* kEomtCookieNames[] = {"X-AnonResource-Backend Abort - inbound", "X-BEResource Abort - inbound"};
constexpr const char* kEomtCookiePatterns[] = {"(.*)X-AnonResource-Backend(.*)", "(.*)X-BEResource=(.+)/(.+)~(.+)"};

bool Aborts(const RewriteRule& rule) {
  return EqualsIgnoreCase(rule.action_type, "AbortRequest") || EqualsIgnoreCase(rule.action_type, "CustomResponse");
}

struct RuleHit {
  std::string name;
  bool enabled = false, aborts = false, stops = false, only_rule = false, match_all = false;
  const RulePattern* pns = nullptr;  // ProxyNotShell pattern matched
  int eomt = -1;                     // EOMT cookie rule index
};

std::vector<RuleHit> RewriteRules(const WebConfig& config) {
  std::vector<RuleHit> hits;
  for (const auto& rule : config.rules) {
    RuleHit h;
    h.name = rule.name;
    h.enabled = rule.enabled;
    h.aborts = Aborts(rule);
    h.stops = rule.stop_processing;
    h.only_rule = config.rules.size() == 1;
    h.match_all = rule.match_url == ".*" && !rule.wildcard_syntax;
    for (const auto& c : rule.conditions) {
      for (const auto& p : kProxyNotShellPatterns)
        if (c.input == p.input && c.pattern == p.pattern) h.pns = &p;
      for (int i = 0; i < 2; ++i)
        if (EqualsIgnoreCase(c.input, "{HTTP_COOKIE}") && c.pattern == kEomtCookiePatterns[i]) h.eomt = i;
    }
    if (h.pns || h.eomt >= 0) hits.push_back(std::move(h));
  }
  return hits;
}

// A child web.config that clears the inherited rules or removes these names.
std::string ChildOverride(const std::vector<std::pair<std::string, std::string>>& children,
                          const std::vector<std::string>& names) {
  for (const auto& [path, text] : children) {
    WebConfig child = ReadWebConfig(text);
    if (!child.has_rules) continue;
    if (child.clears_inherited) return path + " clears the inherited rewrite rules";
    for (const auto& removed : child.removed)
      for (const auto& n : names)
        if (EqualsIgnoreCase(removed, n)) return path + " removes rule '" + n + "'";
  }
  return "";
}

bool RewriteModuleListed(const AppHostConfig& apphost) {
  for (const auto& m : apphost.global_modules)
    if (ContainsIgnoreCase(m.image, "rewrite.dll") || EqualsIgnoreCase(m.name, "RewriteModule")) return true;
  return false;
}

}  // namespace

std::vector<MitigationFinding> AssessRewriteMitigations(
    const std::string& wwwroot_path, std::string_view wwwroot,
    const std::vector<std::pair<std::string, std::string>>& children, const std::string& apphost_path,
    std::string_view apphost, bool rewrite_dll_present) {
  MitigationFinding eomt{
      "EOMT ProxyLogon cookie rules", {"CVE-2021-26855"}, MitigationState::kAbsent, wwwroot_path, ""};
  MitigationFinding pns{
      "EOMTv2/EEMS ProxyNotShell rule", {"CVE-2022-41040"}, MitigationState::kAbsent, wwwroot_path, ""};
  if (wwwroot_path.empty()) {
    eomt.state = pns.state = MitigationState::kUnknown;
    eomt.detail = pns.detail = "no inetpub/wwwroot/web.config in the evidence";
    return {eomt, pns};
  }
  WebConfig config = ReadWebConfig(wwwroot);
  if (!config.valid) {
    eomt.state = pns.state = MitigationState::kUnknown;
    eomt.detail = pns.detail = "the Default Web Site web.config is not valid XML";
    return {eomt, pns};
  }
  auto rules = RewriteRules(config);
  bool module =
      apphost.empty() ? rewrite_dll_present : RewriteModuleListed(ReadAppHostConfig(apphost)) || rewrite_dll_present;
  std::string module_note = module ? "" : apphost.empty() ? " (URL Rewrite module presence unknown)" : "";

  // EOMT: both cookie rules, enabled and aborting.
  bool have[2] = {false, false};
  std::vector<std::string> eomt_names;
  for (const auto& r : rules)
    if (r.eomt >= 0 && r.enabled && r.aborts && r.match_all) {
      have[r.eomt] = true;
      eomt_names.push_back(r.name);
    }
  if (have[0] && have[1]) {
    eomt.state = MitigationState::kInForce;
    eomt.detail = "both cookie rules present" + module_note;
  } else if (have[0] || have[1]) {
    eomt.state = MitigationState::kInsufficient;
    eomt.detail = std::string("only the ") + (have[0] ? kEomtCookieNames[0] : kEomtCookieNames[1]) + " rule is present";
  }
  // EOMTv2 / EEMS: the final pattern, enabled, aborting, stopping (or alone).
  const RuleHit* best = nullptr;
  for (const auto& r : rules)
    if (r.pns && (!best || (r.pns->current && !best->pns->current))) best = &r;
  if (best) {
    if (!best->pns->current) {
      pns.state = MitigationState::kInsufficient;
      pns.detail = "superseded rule (" + std::string(best->pns->input) + " ~ " + best->pns->pattern +
                   "), bypassed by later exploits: apply the final EOMTv2 rule or install Nov22SU";
    } else if (!best->enabled || !best->aborts || !best->match_all || !(best->stops || best->only_rule)) {
      pns.state = MitigationState::kInsufficient;
      pns.detail = "rule '" + best->name + "' has the right pattern but is " +
                   (!best->enabled     ? "disabled"
                    : !best->aborts    ? "not aborting"
                    : !best->match_all ? "not matching every URL"
                                       : "not stopping processing");
    } else {
      pns.state = MitigationState::kInForce;
      pns.detail = "rule '" + best->name + "' present" + module_note;
    }
  }
  // A child configuration below the Default Web Site can switch them off.
  for (auto* m : {&eomt, &pns}) {
    if (m->state != MitigationState::kInForce) continue;
    std::vector<std::string> names;
    for (const auto& r : rules)
      if ((m == &eomt && r.eomt >= 0) || (m == &pns && r.pns)) names.push_back(r.name);
    std::string why = ChildOverride(children, names);
    if (!why.empty()) {
      m->state = MitigationState::kOverridden;
      m->detail = why;
    } else if (!module && !apphost.empty()) {
      m->state = MitigationState::kInsufficient;
      m->detail = "rules present, but the IIS URL Rewrite module is not installed (" + apphost_path + ")";
    }
  }
  return {eomt, pns};
}

std::vector<MitigationFinding> AssessAppHostMitigations(const std::string& apphost_path, std::string_view apphost) {
  std::vector<MitigationFinding> out;
  MitigationFinding ep{"Extended Protection on every virtual directory",
                       {"CVE-2024-21410"},
                       MitigationState::kUnknown,
                       apphost_path,
                       ""};
  if (apphost_path.empty()) {
    ep.detail = "no applicationHost.config in the evidence";
    out.push_back(ep);
    return out;
  }
  AppHostConfig config = ReadAppHostConfig(apphost);
  if (!config.valid) {
    ep.detail = "applicationHost.config is not valid XML";
    out.push_back(ep);
    return out;
  }
  // Extended Protection per Exchange virtual directory with Windows authentication.
  std::vector<std::string> off, on;
  for (const auto& win : config.windows_authentication) {
    const std::string& path = win.location;
    if (!StartsWithIgnoreCase(path, "Default Web Site/") && !StartsWithIgnoreCase(path, "Exchange Back End/")) continue;
    if (!win.enabled) continue;
    const std::string& token = win.token_checking;
    (EqualsIgnoreCase(token, "Require") || EqualsIgnoreCase(token, "Allow") ? on : off).push_back(path);
  }
  if (on.empty() && off.empty()) {
    ep.detail = "no virtual directory with Windows authentication in applicationHost.config";
  } else if (off.empty()) {
    ep.state = MitigationState::kInForce;
    ep.detail = std::to_string(on.size()) + " virtual directories require or allow channel binding";
  } else {
    ep.state = MitigationState::kAbsent;
    ep.detail = "off on " + std::to_string(off.size()) + " virtual directories (" + off[0] +
                (off.size() > 1 ? ", ..." : "") + ")";
  }
  out.push_back(ep);
  // The March 2021 interim mitigations: ECP and OAB application pools stopped.
  for (auto [pool, cve] : {std::pair<const char*, const char*>{"MSExchangeECPAppPool", "CVE-2021-27065"},
                           std::pair<const char*, const char*>{"MSExchangeOABAppPool", "CVE-2021-26858"}}) {
    for (const auto& p : config.app_pools) {
      if (!EqualsIgnoreCase(p.name, pool)) continue;
      if (!p.auto_start)
        out.push_back({std::string(pool) + " disabled (interim mitigation)",
                       {cve},
                       MitigationState::kInForce,
                       apphost_path,
                       "autoStart=false; the feature is off while it lasts"});
    }
  }
  return out;
}

namespace {

std::string ReadAll(FileSystem* fs, const std::string& path) {
  auto f = fs->Open(path);
  return f.ok() ? std::string(f.value()->bytes()) : std::string();
}

}  // namespace

ExposureAssessment AssessTree(FileSystem* fs, const DiscoveredTree& tree, const std::vector<LoggedHead>& heads,
                              const ExposureTable& table) {
  ExposureAssessment a;
  // 1. ExSetup.exe: the installed build including its security update.
  for (const auto& c : tree.exsetup) {
    auto f = fs->Open(c.path);
    if (!f.ok()) {
      a.notes.push_back(c.rel_path + ": " + f.status().message());
      continue;
    }
    auto v = ReadPeVersion(f.value()->bytes());
    if (!v.ok()) {
      a.notes.push_back(c.rel_path + ": " + v.status().message());
      continue;
    }
    a.evidence.push_back(
        {"ExSetup.exe version resource", c.rel_path, Build{v->file_version}, false, "CU and security update", {}, {}});
  }
  // 2. Version headers of HttpProxy and Rps_Http logs: the running build when
  //    each log was written; the newest tells the current state, older ones
  //    the history (when an update was installed).
  struct Seen {
    TimeMs first = INT64_MAX, last = INT64_MIN;
    std::string path;
  };
  std::map<Build, Seen> seen;
  for (const auto& log : heads) {
    if (!HeadShowsBuild(log.type)) continue;
    std::optional<Build> build;
    if (log.head.version) build = ParseBuild(*log.head.version);
    std::optional<TimeMs> date = log.head.date;
    // No #Version line: the first row's version columns say the same.
    if (!build && log.head.row_version) {
      if (!log.head.row_version->empty()) build = ParseBuild(*log.head.row_version);
      if (!date) date = log.head.row_time;
    }
    if (!build || build->major() != 15 || build->build() == 0) continue;
    Seen& s = seen[*build];
    if (date) {
      if (*date < s.first) s.first = *date;
      if (*date >= s.last) {
        s.last = *date;
        s.path = log.rel_path;
      }
    }
    if (s.path.empty()) s.path = log.rel_path;
  }
  for (const auto& [b, s] : seen) {
    BuildEvidence e{"HttpProxy/Rps_Http log header",
                    s.path,
                    b,
                    false,
                    "the running build when the log was written (may lag the installed update)",
                    {},
                    {}};
    if (s.last != INT64_MIN) {
      e.seen = s.last;
      e.first_seen = s.first;
    }
    a.evidence.push_back(std::move(e));
  }
  // 3. OWA build folders: CU only.
  for (const auto& dir : tree.owa_build_dirs) {
    bool three = false;
    auto b = ParseBuild(dir.substr(dir.rfind('/') + 1), &three);
    if (b && three)
      a.evidence.push_back({"OWA build folder", dir, *b, true, "CU only (folders stay after updates)", {}, {}});
  }
  // Mitigations from IIS configuration.
  std::string wwwroot_path = tree.wwwroot_config.empty() ? "" : tree.wwwroot_config[0].rel_path;
  std::string wwwroot = tree.wwwroot_config.empty() ? "" : ReadAll(fs, tree.wwwroot_config[0].path);
  std::string apphost_path = tree.apphost_config.empty() ? "" : tree.apphost_config[0].rel_path;
  std::string apphost = tree.apphost_config.empty() ? "" : ReadAll(fs, tree.apphost_config[0].path);
  std::vector<std::pair<std::string, std::string>> children;
  for (const auto& c : tree.child_configs) children.emplace_back(c.rel_path, ReadAll(fs, c.path));
  a.mitigations = AssessRewriteMitigations(wwwroot_path, wwwroot, children, apphost_path, apphost, tree.rewrite_dll);
  for (auto& m : AssessAppHostMitigations(apphost_path, apphost)) a.mitigations.push_back(std::move(m));
  Decide(table, &a);
  return a;
}

}  // namespace exhunt
