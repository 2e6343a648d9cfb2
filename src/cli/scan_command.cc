#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <set>

#include "base/text.h"
#include "cli/commands.h"
#include "report/report.h"
#include "rule/prefilter.h"
#include "scan/scanner.h"

namespace exhunt {

namespace {

std::optional<TimeMs> ParseDateOption(const std::string& s, bool end_of_day) {
  auto t = ParseIsoTime(s);
  if (t && s.size() == 10 && end_of_day) *t += 86400000LL - 1;
  return t;
}

}  // namespace

int RunScan(const ScanCommandOptions& o, std::ostream& out, std::ostream& err) {
  ReportOptions report;
  if (o.format == "text") report.format = ReportFormat::kText;
  else if (o.format == "jsonl") report.format = ReportFormat::kJsonl;
  else if (o.format == "csv") report.format = ReportFormat::kCsv;
  else {
    err << "exhunt: --format must be text, jsonl or csv (html is not available yet)\n";
    return 2;
  }
  auto fail_on = ParseSeverity(o.fail_on);
  if (!fail_on) {
    err << "exhunt: --fail-on must be info, low, medium, high or critical\n";
    return 2;
  }
  ScanOptions scan;
  scan.roots = o.paths;
  scan.threads = o.threads;
  scan.host = o.host;
  if (!o.since.empty() && !(scan.since = ParseDateOption(o.since, false))) {
    err << "exhunt: --since takes a date like 2021-03-01 or 2021-03-01T06:00:00Z\n";
    return 2;
  }
  if (!o.until.empty() && !(scan.until = ParseDateOption(o.until, true))) {
    err << "exhunt: --until takes a date like 2021-03-31 or 2021-03-31T23:59:59Z\n";
    return 2;
  }
  auto fs = NewPosixFileSystem();
  size_t missing = 0;
  for (const auto& p : o.paths) {
    if (!fs->Stat(p).ok()) {
      err << "exhunt: " << p << ": no such file or directory\n";
      ++missing;
    }
  }
  if (o.paths.empty() || missing == o.paths.size()) {
    if (o.paths.empty()) err << "exhunt: scan needs at least one PATH\n";
    return 2;
  }
  RuleSet rules;
  if (!o.no_builtin) rules.AddBuiltin();
  for (const auto& d : o.sigma_dirs) {
    Status s = rules.AddDirectory(fs.get(), d);
    if (!s.ok()) {
      err << "exhunt: --sigma " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (!o.no_progress && !o.quiet && isatty(STDERR_FILENO)) {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    scan.on_progress = [&err, last](const ScanProgress& p) {
      auto now = std::chrono::steady_clock::now();
      if (p.files_done != p.files_total && now - *last < std::chrono::milliseconds(100)) return;
      *last = now;
      err << fmt::format("\rscanning: {}/{} files, {} of {}   ", p.files_done, p.files_total, HumanBytes(p.bytes_done),
                         HumanBytes(p.bytes_total));
      if (p.files_done == p.files_total) err << "\r" << std::string(70, ' ') << "\r";
      err.flush();
    };
  }
  auto table = ExposureTable::LoadBuiltin();
  if (!table.ok()) {
    err << "exhunt: " << table.status().ToString() << "\n";
    return 2;
  }
  scan.exposure_table = table.value().get();
  report.exposure_table = table.value().get();
  Scanner scanner(fs.get(), &rules, scan);
  Status prepared = scanner.Prepare();
  if (!prepared.ok()) {
    err << "exhunt: " << prepared.ToString() << "\n";
    return 2;
  }
  ScanResult result = scanner.Scan();
  for (const auto& e : rules.errors()) result.errors.push_back({e.origin, "rule not loaded: " + e.status.message()});

  std::ofstream file;
  std::ostream* sink = &out;
  if (!o.output.empty()) {
    file.open(o.output, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "exhunt: cannot write " << o.output << "\n";
      return 2;
    }
    sink = &file;
  }
  WriteReport(result, report, *sink);
  sink->flush();

  bool over = false;
  for (const auto& f : result.findings)
    if (f.rule->severity() >= *fail_on) over = true;
  if (!o.quiet && (&out != sink || report.format != ReportFormat::kText)) {
    for (const auto& h : result.hosts) err << h.host << ": " << VerdictName(h.verdict) << "\n";
    err << fmt::format("{} findings, {} errors, {} in {:.2f} s\n", result.findings.size(), result.errors.size(),
                       HumanBytes(result.stats.bytes), result.stats.seconds);
  }
  return over ? 1 : 0;
}

int RunRules(const RulesCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto fs = NewPosixFileSystem();
  RuleSet rules;
  if (!o.no_builtin && (o.action == "list" || o.dirs.empty())) rules.AddBuiltin();
  for (const auto& d : o.dirs) {
    Status s = rules.AddDirectory(fs.get(), d);
    if (!s.ok()) {
      err << "exhunt: " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (o.action == "literals") {
    // The literals the prefilter searches, one per line (for rg -F -f in benchmarks).
    std::set<std::string> seen;
    for (LogType t : {LogType::kIisW3c, LogType::kHttpProxy, LogType::kEcpServer, LogType::kEcpActivity,
                      LogType::kOabGenerator, LogType::kRpsHttp}) {
      auto pf = Prefilter::Build(rules.rules(), t);
      if (!pf.ok()) continue;
      const auto& lits = pf.value()->literals();
      for (size_t i = Prefilter::kFirstRuleLiteral; i < lits.size(); ++i)
        if (seen.insert(lits[i].text).second) out << lits[i].text << "\n";
    }
    return 0;
  }
  if (o.action == "list") {
    for (const auto& r : rules.rules()) {
      std::vector<std::string> logs;
      for (LogType t : {LogType::kIisW3c, LogType::kHttpProxy, LogType::kEcpServer, LogType::kEcpActivity,
                        LogType::kOabGenerator, LogType::kRpsHttp})
        if (r->AppliesTo(t)) logs.emplace_back(LogTypeName(t));
      std::string cves;
      for (const auto& c : r->cves()) cves += (cves.empty() ? "" : " ") + c;
      out << fmt::format("{:<9} {:<52} {:<28} {}\n", SeverityName(r->severity()), r->id(), cves,
                         logs.empty() ? std::string("(no text log)") : logs[0]);
    }
    out << rules.rules().size() << " rules\n";
    return 0;
  }
  // check: load, report errors and rules that must see every record.
  int problems = 0;
  for (const auto& e : rules.errors()) {
    out << "error  " << e.status.message() << "\n";
    ++problems;
  }
  size_t slow = 0;
  for (const auto& r : rules.rules()) {
    for (LogType t : {LogType::kIisW3c, LogType::kHttpProxy, LogType::kEcpServer, LogType::kEcpActivity,
                      LogType::kOabGenerator, LogType::kRpsHttp}) {
      if (!r->AppliesTo(t)) continue;
      auto cover = r->Cover(t);
      if (!cover) {
        out << fmt::format("slow   {} ({}): no literal to prefilter on; reads every {} record\n", r->id(), r->origin(),
                           LogTypeName(t));
        ++slow;
      } else {
        size_t shortest = SIZE_MAX;
        for (const auto& l : *cover) shortest = std::min(shortest, l.text.size());
        if (shortest < 4)
          out << fmt::format("slow   {} ({}): shortest prefilter literal has {} bytes\n", r->id(), r->origin(), shortest);
      }
    }
  }
  out << fmt::format("{} rules loaded, {} not loaded, {} slow\n", rules.rules().size(), rules.errors().size(), slow);
  return problems ? 1 : 0;
}

}  // namespace exhunt
