// Text for people, in the order a responder reads at 3 a.m.: per host the
// verdict and why, who the attacker looked like, the exposure in one line,
// what to do next, then the timeline (one line per event, the rules that
// fired on it merged), and last the full exposure table and the coverage.
// The summary line needs the totals, so the report is written at End; per
// host it keeps only what it prints (at most max_events events).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "base/text.h"
#include "finding/fleet.h"
#include "report/exposure_report.h"
#include "report/next_steps.h"
#include "report/reporter.h"

namespace exhunt {

namespace {

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

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return out;
}

std::string Minute(const std::optional<TimeMs>& t) {
  return t ? FormatIsoTime(*t).substr(0, 16).replace(10, 1, " ") : std::string("?");
}

std::string KeyLabel(const std::string& key) {
  if (key == "client") return "client";
  if (key == "user_agent") return "user agent";
  if (key == "request_id") return "request id";
  if (key == "canary") return "ECP canary";
  return key;
}

}  // namespace

std::string ShortenForTerminal(std::string_view value, size_t max_bytes) {
  std::string safe = TerminalSafe(value);
  if (safe.size() <= max_bytes) return safe;
  // Cut on a character boundary, after the escaping: never inside a
  // replacement character or a multi-byte sequence.
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(safe[cut]) & 0xC0) == 0x80) --cut;
  return safe.substr(0, cut) + fmt::format("…[+{} bytes]", safe.size() - cut);
}

class TextReporter final : public ScanSink {
 public:
  TextReporter(const ReportOptions& options, std::ostream& out) : options_(options), out_(out) {}

  void OnFinding(const Finding&) override {}  // the host record carries them as a timeline

  void OnHost(const HostReport& h) override {
    std::ostringstream out;
    out << Paint(VerdictColour(h.verdict), h.host + ": " + Upper(VerdictName(h.verdict))) << "\n";
    for (const auto& reason : h.reasons) out << "  - " << TerminalSafe(reason) << "\n";
    WriteAttackers(h, out);
    if (h.exposure) out << "  exposure: " << PaintAnswer(ExposureAnswer(*h.exposure)) << "\n";
    out << "  next steps:\n";
    for (const auto& step : NextSteps(h)) out << "    " << TerminalSafe(step) << "\n";
    WriteTimeline(h, out);
    if (h.exposure) {
      out << "\n  exposure in full:\n";
      WriteExposureText(*h.exposure, out, "  ");
    }
    WriteCoverage(h, out);
    out << "\n";
    hosts_ += out.str();
    ++host_count_;
    fleet_.Add(h);
  }

  void OnError(const ScanError& e) override { errors_.push_back(e); }

  void End(const ScanStats& st) override {
    double gbps = st.seconds > 0 ? double(st.bytes) / double(uint64_t(1) << 30) / st.seconds : 0;
    out_ << fmt::format("exhunt {}: {} host{}, {} log files, {} other files, {} in {:.2f} s ({:.2f} GB/s), {} records\n\n",
                        EXHUNT_VERSION, host_count_, host_count_ == 1 ? "" : "s", st.log_files,
                        st.files - st.log_files, HumanBytes(st.bytes), st.seconds, gbps, st.records);
    if (fleet_.size() > 1) WriteFleet();
    out_ << hosts_;
    if (!errors_.empty()) {
      out_ << "errors (" << errors_.size() << "):\n";
      for (const auto& e : errors_) out_ << "  " << TerminalSafe(e.path) << ": " << TerminalSafe(e.message) << "\n";
    }
  }

 private:
  std::string Paint(std::string_view code, const std::string& text) const {
    if (!options_.colour || code.empty()) return text;
    return "\x1b[" + std::string(code) + "m" + text + "\x1b[0m";
  }
  static std::string_view VerdictColour(Verdict v) {
    switch (v) {
      case Verdict::kCompromised:
        return "1;31";
      case Verdict::kAttempted:
        return "1;33";
      case Verdict::kInsufficientEvidence:
        return "1;35";
      case Verdict::kNoEvidence:
        return "1;32";
    }
    return "";
  }
  static std::string_view SeverityColour(Severity s) {
    switch (s) {
      case Severity::kCritical:
        return "1;31";
      case Severity::kHigh:
        return "31";
      case Severity::kMedium:
        return "33";
      case Severity::kLow:
        return "36";
      case Severity::kInfo:
        return "";
    }
    return "";
  }
  std::string PaintAnswer(const std::string& answer) const {
    size_t colon = answer.find(':');
    std::string word = answer.substr(0, colon);
    std::string_view code = word == "OPEN" ? "1;31" : word == "PATCHED" ? "32" : "1;35";
    return Paint(code, word) + TerminalSafe(answer.substr(word.size()));
  }

