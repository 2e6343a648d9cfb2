// What an Exchange front end tells about its build over HTTPS, without
// sending any exploit or SSRF payload: the X-OWA-Version header, the
// /owa/auth/<build>/ path of the logon page (CU only), and the ECP export
// tool manifest's assemblyIdentity version. Each source is labelled with
// what it can prove; a remote check cannot see mitigations or installed KBs.
#pragma once

#include <string>

#include "base/status.h"
#include "exposure/assessment.h"

namespace exhunt {

struct RemoteOptions {
  std::string url;        // https://mail.example.com (a path is ignored)
  bool insecure = false;  // accept self-signed / mismatching certificates
  long timeout_seconds = 15;
};

Result<ExposureAssessment> AssessRemote(const RemoteOptions& options, const ExposureTable& table);

// Pieces exposed for tests.
std::optional<Build> OwaPathBuild(std::string_view body);  // "/owa/auth/15.1.2176/" -> CU only
std::optional<Build> ExportToolManifestBuild(std::string_view body);

}  // namespace exhunt
