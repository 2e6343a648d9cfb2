// CSV: a header and one row per finding, written as findings arrive.
#include <vector>

#include "base/text.h"
#include "report/reporter.h"

namespace exhunt {

class CsvReporter final : public ScanSink {
 public:
  explicit CsvReporter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo&) override {
    out_ << "host,severity,rule,title,cves,attack,outcome,time,path,line,evidence\r\n";
  }
  void OnFinding(const Finding& f) override {
    std::vector<std::string> ev;
    for (const auto& [k, v] : f.evidence) ev.push_back(k + "=" + v);
    const RuleInfo& r = *f.rule;
    out_ << CsvCell(f.host) << ',' << SeverityName(r.severity) << ',' << CsvCell(r.id) << ',' << CsvCell(r.title) << ','
         << CsvCell(Join(r.cves, " ")) << ',' << CsvCell(Join(r.attack, " ")) << ',' << OutcomeName(r.outcome) << ','
         << (f.time ? FormatIsoTime(*f.time) : "") << ',' << CsvCell(f.source.path) << ',' << f.source.position << ','
         << CsvCell(Join(ev, "; ")) << "\r\n";
  }
  void OnHost(const HostReport&) override {}
  void OnError(const ScanError&) override {}
  void End(const ScanStats&) override {}

 private:
  std::ostream& out_;
};

std::unique_ptr<ScanSink> NewCsvReporter(std::ostream& out) { return std::make_unique<CsvReporter>(out); }

}  // namespace exhunt
