#include "rule/windows_logsource.h"

#include "base/text.h"

namespace exhunt {

namespace {

constexpr std::string_view kSysmon = "Microsoft-Windows-Sysmon/Operational";
constexpr std::string_view kSecurity = "Security";
constexpr std::string_view kPowerShell = "Microsoft-Windows-PowerShell/Operational";
constexpr std::string_view kPowerShellClassic = "Windows PowerShell";

// Services: one or more channels each.
struct ServiceEntry {
  std::string_view service;
  std::string_view channels;  // '|'-separated
};
constexpr ServiceEntry kServices[] = {
    {"security", kSecurity},
    {"system", "System"},
    {"application", "Application"},
    {"sysmon", kSysmon},
    {"powershell", kPowerShell},
    {"powershell-classic", kPowerShellClassic},
    {"msexchange-management", "MSExchange Management"},
    {"taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"},
    {"wmi", "Microsoft-Windows-WMI-Activity/Operational"},
    {"windefend", "Microsoft-Windows-Windows Defender/Operational"},
    {"firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
    {"dns-server", "DNS Server"},
    {"dns-server-analytic", "Microsoft-Windows-DNS-Server/Analytical"},
    {"dns-client", "Microsoft-Windows-DNS Client Events/Operational"},
    {"driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
    {"ntlm", "Microsoft-Windows-NTLM/Operational"},
    {"dhcp", "Microsoft-Windows-DHCP-Server/Operational"},
    {"printservice-admin", "Microsoft-Windows-PrintService/Admin"},
    {"printservice-operational", "Microsoft-Windows-PrintService/Operational"},
    {"smbclient-security", "Microsoft-Windows-SmbClient/Security"},
    {"smbclient-connectivity", "Microsoft-Windows-SmbClient/Connectivity"},
    {"smbserver-connectivity", "Microsoft-Windows-SMBServer/Connectivity"},
    {"applocker",
     "Microsoft-Windows-AppLocker/MSI and Script|Microsoft-Windows-AppLocker/EXE and DLL|"
     "Microsoft-Windows-AppLocker/Packaged app-Deployment|Microsoft-Windows-AppLocker/Packaged app-Execution"},
    {"bits-client", "Microsoft-Windows-Bits-Client/Operational"},
    {"codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"},
    {"diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"},
    {"security-mitigations",
     "Microsoft-Windows-Security-Mitigations/Kernel Mode|Microsoft-Windows-Security-Mitigations/User Mode"},
    {"terminalservices-localsessionmanager", "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
    {"openssh", "OpenSSH/Operational"},
    {"ldap_debug", "Microsoft-Windows-LDAP-Client/Debug"},
    {"appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"},
    {"appxpackaging-om", "Microsoft-Windows-AppxPackagingOM/Operational"},
    {"appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"},
    {"lsa-server", "Microsoft-Windows-LSA/Operational"},
    {"capi2", "Microsoft-Windows-CAPI2/Operational"},
    {"certificateservicesclient-lifecycle-system",
     "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational"},
    {"shell-core", "Microsoft-Windows-Shell-Core/Operational"},
    {"vhdmp", "Microsoft-Windows-VHDMP-Operational"},
    {"iis-configuration", "Microsoft-IIS-Configuration/Operational"},
    {"microsoft-servicebus-client", "Microsoft-ServiceBus-Client"},
    {"kernel-shimengine", "Microsoft-Windows-Kernel-ShimEngine/Operational"},
    {"hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker-Admin"},
    {"sysmon-error", kSysmon},
};

// Security 4688 as a process_creation event.
constexpr FieldAlias kProcessCreation4688[] = {
    {"Image", "NewProcessName"},     {"ParentImage", "ParentProcessName"}, {"User", "SubjectUserName"},
    {"LogonId", "SubjectLogonId"},   {"ProcessId", "NewProcessId"},        {"ParentProcessId", "ProcessId"},
};

constexpr uint32_t k1[] = {1}, k2[] = {2}, k3[] = {3}, k4_16[] = {4, 16}, k5[] = {5}, k6[] = {6}, k7[] = {7},
                   k8[] = {8}, k9[] = {9}, k10[] = {10}, k11[] = {11}, k12[] = {12}, k13[] = {13}, k14[] = {14},
                   k12_14[] = {12, 13, 14}, k15[] = {15}, k17_18[] = {17, 18}, k19_21[] = {19, 20, 21}, k22[] = {22},
                   k23_26[] = {23, 26}, k24[] = {24}, k25[] = {25}, k27[] = {27}, k28[] = {28}, k29[] = {29},
                   k255[] = {255}, k4688[] = {4688}, k4103[] = {4103}, k4104[] = {4104}, k400[] = {400},
                   k600[] = {600}, k800[] = {800};

struct CategoryEntry {
  std::string_view category;
  WindowsEventSource sources[2];
  size_t count;
};
constexpr CategoryEntry kCategories[] = {
    {"process_creation", {{kSysmon, k1, {}}, {kSecurity, k4688, kProcessCreation4688}}, 2},
    {"file_change", {{kSysmon, k2, {}}}, 1},
    {"network_connection", {{kSysmon, k3, {}}}, 1},
    {"sysmon_status", {{kSysmon, k4_16, {}}}, 1},
    {"process_termination", {{kSysmon, k5, {}}}, 1},
    {"driver_load", {{kSysmon, k6, {}}}, 1},
    {"image_load", {{kSysmon, k7, {}}}, 1},
    {"create_remote_thread", {{kSysmon, k8, {}}}, 1},
    {"raw_access_thread", {{kSysmon, k9, {}}}, 1},
    {"process_access", {{kSysmon, k10, {}}}, 1},
    {"file_event", {{kSysmon, k11, {}}}, 1},
    {"registry_add", {{kSysmon, k12, {}}}, 1},
    {"registry_delete", {{kSysmon, k12, {}}}, 1},
    {"registry_set", {{kSysmon, k13, {}}}, 1},
    {"registry_rename", {{kSysmon, k14, {}}}, 1},
    {"registry_event", {{kSysmon, k12_14, {}}}, 1},
    {"create_stream_hash", {{kSysmon, k15, {}}}, 1},
    {"pipe_created", {{kSysmon, k17_18, {}}}, 1},
    {"wmi_event", {{kSysmon, k19_21, {}}}, 1},
    {"dns_query", {{kSysmon, k22, {}}}, 1},
    {"file_delete", {{kSysmon, k23_26, {}}}, 1},
    {"clipboard_capture", {{kSysmon, k24, {}}}, 1},
    {"process_tampering", {{kSysmon, k25, {}}}, 1},
    {"file_block_executable", {{kSysmon, k27, {}}}, 1},
    {"file_block_shredding", {{kSysmon, k28, {}}}, 1},
    {"file_executable_detected", {{kSysmon, k29, {}}}, 1},
    {"sysmon_error", {{kSysmon, k255, {}}}, 1},
    {"ps_module", {{kPowerShell, k4103, {}}}, 1},
    {"ps_script", {{kPowerShell, k4104, {}}}, 1},
    {"ps_classic_start", {{kPowerShellClassic, k400, {}}}, 1},
    {"ps_classic_provider_start", {{kPowerShellClassic, k600, {}}}, 1},
    {"ps_classic_script", {{kPowerShellClassic, k800, {}}}, 1},
};

}  // namespace

Result<std::vector<WindowsEventSource>> MapWindowsLogSource(std::string_view service, std::string_view category) {
  std::vector<WindowsEventSource> out;
  if (category == "webserver") return out;
  if (!category.empty()) {
    const CategoryEntry* entry = nullptr;
    for (const auto& c : kCategories)
      if (c.category == category) entry = &c;
    if (!entry)
      return Status::Unsupported("logsource category '" + std::string(category) +
                                 "' of product windows: exhunt does not know which events it means");
    for (size_t i = 0; i < entry->count; ++i) out.push_back(entry->sources[i]);
    // A service beside a category narrows it to that service's channels.
    if (!service.empty()) {
      auto by_service = MapWindowsLogSource(service, "");
      if (!by_service.ok()) return by_service.status();
      std::vector<WindowsEventSource> narrowed;
      for (const auto& s : out)
        for (const auto& c : by_service.value())
          if (EqualsIgnoreCase(s.channel, c.channel)) narrowed.push_back(s);
      out = std::move(narrowed);
    }
    return out;
  }
  if (service.empty()) {
    out.push_back({});  // any event
    return out;
  }
  for (const auto& s : kServices) {
    if (s.service != service) continue;
    for (auto channel : Split(s.channels, '|')) out.push_back({channel, {}, {}});
    return out;
  }
  return Status::Unsupported("logsource service '" + std::string(service) +
                             "' of product windows: exhunt does not know which channel it means");
}

const WindowsEventSource* FindEventSource(std::span<const WindowsEventSource> sources, const Record& record) {
  std::optional<std::string_view> channel, event_id;
  bool looked = false;
  for (const auto& s : sources) {
    if (!looked) {
      channel = record.Field("Channel");
      event_id = record.Field("EventID");
      looked = true;
    }
    if (!s.channel.empty() && (!channel || !EqualsIgnoreCase(*channel, s.channel))) continue;
    if (!s.event_ids.empty()) {
      uint64_t id = 0;
      if (!event_id || !ParseUint(*event_id, &id)) continue;
      bool hit = false;
      for (uint32_t e : s.event_ids) hit = hit || e == id;
      if (!hit) continue;
    }
    return &s;
  }
  return nullptr;
}

std::optional<std::string_view> AliasedRecord::Field(std::string_view name) const {
  for (const auto& a : aliases_)
    if (EqualsIgnoreCase(a.rule_name, name)) return inner_.Field(a.event_name);
  return inner_.Field(name);
}

}  // namespace exhunt
