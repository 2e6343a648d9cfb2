// Text for people: a summary line, then per host its verdict and why,
// counts, exposure, coverage and findings grouped by rule; errors last.
// The summary needs the totals, so the report is written at End; per host
// it keeps only what it prints (max_per_rule findings per rule).
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "base/text.h"
#include "report/exposure_report.h"
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

}  // namespace

class TextReporter final : public ScanSink {
 public:
  TextReporter(const ReportOptions& options, std::ostream& out) : options_(options), out_(out) {}

  void OnFinding(const Finding& f) override {
    Group& g = groups_[f.rule->id];
    if (g.count++ == 0) {
      g.rule = f.rule;
      g.first_time = f.time.value_or(0);
    }
    if (g.shown.size() < options_.max_per_rule) g.shown.push_back(f);
  }

  void OnHost(const HostReport& h) override {
    std::ostringstream out;
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
    if (h.exposure) {
      out << "  exposure:\n";
      WriteExposureText(*h.exposure, out, "  ");
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
                           FormatIsoTime(w.window.last).substr(0, 10), state);
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
    // Findings grouped by rule, most severe first, then by first occurrence.
    std::vector<const Group*> groups;
    groups.reserve(groups_.size());
    for (const auto& [id, g] : groups_) groups.push_back(&g);
    std::sort(groups.begin(), groups.end(), [](const Group* a, const Group* b) {
      if (a->rule->severity != b->rule->severity) return a->rule->severity > b->rule->severity;
      return a->first_time < b->first_time;
    });
    for (const Group* g : groups) {
      const RuleInfo& rule = *g->rule;
      out << fmt::format("\n  [{}] {} ({} finding{})\n", Upper(SeverityName(rule.severity)), rule.title, g->count,
                         g->count == 1 ? "" : "s");
      std::vector<std::string> tags = rule.cves;
      for (const auto& a : rule.attack) tags.push_back(a);
      out << "    rule " << rule.id << (tags.empty() ? "" : " | " + Join(tags, ", ")) << " | outcome "
          << OutcomeName(rule.outcome) << "\n";
      for (const Finding& f : g->shown) {
        out << "    " << (f.time ? FormatIsoTime(*f.time) : std::string("(no time)")) << "  " << f.source.ToString()
            << "\n";
        for (const auto& [k, v] : f.evidence)
          out << "        " << k << ": " << TerminalSafe(v.substr(0, 200)) << (v.size() > 200 ? "..." : "") << "\n";
      }
      if (g->count > g->shown.size())
        out << fmt::format("    ... and {} more (use --format jsonl for all)\n", g->count - g->shown.size());
    }
    out << "\n";
    hosts_ += out.str();
    ++host_count_;
    groups_.clear();
  }

  void OnError(const ScanError& e) override { errors_.push_back(e); }

  void End(const ScanStats& st) override {
    double gbps = st.seconds > 0 ? double(st.bytes) / double(uint64_t(1) << 30) / st.seconds : 0;
    out_ << fmt::format("exhunt {}: {} host{}, {} log files, {} in {:.2f} s ({:.2f} GB/s), {} records\n\n",
                        EXHUNT_VERSION, host_count_, host_count_ == 1 ? "" : "s", st.files, HumanBytes(st.bytes),
                        st.seconds, gbps, st.records);
    out_ << hosts_;
    if (!errors_.empty()) {
      out_ << "errors (" << errors_.size() << "):\n";
      for (const auto& e : errors_) out_ << "  " << e.path << ": " << e.message << "\n";
    }
  }

 private:
  struct Group {
    std::shared_ptr<const RuleInfo> rule;
    uint64_t count = 0;
    TimeMs first_time = 0;
    std::vector<Finding> shown;
  };
  const ReportOptions options_;
  std::ostream& out_;
  std::map<std::string, Group> groups_;  // of the host being reported
  std::string hosts_;
  size_t host_count_ = 0;
  std::vector<ScanError> errors_;
};

std::unique_ptr<ScanSink> NewTextReporter(const ReportOptions& options, std::ostream& out) {
  return std::make_unique<TextReporter>(options, out);
}

}  // namespace exhunt
