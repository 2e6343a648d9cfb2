#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>

#include "base/text.h"
#include "cli/commands.h"
#include "cli/report_output.h"
#include "report/reporter.h"
#include "scan/scanner.h"
#include "source/fleet_layout.h"
#include "store/store.h"

namespace exhunt {

namespace {

// Passes everything on to the reporter and keeps what the exit code and
// the summary on stderr need.
class TallySink final : public ScanSink {
 public:
  // `report` is where the reporter writes: its first failure is caught
  // with the errno of the write that failed.
  TallySink(ScanSink& next, Severity fail_on, ReportOutput& report)
      : next_(next), fail_on_(fail_on), report_(report) {}
  void Begin(const ScanInfo& info) override {
    next_.Begin(info);
    Watch();
  }
  void OnFinding(const Finding& f) override {
    ++findings;
    if (f.rule->severity >= fail_on_) over = true;
    next_.OnFinding(f);
    Watch();
  }
  void OnHost(const HostReport& h) override {
    verdicts.push_back(h.host + ": " + std::string(VerdictName(h.verdict)));
    for (const auto& [reason, n] : h.skipped_by_reason) skipped += n;
    next_.OnHost(h);
    Watch();
  }
  void OnError(const ScanError& e) override {
    ++errors;
    next_.OnError(e);
    Watch();
  }
  void End(const ScanStats& s) override {
    next_.End(s);
    Watch();
  }

  uint64_t findings = 0, errors = 0, skipped = 0;
  bool over = false;
  std::vector<std::string> verdicts;

