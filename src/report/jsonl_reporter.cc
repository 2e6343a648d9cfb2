// JSONL: one record a line, written as results arrive.
#include "report/json_records.h"
#include "report/reporter.h"

namespace exhunt {

class JsonlReporter final : public ScanSink {
 public:
  explicit JsonlReporter(std::ostream& out) : out_(out) {}
  void OnFinding(const Finding& f) override { out_ << FindingJson(f) << '\n'; }
  void OnHost(const HostReport& h) override {
    out_ << HostJson(h) << '\n';
    fleet_.Add(h);
    for (const auto& e : h.timeline) out_ << EventJson(h.host, e) << '\n';
    for (const auto& f : h.skipped) out_ << SkippedJson(h.host, f) << '\n';
  }
  void OnError(const ScanError& e) override { out_ << ErrorJson(e) << '\n'; }
  void End(const ScanStats& s) override {
    if (fleet_.size() > 1) out_ << FleetJson(fleet_) << '\n';
    out_ << StatsJson(s) << '\n';
  }

 private:
  FleetSummary fleet_;
  std::ostream& out_;
};

std::unique_ptr<ScanSink> NewJsonlReporter(std::ostream& out) { return std::make_unique<JsonlReporter>(out); }

}  // namespace exhunt
