// The JSONL records of the output contract, one object each: "finding",
// "host", "error", "stats" and "exposure". Field names are stable; new
// ones may be added, none renamed.
#pragma once

#include <string>

#include "finding/finding.h"
#include "finding/fleet.h"

namespace exhunt {

std::string FindingJson(const Finding& f);
std::string HostJson(const HostReport& h);
std::string ErrorJson(const ScanError& e);
// {"type":"event",...}: one timeline event (a record and every rule that fired on it).
std::string EventJson(const std::string& host, const TimelineEvent& e);
// {"type":"skipped","host":..,"path":..,"reason":..,"bytes":..}: evidence-like, not read.
std::string SkippedJson(const std::string& host, const SkippedFile& f);
std::string StatsJson(const ScanStats& s);
// {"type":"fleet",...}: the hosts of a scan together (written before the
// totals when a scan has several hosts).
std::string FleetJson(const FleetSummary& fleet);
// A standalone exposure record (exhunt exposure --format jsonl).
std::string ExposureJson(const std::string& host, const ExposureAssessment& a);

}  // namespace exhunt
