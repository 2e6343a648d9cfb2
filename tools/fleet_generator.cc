#include "fleet_generator.h"

#include <fmt/format.h>

namespace exhunt::gen {

const std::vector<std::string>& FleetProfiles() {
  static const std::vector<std::string> kProfiles = {"compromised", "attempted", "clean", "patched", "short"};
  return kProfiles;
}

Result<std::vector<FleetHost>> GenerateFleet(const FleetOptions& o) {
  static const char* kCampaigns[] = {"proxylogon", "proxyshell", "proxynotshell", "owassrf"};
  const TimeMs march2021 = DaysFromCivil(2021, 3, 2) * 86400000LL;
  std::vector<FleetHost> out;
  size_t compromised = 0;
  for (size_t i = 0; i < o.hosts; ++i) {
    FleetHost h;
    h.host = fmt::format("EXCH{:03}", i + 1);
    h.profile = FleetProfiles()[i % FleetProfiles().size()];
    GenOptions g;
    g.out = o.out + "/" + h.host;
    g.seed = o.seed * 1000 + i;
    g.start = march2021;
    g.hours = 6;
    g.target_bytes = o.host_bytes;
    g.event_logs = o.event_logs;
    if (h.profile == "compromised") {
      g.scenarios = {kCampaigns[compromised++ % 4]};
      h.verdict = "compromised";
    } else if (h.profile == "attempted") {
      g.scenarios = {"scanners"};
      h.verdict = "attempted";
    } else if (h.profile == "patched") {
      g.scenarios = {"patched"};
      h.verdict = "attempted";
    } else if (h.profile == "clean") {
      // Every day from January 2021 to April 2023: every campaign window
      // covered, nothing found.
      g.start = DaysFromCivil(2021, 1, 1) * 86400000LL;
      g.hours = 24 * 830;
      g.heartbeat_hours = 12;
      g.requests_per_hour = o.host_bytes ? double(o.host_bytes) / 1500.0 / g.hours : 0.05;
      g.target_bytes = 0;
      h.verdict = "no-evidence";
    } else {
      // Eight clean hours before the campaigns: nothing to judge them by.
      g.start = DaysFromCivil(2020, 12, 28) * 86400000LL;
      g.hours = 8;
      h.verdict = "insufficient-evidence";
    }
    auto r = GenerateTree(g);
    if (!r.ok()) return Status::IoError(h.host + ": " + r.status().message());
    h.truth = std::move(r.value());
    out.push_back(std::move(h));
  }
  return out;
}

std::string FleetTruthJson(const std::vector<FleetHost>& hosts) {
  std::string out = "{\"hosts\":[\n";
  for (size_t i = 0; i < hosts.size(); ++i) {
    const auto& h = hosts[i];
    out += i ? ",\n" : "";
    out += fmt::format("{{\"host\":\"{}\",\"profile\":\"{}\",\"verdict\":\"{}\",\"truth\":", h.host, h.profile, h.verdict);
    std::string truth = TruthJson(h.truth);
    while (!truth.empty() && truth.back() == '\n') truth.pop_back();
    out += truth + "}";
  }
  return out + "\n]}\n";
}

}  // namespace exhunt::gen
