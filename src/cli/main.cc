// exhunt: is this Exchange server exposed, and has it been compromised?
// main() only parses flags and dispatches; see cli/commands.h.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"

namespace {

int Run(int argc, char** argv) {
  CLI::App app{"exhunt: hunt Exchange and IIS evidence for ProxyLogon, ProxyShell, ProxyNotShell and OWASSRF"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(EXHUNT_VERSION));

  exhunt::ScanCommandOptions scan;
  auto* scan_cmd = app.add_subcommand("scan", "scan evidence (a system drive, a triage folder, log files)");
  scan_cmd->add_option("PATH", scan.paths,
                       "scan roots; each is one host, or a fleet folder of hosts (one per sub-folder or archive)");
  scan_cmd->add_option("--format", scan.format, "text, jsonl or csv (default: from the -o file's extension, else text)");
  scan_cmd->add_option("-o,--output", scan.output, "write the report to FILE");
  // One folder per --sigma: a greedy list would take the scan roots after it.
  scan_cmd->add_option("--sigma", scan.sigma_dirs, "add Sigma rules from DIR (repeatable)")
      ->allow_extra_args(false)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  scan_cmd->add_option("--sigma-placeholders", scan.sigma_placeholders,
                       "values of the %placeholders% that Sigma rules with |expand use (YAML: name: [values])");
  scan_cmd->add_option("--yara", scan.yara_dirs, "add YARA rules (*.yar, *.yara) from DIR or FILE (repeatable)")
      ->allow_extra_args(false)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  scan_cmd->add_option("--iocs", scan.ioc_dirs,
                       "add IOC lists in Loki's formats from DIR or FILE: *hash* (MD5/SHA-1/SHA-256), *filename* "
                       "(path regexes), *c2* (client addresses) (repeatable)")
      ->allow_extra_args(false)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  scan_cmd->add_option("--baseline", scan.baseline,
                       "known-good baseline (FILE, or a folder of *.csv): flag changed and unknown web files, "
                       "drop findings on files it knows");
  scan_cmd->add_option("--threads", scan.threads, "worker threads (default: all cores)");
  scan_cmd->add_option("--since", scan.since, "ignore records before DATE");
  scan_cmd->add_option("--until", scan.until, "ignore records after DATE");
  scan_cmd->add_option("--host", scan.host, "host name for the findings (default: the root's folder name)");
  scan_cmd->add_option("--fail-on", scan.fail_on, "exit 1 if a finding is at least this severe")->default_str("medium");
  scan_cmd->add_option("--max-file-size", scan.max_file_size, "skip (and list) files larger than SIZE (500M, 2G)");
  scan_cmd->add_option("--max-content-size", scan.max_content_size,
                       "read the bytes (hashes, YARA) of files up to SIZE (default 64M); larger ones are judged by "
                       "name and place, and listed");
  scan_cmd->add_option("--memory-budget", scan.memory_budget,
                       "bytes of findings one host may keep (default 512M); past it they are counted, not kept");
  scan_cmd->add_flag("--no-progress", scan.no_progress, "do not print progress");
  scan_cmd->add_flag("--quiet", scan.quiet, "print only the report");
  scan_cmd->add_flag("--no-builtin", scan.no_builtin, "run only rules given with --sigma and --yara");
  scan_cmd->add_flag("--fleet", scan.fleet,
                     "each PATH is a fleet folder: every sub-folder or collection archive is one host (found "
                     "without this flag when the folder plainly holds servers)");
  scan_cmd->add_option("--hosts-from", scan.hosts_from, "scan the hosts listed in FILE: PATH or NAME<TAB>PATH per line");
  scan_cmd->add_option("--db", scan.db,
                       "also keep the results in a store: a SQLite FILE (created if missing) or postgresql://...");

  exhunt::ReportCommandOptions report;
  auto* report_cmd = app.add_subcommand("report", "render stored results (no evidence is read)");
  report_cmd->add_option("DB", report.db, "the store: a SQLite file or postgresql://...")->required();
  report_cmd->add_option("--host", report.host, "only this host");
  report_cmd->add_option("--scan", report.scan, "the results of this scan (default: each host's newest)");
  report_cmd->add_option("--format", report.format, "text, jsonl, csv or html (default: from -o, else text)");
  report_cmd->add_option("-o,--output", report.output, "write the report to FILE");
  report_cmd->add_flag("--scans", report.list_scans, "list the stored scans and their verdicts");

  exhunt::ImportCommandOptions import;
  auto* import_cmd = app.add_subcommand("import", "keep JSONL results (exhunt scan --format jsonl) in a store");
  import_cmd->add_option("FILE", import.files, "JSONL files, - for standard input")->required();
  import_cmd->add_option("--db", import.db, "the store: a SQLite file or postgresql://...")->required();

  exhunt::ExposureCommandOptions exposure;
  auto* exposure_cmd = app.add_subcommand("exposure", "is this server patched, mitigated or open, per exploited CVE");
  exposure_cmd->add_option("PATH", exposure.path, "a scan root: build from ExSetup.exe, logs, OWA folders; IIS config");
  exposure_cmd->add_option("--build", exposure.build, "a build number: 15.1.2176.2 or 15.01.2176.002");
  exposure_cmd->add_option("--url", exposure.url, "an Exchange front end: https://mail.example.com");
  exposure_cmd->add_flag("--insecure", exposure.insecure, "accept self-signed or mismatching TLS certificates");
  exposure_cmd->add_option("--format", exposure.format, "text or jsonl (default: from the -o file's extension, else text)");
  exposure_cmd->add_option("-o,--output", exposure.output, "write the report to FILE");
  exposure_cmd->add_option("--host", exposure.host, "host name for the report");
  exposure_cmd->add_flag("--check-table", exposure.check_table, "check the built-in build table and exit");

  exhunt::RulesCommandOptions rules;
  auto* rules_cmd = app.add_subcommand("rules", "list or check detection rules");
  rules_cmd->add_option("ACTION", rules.action, "list | check | literals")
      ->required()
      ->check(CLI::IsMember({"list", "check", "literals"}));
  rules_cmd->add_option("DIR", rules.dirs, "rule directories (default: the built-in rules)");
  rules_cmd->add_flag("--no-builtin", rules.no_builtin, "leave the built-in rules out");
  rules_cmd->add_option("--sigma-placeholders", rules.sigma_placeholders,
                        "values of the %placeholders% that Sigma rules with |expand use (YAML: name: [values])");

  exhunt::BaselineCommandOptions baseline;
  auto* baseline_cmd = app.add_subcommand("baseline", "known-good baselines of an Exchange server's web files");
  auto* baseline_make = baseline_cmd->add_subcommand("make", "record the web files of a clean server");
  baseline_cmd->require_subcommand(1);
  baseline_make->add_option("PATH", baseline.path, "the clean server's drive, triage folder or install folder")
      ->required();
  baseline_make->add_option("-o,--output", baseline.output, "the baseline file to write (SHA256,build,path rows)")
      ->required();
  baseline_make->add_option("--build", baseline.build, "the server's build (default: read from ExSetup.exe)");

  auto* version_cmd = app.add_subcommand("version", "print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  const exhunt::PrefilterCache databases(exhunt::BuiltinPrefilterDatabases());
  scan.prefilter_cache = &databases;
  if (*scan_cmd) return exhunt::RunScan(scan, std::cout, std::cerr);
  if (*rules_cmd) return exhunt::RunRules(rules, std::cout, std::cerr);
  if (*exposure_cmd) return exhunt::RunExposure(exposure, std::cout, std::cerr);
  if (*report_cmd) return exhunt::RunReport(report, std::cout, std::cerr);
  if (*import_cmd) return exhunt::RunImport(import, std::cout, std::cerr);
  if (*baseline_cmd) return exhunt::RunBaselineMake(baseline, std::cout, std::cerr);
  if (*version_cmd) {
    std::cout << "exhunt " << EXHUNT_VERSION << "\n";
    return 0;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // Library code reports through Status; this is the last guard (out of memory, CLI11 internals).
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "exhunt: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "exhunt: unexpected error\n";
  }
  return 2;
}
