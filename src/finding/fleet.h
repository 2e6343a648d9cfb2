// A fleet in one view: what the hosts of one scan (or one store) say
// together — hosts by verdict, each exploited CVE's state across the
// hosts, and the attacker addresses seen on more than one host. Built
// host by host as host records stream, so that it needs no host's details
// once that host is reported.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "finding/finding.h"

namespace exhunt {

struct FleetHost {
  std::string host;
  Verdict verdict = Verdict::kNoEvidence;
  std::optional<TimeMs> first, last;  // of findings
  uint64_t events = 0;
  std::vector<std::string> open_cves;  // IsOpen per the host's exposure
  bool build_known = false;
};

class FleetSummary {
 public:
  void Add(const HostReport& h);
  size_t size() const { return hosts_.size(); }
  const std::vector<FleetHost>& hosts() const { return hosts_; }
  // Hosts per verdict, in verdict order (compromised first).
  std::array<uint64_t, 4> by_verdict() const;
  // Per CVE, hosts per status name ("vulnerable": 3, "fixed": 40, ...).
  const std::map<std::string, std::map<std::string, uint64_t>>& cves() const { return cves_; }
  // Per CVE, the hosts where it is open (IsOpen), CVEs open nowhere left out.
  const std::map<std::string, uint64_t>& open() const { return open_; }
  // Client addresses that appear in the attacker summary of more than one
  // host, most hosts first, each with its hosts (at most kMaxFleetHostsListed).
  std::vector<std::pair<std::string, std::vector<std::string>>> SharedClients() const;
  // Hosts in the order a fleet owner reads: compromised, attempted,
  // insufficient evidence, no evidence; then by name.
  std::vector<const FleetHost*> ByVerdict() const;

 private:
  std::vector<FleetHost> hosts_;
  std::map<std::string, std::map<std::string, uint64_t>> cves_;
  std::map<std::string, uint64_t> open_;
  std::map<std::string, std::vector<std::string>> clients_;
};

constexpr size_t kMaxFleetHostsListed = 50;

// The rank of a verdict in reading order (compromised first).
int VerdictRank(Verdict v);

}  // namespace exhunt
