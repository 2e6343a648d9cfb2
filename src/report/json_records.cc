#include "report/json_records.h"

#include "base/json_writer.h"
#include "report/exposure_report.h"

namespace exhunt {

namespace {

void OptTime(JsonWriter& w, const std::optional<TimeMs>& t) {
  if (t)
    w.String(FormatIsoTime(*t));
  else
    w.Null();
}

}  // namespace

std::string FindingJson(const Finding& f) {
  JsonWriter w;
  w.BeginObject().Key("type").String("finding").Key("rule").String(f.rule->id).Key("title").String(f.rule->title);
  w.Key("severity").String(SeverityName(f.rule->severity)).Key("cves").StringArray(f.rule->cves);
  w.Key("attack").StringArray(f.rule->attack).Key("host").String(f.host).Key("time");
  OptTime(w, f.time);
  w.Key("source").BeginObject().Key("path").String(f.source.path);
  switch (f.source.kind) {
    case SourceRef::Kind::kLine:
      w.Key("line").Number(f.source.position);
      break;
    case SourceRef::Kind::kRecord:
      w.Key("record").Number(f.source.position);
      break;
    case SourceRef::Kind::kOffset:
      w.Key("offset").Number(f.source.position);
      break;
    case SourceRef::Kind::kFile:
      break;
  }
  w.EndObject().Key("evidence").BeginObject();
  for (const auto& [k, v] : f.evidence) w.Key(k).String(v);
  w.EndObject().Key("outcome").String(OutcomeName(f.rule->outcome)).Key("log").String(LogTypeName(f.log_type));
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
    w.Key(LogTypeName(type)).BeginObject().Key("files").Number(c.files).Key("bytes").Number(c.bytes).Key("first");
    OptTime(w, c.first);
    w.Key("last");
    OptTime(w, c.last);
    w.EndObject();
  }
  w.EndObject().Key("unlisted").BeginObject();
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
  return w.EndObject().Take();
}

std::string StatsJson(const ScanStats& s) {
  JsonWriter w;
  w.BeginObject().Key("type").String("stats").Key("files").Number(s.files).Key("bytes").Number(s.bytes);
  w.Key("records").Number(s.records).Key("candidates").Number(s.candidates).Key("seconds").Fixed(s.seconds, 3);
  return w.EndObject().Take();
}

std::string ExposureJson(const std::string& host, const ExposureAssessment& a) {
  JsonWriter w;
  w.BeginObject().Key("type").String("exposure").Key("host").String(host);
  WriteExposureMembers(a, w);
  return w.EndObject().Take();
}

}  // namespace exhunt
