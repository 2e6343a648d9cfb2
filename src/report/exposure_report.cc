#include "report/exposure_report.h"

#include <fmt/format.h>

#include "base/text.h"

namespace exhunt {

namespace {

std::string Q(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  return out + "\"";
}

std::string OptBuild(const std::optional<Build>& b) { return b ? Q(b->ToString()) : "null"; }

}  // namespace

bool IsExposed(const ExposureAssessment& a) {
  for (const auto& c : a.cves)
    if (c.status == CveStatus::kVulnerable || c.status == CveStatus::kFixedInLaterCu || c.status == CveStatus::kNoFix)
      return true;
  return false;
}

std::string ExposureJsonBody(const ExposureAssessment& a, const ExposureTable& table) {
  std::string out = "{\"build\":" + OptBuild(a.build) + ",\"cu_only\":" + (a.cu_only ? "true" : "false");
  const KnownBuild* known = a.build ? table.Find(*a.build) : nullptr;
  auto cu = a.build ? table.CuLineOf(*a.build) : std::nullopt;
  out += ",\"product\":" + (a.build ? Q(ProductOf(*a.build)) : "null") + ",\"cu\":" + (cu ? Q(*cu) : "null") +
         ",\"build_name\":" + (known ? Q(known->release_name) : "null") + ",\"build_source\":" + Q(a.build_source) +
         ",\"exposed\":" + (IsExposed(a) ? "true" : "false") + ",\"evidence\":[";
  for (size_t i = 0; i < a.evidence.size(); ++i) {
    const auto& e = a.evidence[i];
    out += (i ? "," : "") + std::string("{\"source\":") + Q(e.source) + ",\"where\":" + Q(e.where) +
           ",\"build\":" + Q(e.cu_only ? e.build.ToString().substr(0, e.build.ToString().rfind('.')) : e.build.ToString()) +
           ",\"proves\":" + Q(e.proves) + ",\"first_seen\":" + (e.first_seen ? Q(FormatIsoTime(*e.first_seen)) : "null") +
           ",\"seen\":" + (e.seen ? Q(FormatIsoTime(*e.seen)) : "null") + "}";
  }
  out += "],\"cves\":[";
  for (size_t i = 0; i < a.cves.size(); ++i) {
    const auto& c = a.cves[i];
    out += (i ? "," : "") + std::string("{\"cve\":") + Q(c.cve) + ",\"aka\":" + Q(c.aka) +
           ",\"status\":" + Q(CveStatusName(c.status)) + ",\"fixing_update\":" + Q(c.fixing_update) +
           ",\"kb\":" + Q(c.fix_kb) + ",\"fixed_build\":" + OptBuild(c.fixed_build) +
           ",\"kev_date_added\":" + (c.kev_date_added.empty() ? "null" : Q(c.kev_date_added)) +
           ",\"mitigation_that_counts\":" + Q(c.mitigation) +
           ",\"mitigated_by\":" + (c.mitigated_by.empty() ? "null" : Q(c.mitigated_by)) + ",\"detail\":" + Q(c.detail) + "}";
  }
  out += "],\"mitigations\":[";
  for (size_t i = 0; i < a.mitigations.size(); ++i) {
    const auto& m = a.mitigations[i];
    out += (i ? "," : "") + std::string("{\"name\":") + Q(m.name) + ",\"cves\":[";
    for (size_t k = 0; k < m.cves.size(); ++k) out += (k ? "," : "") + Q(m.cves[k]);
    out += "],\"state\":" + Q(MitigationStateName(m.state)) + ",\"where\":" + Q(m.where) + ",\"detail\":" + Q(m.detail) + "}";
  }
  out += "],\"notes\":[";
  for (size_t i = 0; i < a.notes.size(); ++i) out += (i ? "," : "") + Q(a.notes[i]);
  return out + "]}";
}

void WriteExposureText(const ExposureAssessment& a, const ExposureTable& table, std::ostream& out,
                       const std::string& in) {
  if (!a.build) {
    out << in << "build: unknown (no ExSetup.exe, log header or OWA folder found)\n";
  } else {
    const KnownBuild* known = table.Find(*a.build);
    auto cu = table.CuLineOf(*a.build);
    std::string shown = a.cu_only ? a.build->ToString().substr(0, a.build->ToString().rfind('.')) : a.build->ToString();
    out << in << "build " << shown << ": "
        << (known ? known->release_name : std::string(ProductOf(*a.build)) + (cu ? " " + *cu : "") +
                                              (a.cu_only ? " (security update level unknown)" : " (build not in the table)"))
        << "\n"
        << in << "  from " << a.build_source << "\n";
  }
  for (const auto& e : a.evidence)
    out << in << "  evidence: " << e.source << (e.where.empty() ? "" : " " + e.where) << " -> "
        << (e.cu_only ? e.build.ToString().substr(0, e.build.ToString().rfind('.')) : e.build.ToString()) << " ("
        << e.proves
        << (e.first_seen && e.seen ? ", seen " + FormatIsoTime(*e.first_seen).substr(0, 16) + " .. " +
                                         FormatIsoTime(*e.seen).substr(0, 16)
                                   : "")
        << ")\n";
  for (const auto& n : a.notes) out << in << "  note: " << n << "\n";
  if (!a.cves.empty()) {
    out << in << fmt::format("  {:<16} {:<26} {:<11} {}\n", "CVE", "status", "KEV added", "what to do / why");
    for (const auto& c : a.cves) {
      out << in << fmt::format("  {:<16} {:<26} {:<11} {}\n", c.cve, CveStatusName(c.status),
                               c.kev_date_added.empty() ? "-" : c.kev_date_added, c.detail);
      bool open = c.status != CveStatus::kFixed && c.status != CveStatus::kNotListed;
      if (open && !c.mitigation.empty() && c.mitigated_by.empty()) {
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
