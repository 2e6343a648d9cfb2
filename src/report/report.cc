#include "report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "base/text.h"
#include "report/exposure_report.h"

namespace exhunt {

namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  AppendJsonEscaped(out, s);
  out += '"';
  return out;
}

std::string JsonList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + Quote(items[i]);
  return out + "]";
}

std::string OptTime(const std::optional<TimeMs>& t) { return t ? Quote(FormatIsoTime(*t)) : "null"; }

// For terminals: valid UTF-8 kept as is, control bytes and invalid
// sequences shown as U+FFFD so evidence cannot move the cursor or recolour.
std::string TerminalSafe(std::string_view s) {
  std::string json;
  AppendJsonEscaped(json, s);
  std::string out;
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] != '\\' || i + 1 >= json.size()) {
      out += json[i];
      continue;
    }
    char e = json[++i];
    if (e == '"' || e == '\\') {
      out += e;
    } else {
      out += "\xEF\xBF\xBD";
      if (e == 'u') i += 4;
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? std::string(sep) : "") + v[i];
  return out;
}

}  // namespace

std::string HumanBytes(uint64_t b) {
  if (b >= (uint64_t(1) << 30)) return fmt::format("{:.2f} GB", double(b) / double(uint64_t(1) << 30));
  if (b >= (uint64_t(1) << 20)) return fmt::format("{:.1f} MB", double(b) / double(uint64_t(1) << 20));
  if (b >= 1024) return fmt::format("{:.1f} KB", double(b) / 1024.0);
  return fmt::format("{} B", b);
}

std::string FindingJson(const Finding& f) {
  std::string out = "{\"type\":\"finding\",\"rule\":" + Quote(f.rule->id()) + ",\"title\":" + Quote(f.rule->title()) +
                    ",\"severity\":" + Quote(SeverityName(f.rule->severity())) + ",\"cves\":" + JsonList(f.rule->cves()) +
                    ",\"attack\":" + JsonList(f.rule->attack()) + ",\"host\":" + Quote(f.host) +
                    ",\"time\":" + OptTime(f.time) + ",\"source\":{\"path\":" + Quote(f.path) +
                    ",\"line\":" + std::to_string(f.line) + "},\"evidence\":{";
  for (size_t i = 0; i < f.evidence.size(); ++i)
    out += (i ? "," : "") + Quote(f.evidence[i].first) + ":" + Quote(f.evidence[i].second);
  out += "},\"outcome\":" + Quote(OutcomeName(f.rule->outcome())) + ",\"log\":" + Quote(LogTypeName(f.log_type)) + "}";
  return out;
}

std::string HostJson(const HostReport& h, const ExposureTable* table) {
  std::string out = "{\"type\":\"host\",\"host\":" + Quote(h.host) + ",\"verdict\":" + Quote(VerdictName(h.verdict)) +
                    ",\"findings\":{";
  for (int s = 4; s >= 0; --s)
    out += (s < 4 ? "," : "") + Quote(SeverityName(Severity(s))) + ":" + std::to_string(h.by_severity[size_t(s)]);
  out += "},\"first\":" + OptTime(h.first) + ",\"last\":" + OptTime(h.last) + ",\"cves\":{";
  bool first = true;
  for (const auto& [cve, n] : h.by_cve) {
    out += (first ? "" : ",") + Quote(cve) + ":" + std::to_string(n);
    first = false;
  }
  out += "},\"coverage\":{";
  first = true;
  for (const auto& [type, c] : h.coverage) {
    out += (first ? "" : ",") + Quote(LogTypeName(type)) + ":{\"files\":" + std::to_string(c.files) +
           ",\"bytes\":" + std::to_string(c.bytes) + ",\"first\":" + OptTime(c.first) + ",\"last\":" + OptTime(c.last) + "}";
    first = false;
  }
  out += "},\"unlisted\":{";
  first = true;
  for (const auto& [rule, n] : h.unlisted) {
    out += (first ? "" : ",") + Quote(rule) + ":" + std::to_string(n);
    first = false;
  }
  out += "},\"traces_while_exposed\":" + std::to_string(h.traces_while_exposed) +
         ",\"traces_after_fix\":" + std::to_string(h.traces_after_fix) + ",\"reasons\":" + JsonList(h.reasons);
  if (h.exposure && table) out += ",\"exposure\":" + ExposureJsonBody(*h.exposure, *table);
  return out + "}";
}

std::string ErrorJson(const ScanError& e) {
  return "{\"type\":\"error\",\"path\":" + Quote(e.path) + ",\"message\":" + Quote(e.message) + "}";
}

std::string StatsJson(const ScanStats& s) {
  return fmt::format("{{\"type\":\"stats\",\"files\":{},\"bytes\":{},\"records\":{},\"candidates\":{},\"seconds\":{:.3f}}}",
                     s.files, s.bytes, s.records, s.candidates, s.seconds);
}

