// Requests and files of one chain: a request for /owa/auth/x.aspx and the
// file x.aspx found under FrontEnd\HttpProxy\owa\auth are one thing, and
// the request's weight follows from the file being there.
#pragma once

#include <vector>

#include "finding/finding.h"
#include "finding/verdict.h"

namespace exhunt {

// For each request finding (a rule marked "webshell.request", with a "url"
// key) whose URL path ends the Windows path of a file finding of the host
// (case-insensitive; %XX decoded): the request gets the file's path as its
// "file" key and the file the request's URL as its "url" key, so that the
// timeline and attacker summary join them; and a request whose rule says
// less than compromise (a probe not answered 200) is raised to high and
// compromise, with a rule id and title that say why (the page is on disk,
// so whoever asked for it knew it was there).
void JoinRequestsToFiles(std::vector<Finding>* findings);

// A file of the file plane last modified inside a campaign's window of
// exploitation at large (rules/verdict/campaigns.yml) weighs more: each of
// its findings that does not already prove compromise (an archive staged
// in ProgramData, a dump in an odd place) moves up one severity, under a
// rule id and title that say which window (".modified_in_<campaign>"), and
// carries the window as evidence. Findings of files modified at other times
// are untouched.
void WeighFilesModifiedInCampaigns(std::vector<Finding>* findings, const std::vector<Campaign>& campaigns);

// "/owa/auth/x%20y.aspx" -> "\owa\auth\x y.aspx", lowercase.
std::string UrlPathAsWindowsPath(std::string_view url);

}  // namespace exhunt
