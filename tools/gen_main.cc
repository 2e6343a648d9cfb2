// exhunt-gen: writes a realistic Exchange evidence tree, optionally with
// planted attack chains, and their ground truth as JSON.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "base/time.h"
#include "fleet_generator.h"
#include "tree_generator.h"

int main(int argc, char** argv) {
  exhunt::gen::GenOptions o;
  std::string start = "2021-03-01T00:00:00Z", truth, scenarios;
  double size_mb = 0;
  CLI::App app{"exhunt-gen: generate an Exchange server evidence tree"};
  app.add_option("OUT", o.out, "folder to create; its name is the host name")->required();
  app.add_option("--seed", o.seed, "random seed");
  app.add_option("--start", start, "time of the first request (UTC)");
  app.add_option("--hours", o.hours, "hours of benign traffic");
  app.add_option("--rate", o.requests_per_hour, "benign requests per hour");
  app.add_option("--heartbeat-hours", o.heartbeat_hours, "an ECP monitoring probe every N hours (quiet, long trees)");
  app.add_option("--size-mb", size_mb, "keep generating until the tree holds this many MiB");
  app.add_option(
      "--scenarios", scenarios,
      "comma list of planted chains: proxylogon, proxyshell, proxynotshell, owassrf, scanners, patched, all");
  app.add_option("--truth", truth, "write the ground truth JSON here (default OUT.truth.json)");
  app.add_option("--install", o.install, "Exchange install folder inside the tree");
  app.add_option("--build", o.build, "the server's build (ExSetup.exe, log headers, OWA folder)");
  app.add_option("--mitigation", o.mitigation, "IIS rewrite rules: none, eomt, eomtv2, eomtv2-old, eomtv2-cleared");
  double evtx_mb = 0;
  app.add_flag("--evtx", o.event_logs, "write Windows event logs (EVTX) too, with the chains' event-log traces");
  app.add_option("--evtx-mb", evtx_mb, "with --evtx: add benign events until the EVTX files hold this many MiB");
  size_t fleet = 0;
  app.add_option("--fleet", fleet,
                 "write a fleet of N hosts under OUT (EXCH001, ...), cycling through the profiles compromised, "
                 "attempted, clean, patched, short; --size-mb is then per host");
  CLI11_PARSE(app, argc, argv);
  auto t = exhunt::ParseIsoTime(start);
  if (!t) {
    std::cerr << "exhunt-gen: bad --start\n";
    return 2;
  }
  o.start = *t;
  o.target_bytes = uint64_t(size_mb * 1048576.0);
  o.event_log_bytes = uint64_t(evtx_mb * 1048576.0);
  size_t pos = 0;
  while (pos < scenarios.size()) {
    size_t comma = scenarios.find(',', pos);
    std::string s = scenarios.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (s == "all")
      o.scenarios = exhunt::gen::ScenarioNames();
    else if (!s.empty())
      o.scenarios.push_back(s);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  if (fleet) {
    exhunt::gen::FleetOptions f;
    f.out = o.out;
    f.hosts = fleet;
    f.seed = o.seed;
    f.host_bytes = o.target_bytes;
    f.event_logs = o.event_logs;
    auto hosts = exhunt::gen::GenerateFleet(f);
    if (!hosts.ok()) {
      std::cerr << "exhunt-gen: " << hosts.status().message() << "\n";
      return 2;
    }
    if (truth.empty()) truth = o.out + ".truth.json";
    std::ofstream(truth) << exhunt::gen::FleetTruthJson(hosts.value());
    uint64_t bytes = 0;
    for (const auto& h : hosts.value()) bytes += h.truth.bytes;
    std::fprintf(stderr, "exhunt-gen: fleet of %zu hosts, %.1f MiB -> %s\n", hosts->size(), double(bytes) / 1048576.0,
                 truth.c_str());
    return 0;
  }
  auto r = exhunt::gen::GenerateTree(o);
  if (!r.ok()) {
    std::cerr << "exhunt-gen: " << r.status().message() << "\n";
    return 2;
  }
  if (truth.empty()) truth = o.out + ".truth.json";
  std::ofstream(truth) << exhunt::gen::TruthJson(r.value());
  std::fprintf(stderr, "exhunt-gen: %llu files, %.1f MiB, %zu planted traces -> %s\n", (unsigned long long)r->files,
               double(r->bytes) / 1048576.0, r->traces.size(), truth.c_str());
  return 0;
}
