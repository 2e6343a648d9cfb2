// CSV: the timeline, one row per event, as Timesketch imports it as it is
// (its required `message`, `datetime`, `timestamp_desc` first, then ours),
// written host by host. Every cell an attacker controls is neutralised for
// spreadsheets: one that starts with = + - @ tab or CR gets a leading '.
#include <algorithm>
#include <vector>

#include "base/text.h"
#include "report/reporter.h"

namespace exhunt {

namespace {

// A CSV cell that a spreadsheet shows as text, never runs as a formula.
std::string SafeCell(std::string_view s) {
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r'))
    return CsvCell("'" + std::string(s));
  return CsvCell(s);
}

std::string KeyValue(const std::vector<std::pair<std::string, std::string>>& keys, std::string_view key) {
  for (const auto& [k, v] : keys)
    if (k == key) return v;
  return "";
}

}  // namespace

class CsvReporter final : public ScanSink {
 public:
  explicit CsvReporter(std::ostream& out) : out_(out) {}
  void Begin(const ScanInfo&) override {
    out_ << "message,datetime,timestamp_desc,timestamp,host,severity,verdict,rules,titles,cves,attack,outcome,source,log";
    for (std::string_view key : kCorrelationKeys) out_ << ',' << key;  // one column per correlation key
    out_ << ",evidence\r\n";
  }
  void OnFinding(const Finding&) override {}  // rows are events: written from the host's timeline
  void OnHost(const HostReport& h) override {
    for (const auto& e : h.timeline) {
      std::vector<std::string> ids, titles, cves, attack, evidence;
      for (const auto& r : e.rules) {
        ids.push_back(r->id);
        titles.push_back(r->title);
        for (const auto& c : r->cves)
          if (std::find(cves.begin(), cves.end(), c) == cves.end()) cves.push_back(c);
        for (const auto& a : r->attack)
          if (std::find(attack.begin(), attack.end(), a) == attack.end()) attack.push_back(a);
      }
      for (const auto& [k, v] : e.evidence) evidence.push_back(k + "=" + v);
      std::string message = "[" + std::string(SeverityName(e.severity)) + "] " + Join(titles, "; ");
      // Timesketch wants a time on every row; an event without one keeps the column empty.
      std::string datetime = e.time ? FormatIsoTime(*e.time) : "";
      std::string micros = e.time ? std::to_string(*e.time * 1000) : "";
      out_ << SafeCell(message) << ',' << datetime << ',' << "Event Recorded" << ',' << micros << ','
           << SafeCell(h.host) << ',' << SeverityName(e.severity) << ',' << VerdictName(h.verdict) << ','
           << SafeCell(Join(ids, " ")) << ',' << SafeCell(Join(titles, "; ")) << ',' << SafeCell(Join(cves, " "))
           << ',' << SafeCell(Join(attack, " ")) << ',' << OutcomeName(e.outcome) << ','
           << SafeCell(e.source.ToString()) << ',' << LogTypeName(e.log_type);
      for (std::string_view key : kCorrelationKeys) out_ << ',' << SafeCell(KeyValue(e.keys, key));
      out_ << ',' << SafeCell(Join(evidence, "; ")) << "\r\n";
    }
  }
  void OnError(const ScanError&) override {}
  void End(const ScanStats&) override {}

 private:
  std::ostream& out_;
};

std::unique_ptr<ScanSink> NewCsvReporter(std::ostream& out) { return std::make_unique<CsvReporter>(out); }

}  // namespace exhunt