namespace {

void WriteJsonl(const ScanResult& r, const ReportOptions& opt, std::ostream& out) {
  for (const auto& f : r.findings) out << FindingJson(f) << '\n';
  for (const auto& h : r.hosts) out << HostJson(h, opt.exposure_table) << '\n';
  for (const auto& e : r.errors) out << ErrorJson(e) << '\n';
  out << StatsJson(r.stats) << '\n';
}

void WriteCsv(const ScanResult& r, std::ostream& out) {
  out << "host,severity,rule,title,cves,attack,outcome,time,path,line,evidence\r\n";
  for (const auto& f : r.findings) {
    std::vector<std::string> ev;
    for (const auto& [k, v] : f.evidence) ev.push_back(k + "=" + v);
    out << CsvCell(f.host) << ',' << SeverityName(f.rule->severity()) << ',' << CsvCell(f.rule->id()) << ','
        << CsvCell(f.rule->title()) << ',' << CsvCell(Join(f.rule->cves(), " ")) << ','
        << CsvCell(Join(f.rule->attack(), " ")) << ',' << OutcomeName(f.rule->outcome()) << ','
        << (f.time ? FormatIsoTime(*f.time) : "") << ',' << CsvCell(f.path) << ',' << f.line << ','
        << CsvCell(Join(ev, "; ")) << "\r\n";
  }
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return out;
}

void WriteText(const ScanResult& r, const ReportOptions& opt, std::ostream& out) {
  const auto& st = r.stats;
  double gbps = st.seconds > 0 ? double(st.bytes) / double(uint64_t(1) << 30) / st.seconds : 0;
  out << fmt::format("exhunt {}: {} host{}, {} log files, {} in {:.2f} s ({:.2f} GB/s), {} records\n\n",
                     EXHUNT_VERSION, r.hosts.size(), r.hosts.size() == 1 ? "" : "s", st.files, HumanBytes(st.bytes),
                     st.seconds, gbps, st.records);
  for (const auto& h : r.hosts) {
    out << h.host << ": " << Upper(VerdictName(h.verdict)) << "\n";
    for (const auto& reason : h.reasons) out << "  " << reason << "\n";
    out << fmt::format("  findings: {} critical, {} high, {} medium, {} low, {} info\n", h.by_severity[4],
                       h.by_severity[3], h.by_severity[2], h.by_severity[1], h.by_severity[0]);
    for (const auto& [rule, n] : h.unlisted)
      out << fmt::format("  {} more findings of {} counted but not listed (per-rule limit)\n", n, rule);
    if (!h.by_cve.empty()) {
      std::vector<std::string> parts;
      for (const auto& [cve, n] : h.by_cve) parts.push_back(fmt::format("{} ({})", cve, n));
      out << "  CVEs: " << Join(parts, ", ") << "\n";
    }
    if (h.exposure && opt.exposure_table) {
      out << "  exposure:\n";
      WriteExposureText(*h.exposure, *opt.exposure_table, out, "  ");
    }
    if (h.first)
      out << "  first event " << FormatIsoTime(*h.first) << ", last " << FormatIsoTime(h.last.value_or(*h.first))
          << "\n";
    if (!h.coverage.empty()) {
      out << "  logs read:\n";
      for (const auto& [type, c] : h.coverage)
        out << fmt::format("    {:<13} {:>6} files {:>10}  {} .. {}\n", LogTypeName(type), c.files, HumanBytes(c.bytes),
                           c.first ? FormatIsoTime(*c.first).substr(0, 10) : "?",
                           c.last ? FormatIsoTime(*c.last).substr(0, 10) : "?");
    }
    // Findings grouped by rule, most severe first, then by first occurrence.
    std::map<std::string, std::vector<const Finding*>> by_rule;
    for (const auto& f : r.findings)
      if (f.host == h.host) by_rule[f.rule->id()].push_back(&f);
    std::vector<std::vector<const Finding*>*> groups;
    groups.reserve(by_rule.size());
    for (auto& [id, v] : by_rule) groups.push_back(&v);
    std::sort(groups.begin(), groups.end(), [](const auto* a, const auto* b) {
      Severity sa = (*a)[0]->rule->severity(), sb = (*b)[0]->rule->severity();
      if (sa != sb) return sa > sb;
      return (*a)[0]->time.value_or(0) < (*b)[0]->time.value_or(0);
    });
    for (const auto* g : groups) {
      const SigmaRule& rule = *(*g)[0]->rule;
      out << fmt::format("\n  [{}] {} ({} finding{})\n", Upper(SeverityName(rule.severity())), rule.title(), g->size(),
                         g->size() == 1 ? "" : "s");
      std::vector<std::string> tags = rule.cves();
      for (const auto& a : rule.attack()) tags.push_back(a);
      out << "    rule " << rule.id() << (tags.empty() ? "" : " | " + Join(tags, ", ")) << " | outcome "
          << OutcomeName(rule.outcome()) << "\n";
      size_t shown = 0;
      for (const Finding* f : *g) {
        if (shown++ == opt.max_per_rule) {
          out << fmt::format("    ... and {} more (use --format jsonl for all)\n", g->size() - opt.max_per_rule);
          break;
        }
        out << "    " << (f->time ? FormatIsoTime(*f->time) : std::string("(no time)")) << "  " << f->path << ":"
            << f->line << "\n";
        for (const auto& [k, v] : f->evidence) {
          out << "        " << k << ": " << TerminalSafe(v.substr(0, 200)) << (v.size() > 200 ? "..." : "") << "\n";
        }
      }
    }
    out << "\n";
  }
  if (!r.errors.empty()) {
    out << "errors (" << r.errors.size() << "):\n";
    for (const auto& e : r.errors) out << "  " << e.path << ": " << e.message << "\n";
  }
}

}  // namespace

void WriteReport(const ScanResult& result, const ReportOptions& options, std::ostream& out) {
  switch (options.format) {
    case ReportFormat::kJsonl: WriteJsonl(result, options, out); break;
    case ReportFormat::kCsv: WriteCsv(result, out); break;
    case ReportFormat::kText: WriteText(result, options, out); break;
  }
}

}  // namespace exhunt
