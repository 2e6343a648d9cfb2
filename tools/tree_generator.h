// A generator of realistic Exchange server evidence trees, for tests,
// the demo and benchmarks.
//
// It writes, under an output folder, the logs an Exchange 2016 server keeps
// (IIS front and back end, HttpProxy per protocol, ECP Server, OABGenerator,
// Rps_Http) with hours to weeks of benign traffic: users on OWA, Outlook
// (MAPI, EWS, modern autodiscover.json lookups), ActiveSync phones, admins
// in ECP and remote PowerShell, health-mailbox probes. On request it plants
// attack chains at known places and returns them as ground truth: the file,
// line and rule that must find each planted trace.
//
// Output is deterministic for a given seed and options.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace exhunt::gen {

struct GenOptions {
  std::string out;  // folder to write the tree into (created)
  uint64_t seed = 1;
  TimeMs start = 0;           // first benign request
  double hours = 6;           // length of the benign traffic
  uint64_t target_bytes = 0;  // if set: keep generating past `hours` until this size
  double requests_per_hour = 3000;
  // If set: a monitoring probe of ECP every this many hours (front-end IIS,
  // HttpProxy ECP, back-end IIS), so that a long, quiet tree still has
  // records every day, as a real server's managed-availability probes give.
  double heartbeat_hours = 0;
  std::vector<std::string> scenarios;  // proxylogon proxyshell proxynotshell owassrf scanners patched
  std::string install = "Program Files/Microsoft/Exchange Server/V15";
  // The server's build: written as <install>/Bin/ExSetup.exe, in log
  // headers and as the OWA build folder. Empty: 2016 CU19 RTM (15.1.2176.2).
  std::string build = "15.1.2176.2";
  // IIS configuration: "none", "eomt" (the ProxyLogon cookie rules),
  // "eomtv2" (the final ProxyNotShell rule), "eomtv2-old" (a superseded one),
  // "eomtv2-cleared" (final rule, cleared by a child web.config).
  std::string mitigation = "none";
  bool write_exsetup = true;
  // Windows event logs (tools/event_log_generator.h) across the same time,
  // with the chains' event-log traces; `event_log_bytes` keeps adding benign
  // events until the EVTX files hold that much.
  bool event_logs = false;
  uint64_t event_log_bytes = 0;
};

struct PlantedTrace {
  std::string scenario;
  std::string path;  // relative to the tree root
  uint64_t line = 0;
  std::string rule;  // the rule that must report this line
};

struct GenResult {
  std::vector<PlantedTrace> traces;
  std::vector<std::string> scenarios;
  uint64_t bytes = 0;
  uint64_t files = 0;
  uint64_t lines = 0;
  TimeMs first = 0, last = 0;
};

// All scenario names known to the generator.
const std::vector<std::string>& ScenarioNames();

Result<GenResult> GenerateTree(const GenOptions& options);

// {"scenarios":[...],"traces":[{"scenario":..,"path":..,"line":..,"rule":..},...]}
std::string TruthJson(const GenResult& result);

}  // namespace exhunt::gen
