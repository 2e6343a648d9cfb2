#include "report/exposure_report.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"

namespace exhunt {

namespace {

std::string BuildText(const Build& b, bool cu_only) {
  std::string s = b.ToString();
  return cu_only ? s.substr(0, s.rfind('.')) : s;
}

}  // namespace

bool IsExposed(const ExposureAssessment& a) {
  for (const auto& c : a.cves)
    if (IsOpen(c.status)) return true;
  return false;
}

std::string ExposureAnswer(const ExposureAssessment& a) {
  if (!a.build) return "UNKNOWN: the evidence shows no build (ExSetup.exe, log headers, OWA folders)";
  if (!a.cves.empty() && std::all_of(a.cves.begin(), a.cves.end(),
                                     [](const CveExposure& c) { return c.status == CveStatus::kUnknownBuild; }))
    return "UNKNOWN: build " + BuildText(*a.build, a.cu_only) + " is not in the build table; nothing can be said";
  std::vector<std::string> open, unproven, unlisted;
  const CveExposure* newest_fix = nullptr;  // the update that fixes every CVE this CU line can fix
  std::vector<std::string> need_upgrade;
  for (const auto& c : a.cves) {
    if (IsOpen(c.status)) {
      open.push_back(c.cve);
      if (c.status == CveStatus::kVulnerable && c.fixed_build &&
          (!newest_fix || *newest_fix->fixed_build < *c.fixed_build))
        newest_fix = &c;
      if (c.status != CveStatus::kVulnerable) need_upgrade.push_back(c.cve);
    } else if (c.status == CveStatus::kNotListed) {
      unlisted.push_back(c.cve);
    } else if (c.status != CveStatus::kFixed && c.status != CveStatus::kDependsOnConfiguration) {
      unproven.push_back(c.cve);
    }
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size() && i < 4; ++i) out += (i ? ", " : "") + v[i];
    if (v.size() > 4) out += fmt::format(" (+{} more)", v.size() - 4);
    return out;
  };
  const std::string build = BuildText(*a.build, a.cu_only);
  if (!open.empty()) {
    std::string text = "OPEN: " + list(open) + " on " + build + " —";
    if (newest_fix)
      text += " " + newest_fix->detail + " or later";
    if (!need_upgrade.empty())
      text += std::string(newest_fix ? ";" : "") + " " + list(need_upgrade) +
              (need_upgrade.size() == 1 ? " needs" : " need") + " an upgrade to a supported CU and its update";
    return text;
  }
  std::string unlisted_note =
      unlisted.empty() ? "" : "; Microsoft does not list this product for " + list(unlisted) + " (unknown, not safe)";
  if (!unproven.empty())
    return "NOT PROVEN: " + list(unproven) + " on " + build + " cannot be settled from the build alone (see the table)" +
           unlisted_note;
  return "PATCHED: no exploited CVE is open on " + build + unlisted_note;
}

