#include "exposure/exposure_table.h"

#include <algorithm>
#include <deque>
#include <set>

#include "base/text.h"
#include "base/time.h"
#include "record/log_format.h"
#include "rule/builtin_rules.h"

namespace exhunt {

bool IsOpen(CveStatus s) {
  return s == CveStatus::kVulnerable || s == CveStatus::kFixedInLaterCu || s == CveStatus::kNoFix;
}

std::string_view CveStatusName(CveStatus s) {
  switch (s) {
    case CveStatus::kFixed:
      return "fixed";
    case CveStatus::kVulnerable:
      return "vulnerable";
    case CveStatus::kFixedInLaterCu:
      return "fixed in a later CU";
    case CveStatus::kNoFix:
      return "CU out of support: no fix";
    case CveStatus::kAmbiguous:
      return "ambiguous";
    case CveStatus::kDependsOnConfiguration:
      return "depends on configuration";
    case CveStatus::kNotListed:
      return "not listed";
    case CveStatus::kUnknownBuild:
      return "unknown build";
  }
  return "unknown build";
}

namespace {

// Rows of a CSV text as name -> value maps (header row first).
Result<std::vector<std::map<std::string, std::string>>> ReadCsv(std::string_view text, const std::string& name) {
  std::vector<std::map<std::string, std::string>> rows;
  std::vector<std::string_view> fields;
  StringArena storage;
  std::vector<std::string> header;
  size_t pos = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;
  while (pos < text.size()) {
    size_t consumed = 0;
    if (ParseCsvRecord(text.substr(pos), &consumed, &fields, &storage) != CsvParse::kOk)
      return Status::Corrupt(name + ": broken quoting near byte " + std::to_string(pos));
    pos += consumed;
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (header.empty()) {
      for (auto f : fields) header.emplace_back(f);
      continue;
    }
    if (fields.size() != header.size())
      return Status::Corrupt(name + ": row " + std::to_string(rows.size() + 2) + " has " +
                             std::to_string(fields.size()) + " fields, header has " + std::to_string(header.size()));
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = std::string(fields[i]);
    rows.push_back(std::move(row));
    storage.Reset();
  }
  return rows;
}

std::string FirstToken(std::string_view s) {
  s = Trim(s);
  size_t end = s.find_first_of(" (");
  return std::string(end == std::string_view::npos ? s : s.substr(0, end));
}

const std::string& Get(const std::map<std::string, std::string>& row, const std::string& key) {
  static const std::string kEmpty;
  auto it = row.find(key);
  return it == row.end() ? kEmpty : it->second;
}

}  // namespace

std::optional<int> CuOrdinal(std::string_view cu) {
  std::string t = FirstToken(cu);
  if (EqualsIgnoreCase(t, "Preview")) return -1;
  if (EqualsIgnoreCase(t, "RTM") || EqualsIgnoreCase(t, "SP3")) return 0;
  if (EqualsIgnoreCase(t, "SP1")) return 4;  // Exchange 2013 SP1 is CU4
  uint64_t n;
  if (StartsWithIgnoreCase(t, "CU") && ParseUint(std::string_view(t).substr(2), &n)) return int(n);
  return std::nullopt;
}

bool CuRangeCovers(std::string_view range, int n) {
  for (auto part : Split(range, ',')) {
    std::string_view p = Trim(part);
    if (EqualsIgnoreCase(p, "all")) return true;
    if (EndsWithIgnoreCase(p, " and earlier")) {
      auto cu = CuOrdinal(p.substr(0, p.size() - 12));
      if (cu && n <= *cu) return true;
      continue;
    }
    if (StartsWithIgnoreCase(p, "all CUs before ")) {
      auto cu = CuOrdinal(p.substr(15));
      if (cu && n < *cu) return true;
      continue;
    }
    size_t dash = p.find('-');
    if (dash != std::string_view::npos) {
      auto lo = CuOrdinal(p.substr(0, dash)), hi = CuOrdinal(p.substr(dash + 1));
      if (lo && hi && n >= *lo && n <= *hi) return true;
      continue;
    }
    auto cu = CuOrdinal(p);
    if (cu && *cu == n) return true;
  }
  return false;
}

Result<std::shared_ptr<const ExposureTable>> ExposureTable::LoadBuiltin() {
  std::string_view builds, cves, kev;
  for (const auto& f : BuiltinRuleFiles()) {
    if (f.path == "exposure/exchange_builds.csv") builds = f.content;
    if (f.path == "exposure/cve_fixed_builds.csv") cves = f.content;
    if (f.path == "exposure/kev_exchange.csv") kev = f.content;
  }
  if (builds.empty() || cves.empty() || kev.empty()) return Status::NotFound("built-in exposure table is missing");
  return Load(builds, cves, kev);
}

Result<std::shared_ptr<const ExposureTable>> ExposureTable::Load(std::string_view builds_csv, std::string_view cves_csv,
                                                                 std::string_view kev_csv) {
  std::shared_ptr<ExposureTable> t(new ExposureTable());
  auto builds = ReadCsv(builds_csv, "exchange_builds.csv");
  if (!builds.ok()) return builds.status();
  for (const auto& r : builds.value()) {
    auto b = ParseBuild(Get(r, "build_short"));
    if (!b) return Status::Corrupt("exchange_builds.csv: bad build '" + Get(r, "build_short") + "'");
    KnownBuild k;
    k.build = *b;
    k.product = Get(r, "product");
    k.cu_line = Get(r, "cu_line");
    k.update = Get(r, "update");
    k.release_type = Get(r, "release_type");
    k.release_name = Get(r, "release_name");
    k.release_date = Get(r, "release_date").empty() ? Get(r, "release_month") : Get(r, "release_date");
    k.kb = Get(r, "kb");
    k.confidence = Get(r, "confidence");
    t->builds_.push_back(std::move(k));
  }
  std::stable_sort(t->builds_.begin(), t->builds_.end(),
                   [](const KnownBuild& a, const KnownBuild& b) { return a.build < b.build; });
  auto cves = ReadCsv(cves_csv, "cve_fixed_builds.csv");
  if (!cves.ok()) return cves.status();
  for (const auto& r : cves.value()) {
    CveFixRow row;
    row.cve = Get(r, "cve");
    row.aka = Get(r, "aka");
    row.kev_date_added = Get(r, "kev_date_added");
    row.product = Get(r, "product");
    row.cu_line = Get(r, "cu_line");
    row.status = Get(r, "status");
    row.fixing_update = Get(r, "fixing_update");
    row.fix_release_name = Get(r, "fix_release_name");
    row.fix_kb = Get(r, "fix_kb");
    row.fix_release_date = Get(r, "fix_release_date");
    row.mitigation = Get(r, "mitigation_that_counts");
    row.confidence = Get(r, "confidence");
    row.notes = Get(r, "notes");
    if (!Get(r, "min_fixed_build").empty()) {
      row.min_fixed_build = ParseBuild(Get(r, "min_fixed_build"));
      if (!row.min_fixed_build)
        return Status::Corrupt("cve_fixed_builds.csv: bad build '" + Get(r, "min_fixed_build") + "'");
    }
    if (std::find(t->cve_order_.begin(), t->cve_order_.end(), row.cve) == t->cve_order_.end())
      t->cve_order_.push_back(row.cve);
    t->rows_.push_back(std::move(row));
  }
  auto kev = ReadCsv(kev_csv, "kev_exchange.csv");
  if (!kev.ok()) return kev.status();
  for (const auto& r : kev.value())
    t->kev_.push_back({Get(r, "cveID"), Get(r, "dateAdded"), Get(r, "dueDate"), Get(r, "vulnerabilityName"),
                       Get(r, "knownRansomwareCampaignUse")});
  return std::shared_ptr<const ExposureTable>(std::move(t));
}

const KnownBuild* ExposureTable::Find(const Build& b) const {
  auto it = std::lower_bound(builds_.begin(), builds_.end(), b,
                             [](const KnownBuild& k, const Build& x) { return k.build < x; });
  return it != builds_.end() && it->build == b ? &*it : nullptr;
}

std::pair<const KnownBuild*, const KnownBuild*> ExposureTable::Nearest(const Build& b) const {
  auto it = std::lower_bound(builds_.begin(), builds_.end(), b,
                             [](const KnownBuild& k, const Build& x) { return k.build < x; });
  const KnownBuild* below = it == builds_.begin() ? nullptr : &*(it - 1);
  while (it != builds_.end() && it->build == b) ++it;
  const KnownBuild* above = it == builds_.end() ? nullptr : &*it;
  return {below, above};
}

std::optional<std::string> ExposureTable::CuLineOf(const Build& b) const {
  for (const auto& k : builds_)
    if (k.build.SameCuLine(b) && k.product == ProductOf(b)) return k.cu_line;
  return std::nullopt;
}

const KevEntry* ExposureTable::Kev(const std::string& cve) const {
  for (const auto& k : kev_)
    if (k.cve == cve) return &k;
  return nullptr;
}

CveExposure ExposureTable::EvaluateOne(const std::string& cve, const Build& b, const std::string& product,
                                       const std::optional<std::string>& cu) const {
  CveExposure e;
  e.cve = cve;
  if (const KevEntry* k = Kev(cve)) e.kev_date_added = k->date_added;
  std::vector<const CveFixRow*> mine;
  bool config_dependent = false;
  for (const auto& r : rows_) {
    if (r.cve != cve) continue;
    if (e.aka.empty()) e.aka = r.aka;
    if (r.status == "mitigation_only") config_dependent = true;
    if (r.product == product) mine.push_back(&r);
  }
  auto fill = [&](const CveFixRow& r) {
    e.fixing_update = r.fixing_update;
    e.fix_kb = r.fix_kb;
    e.fix_release_date = r.fix_release_date;
    e.fixed_build = r.min_fixed_build;
    if (e.mitigation.empty()) e.mitigation = r.mitigation;
  };
  for (const auto* r : mine)
    if (e.mitigation.empty()) e.mitigation = r->mitigation;
  if (mine.empty()) {
    e.status = CveStatus::kNotListed;
    e.detail = "Microsoft lists no fix for " + (product.empty() ? std::string("this product") : product) +
               ": unknown, not safe";
    return e;
  }
  if (!cu) {
    e.status = CveStatus::kUnknownBuild;
    e.detail = "build " + b.ToString() + " is not in the build table: its CU line is unknown";
    return e;
  }
  const std::string line = FirstToken(*cu);
  const std::optional<int> n = CuOrdinal(*cu);
  for (const auto* r : mine) {
    if (r->status == "ambiguous_build" && r->min_fixed_build && *r->min_fixed_build == b) {
      fill(*r);
      e.status = CveStatus::kAmbiguous;
      e.detail =
          "this build is the March 2021 security update for an old CU, which does not contain earlier "
          "updates";
      for (const auto* f : mine)
        if (f->status == "fixed_by_su" && FirstToken(f->cu_line) == line) {
          fill(*f);
          e.detail += ": verify that " + (f->fix_release_name.empty() ? f->fixing_update : f->fix_release_name) +
                      (f->fix_kb.empty() ? "" : " (" + f->fix_kb + ")") + " is installed";
        }
      return e;
    }
  }
  // The CU line's own security update.
  for (const auto* r : mine) {
    if (r->status != "fixed_by_su" || FirstToken(r->cu_line) != line || !r->min_fixed_build) continue;
    fill(*r);
    if (b >= *r->min_fixed_build) {
      e.status = config_dependent ? CveStatus::kDependsOnConfiguration : CveStatus::kFixed;
      e.detail = "fixed by " + r->fixing_update + " (" + r->min_fixed_build->ToString() + ")";
      return e;
    }
    // Sources disagree on some updates' build numbers: a known build of the
    // same update below the table's value proves nothing either way.
    for (const auto& k : builds_) {
      if (k.build == b && !k.update.empty() && r->fixing_update.rfind(k.update, 0) == 0) {
        e.status = CveStatus::kAmbiguous;
        e.detail = "sources disagree on the build of " + k.update + " for " + *cu + " (" + b.ToString() + " or " +
                   r->min_fixed_build->ToString() + "): likely patched, verify " + r->fix_kb + " is installed";
        return e;
      }
    }
    e.status = CveStatus::kVulnerable;
    e.detail = "install " + (r->fix_release_name.empty() ? r->fixing_update : r->fix_release_name) +
               (r->fix_kb.empty() ? "" : " (" + r->fix_kb + ")") + ", build " + r->min_fixed_build->ToString();
    return e;
  }
  // A later CU that contains the fix.
  const CveFixRow* later = nullptr;
  for (const auto* r : mine) {
    if (r->status != "fixed_in_cu" || !r->min_fixed_build) continue;
    // Every build of the fixing CU or later: judged by CU line, so that a
    // version below the CU's ExSetup number (OWA's 15.2.858.2 on CU9) counts.
    if (b >= *r->min_fixed_build || b.SameCuLine(*r->min_fixed_build)) {
      fill(*r);
      e.status = config_dependent ? CveStatus::kDependsOnConfiguration : CveStatus::kFixed;
      e.detail = config_dependent ? "protected while Extended Protection stays enabled (on by default from " +
                                        r->min_fixed_build->ToString() + ")"
                                  : "fixed from " + r->min_fixed_build->ToString() + " (" + r->cu_line + ")";
      return e;
    }
    if (!later || *r->min_fixed_build < *later->min_fixed_build) later = r;
  }
  for (const auto* r : mine) {
    if (r->status == "mitigation_only" && FirstToken(r->cu_line) == line) {
      fill(*r);
      // "CU22 (EP supported from Aug22SU 15.1.2375.31)": below that build EP cannot be enabled.
      size_t from = r->cu_line.find("supported from ");
      if (from != std::string::npos) {
        std::string rest = r->cu_line.substr(from + 15);
        size_t sp = rest.find(' ');
        std::string update = sp == std::string::npos ? rest : rest.substr(0, sp);
        auto needed = sp == std::string::npos ? std::nullopt : ParseBuild(rest.substr(sp + 1, rest.find(')') - sp - 1));
        if (needed && b < *needed) {
          e.status = CveStatus::kVulnerable;
          e.fixed_build = needed;
          e.detail = "no code fix for " + *cu + ", and Extended Protection needs " + update + " (" +
                     needed->ToString() + ") or later: update, then enable it on every virtual directory";
          return e;
        }
      }
      e.status = CveStatus::kDependsOnConfiguration;
      e.detail = "no code fix for " + *cu +
                 ": protected only while Extended Protection is enabled on every virtual "
                 "directory";
      return e;
    }
  }
  for (const auto* r : mine) {
    if (r->status == "not_listed" && (Trim(r->cu_line) == "all" || FirstToken(r->cu_line) == line)) {
      e.status = CveStatus::kNotListed;
      e.detail = "Microsoft does not list " + product + (product.find(*cu) == std::string::npos ? " " + *cu : "") +
                 " for this CVE: unknown, not safe";
      return e;
    }
  }
  for (const auto* r : mine) {
    if (r->status == "no_fix_available" && n && CuRangeCovers(r->cu_line, *n)) {
      e.status = CveStatus::kNoFix;
      if (later) {
        fill(*later);
        e.detail = *cu + " was out of support when the fix shipped: upgrade to a supported CU and its update";
      } else {
        e.detail = *cu + " never got a fix: upgrade";
      }
      return e;
    }
  }
  // Older than every CU line Microsoft lists for this product: no update exists for it.
  std::optional<int> oldest;
  for (const auto* r : mine) {
    auto o = CuOrdinal(r->cu_line);
    if (o && (!oldest || *o < *oldest)) oldest = o;
  }
  if (n && oldest && *n < *oldest) {
    e.status = CveStatus::kNoFix;
    if (later) fill(*later);
    e.detail = *cu + " is older than every CU Microsoft lists for this CVE: upgrade";
    return e;
  }
  if (later) {
    fill(*later);
    e.status = CveStatus::kFixedInLaterCu;
    e.detail =
        "no update for " + *cu + ": the fix is in " + later->cu_line + " (" + later->min_fixed_build->ToString() + ")";
    return e;
  }
  e.status = CveStatus::kNotListed;
  e.detail = "the table has no entry for " + product + " " + *cu;
  return e;
}

std::vector<CveExposure> ExposureTable::Evaluate(const Build& b) const {
  std::string product(ProductOf(b));
  std::vector<CveExposure> out;
  if (!Find(b)) {
    // Never guessed: name the neighbours and stop.
    auto [below, above] = Nearest(b);
    std::string near;
    if (below) near += below->build.ToString() + " (" + below->release_name + ")";
    if (above)
      near += std::string(near.empty() ? "" : " and ") + above->build.ToString() + " (" + above->release_name + ")";
    for (const auto& cve : cve_order_) {
      CveExposure e;
      e.cve = cve;
      for (const auto& r : rows_)
        if (r.cve == cve) e.aka = r.aka;
      if (const KevEntry* k = Kev(cve)) e.kev_date_added = k->date_added;
      e.status = CveStatus::kUnknownBuild;
      e.detail =
          "build " + b.ToString() + " is not in the build table" + (near.empty() ? "" : "; nearest known: " + near);
      out.push_back(std::move(e));
    }
    return out;
  }
  std::optional<std::string> cu = CuLineOf(b);
  for (const auto& cve : cve_order_) out.push_back(EvaluateOne(cve, b, product, cu));
  return out;
}

std::vector<CveExposure> ExposureTable::EvaluateCuLine(const Build& b) const {
  // The first and the last known build of the CU line bound every SU on it.
  const KnownBuild* first = nullptr;
  const KnownBuild* last = nullptr;
  for (const auto& k : builds_) {
    if (!k.build.SameCuLine(b) || k.product != ProductOf(k.build)) continue;
    if (!first) first = &k;
    last = &k;
  }
  if (!first) return Evaluate(b);  // unknown CU line: reported as unknown
  std::vector<CveExposure> lo = Evaluate(first->build), hi = Evaluate(last->build);
  for (size_t i = 0; i < lo.size(); ++i) {
    if (lo[i].status == hi[i].status) {
      lo[i].detail = "same for every known build of " + *CuLineOf(b) + ": " + lo[i].detail;
      continue;
    }
    hi[i].status = CveStatus::kAmbiguous;
    hi[i].detail = "the CU (" + *CuLineOf(b) + ") alone does not tell: at its first build " + first->build.ToString() +
                   " " + std::string(CveStatusName(lo[i].status)) + ", at " + last->build.ToString() + " " +
                   std::string(CveStatusName(Evaluate(last->build)[i].status)) + "; the security update level decides";
    lo[i] = hi[i];
  }
  return lo;
}

std::vector<std::string> ExposureTable::Check() const {
  std::vector<std::string> problems;
  static const std::set<std::string> kStatuses = {"fixed_by_su", "fixed_in_cu",     "no_fix_available",
                                                  "not_listed",  "mitigation_only", "ambiguous_build"};
  for (const auto& k : builds_) {
    if (ProductOf(k.build) != k.product)
      problems.push_back("build " + k.build.ToString() + " is listed as " + k.product + " but its number says " +
                         std::string(ProductOf(k.build)));
    if (!CuOrdinal(k.cu_line))
      problems.push_back("build " + k.build.ToString() + ": unknown CU line '" + k.cu_line + "'");
    if (!k.release_date.empty() && !ParseIsoTime(k.release_date.size() == 7 ? k.release_date + "-01" : k.release_date))
      problems.push_back("build " + k.build.ToString() + ": bad date '" + k.release_date + "'");
  }
  for (const auto& r : rows_) {
    std::string where = r.cve + " " + r.product + " '" + r.cu_line + "'";
    if (!kStatuses.count(r.status)) problems.push_back(where + ": unknown status '" + r.status + "'");
    bool needs_build = r.status == "fixed_by_su" || r.status == "fixed_in_cu" || r.status == "ambiguous_build";
    if (needs_build && !r.min_fixed_build) problems.push_back(where + ": no fixed build");
    if (r.min_fixed_build) {
      if (ProductOf(*r.min_fixed_build) != r.product)
        problems.push_back(where + ": fixed build " + r.min_fixed_build->ToString() + " is not " + r.product);
      if (r.status == "fixed_by_su" && !Find(*r.min_fixed_build))
        problems.push_back(where + ": fixed build " + r.min_fixed_build->ToString() + " is not in exchange_builds.csv");
      if (r.status == "fixed_by_su") {
        auto cu = CuLineOf(*r.min_fixed_build);
        if (cu && FirstToken(*cu) != FirstToken(r.cu_line))
          problems.push_back(where + ": fixed build " + r.min_fixed_build->ToString() + " belongs to " + *cu);
      }
    }
    if (r.status == "no_fix_available") {
      bool any = false;
      for (int n = -1; n <= 30; ++n) any = any || CuRangeCovers(r.cu_line, n);
      if (!any) problems.push_back(where + ": CU range covers no CU");
    }
    const KevEntry* kev = Kev(r.cve);
    if (kev && !r.kev_date_added.empty() && kev->date_added != r.kev_date_added)
      problems.push_back(where + ": KEV date " + r.kev_date_added + " differs from kev_exchange.csv " +
                         kev->date_added);
  }
  for (const auto& k : kev_)
    if (std::find(cve_order_.begin(), cve_order_.end(), k.cve) == cve_order_.end())
      problems.push_back(k.cve + " is in KEV but has no fixed-build rows");
  return problems;
}

}  // namespace exhunt
