// An exposure assessment of one server: which build it runs (and how we
// know), what each exploited CVE's status is, and which mitigations are in
// force. Built from a --build number, from a scan root's files and logs, or
// from a remote front end (--url).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/time.h"
#include "exposure/build.h"
#include "exposure/exposure_table.h"

namespace exhunt {

// One place that shows a build, and what it can prove.
struct BuildEvidence {
  std::string source;  // "ExSetup.exe version resource", "HttpProxy log header", ...
  std::string where;   // path relative to the scan root, or URL
  Build build;
  bool cu_only = false;              // three parts: the CU, not the security update
  std::string proves;                // "CU and security update", "CU only", ...
  std::optional<TimeMs> seen;        // last time a log showed it
  std::optional<TimeMs> first_seen;  // first time a log showed it
};

enum class MitigationState { kInForce, kOverridden, kInsufficient, kAbsent, kUnknown };
std::string_view MitigationStateName(MitigationState s);

struct MitigationFinding {
  std::string name;               // "EOMT ProxyLogon cookie rules", "EOMTv2 ProxyNotShell rule", ...
  std::vector<std::string> cves;  // what it mitigates when in force
  MitigationState state = MitigationState::kUnknown;
  std::string where;  // config file
  std::string detail;
};

struct ExposureAssessment {
  std::optional<Build> build;
  bool cu_only = false;
  std::string build_source;  // which evidence decided
  // The build as the table names it, resolved by Decide so that reporters
  // need no table: its release ("Exchange Server 2016 CU19 Mar21SU"), none
  // if the table does not know the exact build; its CU line ("CU19").
  std::optional<std::string> build_name;
  std::optional<std::string> cu_line;
  std::vector<BuildEvidence> evidence;
  std::vector<CveExposure> cves;
  std::vector<MitigationFinding> mitigations;
  std::vector<std::string> notes;
};

// From a build number given by the user.
ExposureAssessment AssessBuild(const ExposureTable& table, const Build& build, bool cu_only);

// Chooses the build from the evidence (ExSetup first, then the newest log
// evidence, then OWA folders), evaluates it and applies the mitigations.
void Decide(const ExposureTable& table, ExposureAssessment* a);

// The build the logs show in force at time t (the evidence whose first..last
// seen span holds t, else the last one seen before t), if logs tell.
std::optional<Build> BuildAt(const ExposureAssessment& a, TimeMs t);

// "vulnerable", or "vulnerable, mitigated by EOMT rules (not fixed)".
std::string StatusText(const CveExposure& e);

}  // namespace exhunt