void WriteExposureMembers(const ExposureAssessment& a, JsonWriter& w) {
  auto opt_build = [&](const std::optional<Build>& b) {
    if (b)
      w.String(b->ToString());
    else
      w.Null();
  };
  w.Key("build");
  opt_build(a.build);
  w.Key("cu_only").Bool(a.cu_only);
  w.Key("product");
  if (a.build)
    w.String(ProductOf(*a.build));
  else
    w.Null();
  w.Key("cu").OptString(a.cu_line).Key("build_name").OptString(a.build_name);
  w.Key("build_source").String(a.build_source).Key("exposed").Bool(IsExposed(a));
  w.Key("answer").String(ExposureAnswer(a));
  w.Key("evidence").BeginArray();
  for (const auto& e : a.evidence) {
    w.BeginObject().Key("source").String(e.source).Key("where").String(e.where);
    w.Key("build").String(BuildText(e.build, e.cu_only)).Key("proves").String(e.proves);
    w.Key("first_seen");
    if (e.first_seen)
      w.String(FormatIsoTime(*e.first_seen));
    else
      w.Null();
    w.Key("seen");
    if (e.seen)
      w.String(FormatIsoTime(*e.seen));
    else
      w.Null();
    w.EndObject();
  }
  w.EndArray().Key("cves").BeginArray();
  for (const auto& c : a.cves) {
    w.BeginObject().Key("cve").String(c.cve).Key("aka").String(c.aka);
    w.Key("status").String(CveStatusName(c.status)).Key("fixing_update").String(c.fixing_update);
    w.Key("kb").String(c.fix_kb).Key("fixed_build");
    opt_build(c.fixed_build);
    w.Key("kev_date_added");
    if (c.kev_date_added.empty())
      w.Null();
    else
      w.String(c.kev_date_added);
    w.Key("mitigation_that_counts").String(c.mitigation).Key("mitigated_by");
    if (c.mitigated_by.empty())
      w.Null();
    else
      w.String(c.mitigated_by);
    w.Key("detail").String(c.detail).EndObject();
  }
  w.EndArray().Key("mitigations").BeginArray();
  for (const auto& m : a.mitigations) {
    w.BeginObject().Key("name").String(m.name).Key("cves").StringArray(m.cves);
    w.Key("state").String(MitigationStateName(m.state)).Key("where").String(m.where);
    w.Key("detail").String(m.detail).EndObject();
  }
  w.EndArray().Key("notes").StringArray(a.notes);
}

void WriteExposureText(const ExposureAssessment& a, std::ostream& out, const std::string& in) {
  if (!a.build) {
    out << in << "build: unknown (no ExSetup.exe, log header or OWA folder found)\n";
  } else {
    const auto& cu = a.cu_line;
    std::string shown = a.cu_only ? a.build->ToString().substr(0, a.build->ToString().rfind('.')) : a.build->ToString();
    out << in << "build " << shown << ": "
        << (a.build_name ? *a.build_name
                         : std::string(ProductOf(*a.build)) + (cu ? " " + *cu : "") +
                               (a.cu_only ? " (security update level unknown)" : " (build not in the table)"))
        << "\n"
        << in << "  from " << a.build_source << "\n";
  }
  for (const auto& e : a.evidence)
    out << in << "  evidence: " << e.source << (e.where.empty() ? "" : " " + e.where) << " -> "
        << (e.cu_only ? e.build.ToString().substr(0, e.build.ToString().rfind('.')) : e.build.ToString()) << " ("
        << e.proves
        << (e.first_seen && e.seen
                ? ", seen " + FormatIsoTime(*e.first_seen).substr(0, 16) + " .. " + FormatIsoTime(*e.seen).substr(0, 16)
                : "")
        << ")\n";
  for (const auto& n : a.notes) out << in << "  note: " << n << "\n";
  if (!a.cves.empty()) {
    out << in << fmt::format("  {:<16} {:<26} {:<11} {}\n", "CVE", "status", "KEV added", "what to do / why");
    for (const auto& c : a.cves) {
      out << in
          << fmt::format("  {:<16} {:<26} {:<11} {}\n", c.cve, CveStatusName(c.status),
                         c.kev_date_added.empty() ? "-" : c.kev_date_added, c.detail);
      // Not "is it open" (IsOpen): ambiguous and unknown builds too deserve
      // the mitigation that would count.
      bool worth_mitigating = c.status != CveStatus::kFixed && c.status != CveStatus::kNotListed;
      if (worth_mitigating && !c.mitigation.empty() && c.mitigated_by.empty()) {
        // The table's text: its first sentence is what would count.
        std::string m = c.mitigation.substr(0, c.mitigation.find(". "));
        if (m.size() > 150) m = m.substr(0, 147) + "...";
        out << in << std::string(57, ' ') << "mitigation that would count: " << m << "\n";
      }
    }
  }
  for (const auto& m : a.mitigations)
    out << in << "  mitigation: " << m.name << ": " << MitigationStateName(m.state)
        << (m.where.empty() ? "" : " (" + m.where + ")") << (m.detail.empty() ? "" : " - " + m.detail) << "\n";
}

}  // namespace exhunt