  void WriteAttackers(const HostReport& h, std::ostream& out) const {
    if (h.attackers.empty()) return;
    out << "  attacker:\n";
    static const std::pair<const char*, const char*> kRows[] = {{"client", "addresses"},
                                                                {"user_agent", "user agents"},
                                                                {"url", "URLs and shells"},
                                                                {"file", "files written"},
                                                                {"user", "accounts"}};
    for (const auto& [key, label] : kRows) {
      auto it = h.attackers.by_key.find(key);
      if (it == h.attackers.by_key.end()) continue;
      std::vector<std::string> parts;
      for (size_t i = 0; i < it->second.size() && i < 8; ++i) {
        const AttackerValue& v = it->second[i];
        parts.push_back(fmt::format("{} ({} event{}, {} .. {})", ShortenForTerminal(v.value, 120), v.events,
                                    v.events == 1 ? "" : "s", Minute(v.first), Minute(v.last)));
      }
      size_t more = it->second.size() > 8 ? it->second.size() - 8 : 0;
      if (auto m = h.attackers.more.find(key); m != h.attackers.more.end()) more += m->second;
      out << fmt::format("    {:<16} {}", label, Join(parts, "\n                     "));
      if (more) out << fmt::format("\n                     ... and {} more", more);
      out << "\n";
    }
  }

  void WriteTimeline(const HostReport& h, std::ostream& out) const {
    uint64_t events = 0;
    for (auto n : h.by_severity) events += n;
    out << fmt::format("\n  timeline: {} event{} from {} finding{} ({} critical, {} high, {} medium, {} low, {} info)\n",
                       events, events == 1 ? "" : "s", h.findings_total, h.findings_total == 1 ? "" : "s",
                       h.by_severity[4], h.by_severity[3], h.by_severity[2], h.by_severity[1], h.by_severity[0]);
    if (!h.by_cve.empty()) {
      std::vector<std::string> parts;
      for (const auto& [cve, n] : h.by_cve) parts.push_back(fmt::format("{} ({})", cve, n));
      out << "  CVEs: " << Join(parts, ", ") << "\n";
    }
    for (const auto& [rule, n] : h.unlisted)
      out << fmt::format("  {} more findings of {} counted but not listed (per-rule limit)\n", n, rule);
    if (h.known_good_findings)
      out << fmt::format("  ({} finding{} on files the known-good baseline knows by hash {} dropped)\n",
                         h.known_good_findings, h.known_good_findings == 1 ? "" : "s",
                         h.known_good_findings == 1 ? "was" : "were");
    if (h.unjudged_findings)
      out << fmt::format("  ({} of the findings below {} of rules without an outcome: shown, not weighed in the verdict)\n",
                         h.unjudged_findings, h.unjudged_findings == 1 ? "is" : "are");
    size_t shown = 0;
    for (const auto& e : h.timeline) {
      if (shown++ == options_.max_events) break;
      out << "    " << (e.time ? FormatIsoTime(*e.time) : std::string("(no time)              ")) << "  "
          << Paint(SeverityColour(e.severity), fmt::format("{:<8}", Upper(SeverityName(e.severity)))) << "  "
          << TerminalSafe(e.source.ToString()) << "\n";
      for (const auto& rule : e.rules) {
        std::vector<std::string> tags = rule->cves;
        for (const auto& a : rule->attack) tags.push_back(a);
        out << "        " << TerminalSafe(rule->title) << "  [" << rule->id << (tags.empty() ? "" : " | ")
            << Join(tags, ", ") << " | " << OutcomeName(rule->outcome) << "]\n";
      }
      std::vector<std::string> keys;
      for (const auto& [k, v] : e.keys) keys.push_back(KeyLabel(k) + " " + ShortenForTerminal(v, 80));
      if (!keys.empty()) out << "        " << Join(keys, " · ") << "\n";
      for (const auto& [k, v] : e.evidence)
        out << "        " << TerminalSafe(k) << ": " << ShortenForTerminal(v, options_.max_value_bytes) << "\n";
    }
    if (h.timeline.size() > options_.max_events)
      out << fmt::format("    ... and {} more events (use --format jsonl or csv for all)\n",
                         h.timeline.size() - options_.max_events);
  }

