#include "finding/fleet.h"

#include <algorithm>

namespace exhunt {

int VerdictRank(Verdict v) {
  switch (v) {
    case Verdict::kCompromised:
      return 0;
    case Verdict::kAttempted:
      return 1;
    case Verdict::kInsufficientEvidence:
      return 2;
    case Verdict::kNoEvidence:
      return 3;
  }
  return 3;
}

void FleetSummary::Add(const HostReport& h) {
  FleetHost f;
  f.host = h.host;
  f.verdict = h.verdict;
  f.first = h.first;
  f.last = h.last;
  f.events = h.timeline.size();
  if (h.exposure) {
    f.build_known = h.exposure->build.has_value();
    for (const auto& c : h.exposure->cves) {
      cves_[c.cve][std::string(CveStatusName(c.status))]++;
      if (!IsOpen(c.status)) continue;
      f.open_cves.push_back(c.cve);
      open_[c.cve]++;
    }
  }
  if (auto it = h.attackers.by_key.find("client"); it != h.attackers.by_key.end()) {
    for (const auto& v : it->second) {
      auto& hosts = clients_[v.value];
      if (hosts.size() < kMaxFleetHostsListed && std::find(hosts.begin(), hosts.end(), h.host) == hosts.end())
        hosts.push_back(h.host);
    }
  }
  hosts_.push_back(std::move(f));
}

std::array<uint64_t, 4> FleetSummary::by_verdict() const {
  std::array<uint64_t, 4> n{};
  for (const auto& h : hosts_) n[size_t(VerdictRank(h.verdict))]++;
  return n;
}

std::vector<std::pair<std::string, std::vector<std::string>>> FleetSummary::SharedClients() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const auto& [client, hosts] : clients_)
    if (hosts.size() > 1) out.emplace_back(client, hosts);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  return out;
}

std::vector<const FleetHost*> FleetSummary::ByVerdict() const {
  std::vector<const FleetHost*> out;
  for (const auto& h : hosts_) out.push_back(&h);
  std::stable_sort(out.begin(), out.end(), [](const FleetHost* a, const FleetHost* b) {
    int ra = VerdictRank(a->verdict), rb = VerdictRank(b->verdict);
    return ra != rb ? ra < rb : a->host < b->host;
  });
  return out;
}

}  // namespace exhunt
