// HTML: one self-contained file an analyst opens offline. For a fleet, the
// hosts by verdict first, what is open across them and the attacker
// addresses seen on several; then per host a card with the verdict and
// why, the attacker summary, the exposure table, coverage bars per
// evidence family against the campaign windows, what to do next and what
// was not read; last the timeline of every host with filters (severity,
// host, rule, text; also from the link: #severity=high&host=H&rule=R&q=T).
//
// Every string from the evidence is escaped for HTML; nothing is loaded
// from anywhere; the page's own Content-Security-Policy allows only its
// one style sheet and its one script (by hash), so that markup a log line
// smuggled past the escaping still could not run. Written at End: the
// summary needs every host; per host only what is shown is kept (at most
// kMaxHtmlEvents events).
#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "base/text.h"
#include "finding/fleet.h"
#include "report/exposure_report.h"
#include "report/next_steps.h"
#include "report/reporter.h"

namespace exhunt {

namespace {

constexpr size_t kMaxHtmlEvents = 2000;       // per host
constexpr size_t kMaxHtmlEventsTotal = 50000;  // per report

// Text for HTML: invalid UTF-8 and control bytes (terminal escapes, NUL;
// not tab or line ends) as U+FFFD, the five markup characters as entities.
std::string Esc(std::string_view raw) {
  const std::string s = ValidUtf8Text(raw);
  std::string out;
  out.reserve(s.size() + 16);
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7f) {
      out += "\xEF\xBF\xBD";
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Sha256Base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), digest, &len, EVP_sha256(), nullptr);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, int(len));
  return std::string(reinterpret_cast<char*>(b64), size_t(n));
}

std::string Day(const std::optional<TimeMs>& t) { return t ? FormatIsoTime(*t).substr(0, 10) : "?"; }
std::string Minute(const std::optional<TimeMs>& t) {
  return t ? FormatIsoTime(*t).substr(0, 16).replace(10, 1, " ") : std::string("&ndash;");
}

std::string VerdictClass(Verdict v) {
  std::string name(VerdictName(v));
  return "v-" + name;
}

