// Fleets of generated Exchange servers, for the fleet tests and benchmark:
// one folder per host under one fleet folder, the hosts cycling through
// profiles whose verdicts are known — compromised (each of the four
// campaigns in turn), attempted (scanners), patched (attempts on a fixed
// build), clean with logs covering every campaign window, and short logs
// that cannot say.
#pragma once

#include <string>
#include <vector>

#include "tree_generator.h"

namespace exhunt::gen {

struct FleetOptions {
  std::string out;  // the fleet folder (created); hosts are EXCH001, EXCH002, ...
  size_t hosts = 5;
  uint64_t seed = 1;
  // If set: each host's benign traffic grows until its tree holds this much.
  uint64_t host_bytes = 0;
  bool event_logs = false;
};

struct FleetHost {
  std::string host;     // its folder name
  std::string profile;  // compromised, attempted, patched, clean, short
  std::string verdict;  // what its evidence must give
  GenResult truth;
};

const std::vector<std::string>& FleetProfiles();
Result<std::vector<FleetHost>> GenerateFleet(const FleetOptions& options);
// {"hosts":[{"host":..,"profile":..,"verdict":..,"truth":{TruthJson}},...]}
std::string FleetTruthJson(const std::vector<FleetHost>& hosts);

}  // namespace exhunt::gen