  void WriteCoverage(const HostReport& h, std::ostream& out) const {
    const std::string_view files_family = LogTypeName(LogType::kFile);
    const bool any_log = std::any_of(h.families.begin(), h.families.end(),
                                     [&](const auto& f) { return f.first != files_family; });
    if (any_log) {
      out << "\n  logs read (per family, inside the scan window):\n";
      size_t width = 22;  // the longest family name, for one column (event log channels are long)
      for (const auto& [family, c] : h.families)
        if (family != files_family) width = std::max(width, std::min<size_t>(TerminalSafe(family).size(), 60));
      for (const auto& [family, c] : h.families) {
        if (family == files_family) continue;
        out << fmt::format("    {:<{}} {:>6} files {:>10}  {} .. {}", TerminalSafe(family), width, c.files,
                           HumanBytes(c.bytes), c.first ? FormatIsoTime(*c.first).substr(0, 10) : "?",
                           c.last ? FormatIsoTime(*c.last).substr(0, 10) : "?");
        if (c.spans.size() > 1)
          out << fmt::format("  ({} gap{} of more than a day)", c.spans.size() - 1, c.spans.size() == 2 ? "" : "s");
        out << "\n";
      }
    }
    if (auto it = h.families.find(std::string(files_family)); it != h.families.end())
      out << fmt::format("  {}other files checked on disk: {} ({})\n", any_log ? "" : "\n", it->second.files,
                         HumanBytes(it->second.bytes));
    if (!h.absent_families.empty()) out << "  no log at all of: " << Join(h.absent_families, ", ") << "\n";
    if (!h.windows.empty()) {
      out << "  campaign windows (logs that would show each, while the host was exposed):\n";
      for (const auto& w : h.windows) {
        std::string state = w.not_exposed ? "not exposed" : w.covered ? "covered" : "NOT COVERED";
        if (!w.covered) {
          std::vector<std::string> what;
          for (const auto& m : w.missing) what.push_back("no " + m + " logs");
          if (!w.gaps.empty()) what.push_back(fmt::format("{} gap{}", w.gaps.size(), w.gaps.size() == 1 ? "" : "s"));
          state += ": " + Join(what, ", ");
        }
        out << fmt::format("    {:<14} {} .. {}  {}\n", w.campaign, FormatIsoTime(w.window.first).substr(0, 10),
                           FormatIsoTime(w.window.last).substr(0, 10),
                           Paint(w.covered ? "" : "1;35", state));
      }
    }
    if (!h.skipped_by_reason.empty()) {
      uint64_t total = 0;
      std::vector<std::string> kinds;
      for (const auto& [reason, n] : h.skipped_by_reason) {
        total += n;
        kinds.push_back(fmt::format("{} {}", n, reason));
      }
      out << fmt::format("  not read ({} file{} that look like evidence): {}\n", total, total == 1 ? "" : "s",
                         Join(kinds, ", "));
      for (size_t i = 0; i < h.skipped.size() && i < 20; ++i)
        out << "    " << TerminalSafe(h.skipped[i].path) << ": " << h.skipped[i].reason << "\n";
      if (total > 20) out << fmt::format("    ... and {} more (use --format jsonl for all)\n", total - 20);
    }
  }

  // Several hosts: which are compromised, what is open where, and who
  // came back, before the hosts' details.
  void WriteFleet() {
    auto n = fleet_.by_verdict();
    out_ << fmt::format("fleet: {} hosts: {} compromised, {} attempted, {} insufficient evidence, {} no evidence\n",
                        fleet_.size(), n[0], n[1], n[2], n[3]);
    for (const FleetHost* h : fleet_.ByVerdict()) {
      out_ << fmt::format("  {:<24} {}", TerminalSafe(h->host), Paint(VerdictColour(h->verdict), Upper(VerdictName(h->verdict))));
      if (h->first) out_ << "  " << Minute(h->first) << " .. " << Minute(h->last);
      if (!h->open_cves.empty())
        out_ << fmt::format("  {} CVE{} open", h->open_cves.size(), h->open_cves.size() == 1 ? "" : "s");
      else if (!h->build_known) out_ << "  build unknown";
      out_ << "\n";
    }
    if (!fleet_.open().empty()) out_ << "  open across the fleet (hosts):\n";
    for (const auto& [cve, open] : fleet_.open()) out_ << fmt::format("    {:<16} {} of {}\n", cve, open, fleet_.size());
    auto shared = fleet_.SharedClients();
    if (!shared.empty()) {
      out_ << "  attacker addresses on more than one host:\n";
      for (size_t i = 0; i < shared.size() && i < 25; ++i)
        out_ << fmt::format("    {:<40} {} hosts: {}\n", TerminalSafe(shared[i].first), shared[i].second.size(),
                            TerminalSafe(Join(shared[i].second, ", ")));
    }
    out_ << "\n";
  }

  const ReportOptions options_;
  FleetSummary fleet_;
  std::ostream& out_;
  std::string hosts_;
  size_t host_count_ = 0;
  std::vector<ScanError> errors_;
};

std::unique_ptr<ScanSink> NewTextReporter(const ReportOptions& options, std::ostream& out) {
  return std::make_unique<TextReporter>(options, out);
}

}  // namespace exhunt