constexpr std::string_view kStyle = R"CSS(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f4f6f9}
header,main{max-width:1280px;margin:0 auto;padding:12px 20px}
header h1{font-size:20px;margin:8px 0}
h2{font-size:17px;margin:18px 0 8px}h3{font-size:15px;margin:14px 0 6px}
table{border-collapse:collapse;width:100%;background:#fff;margin:4px 0 10px}
th,td{border:1px solid #d8dde6;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#eef1f6}
td.ev{font-family:ui-monospace,Consolas,monospace;font-size:12px;word-break:break-all}
.card{background:#fff;border:1px solid #d8dde6;border-left:6px solid #888;border-radius:4px;margin:12px 0;padding:4px 14px}
.v-compromised{border-left-color:#c0392b}.v-attempted{border-left-color:#d68910}
.v-no-evidence{border-left-color:#1e8449}.v-insufficient-evidence{border-left-color:#8e44ad}
.verdict{font-weight:700;text-transform:uppercase}
span.v-compromised{color:#c0392b}span.v-attempted{color:#b9770e}span.v-no-evidence{color:#1e8449}
span.v-insufficient-evidence{color:#8e44ad}
.s-critical{color:#fff;background:#c0392b;padding:0 4px}.s-high{color:#c0392b;font-weight:700}
.s-medium{color:#b9770e}.s-low{color:#2471a3}
.open{color:#c0392b;font-weight:700}
.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:8px 0}
.filters input{min-width:260px}
summary{cursor:pointer}summary h2{display:inline-block}
svg.cov{width:100%;height:16px;display:block}
svg.cov .all{fill:#eef1f6}svg.cov .span{fill:#2e86c1}svg.cov .win{fill:none;stroke:#c0392b;stroke-width:2}
small{color:#5d6675}th.bar{width:45%}
)CSS";

constexpr std::string_view kScript = R"JS(
(function () {
  var text = document.getElementById('f-text'), sev = document.getElementById('f-severity');
  var host = document.getElementById('f-host'), rule = document.getElementById('f-rule');
  var count = document.getElementById('f-count');
  if (!text) return;
  var rows = document.querySelectorAll('#events tbody tr');
  var rank = {info: 0, low: 1, medium: 2, high: 3, critical: 4};
  function apply() {
    var t = text.value.toLowerCase(), s = sev.value, h = host.value, r = rule.value, shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var e = rows[i];
      var ok = (!s || rank[e.dataset.severity] >= rank[s]) && (!h || e.dataset.host === h) &&
               (!r || (' ' + e.dataset.rules + ' ').indexOf(' ' + r + ' ') >= 0) &&
               (!t || e.textContent.toLowerCase().indexOf(t) >= 0);
      e.hidden = !ok;
      if (ok) shown++;
    }
    count.textContent = shown + ' of ' + rows.length + ' events shown';
  }
  [text, sev, host, rule].forEach(function (el) {
    el.addEventListener('input', apply);
    el.addEventListener('change', apply);
  });
  var p = new URLSearchParams(location.hash.slice(1));
  if (p.has('q')) text.value = p.get('q');
  if (p.has('severity')) sev.value = p.get('severity');
  if (p.has('host')) host.value = p.get('host');
  if (p.has('rule')) rule.value = p.get('rule');
  text.dispatchEvent(new Event('input'));
  // Drill-down: a host link opens that host's card.
  document.querySelectorAll('a.host').forEach(function (a) {
    a.addEventListener('click', function () {
      var d = document.getElementById(a.getAttribute('href').slice(1));
      if (d) d.open = true;
    });
  });
})();
)JS";

class HtmlReporter final : public ScanSink {
 public:
  explicit HtmlReporter(std::ostream& out) : out_(out) {}

  void OnFinding(const Finding&) override {}  // the host record carries them as a timeline

  void OnHost(const HostReport& h) override {
    const size_t index = fleet_.size();
    fleet_.Add(h);
    hosts_.push_back(h.host);
    std::ostringstream o;
    o << "<details class=\"card " << VerdictClass(h.verdict) << "\" id=\"host-" << index << "\""
      << (h.verdict == Verdict::kCompromised || index == 0 ? " open" : "") << " data-verdict=\""
      << VerdictName(h.verdict) << "\">\n<summary><h2>" << Esc(h.host) << " &mdash; <span class=\"verdict "
      << VerdictClass(h.verdict) << "\">" << VerdictName(h.verdict) << "</span></h2></summary>\n";
    o << "<ul class=\"reasons\">";
    for (const auto& r : h.reasons) o << "<li>" << Esc(r) << "</li>";
    o << "</ul>\n";
    o << fmt::format("<p>{} events from {} findings: {} critical, {} high, {} medium, {} low, {} info",
                     h.timeline.size(), h.findings_total, h.by_severity[4], h.by_severity[3], h.by_severity[2],
                     h.by_severity[1], h.by_severity[0]);
    if (h.first) o << "; first " << Minute(h.first) << ", last " << Minute(h.last);
    o << "</p>\n";
    Attackers(h, o);
    Exposure(h, o);
    CoverageBars(h, o);
    o << "<h3>Next steps</h3><ol>";
    for (const auto& step : NextSteps(h)) o << "<li>" << Esc(step) << "</li>";
    o << "</ol>\n";
    if (!h.skipped_by_reason.empty()) {
      o << "<h3>Not read</h3><ul>";
      for (const auto& [reason, n] : h.skipped_by_reason) o << "<li>" << n << " &times; " << Esc(reason) << "</li>";
      o << "</ul><table class=\"skipped\"><tr><th>file</th><th>why</th><th>bytes</th></tr>";
      for (size_t i = 0; i < h.skipped.size() && i < 200; ++i)
        o << "<tr><td class=\"ev\">" << Esc(h.skipped[i].path) << "</td><td>" << Esc(h.skipped[i].reason)
          << "</td><td>" << h.skipped[i].size << "</td></tr>";
      o << "</table>\n";
    }
    cards_ += o.str();
    cards_ += "</details>\n";
    // Timeline rows, kept for the one table at the end.
    size_t listed = 0;
    for (const auto& e : h.timeline) {
      if (listed == kMaxHtmlEvents || events_listed_ == kMaxHtmlEventsTotal) {
        events_unlisted_ += h.timeline.size() - listed;
        break;
      }
      ++listed;
      ++events_listed_;
      std::vector<std::string> ids, titles;
      for (const auto& r : e.rules) {
        ids.push_back(r->id);
        titles.push_back(r->title);
        rules_.insert(r->id);
      }
      std::string keys;
      for (const auto& [k, v] : e.keys) keys += "<div><b>" + Esc(k) + "</b> " + Esc(v) + "</div>";
      std::string evidence;
      for (const auto& [k, v] : e.evidence)
        evidence += "<div><b>" + Esc(k) + "</b> " + Esc(v.size() > 2000 ? v.substr(0, 2000) + "…" : v) + "</div>";
      const std::string sev(SeverityName(e.severity));
      rows_ += "<tr data-severity=\"" + sev + "\" data-host=\"" + Esc(h.host) + "\" data-rules=\"" +
               Esc(Join(ids, " ")) + "\"><td>" + (e.time ? FormatIsoTime(*e.time) : std::string("?")) + "</td><td>" +
               Esc(h.host) + "</td><td class=\"s-" + sev + "\">" + sev + "</td><td>" + Esc(Join(titles, "; ")) +
               "<br><small>" + Esc(Join(ids, " ")) + " | " + std::string(OutcomeName(e.outcome)) +
               "</small></td><td class=\"ev\">" + Esc(e.source.ToString()) + "</td><td class=\"ev\">" + keys +
               evidence + "</td></tr>\n";
    }
  }

  void OnError(const ScanError& e) override {
    if (errors_.size() < 1000)
      errors_.push_back(e);
    else
      ++errors_unlisted_;
  }

  void End(const ScanStats& st) override {
    const std::string style(kStyle), script(kScript);
    out_ << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
         << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-"
         << Sha256Base64(style) << "'; script-src 'sha256-" << Sha256Base64(script)
         << "'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
         << "<meta name=\"viewport\" content=\"width=device-width\">\n<title>exhunt report: "
         << Esc(hosts_.size() == 1 ? hosts_[0] : std::to_string(hosts_.size()) + " hosts") << "</title>\n<style>"
         << style << "</style></head><body>\n<header><h1>exhunt " << EXHUNT_VERSION << "</h1><p id=\"summary\">"
         << fmt::format("{} host{}, {} log files, {} other files, {}, {} records", hosts_.size(),
                        hosts_.size() == 1 ? "" : "s", st.log_files, st.files - st.log_files, HumanBytes(st.bytes),
                        st.records)
         << "</p></header>\n<main>\n";
    Fleet();
    out_ << "<section id=\"hosts\">\n" << cards_ << "</section>\n";
    Timeline();
    if (!errors_.empty()) {
      out_ << "<section id=\"errors\"><h2>Errors (" << errors_.size() + errors_unlisted_
           << ")</h2><table><tr><th>host</th><th>path</th><th>message</th></tr>";
      for (const auto& e : errors_)
        out_ << "<tr><td>" << Esc(e.host) << "</td><td class=\"ev\">" << Esc(e.path) << "</td><td>" << Esc(e.message)
             << "</td></tr>";
      out_ << "</table>";
      if (errors_unlisted_) out_ << "<p>" << errors_unlisted_ << " more: see the JSONL report.</p>";
      out_ << "</section>\n";
    }
    out_ << "</main>\n<script>" << script << "</script>\n</body></html>\n";
  }

 private:
  void Fleet() {
    auto n = fleet_.by_verdict();
    out_ << "<section id=\"fleet\"><h2>Verdicts</h2><p id=\"verdict-counts\">"
         << fmt::format("<span class=\"v-compromised\">{} compromised</span>, <span class=\"v-attempted\">{} "
                        "attempted</span>, <span class=\"v-insufficient-evidence\">{} insufficient evidence</span>, "
                        "<span class=\"v-no-evidence\">{} no evidence</span>",
                        n[0], n[1], n[2], n[3])
         << "</p>\n<table id=\"fleet-hosts\"><tr><th>host</th><th>verdict</th><th>first</th><th>last</th>"
            "<th>events</th><th>open CVEs</th></tr>\n";
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < hosts_.size(); ++i) index.emplace(hosts_[i], i);
    for (const FleetHost* h : fleet_.ByVerdict()) {
      out_ << "<tr data-verdict=\"" << VerdictName(h->verdict) << "\"><td><a class=\"host\" href=\"#host-"
           << index[h->host] << "\">" << Esc(h->host) << "</a></td><td><span class=\"verdict "
           << VerdictClass(h->verdict) << "\">" << VerdictName(h->verdict) << "</span></td><td>" << Minute(h->first)
           << "</td><td>" << Minute(h->last) << "</td><td>" << h->events << "</td><td>";
      if (!h->open_cves.empty())
        out_ << "<details class=\"open\"><summary>" << h->open_cves.size() << " open</summary>"
             << Esc(Join(h->open_cves, " ")) << "</details>";
      else
        out_ << (h->build_known ? "none" : "<small>build unknown</small>");
      out_ << "</td></tr>\n";
    }
    out_ << "</table>\n";
    if (fleet_.size() > 1) {
      if (!fleet_.open().empty()) {
        out_ << "<h3>Open across the fleet</h3><table id=\"fleet-open\"><tr><th>CVE</th><th>hosts open</th></tr>";
        for (const auto& [cve, k] : fleet_.open())
          out_ << "<tr><td>" << Esc(cve) << "</td><td>" << k << " of " << fleet_.size() << "</td></tr>";
        out_ << "</table>\n";
      }
      auto shared = fleet_.SharedClients();
      if (!shared.empty()) {
        out_ << "<h3>Attacker addresses on more than one host</h3><table id=\"fleet-shared\"><tr><th>client</th>"
                "<th>hosts</th></tr>";
        for (size_t i = 0; i < shared.size() && i < 100; ++i)
          out_ << "<tr><td class=\"ev\">" << Esc(shared[i].first) << "</td><td>" << shared[i].second.size() << ": "
               << Esc(Join(shared[i].second, ", ")) << "</td></tr>";
        out_ << "</table>\n";
      }
    }
    out_ << "</section>\n";
  }

  void Timeline() {
    out_ << "<section id=\"timeline\"><h2>Timeline</h2>\n<div class=\"filters\">"
         << "<label>severity <select id=\"f-severity\"><option value=\"\">any</option>";
    for (int s = 4; s >= 0; --s)
      out_ << "<option value=\"" << SeverityName(Severity(s)) << "\">" << SeverityName(Severity(s)) << " and up</option>";
    out_ << "</select></label><label>host <select id=\"f-host\"><option value=\"\">any</option>";
    for (const auto& h : hosts_) out_ << "<option value=\"" << Esc(h) << "\">" << Esc(h) << "</option>";
    out_ << "</select></label><label>rule <select id=\"f-rule\"><option value=\"\">any</option>";
    for (const auto& r : rules_) out_ << "<option value=\"" << Esc(r) << "\">" << Esc(r) << "</option>";
    out_ << "</select></label><label>text <input id=\"f-text\" type=\"search\" placeholder=\"address, path, user "
            "agent...\"></label><span id=\"f-count\"></span></div>\n"
         << "<table id=\"events\"><thead><tr><th>time (UTC)</th><th>host</th><th>severity</th><th>rules</th>"
            "<th>source</th><th>evidence</th></tr></thead><tbody>\n"
         << rows_ << "</tbody></table>\n";
    if (events_unlisted_)
      out_ << "<p>" << events_unlisted_ << " more events are not listed here: see the JSONL or CSV report.</p>";
    out_ << "</section>\n";
  }

  static void Attackers(const HostReport& h, std::ostream& o) {
    if (h.attackers.empty()) return;
    o << "<h3>Who it looked like</h3><table class=\"attackers\"><tr><th>what</th><th>value</th><th>events</th>"
         "<th>first</th><th>last</th></tr>";
    for (const auto& [key, values] : h.attackers.by_key)
      for (size_t i = 0; i < values.size() && i < 10; ++i)
        o << "<tr><td>" << Esc(key) << "</td><td class=\"ev\">" << Esc(values[i].value) << "</td><td>"
          << values[i].events << "</td><td>" << Minute(values[i].first) << "</td><td>" << Minute(values[i].last)
          << "</td></tr>";
    o << "</table>\n";
  }

  static void Exposure(const HostReport& h, std::ostream& o) {
    if (!h.exposure) return;
    const ExposureAssessment& a = *h.exposure;
    o << "<h3>Exposure</h3><p class=\"answer\">" << Esc(ExposureAnswer(a)) << "</p>";
    if (a.cves.empty()) return;
    o << "<table class=\"exposure\"><tr><th>CVE</th><th>name</th><th>status</th><th>fix</th><th>mitigated by</th></tr>";
    for (const auto& c : a.cves)
      o << "<tr><td>" << Esc(c.cve) << "</td><td>" << Esc(c.aka) << "</td><td" << (IsOpen(c.status) ? " class=\"open\"" : "")
        << ">" << Esc(StatusText(c)) << "</td><td>" << Esc(c.fixing_update)
        << (c.fix_kb.empty() || c.fixing_update.find(c.fix_kb) != std::string::npos ? "" : " (" + Esc(c.fix_kb) + ")")
        << "</td><td>" << Esc(c.mitigated_by) << "</td></tr>";
    o << "</table>\n";
  }

  // One bar per family: the stretches its logs cover (blue) on the span of
  // all the host's evidence and the campaign windows (red outline).
  static void CoverageBars(const HostReport& h, std::ostream& o) {
    std::optional<TimeMs> lo, hi;
    auto widen = [&](TimeMs a, TimeMs b) {
      lo = lo ? std::min(*lo, a) : a;
      hi = hi ? std::max(*hi, b) : b;
    };
    for (const auto& [family, c] : h.families)
      for (const auto& s : c.spans) widen(s.first, s.last);
    for (const auto& w : h.windows) widen(w.window.first, w.window.last);
    o << "<h3>Evidence read</h3><table class=\"coverage\"><tr><th>family</th><th>files</th><th>bytes</th><th>from</th>"
         "<th>to</th><th>gaps</th><th class=\"bar\">";
    if (lo) o << Day(lo) << " &hellip; " << Day(hi);
    o << "</th></tr>";
    const double range = lo && *hi > *lo ? double(*hi - *lo) : 1.0;
    auto x = [&](TimeMs t) { return fmt::format("{:.2f}", 100.0 * double(t - lo.value_or(0)) / range); };
    auto w = [&](TimeMs a, TimeMs b) { return fmt::format("{:.2f}", std::max(0.3, 100.0 * double(b - a) / range)); };
    for (const auto& [family, c] : h.families) {
      o << "<tr><td>" << Esc(family) << "</td><td>" << c.files << "</td><td>" << HumanBytes(c.bytes) << "</td><td>"
        << Day(c.first) << "</td><td>" << Day(c.last) << "</td><td>" << (c.spans.empty() ? 0 : c.spans.size() - 1)
        << "</td><td>";
      if (lo) {
        o << "<svg class=\"cov\" viewBox=\"0 0 100 4\" preserveAspectRatio=\"none\"><rect class=\"all\" x=\"0\" y=\"0\" "
             "width=\"100\" height=\"4\"/>";
        for (const auto& s : c.spans)
          o << "<rect class=\"span\" x=\"" << x(s.first) << "\" y=\"0\" width=\"" << w(s.first, s.last)
            << "\" height=\"4\"/>";
        for (const auto& win : h.windows)
          o << "<rect class=\"win\" x=\"" << x(win.window.first) << "\" y=\"0\" width=\""
            << w(win.window.first, win.window.last) << "\" height=\"4\" vector-effect=\"non-scaling-stroke\"/>";
        o << "</svg>";
      }
      o << "</td></tr>";
    }
    o << "</table>\n";
    if (!h.windows.empty()) {
      o << "<table class=\"windows\"><tr><th>campaign</th><th>window</th><th>state</th></tr>";
      for (const auto& win : h.windows) {
        std::string state = win.not_exposed ? "not exposed" : win.covered ? "covered" : "NOT COVERED";
        std::vector<std::string> what;
        for (const auto& m : win.missing) what.push_back("no " + m + " logs");
        if (!win.gaps.empty()) what.push_back(std::to_string(win.gaps.size()) + " gap(s)");
        if (!win.covered && !what.empty()) state += ": " + Join(what, ", ");
        o << "<tr><td>" << Esc(win.campaign) << "</td><td>" << Day(win.window.first) << " &hellip; "
          << Day(win.window.last) << "</td><td" << (win.covered || win.not_exposed ? "" : " class=\"open\"") << ">"
          << Esc(state) << "</td></tr>";
      }
      o << "</table>\n";
    }
  }

  std::ostream& out_;
  std::vector<std::string> hosts_;
  FleetSummary fleet_;
  std::string cards_, rows_;
  std::set<std::string> rules_;
  size_t events_listed_ = 0;
  uint64_t events_unlisted_ = 0;
  std::vector<ScanError> errors_;
  uint64_t errors_unlisted_ = 0;
};

}  // namespace

std::unique_ptr<ScanSink> NewHtmlReporter(std::ostream& out) { return std::make_unique<HtmlReporter>(out); }

}  // namespace exhunt
