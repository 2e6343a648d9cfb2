#include "report/next_steps.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/text.h"
#include "report/exposure_report.h"

namespace exhunt {

namespace {

// The first few values of an attacker key, comma-separated.
std::string Values(const HostReport& h, const std::string& key, size_t most = 5) {
  auto it = h.attackers.by_key.find(key);
  if (it == h.attackers.by_key.end()) return "";
  std::vector<std::string> v;
  for (size_t i = 0; i < it->second.size() && i < most; ++i) v.push_back(it->second[i].value);
  std::string out = Join(v, ", ");
  size_t more = it->second.size() > most ? it->second.size() - most : 0;
  if (auto m = h.attackers.more.find(key); m != h.attackers.more.end()) more += m->second;
  if (more) out += fmt::format(" and {} more", more);
  return out;
}

// Paths of the events that show a shell written or used.
std::string ShellPaths(const HostReport& h) {
  std::vector<std::string> paths;
  for (const auto& e : h.timeline) {
    if (e.outcome != Outcome::kCompromise) continue;
    for (const auto& [key, value] : e.keys) {
      const bool script = EndsWithIgnoreCase(value, ".aspx") || EndsWithIgnoreCase(value, ".ashx") ||
                          EndsWithIgnoreCase(value, ".asmx") || EndsWithIgnoreCase(value, ".asax");
      if ((key == "file" || (key == "url" && script)) && std::find(paths.begin(), paths.end(), value) == paths.end())
        paths.push_back(value);
    }
    if (paths.size() >= 8) break;
  }
  return Join(paths, ", ");
}

std::string PatchStep(const HostReport& h) {
  if (!h.exposure) return "Find the server's build (exhunt exposure PATH, or Get-ExchangeServer) and patch it.";
  std::string answer = ExposureAnswer(*h.exposure);
  if (answer.rfind("OPEN", 0) == 0) return "Patch: " + answer.substr(answer.find(" — ") + 5) + ".";
  return "Exposure: " + answer + ".";
}

}  // namespace

std::vector<std::string> NextSteps(const HostReport& h) {
  std::vector<std::string> steps;
  const std::string clients = Values(h, "client");
  const std::string users = Values(h, "user");
  switch (h.verdict) {
    case Verdict::kCompromised: {
      steps.push_back("Isolate " + h.host +
                      " from the network now; keep it running so that memory can be captured.");
      std::string shells = ShellPaths(h);
      steps.push_back("Preserve evidence before changing anything: copy the logs this report cites" +
                      (shells.empty() ? std::string() : ", and the files behind " + shells) +
                      ", with hashes; take a memory image.");
      steps.push_back("Remove the web shells after collection and hunt for others: every .aspx/.ashx under "
                      "FrontEnd\\HttpProxy\\owa\\auth, ecp\\auth, inetpub\\wwwroot\\aspnet_client and the OAB "
                      "folders, and the ExternalUrl/InternalUrl of every virtual directory.");
      steps.push_back("Reset credentials: every account the server held sessions for" +
                      (users.empty() ? std::string() : " (seen here: " + users + ")") +
                      ", service and admin accounts, the server's computer account; treat the domain as exposed "
                      "(Exchange holds high AD rights).");
      steps.push_back("Look for persistence: new local or domain accounts, scheduled tasks and services, "
                      "New-MailboxExportRequest jobs, LSASS dumps and archives in ProgramData and Windows\\Temp.");
      if (!clients.empty()) steps.push_back("Block and hunt the attacker addresses across the fleet: " + clients + ".");
      steps.push_back(PatchStep(h));
      break;
    }
    case Verdict::kAttempted:
      steps.push_back(PatchStep(h));
      if (!clients.empty()) steps.push_back("Block the addresses that tried at the perimeter: " + clients + ".");
      steps.push_back("Confirm no attempt succeeded: check for files under owa\\auth, ecp\\auth and aspnet_client "
                      "written after the first attempt, and review the timeline below for 200 answers.");
      steps.push_back("Keep at least 90 days of IIS and HttpProxy logs (Exchange keeps 30 days of HttpProxy "
                      "logs by default) and rescan after patching.");
      break;
    case Verdict::kInsufficientEvidence: {
      std::vector<std::string> missing;
      for (const auto& w : h.windows)
        if (!w.covered) missing.push_back(w.campaign);
      steps.push_back("Do not call this server clean: collect the logs the verdict names (" +
                      (missing.empty() ? std::string("any Exchange or IIS log") : Join(missing, ", ") +
                                                                                    " windows") +
                      ") from backups, a SIEM or log archives, and scan them with this tree.");
      steps.push_back(PatchStep(h));
      steps.push_back("Until the logs are found, treat a server that was exposed in those windows as possibly "
                      "compromised: hunt the web-shell folders and accounts as for a compromise.");
      break;
    }
    case Verdict::kNoEvidence:
      steps.push_back(PatchStep(h));
      steps.push_back("Keep at least 90 days of IIS and HttpProxy logs, and rescan after every exploited "
                      "Exchange CVE is announced.");
      break;
  }
  for (size_t i = 0; i < steps.size(); ++i) steps[i] = std::to_string(i + 1) + ". " + steps[i];
  return steps;
}

}  // namespace exhunt
