// The Windows event logs of a generated server: Application, System,
// Security, MSExchange Management and Sysmon EVTX files under
// Windows/System32/winevt/Logs, with benign events across the tree's time
// and, for the planted chains that leave event-log traces (ProxyLogon,
// ProxyShell), the events they leave, returned as ground truth
// (PlantedTrace::line is the EventRecordID).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "tree_generator.h"

namespace exhunt::gen {

struct EventLogPlan {
  TimeMs first = 0, last = 0;  // benign events between these times
  double events_per_hour = 600;
  uint64_t target_bytes = 0;  // if set: benign events past `last` until the logs hold this much
  std::string computer;       // FQDN of the server
  // Each planted scenario and the time its chain starts.
  std::vector<std::pair<std::string, TimeMs>> scenarios;
};

// Writes the EVTX files into `out`/Windows/System32/winevt/Logs (which must
// exist); adds the planted events' traces, the files and bytes to `result`.
Status WriteEventLogs(const std::string& out, uint64_t seed, const EventLogPlan& plan, GenResult* result);

}  // namespace exhunt::gen
