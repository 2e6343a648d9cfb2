#include "report/jsonl_replay.h"

#include <simdjson.h>

#include <optional>
#include <vector>

#include "exposure/build.h"
#include "finding/finding.h"

namespace exhunt {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

std::string Str(object o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

std::optional<std::string> OptStr(object o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return std::string(v);
}

uint64_t U64(object o, std::string_view key) {
  uint64_t v = 0;
  if (o[key].get(v) == simdjson::SUCCESS) return v;
  double d = 0;
  if (o[key].get(d) == simdjson::SUCCESS && d >= 0) return d < 1.8e19 ? uint64_t(d) : UINT64_MAX;
  return 0;
}

bool Flag(object o, std::string_view key) {
  bool v = false;
  return o[key].get(v) == simdjson::SUCCESS && v;
}

std::optional<TimeMs> Time(object o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return std::nullopt;
  return ParseIsoTime(v);
}

std::vector<std::string> Strings(object o, std::string_view key) {
  std::vector<std::string> out;
  array a;
  if (o[key].get(a) != simdjson::SUCCESS) return out;
  for (element e : a) {
    std::string_view v;
    if (e.get(v) == simdjson::SUCCESS) out.emplace_back(v);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> Pairs(object o, std::string_view key) {
  std::vector<std::pair<std::string, std::string>> out;
  object m;
  if (o[key].get(m) != simdjson::SUCCESS) return out;
  for (auto field : m) {
    std::string_view v;
    if (field.value.get(v) == simdjson::SUCCESS) out.emplace_back(std::string(field.key), std::string(v));
  }
  return out;
}

template <typename F>
void Members(object o, std::string_view key, F&& each) {
  object m;
  if (o[key].get(m) != simdjson::SUCCESS) return;
  for (auto field : m) each(field.key, field.value);
}

// A map of names to counts ({"CVE-2021-26855": 25}); members that are no
// count are left out.
std::map<std::string, uint64_t> Counts(object o, std::string_view key) {
  std::map<std::string, uint64_t> out;
  Members(o, key, [&](std::string_view name, element n) {
    uint64_t v = 0;
    if (n.get(v) == simdjson::SUCCESS) out[std::string(name)] = v;
  });
  return out;
}

template <typename F>
void Items(object o, std::string_view key, F&& each) {
  array a;
  if (o[key].get(a) != simdjson::SUCCESS) return;
  for (element e : a) {
    object item;
    if (e.get(item) == simdjson::SUCCESS) each(item);
  }
}

// The enum value whose name is `name`, among [0, count).
template <typename E, typename NameOf>
std::optional<E> ByName(std::string_view name, int count, NameOf name_of) {
  for (int i = 0; i < count; ++i)
    if (name_of(E(i)) == name) return E(i);
  return std::nullopt;
}

SourceRef Source(object o) {
  SourceRef s;
  object src;
  if (o["source"].get(src) != simdjson::SUCCESS) return s;
  s.path = Str(src, "path");
  s.kind = SourceRef::Kind::kFile;
  for (auto [key, kind] : {std::pair{"line", SourceRef::Kind::kLine}, std::pair{"record", SourceRef::Kind::kRecord},
                           std::pair{"offset", SourceRef::Kind::kOffset}}) {
    uint64_t v = 0;
    if (src[key].get(v) == simdjson::SUCCESS) {
      s.kind = kind;
      s.position = v;
    }
  }
  return s;
}

Coverage CoverageOf(object o) {
  Coverage c;
  c.files = U64(o, "files");
  c.bytes = U64(o, "bytes");
  c.first = Time(o, "first");
  c.last = Time(o, "last");
  Items(o, "spans", [&](object s) {
    auto first = Time(s, "first"), last = Time(s, "last");
    if (first && last) c.spans.push_back({*first, *last});
  });
  c.spans_dropped = U64(o, "spans_dropped");
  return c;
}

ExposureAssessment ExposureOf(object o) {
  ExposureAssessment a;
  bool three = false;
  if (auto b = OptStr(o, "build")) a.build = ParseBuild(*b, &three);
  a.cu_only = Flag(o, "cu_only");
  a.cu_line = OptStr(o, "cu");
  a.build_name = OptStr(o, "build_name");
  a.build_source = Str(o, "build_source");
  Items(o, "evidence", [&](object e) {
    BuildEvidence ev;
    ev.source = Str(e, "source");
    ev.where = Str(e, "where");
    bool cu = false;
    if (auto b = ParseBuild(Str(e, "build"), &cu)) ev.build = *b;
    ev.cu_only = cu;
    ev.proves = Str(e, "proves");
    ev.first_seen = Time(e, "first_seen");
    ev.seen = Time(e, "seen");
    a.evidence.push_back(std::move(ev));
  });
  Items(o, "cves", [&](object c) {
    CveExposure x;
    x.cve = Str(c, "cve");
    x.aka = Str(c, "aka");
    x.status = ByName<CveStatus>(Str(c, "status"), int(CveStatus::kUnknownBuild) + 1, CveStatusName)
                   .value_or(CveStatus::kUnknownBuild);
    x.fixing_update = Str(c, "fixing_update");
    x.fix_kb = Str(c, "kb");
    if (auto b = OptStr(c, "fixed_build")) x.fixed_build = ParseBuild(*b);
    x.kev_date_added = Str(c, "kev_date_added");
    x.mitigation = Str(c, "mitigation_that_counts");
    x.mitigated_by = Str(c, "mitigated_by");
    x.detail = Str(c, "detail");
    a.cves.push_back(std::move(x));
  });
  Items(o, "mitigations", [&](object m) {
    MitigationFinding x;
    x.name = Str(m, "name");
    x.cves = Strings(m, "cves");
    x.state = ByName<MitigationState>(Str(m, "state"), int(MitigationState::kUnknown) + 1, MitigationStateName)
                  .value_or(MitigationState::kUnknown);
    x.where = Str(m, "where");
    x.detail = Str(m, "detail");
    a.mitigations.push_back(std::move(x));
  });
  a.notes = Strings(o, "notes");
  return a;
}

Severity SeverityOf(object o, std::string_view key) {
  return ParseSeverity(Str(o, key)).value_or(Severity::kInfo);
}

}  // namespace

struct JsonlReplay::Impl {
  explicit Impl(ScanSink& s) : sink(s) {}
  ScanSink& sink;
  simdjson::dom::parser parser;
  std::string buffer;
  // Rules as the finding records describe them, by id: events name their
  // rules by id only.
  std::map<std::string, std::shared_ptr<const RuleInfo>> rules;
  std::optional<HostReport> pending;  // a host record waiting for its events and skipped files
  ScanStats stats;

  void Flush() {
    if (!pending) return;
    sink.OnHost(*pending);
    pending.reset();
  }

  std::shared_ptr<const RuleInfo> RuleFor(object o) {
    const std::string id = Str(o, "rule");
    auto it = rules.find(id);
    if (it != rules.end()) return it->second;
    auto info = std::make_shared<RuleInfo>();
    info->id = id;
    info->title = Str(o, "title");
    info->severity = SeverityOf(o, "severity");
    info->outcome = ParseOutcome(Str(o, "outcome")).value_or(Outcome::kNone);
    info->cves = Strings(o, "cves");
    info->attack = Strings(o, "attack");
    if (rules.size() < 100000) rules.emplace(id, info);
    return info;
  }

  void OnFinding(object o) {
    Flush();
    Finding f;
    f.rule = RuleFor(o);
    f.host = Str(o, "host");
    f.time = Time(o, "time");
    f.source = Source(o);
    f.evidence = Pairs(o, "evidence");
    f.log_type = LogTypeFromName(Str(o, "log"));
    f.keys = Pairs(o, "keys");
    sink.OnFinding(f);
  }

  void OnHost(object o) {
    Flush();
    HostReport h;
    h.host = Str(o, "host");
    h.verdict = ByName<Verdict>(Str(o, "verdict"), int(Verdict::kInsufficientEvidence) + 1, VerdictName)
                    .value_or(Verdict::kInsufficientEvidence);
    object counts;
    if (o["findings"].get(counts) == simdjson::SUCCESS)
      for (int s = 0; s < 5; ++s) h.by_severity[size_t(s)] = U64(counts, SeverityName(Severity(s)));
    h.first = Time(o, "first");
    h.last = Time(o, "last");
    h.by_cve = Counts(o, "cves");
    Members(o, "coverage", [&](std::string_view kind, element c) {
      object co;
      if (c.get(co) == simdjson::SUCCESS) h.coverage[LogTypeFromName(kind)] = CoverageOf(co);
    });
    Members(o, "families", [&](std::string_view family, element c) {
      object co;
      if (c.get(co) == simdjson::SUCCESS) h.families[std::string(family)] = CoverageOf(co);
    });
    h.absent_families = Strings(o, "absent_families");
    Items(o, "windows", [&](object w) {
      WindowCheck c;
      c.campaign = Str(w, "campaign");
      c.window = {Time(w, "first").value_or(0), Time(w, "last").value_or(0)};
      c.covered = Flag(w, "covered");
      c.not_exposed = !Flag(w, "exposed");
      c.exposure = Str(w, "exposure");
      c.missing = Strings(w, "missing");
      Items(w, "gaps", [&](object g) {
        c.gaps.push_back({Str(g, "family"), {Time(g, "first").value_or(0), Time(g, "last").value_or(0)}});
      });
      c.outside_scan_window = Flag(w, "outside_scan_window");
      h.windows.push_back(std::move(c));
    });
    h.skipped_by_reason = Counts(o, "skipped");
    h.unjudged_findings = U64(o, "unjudged_findings");
    h.known_good_findings = U64(o, "known_good_findings");
    h.findings_total = U64(o, "findings_total");
    Members(o, "attackers", [&](std::string_view key, element values) {
      array a;
      if (values.get(a) != simdjson::SUCCESS) return;
      auto& list = h.attackers.by_key[std::string(key)];
      for (element e : a) {
        object v;
        if (e.get(v) != simdjson::SUCCESS) continue;
        list.push_back({Str(v, "value"), U64(v, "events"), Time(v, "first"), Time(v, "last")});
      }
    });
    h.attackers.more = Counts(o, "attackers_unlisted");
    h.unlisted = Counts(o, "unlisted");
    h.traces_while_exposed = U64(o, "traces_while_exposed");
    h.traces_after_fix = U64(o, "traces_after_fix");
    h.reasons = Strings(o, "reasons");
    object exposure;
    if (o["exposure"].get(exposure) == simdjson::SUCCESS) h.exposure = ExposureOf(exposure);
    pending = std::move(h);
  }

  Status OnEvent(object o) {
    if (!pending || Str(o, "host") != pending->host)
      return Status::Corrupt("an event record that does not follow its host's record");
    TimelineEvent e;
    e.time = Time(o, "time");
    e.severity = SeverityOf(o, "severity");
    e.outcome = ParseOutcome(Str(o, "outcome")).value_or(Outcome::kNone);
    e.source = Source(o);
    e.log_type = LogTypeFromName(Str(o, "log"));
    for (const auto& id : Strings(o, "rules")) {
      auto it = rules.find(id);
      if (it != rules.end()) {
        e.rules.push_back(it->second);
        continue;
      }
      // A rule whose findings were not listed (past the per-rule limit).
      auto info = std::make_shared<RuleInfo>();
      info->id = id;
      info->title = id;
      info->severity = e.severity;
      e.rules.push_back(info);
    }
    e.keys = Pairs(o, "keys");
    e.evidence = Pairs(o, "evidence");
    pending->timeline.push_back(std::move(e));
    return Status::Ok();
  }

  Status OnSkipped(object o) {
    if (!pending || Str(o, "host") != pending->host)
      return Status::Corrupt("a skipped record that does not follow its host's record");
    if (pending->skipped.size() < kMaxSkippedListed)
      pending->skipped.push_back({Str(o, "path"), Str(o, "reason"), U64(o, "bytes")});
    return Status::Ok();
  }

  void OnError(object o) {
    Flush();
    sink.OnError({Str(o, "path"), Str(o, "message"), Str(o, "host")});
  }

  void OnStats(object o) {
    Flush();
    stats.files = U64(o, "files");
    stats.log_files = U64(o, "log_files");
    stats.bytes = U64(o, "bytes");
    stats.records = U64(o, "records");
    stats.candidates = U64(o, "candidates");
    double d = 0;
    if (o["seconds"].get(d) == simdjson::SUCCESS && d >= 0 && d < 1e12) stats.seconds = d;
    if (o["peak_rss_mib"].get(d) == simdjson::SUCCESS && d >= 0 && d < 1e12)
      stats.peak_rss = uint64_t(d * double(1 << 20) + 0.5);
  }
};

JsonlReplay::JsonlReplay(ScanSink& sink) : impl_(std::make_unique<Impl>(sink)) {}
JsonlReplay::~JsonlReplay() = default;

Status JsonlReplay::Line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  if (line.empty()) return Status::Ok();
  if (line.size() > kMaxJsonlLine) return Status::Corrupt("a line of " + std::to_string(line.size()) + " bytes");
  Impl& m = *impl_;
  m.buffer.assign(line);
  m.buffer.append(simdjson::SIMDJSON_PADDING, '\0');
  element root;
  if (auto err = m.parser.parse(m.buffer.data(), line.size(), false).get(root); err != simdjson::SUCCESS)
    return Status::Corrupt(std::string("not JSON: ") + simdjson::error_message(err));
  object o;
  if (root.get(o) != simdjson::SUCCESS) return Status::Corrupt("not a JSON object");
  const std::string type = Str(o, "type");
  if (type == "finding") {
    m.OnFinding(o);
  } else if (type == "host") {
    m.OnHost(o);
  } else if (type == "event") {
    return m.OnEvent(o);
  } else if (type == "skipped") {
    return m.OnSkipped(o);
  } else if (type == "error") {
    m.OnError(o);
  } else if (type == "stats") {
    m.OnStats(o);
    saw_stats_ = true;
  } else if (type.empty()) {
    return Status::Corrupt("a JSON object without \"type\": not an exhunt record");
  }
  return Status::Ok();
}

ScanStats JsonlReplay::Finish() {
  impl_->Flush();
  return impl_->stats;
}

}  // namespace exhunt
