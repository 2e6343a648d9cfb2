#include "report/json_records.h"

#include "base/json_writer.h"
#include "report/exposure_report.h"
#include "report/next_steps.h"

#include <algorithm>

namespace exhunt {

namespace {

void OptTime(JsonWriter& w, const std::optional<TimeMs>& t) {
  if (t)
    w.String(FormatIsoTime(*t));
  else
    w.Null();
}

void Source(JsonWriter& w, const SourceRef& src) {
  w.BeginObject().Key("path").String(src.path);
  switch (src.kind) {
    case SourceRef::Kind::kLine:
      w.Key("line").Number(src.position);
      break;
    case SourceRef::Kind::kRecord:
      w.Key("record").Number(src.position);
      break;
    case SourceRef::Kind::kOffset:
      w.Key("offset").Number(src.position);
      break;
    case SourceRef::Kind::kFile:
      break;
  }
  w.EndObject();
}

void Pairs(JsonWriter& w, const std::vector<std::pair<std::string, std::string>>& pairs) {
  w.BeginObject();
  for (const auto& [k, v] : pairs) w.Key(k).String(v);
  w.EndObject();
}

void Spans(JsonWriter& w, const std::vector<TimeSpan>& spans) {
  w.BeginArray();
  for (const auto& s : spans)
    w.BeginObject().Key("first").String(FormatIsoTime(s.first)).Key("last").String(FormatIsoTime(s.last)).EndObject();
  w.EndArray();
}

// files, bytes, first, last, and the stretches covered and the gaps between
// them (more than a day without a record).
void CoverageMembers(JsonWriter& w, const Coverage& c) {
  w.Key("files").Number(c.files).Key("bytes").Number(c.bytes).Key("first");
  OptTime(w, c.first);
  w.Key("last");
  OptTime(w, c.last);
  w.Key("spans");
  Spans(w, c.spans);
  std::vector<TimeSpan> gaps;
  for (size_t i = 1; i < c.spans.size(); ++i) gaps.push_back({c.spans[i - 1].last, c.spans[i].first});
  w.Key("gaps");
  Spans(w, gaps);
  if (c.spans_dropped) w.Key("spans_dropped").Number(c.spans_dropped);
}

}  // namespace

std::string FindingJson(const Finding& f) {
  JsonWriter w;
  w.BeginObject().Key("type").String("finding").Key("rule").String(f.rule->id).Key("title").String(f.rule->title);
  w.Key("severity").String(SeverityName(f.rule->severity)).Key("cves").StringArray(f.rule->cves);
  w.Key("attack").StringArray(f.rule->attack).Key("host").String(f.host).Key("time");
  OptTime(w, f.time);
  w.Key("source");
  Source(w, f.source);
  w.Key("evidence");
  Pairs(w, f.evidence);
  w.Key("outcome").String(OutcomeName(f.rule->outcome)).Key("log").String(LogTypeName(f.log_type));
  if (!f.keys.empty()) {
    w.Key("keys");
    Pairs(w, f.keys);
  }
  return w.EndObject().Take();
}

std::string HostJson(const HostReport& h) {
  JsonWriter w;
  w.BeginObject().Key("type").String("host").Key("host").String(h.host).Key("verdict").String(VerdictName(h.verdict));
  w.Key("findings").BeginObject();
  for (int s = 4; s >= 0; --s) w.Key(SeverityName(Severity(s))).Number(h.by_severity[size_t(s)]);
  w.EndObject().Key("first");
  OptTime(w, h.first);
  w.Key("last");
  OptTime(w, h.last);
  w.Key("cves").BeginObject();
  for (const auto& [cve, n] : h.by_cve) w.Key(cve).Number(n);
  w.EndObject().Key("coverage").BeginObject();
  for (const auto& [type, c] : h.coverage) {
    w.Key(LogTypeName(type)).BeginObject();
    CoverageMembers(w, c);
    w.EndObject();
  }
  w.EndObject().Key("families").BeginObject();
  for (const auto& [family, c] : h.families) {
    w.Key(family).BeginObject();
    CoverageMembers(w, c);
    w.EndObject();
  }
  w.EndObject().Key("absent_families").StringArray(h.absent_families).Key("windows").BeginArray();
  for (const auto& win : h.windows) {
    w.BeginObject().Key("campaign").String(win.campaign).Key("first").String(FormatIsoTime(win.window.first));
    w.Key("last").String(FormatIsoTime(win.window.last)).Key("covered").Bool(win.covered);
    w.Key("exposed").Bool(!win.not_exposed).Key("exposure").String(win.exposure);
    w.Key("missing").StringArray(win.missing).Key("gaps").BeginArray();
    for (const auto& [family, gap] : win.gaps) {
      w.BeginObject().Key("family").String(family).Key("first").String(FormatIsoTime(gap.first));
      w.Key("last").String(FormatIsoTime(gap.last)).EndObject();
    }
    w.EndArray().Key("outside_scan_window").Bool(win.outside_scan_window).EndObject();
  }
  w.EndArray().Key("skipped").BeginObject();
  for (const auto& [reason, n] : h.skipped_by_reason) w.Key(reason).Number(n);
  w.EndObject().Key("unjudged_findings").Number(h.unjudged_findings);
  w.Key("known_good_findings").Number(h.known_good_findings);
  w.Key("events").Number(h.timeline.size()).Key("findings_total").Number(h.findings_total);
  w.Key("attackers").BeginObject();
  for (const auto& [key, values] : h.attackers.by_key) {
    w.Key(key).BeginArray();
    for (const auto& v : values) {
      w.BeginObject().Key("value").String(v.value).Key("events").Number(v.events).Key("first");
      OptTime(w, v.first);
      w.Key("last");
      OptTime(w, v.last);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject().Key("attackers_unlisted").BeginObject();
  for (const auto& [key, n] : h.attackers.more) w.Key(key).Number(n);
  w.EndObject().Key("next_steps").StringArray(NextSteps(h));
  w.Key("unlisted").BeginObject();
  for (const auto& [rule, n] : h.unlisted) w.Key(rule).Number(n);
  w.EndObject().Key("traces_while_exposed").Number(h.traces_while_exposed);
  w.Key("traces_after_fix").Number(h.traces_after_fix).Key("reasons").StringArray(h.reasons);
  if (h.exposure) {
    w.Key("exposure").BeginObject();
    WriteExposureMembers(*h.exposure, w);
    w.EndObject();
  }
  return w.EndObject().Take();
}

std::string ErrorJson(const ScanError& e) {
  JsonWriter w;
  w.BeginObject().Key("type").String("error").Key("path").String(e.path).Key("message").String(e.message);
  if (!e.host.empty()) w.Key("host").String(e.host);
  return w.EndObject().Take();
}

std::string EventJson(const std::string& host, const TimelineEvent& e) {
  JsonWriter w;
  w.BeginObject().Key("type").String("event").Key("host").String(host).Key("time");
  OptTime(w, e.time);
  w.Key("severity").String(SeverityName(e.severity)).Key("outcome").String(OutcomeName(e.outcome));
  w.Key("source");
  Source(w, e.source);
  w.Key("log").String(LogTypeName(e.log_type));
  std::vector<std::string> ids, cves;
  for (const auto& r : e.rules) {
    ids.push_back(r->id);
    for (const auto& c : r->cves)
      if (std::find(cves.begin(), cves.end(), c) == cves.end()) cves.push_back(c);
  }
  w.Key("rules").StringArray(ids).Key("cves").StringArray(cves).Key("keys");
  Pairs(w, e.keys);
  w.Key("evidence");
  Pairs(w, e.evidence);
  return w.EndObject().Take();
}

std::string SkippedJson(const std::string& host, const SkippedFile& f) {
  JsonWriter w;
  w.BeginObject().Key("type").String("skipped").Key("host").String(host).Key("path").String(f.path);
  w.Key("reason").String(f.reason).Key("bytes").Number(f.size);
  return w.EndObject().Take();
}

std::string StatsJson(const ScanStats& s) {
  JsonWriter w;
  w.BeginObject().Key("type").String("stats").Key("files").Number(s.files).Key("log_files").Number(s.log_files).Key("bytes").Number(s.bytes);
  w.Key("records").Number(s.records).Key("candidates").Number(s.candidates).Key("seconds").Fixed(s.seconds, 3);
  if (s.peak_rss) w.Key("peak_rss_mib").Fixed(double(s.peak_rss) / double(1 << 20), 1);
  return w.EndObject().Take();
}

std::string FleetJson(const FleetSummary& fleet) {
  JsonWriter w;
  auto n = fleet.by_verdict();
  w.BeginObject().Key("type").String("fleet").Key("hosts").Number(uint64_t(fleet.size())).Key("verdicts").BeginObject();
  for (Verdict v : {Verdict::kCompromised, Verdict::kAttempted, Verdict::kInsufficientEvidence, Verdict::kNoEvidence})
    w.Key(VerdictName(v)).Number(n[size_t(VerdictRank(v))]);
  w.EndObject().Key("by_verdict").BeginArray();
  for (const FleetHost* h : fleet.ByVerdict()) {
    w.BeginObject().Key("host").String(h->host).Key("verdict").String(VerdictName(h->verdict)).Key("first");
    OptTime(w, h->first);
    w.Key("last");
    OptTime(w, h->last);
    w.Key("events").Number(h->events).Key("open_cves").StringArray(h->open_cves);
    w.Key("build_known").Bool(h->build_known).EndObject();
  }
  w.EndArray().Key("cves").BeginObject();
  for (const auto& [cve, statuses] : fleet.cves()) {
    w.Key(cve).BeginObject();
    for (const auto& [status, k] : statuses) w.Key(status).Number(k);
    w.EndObject();
  }
  w.EndObject().Key("open").BeginObject();
  for (const auto& [cve, k] : fleet.open()) w.Key(cve).Number(k);
  w.EndObject().Key("shared_clients").BeginArray();
  for (const auto& [client, hosts] : fleet.SharedClients())
    w.BeginObject().Key("client").String(client).Key("hosts").StringArray(hosts).EndObject();
  w.EndArray();
  return w.EndObject().Take();
}

std::string ExposureJson(const std::string& host, const ExposureAssessment& a) {
  JsonWriter w;
  w.BeginObject().Key("type").String("exposure").Key("host").String(host);
  WriteExposureMembers(a, w);
  return w.EndObject().Take();
}

}  // namespace exhunt
