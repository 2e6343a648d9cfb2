// Exposure of a server from its files: the build from ExSetup.exe in the
// install's Bin folder (authoritative, shows the security update), else from the
// version headers of its Exchange logs and the OWA build folders; and the
// mitigations in force from IIS configuration (Default Web Site web.config,
// the HttpProxy child web.configs, applicationHost.config).
#pragma once

#include <string>
#include <vector>

#include "exposure/assessment.h"
#include "reader/log_head.h"
#include "source/discovery.h"
#include "source/file_system.h"

namespace exhunt {

// `tree` is the discovery of a scan root (its configuration files), `heads`
// the heads of its logs (from the readers during a scan, or ReadBuildHeads).
ExposureAssessment AssessTree(FileSystem* fs, const DiscoveredTree& tree, const std::vector<LoggedHead>& heads,
                              const ExposureTable& table);

// Mitigations from IIS configuration texts; exposed for tests. `children`
// are (path, text) of web.configs below the Default Web Site.
std::vector<MitigationFinding> AssessRewriteMitigations(
    const std::string& wwwroot_path, std::string_view wwwroot,
    const std::vector<std::pair<std::string, std::string>>& children, const std::string& apphost_path,
    std::string_view apphost, bool rewrite_dll_present);
std::vector<MitigationFinding> AssessAppHostMitigations(const std::string& apphost_path, std::string_view apphost);

}  // namespace exhunt
