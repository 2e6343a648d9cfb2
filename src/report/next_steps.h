// What a responder does next, per verdict, as numbered steps that can be
// pasted into a ticket: concrete names (the shells, accounts and addresses
// the findings show, the build to install, the logs to collect).
#pragma once

#include <string>
#include <vector>

#include "finding/finding.h"

namespace exhunt {

std::vector<std::string> NextSteps(const HostReport& host);

}  // namespace exhunt
