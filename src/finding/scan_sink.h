// Where a scan's results go, host by host: reporters (text, JSONL, CSV,
// and later HTML and the fleet store) and the in-memory collector tests use.
//
// Order of calls: Begin; then for each host its findings (report order),
// its Host record and its errors; then errors not tied to a host (rules
// that did not load); End. Memory is bounded by one host's results: a
// sink that must see everything before writing keeps what it needs.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "finding/finding.h"

namespace exhunt {

struct ScanInfo {
  std::vector<std::string> roots;
};

class ScanSink {
 public:
  virtual ~ScanSink() = default;
  virtual void Begin(const ScanInfo& info) {}
  virtual void OnFinding(const Finding& finding) = 0;
  virtual void OnHost(const HostReport& host) = 0;
  virtual void OnError(const ScanError& error) = 0;
  virtual void End(const ScanStats& stats) = 0;
};

// Passes everything to several sinks in turn (a reporter and the store).
class TeeSink final : public ScanSink {
 public:
  explicit TeeSink(std::vector<ScanSink*> sinks) : sinks_(std::move(sinks)) {}
  void Begin(const ScanInfo& info) override {
    for (auto* s : sinks_) s->Begin(info);
  }
  void OnFinding(const Finding& f) override {
    for (auto* s : sinks_) s->OnFinding(f);
  }
  void OnHost(const HostReport& h) override {
    for (auto* s : sinks_) s->OnHost(h);
  }
  void OnError(const ScanError& e) override {
    for (auto* s : sinks_) s->OnError(e);
  }
  void End(const ScanStats& st) override {
    for (auto* s : sinks_) s->End(st);
  }

 private:
  std::vector<ScanSink*> sinks_;
};

// Everything in memory (tests, small scans).
struct ScanResult {
  std::vector<Finding> findings;  // per host in report order
  std::vector<ScanError> errors;
  std::vector<HostReport> hosts;
  ScanStats stats;
};

class CollectingSink final : public ScanSink {
 public:
  void OnFinding(const Finding& f) override { result.findings.push_back(f); }
  void OnHost(const HostReport& h) override { result.hosts.push_back(h); }
  void OnError(const ScanError& e) override { result.errors.push_back(e); }
  void End(const ScanStats& s) override { result.stats = s; }
  ScanResult result;
};

}  // namespace exhunt
