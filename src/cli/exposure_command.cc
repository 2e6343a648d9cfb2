#include "base/text.h"
#include "cli/commands.h"
#include "cli/report_output.h"
#include "exposure/exposure_table.h"
#include "exposure/remote.h"
#include "exposure/tree_assessment.h"
#include "reader/log_head.h"
#include "report/exposure_report.h"
#include "report/json_records.h"
#include "scan/scanner.h"
#include "source/discovery.h"

namespace exhunt {

int RunExposure(const ExposureCommandOptions& o, std::ostream& out, std::ostream& err) {
  auto table = ExposureTable::LoadBuiltin();
  if (!table.ok()) {
    err << "exhunt: " << table.status().ToString() << "\n";
    return 2;
  }
  if (o.check_table) {
    auto problems = table.value()->Check();
    for (const auto& p : problems) out << p << "\n";
    out << table.value()->builds().size() << " builds, " << table.value()->rows().size() << " fixed-build rows, "
        << table.value()->cves().size() << " CVEs, " << problems.size() << " problems\n";
    return problems.empty() ? 0 : 1;
  }
  int given = int(!o.path.empty()) + int(!o.build.empty()) + int(!o.url.empty());
  if (given != 1) {
    err << "exhunt: exposure takes exactly one of PATH, --build or --url\n";
    return 2;
  }
  const std::string format = o.format.empty() ? FormatFromFileName(o.output) : o.format;
  if (format != "text" && format != "jsonl") {
    err << "exhunt: exposure --format must be text or jsonl"
        << (o.format.empty() ? " (taken from the name of -o " + o.output + ")" : std::string()) << "\n";
    return 2;
  }
  // The destination is checked before the assessment, like scan's.
  ReportOutput output;
  if (!output.Open(o.output, out, err)) return 2;
  std::ostream& report = output.stream();
  ExposureAssessment a;
  std::string host = o.host;
  if (!o.build.empty()) {
    bool three = false;
    auto b = ParseBuild(o.build, &three);
    if (!b) {
      err << "exhunt: --build takes a build like 15.1.2176.2 or 15.01.2176.002\n";
      return 2;
    }
    a = AssessBuild(*table.value(), *b, three);
  } else if (!o.path.empty()) {
    auto fs = NewPosixFileSystem();
    if (!fs->Stat(o.path).ok()) {
      err << "exhunt: " << o.path << ": no such file or directory\n";
      return 2;
    }
    DiscoveredTree tree = Discover(fs.get(), o.path);
    a = AssessTree(fs.get(), tree, ReadBuildHeads(fs.get(), tree), *table.value());
    if (host.empty()) host = HostNameForRoot(o.path);
  } else {
    RemoteOptions r;
    r.url = o.url;
    r.insecure = o.insecure;
    auto remote = AssessRemote(r, *table.value());
    if (!remote.ok()) {
      err << "exhunt: " << o.url << ": " << remote.status().message() << "\n";
      return 2;
    }
    a = std::move(remote.value());
    if (host.empty()) host = o.url;
  }
  if (format == "jsonl") {
    report << ExposureJson(host, a) << "\n";
  } else {
    if (!host.empty()) report << host << ":\n";
    report << "  " << ExposureAnswer(a) << "\n";
    WriteExposureText(a, report);
  }
  if (!output.Finish(err)) return 2;
  // An unknown build is never "nothing open": the table cannot say.
  bool unknown = !a.build;
  for (const auto& c : a.cves) unknown = unknown || c.status == CveStatus::kUnknownBuild;
  return (IsExposed(a) || unknown) ? 1 : 0;
}

}  // namespace exhunt
