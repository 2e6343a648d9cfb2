// The exposure table: which Exchange builds are fixed for which exploited
// CVE, compiled into the binary from rules/exposure/*.csv (our copies of the
// project's build, fixed-build and KEV data). No network at run time.
//
// Evaluation follows the data's rules: a CU line that got a security update
// is fixed from that update's build on; a later CU that contains the fix is
// fixed from its first build; CU lines Microsoft never patched stay open;
// exact builds that do not prove earlier updates (the March 2021 special
// SUs on old CUs) are "ambiguous"; CVE-2024-21410 depends on configuration.
//
// An ExposureTable is immutable after Load and safe to share between threads.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "exposure/build.h"

namespace exhunt {

struct KnownBuild {
  Build build;
  std::string product, cu_line, update, release_type, release_name, release_date, kb, confidence;
};

struct CveFixRow {
  std::string cve, aka, kev_date_added, product, cu_line, status, fixing_update, fix_release_name, fix_kb,
      fix_release_date, mitigation, confidence, notes;
  std::optional<Build> min_fixed_build;
};

struct KevEntry {
  std::string cve, date_added, due_date, name, ransomware;
};

enum class CveStatus {
  kFixed,
  kVulnerable,      // this CU line got the fix: install its security update
  kFixedInLaterCu,  // this CU line never got it, a later CU has it
  kNoFix,           // CU out of support when the fix shipped: only an upgrade fixes it
  kAmbiguous,       // the build does not prove the fix (special SU, conflicting sources)
  kDependsOnConfiguration,
  kNotListed,  // Microsoft did not evaluate this product: unknown, not safe
  kUnknownBuild,
};
std::string_view CveStatusName(CveStatus s);  // "vulnerable", "fixed in a later CU", ...
// The one answer to "is this CVE open on this build": vulnerable, fixed only
// in a later CU, or no fix. Reports, exit codes and verdicts all ask this.
bool IsOpen(CveStatus s);

struct CveExposure {
  std::string cve, aka;
  CveStatus status = CveStatus::kUnknownBuild;
  std::string fixing_update, fix_kb, fix_release_date;
  std::optional<Build> fixed_build;  // the build that fixes it on this line (or the first fixed CU)
  std::string kev_date_added;        // empty if not in KEV
  std::string mitigation;            // what mitigation would count (never equals fixed)
  std::string mitigated_by;          // a mitigation found in force for it, if any
  std::string detail;                // why this status, one sentence
};

class ExposureTable {
 public:
  // The embedded table.
  static Result<std::shared_ptr<const ExposureTable>> LoadBuiltin();
  // From CSV texts (tests, or a user-supplied newer table).
  static Result<std::shared_ptr<const ExposureTable>> Load(std::string_view builds_csv, std::string_view cves_csv,
                                                           std::string_view kev_csv);

  // The known build with exactly this number, if any.
  const KnownBuild* Find(const Build& b) const;
  // The known builds just below and above `b` (for unknown builds).
  std::pair<const KnownBuild*, const KnownBuild*> Nearest(const Build& b) const;
  // CU line name ("CU19", "SP1", "RTM") of a build, from the known builds of its line.
  std::optional<std::string> CuLineOf(const Build& b) const;

  // Every CVE of the table for this build, in table order. A build not in
  // the table is reported as unknown for every CVE, with its neighbours.
  std::vector<CveExposure> Evaluate(const Build& b) const;
  // For a CU-only build (major.minor.build, e.g. from an OWA path): what
  // holds for every known build of that CU line; "ambiguous" where the
  // security update level decides.
  std::vector<CveExposure> EvaluateCuLine(const Build& b) const;
  const std::vector<std::string>& cves() const { return cve_order_; }
  const std::vector<KnownBuild>& builds() const { return builds_; }
  const std::vector<CveFixRow>& rows() const { return rows_; }
  const KevEntry* Kev(const std::string& cve) const;

  // Consistency checks over the data (every fixed build known, statuses
  // valid, KEV CVEs covered...). Each problem is one line.
  std::vector<std::string> Check() const;

 private:
  ExposureTable() = default;
  CveExposure EvaluateOne(const std::string& cve, const Build& b, const std::string& product,
                          const std::optional<std::string>& cu) const;

  std::vector<KnownBuild> builds_;  // sorted by build
  std::vector<CveFixRow> rows_;
  std::vector<KevEntry> kev_;
  std::vector<std::string> cve_order_;
};

// CU line names as numbers: Preview -1, RTM 0, SP1 (2013) 4, CUn n, SP3 (2010) 0.
std::optional<int> CuOrdinal(std::string_view cu);
// Whether a free-text CU range of the table ("CU18 and earlier", "all CUs
// before CU23", "RTM, CU1-CU3, CU5-CU20", "all") covers CU ordinal n.
bool CuRangeCovers(std::string_view range, int n);

}  // namespace exhunt