 private:
  void Watch() { report_.Check(); }
  ScanSink& next_;
  Severity fail_on_;
  ReportOutput& report_;
};

std::optional<TimeMs> ParseDateOption(const std::string& s, bool end_of_day) {
  auto t = ParseIsoTime(s);
  if (t && s.size() == 10 && end_of_day) *t += 86400000LL - 1;
  return t;
}

}  // namespace

int RunScan(const ScanCommandOptions& o, std::ostream& out, std::ostream& err) {
  ReportOptions report;
  if (auto f = ChooseReportFormat(o.format, o.output, err))
    report.format = *f;
  else
    return 2;
  auto fail_on = ParseSeverity(o.fail_on);
  if (!fail_on) {
    err << "exhunt: --fail-on must be info, low, medium, high or critical\n";
    return 2;
  }
  ScanOptions scan;
  scan.threads = o.threads;
  scan.prefilter_cache = o.prefilter_cache;
  scan.host = o.host;
  if (!o.since.empty() && !(scan.since = ParseDateOption(o.since, false))) {
    err << "exhunt: --since takes a date like 2021-03-01 or 2021-03-01T06:00:00Z\n";
    return 2;
  }
  if (!o.until.empty() && !(scan.until = ParseDateOption(o.until, true))) {
    err << "exhunt: --until takes a date like 2021-03-31 or 2021-03-31T23:59:59Z\n";
    return 2;
  }
  if (scan.since && scan.until && *scan.until < *scan.since) {
    err << "exhunt: --until " << o.until << " is before --since " << o.since << ": nothing would be scanned\n";
    return 2;
  }
  if (!o.max_file_size.empty()) {
    auto size = ParseByteSize(o.max_file_size);
    if (!size || *size == 0) {
      err << "exhunt: --max-file-size takes a size like 500M or 2G\n";
      return 2;
    }
    scan.max_file_size = *size;
  }
  if (!o.max_content_size.empty()) {
    auto size = ParseByteSize(o.max_content_size);
    if (!size) {
      err << "exhunt: --max-content-size takes a size like 64M or 1G\n";
      return 2;
    }
    scan.max_content_bytes = *size;
  }
  if (!o.memory_budget.empty()) {
    auto size = ParseByteSize(o.memory_budget);
    if (!size || *size < (uint64_t(1) << 20)) {
      err << "exhunt: --memory-budget takes a size of at least 1M, like 256M or 2G\n";
      return 2;
    }
    scan.max_findings_bytes = *size;
  }
  auto fs = NewPosixFileSystem();
  size_t missing = 0;
  for (const auto& p : o.paths) {
    if (!fs->Stat(p).ok()) {
      err << "exhunt: " << p << ": no such file or directory\n";
      ++missing;
    }
  }
  if ((o.paths.empty() && o.hosts_from.empty()) || (!o.paths.empty() && missing == o.paths.size())) {
    if (o.paths.empty()) err << "exhunt: scan needs at least one PATH (or --hosts-from FILE)\n";
    return 2;
  }
  // Hosts: each PATH, or each host of a fleet folder, or of the host list.
  std::vector<std::string> roots, host_names;
  std::vector<ScanError> fleet_errors;
  if (!o.hosts_from.empty()) {
    auto listed = ReadHostList(fs.get(), o.hosts_from);
    if (!listed.ok()) {
      err << "exhunt: --hosts-from " << o.hosts_from << ": " << listed.status().message() << "\n";
      return 2;
    }
    for (const auto& m : listed.value()) {
      if (!fs->Stat(m.path).ok()) {
        err << "exhunt: --hosts-from " << o.hosts_from << ": " << m.path << ": no such file or directory\n";
        fleet_errors.push_back({m.path, "listed host not scanned: no such file or directory", m.name});
        continue;
      }
      roots.push_back(m.path);
      host_names.push_back(m.name);
    }
  }
  for (const auto& p : o.paths) {
    if (!fs->Stat(p).ok()) continue;
    if (o.fleet || (o.host.empty() && LooksLikeFleet(fs.get(), p))) {
      auto members = FleetMembers(fs.get(), p, &fleet_errors);
      if (!o.quiet) err << "exhunt: " << p << ": a fleet of " << members.size() << " hosts (one per sub-folder or archive)\n";
      for (auto& m : members) {
        roots.push_back(m.path);
        host_names.push_back(m.name);
      }
    } else {
      roots.push_back(p);
      host_names.emplace_back();
    }
  }
  if (roots.empty()) {
    err << "exhunt: no host to scan\n";
    return 2;
  }
  if (!o.host.empty() && roots.size() > 1) {
    err << "exhunt: --host names one server; with " << roots.size()
        << " hosts each is named after its folder, so leave --host out or scan one PATH\n";
    return 2;
  }
  scan.roots = roots;
  scan.host_names = host_names;
  RuleSet rules;
  if (o.threads) rules.set_load_threads(o.threads);
  if (!o.sigma_placeholders.empty()) {
    if (Status s = rules.LoadSigmaPlaceholders(fs.get(), o.sigma_placeholders); !s.ok()) {
      err << "exhunt: --sigma-placeholders: " << s.message() << "\n";
      return 2;
    }
  }
  if (!o.no_builtin) rules.AddBuiltin();
  for (const auto& d : o.sigma_dirs) {
    Status s = rules.AddDirectory(fs.get(), d, RuleSet::Files::kSigma);
    if (!s.ok()) {
      err << "exhunt: --sigma " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  for (const auto& d : o.yara_dirs) {
    Status s = rules.AddDirectory(fs.get(), d, RuleSet::Files::kYara);
    if (!s.ok()) {
      err << "exhunt: --yara " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (!o.baseline.empty()) {
    Status s = rules.AddBaseline(fs.get(), o.baseline);
    if (!s.ok()) {
      err << "exhunt: --baseline " << o.baseline << ": " << s.message() << "\n";
      return 2;
    }
  }
  for (const auto& d : o.ioc_dirs) {
    Status s = rules.AddIocDirectory(fs.get(), d);
    if (!s.ok()) {
      err << "exhunt: --iocs " << d << ": " << s.message() << "\n";
      return 2;
    }
  }
  if (rules.rules().empty()) {
    const bool given = !o.sigma_dirs.empty() || !o.yara_dirs.empty() || !o.ioc_dirs.empty();
    err << "exhunt: no rule to run"
        << (o.no_builtin ? (!given ? ": --no-builtin needs --sigma DIR or --yara DIR"
                                   : ": the --sigma and --yara folders hold no rule that loaded")
                         : "")
        << "\n";
    for (const auto& e : rules.errors()) err << "  " << e.origin << ": " << e.status.message() << "\n";
    return 2;
  }
  // The report's destination and the store are checked before the scan, not after it.
  ReportOutput output;
  if (!output.Open(o.output, out, err)) return 2;
  std::unique_ptr<Store> store;
  std::unique_ptr<StoreWriter> stored;
  if (!o.db.empty()) {
    auto opened = Store::Open(o.db);
    if (!opened.ok()) {
      err << "exhunt: --db " << o.db << ": " << opened.status().message() << "\n";
      return 2;
    }
    store = std::move(opened.value());
    auto writer = store->NewScan("scan", o.paths);
    if (!writer.ok()) {
      err << "exhunt: --db " << o.db << ": " << writer.status().message() << "\n";
      return 2;
    }
    stored = std::move(writer.value());
  }
  std::ostream* sink = &output.stream();
  if (!o.no_progress && !o.quiet && isatty(STDERR_FILENO)) {
    auto last = std::make_shared<std::chrono::steady_clock::time_point>();
    const auto start = std::chrono::steady_clock::now();
    scan.on_progress = [&err, last, start](const ScanProgress& p) {
      auto now = std::chrono::steady_clock::now();
      const bool finished = p.files_done == p.files_total && p.hosts_done == p.hosts_total;
      if (!finished && now - *last < std::chrono::milliseconds(100)) return;
      *last = now;
      double secs = std::chrono::duration<double>(now - start).count();
      double rate = secs > 0 ? double(p.bytes_done) / secs : 0;  // bytes per second
      std::string left = "?";
      if (rate > 0 && p.bytes_total >= p.bytes_done)
        left = fmt::format("{:.0f} s", double(p.bytes_total - p.bytes_done) / rate);
      std::string hosts = p.hosts_total > 1 ? fmt::format("host {}/{}, ", p.hosts_done, p.hosts_total) : "";
      err << fmt::format("\rscanning: {}{}/{} files, {} of {}, {}/s, {} left   ", hosts, p.files_done, p.files_total,
                         HumanBytes(p.bytes_done), HumanBytes(p.bytes_total), HumanBytes(uint64_t(rate)), left);
      if (finished) err << "\r" << std::string(100, ' ') << "\r";
      err.flush();
    };
  }
  auto table = ExposureTable::LoadBuiltin();
  if (!table.ok()) {
    err << "exhunt: " << table.status().ToString() << "\n";
    return 2;
  }
  scan.exposure_table = table.value().get();
  Scanner scanner(fs.get(), &rules, scan);
  Status prepared = scanner.Prepare();
  if (!prepared.ok()) {
    err << "exhunt: " << prepared.ToString() << "\n";
    return 2;
  }

  // Colour only for people at a terminal, and never with NO_COLOR set (no-color.org).
  report.colour = report.format == ReportFormat::kText && output.to_standard_output() && isatty(STDOUT_FILENO) &&
                  getenv("NO_COLOR") == nullptr;
  auto reporter = NewReporter(report, *sink);
  std::vector<ScanSink*> sinks{reporter.get()};
  if (stored) sinks.push_back(stored.get());
  TeeSink both(sinks);
  TallySink tally(both, *fail_on, output);
  tally.Begin(ScanInfo{roots});
  ScanStats stats = scanner.Run(tally);
  // Evidence listed as not read: skipped files and the scan's error records.
  const uint64_t unread = tally.skipped + tally.errors;
  for (const auto& e : fleet_errors) tally.OnError(e);
  for (const auto& e : rules.errors()) tally.OnError({e.origin, "rule not loaded: " + e.status.message()});
  tally.End(stats);
  if (!output.Finish(err)) return 2;
  if (stored && !stored->status().ok()) {
    err << "exhunt: --db " << o.db << ": the results could not all be stored (" << stored->status().message()
        << "); the hosts stored before it are whole\n";
    return 2;
  }
  if (stats.files == 0) {
    err << "exhunt: nothing was scanned: no Exchange or IIS log and no other file was found under "
        << Join(o.paths, ", ");
    if (unread) err << " (" << unread << " file(s) look like logs but could not be read; see the report)";
    err << "\n";
    return 2;
  }
  if (stats.log_files == 0) {
    err << "exhunt: no Exchange or IIS log was found under " << Join(o.paths, ", ") << ": only the " << stats.files
        << " file(s) on disk were checked";
    if (unread) err << " (" << unread << " file(s) look like logs but could not be read; see the report)";
    err << "\n";
  }

  if (!o.quiet && (&out != sink || report.format != ReportFormat::kText)) {
    for (const auto& v : tally.verdicts) err << v << "\n";
    err << fmt::format("{} findings, {} errors, {} in {:.2f} s\n", tally.findings, tally.errors,
                       HumanBytes(stats.bytes), stats.seconds);
  }
  return tally.over ? 1 : 0;
}

}  // namespace exhunt
