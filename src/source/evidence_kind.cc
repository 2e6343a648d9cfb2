#include "source/evidence_kind.h"

#include "base/text.h"

namespace exhunt {

namespace {

constexpr LogSourcePattern kIisSources[] = {
    {"*", "iis", "*"}, {"", "*", "webserver"}, {"windows", "*", "webserver"}, {"iis", "*", "webserver"}};
constexpr LogSourcePattern kHttpProxySources[] = {{"exchange", "httpproxy", "*"}};
constexpr LogSourcePattern kEcpServerSources[] = {{"exchange", "ecp-server", "*"}};
constexpr LogSourcePattern kEcpActivitySources[] = {{"exchange", "ecp-activity", "*"}};
constexpr LogSourcePattern kOabSources[] = {{"exchange", "oabgenerator", "*"}};
constexpr LogSourcePattern kRpsSources[] = {{"exchange", "rps-http", "*"}};
constexpr LogSourcePattern kExchangeCsvSources[] = {{"exchange", "exchange-csv", "*"}};
// Files on disk; exhunt's own logsource (Sigma's file_event is an event of a
// process writing a file, which event logs carry).
// Windows event logs: every Sigma rule of product windows; which channel and
// events a rule's service or category means is the rule's business
// (rule/windows_logsource.h).
constexpr LogSourcePattern kEvtxSources[] = {{"windows", "*", "*"}};
constexpr LogSourcePattern kFileSources[] = {{"exhunt", "*", "file"}};

constexpr std::string_view kHttpProxyFields =
    "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,"
    "UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,"
    "AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,"
    "ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,"
    "ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,"
    "HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,"
    "AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,"
    "TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,"
    "ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,"
    "BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,"
    "ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,"
    "HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,"
    "TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,"
    "EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus";
// Column order of Exchange 2016/2019 Rps_Http logs (as also used by CrowdStrike's OWASSRF script).
constexpr std::string_view kRpsHttpFields =
    "DateTime,StartTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,"
    "UrlHost,UrlStem,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,ManagedOrganization,"
    "ClientIpAddress,ServerHostName,FrontEndServer,HttpStatus,SubStatus,ErrorCode,Action,CommandId,"
    "CommandName,SessionId,ShellId,FailFast,ContributeToFailFast,RequestBytes,ClientInfo,CPU,Memory,"
    "ActivityContextLifeTime,TotalTime,UrlQuery,GenericLatency,GenericInfo,GenericErrors";
constexpr std::string_view kEcpFields = "TimeStamp,ServerName,EventId,EventData";
constexpr std::string_view kIisFields =
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken";

using V = FieldVocabulary;
using F = RecordFormat;

// Discovery tries the entries in this order; report order follows it too.
constexpr EvidenceKind kKinds[] = {
    {LogType::kIisW3c, "iis", F::kW3c, kIisFields, kIisSources, V::kIis, "/inetpub/logs/logfiles/w3svc", "", false, "",
     "", "", "Microsoft Internet Information Services", false, true},
    {LogType::kHttpProxy, "httpproxy", F::kCsv, kHttpProxyFields, kHttpProxySources, V::kExchange,
     "/logging/httpproxy/", "", false, "HttpProxy Logs", "AnchorMailbox,BackEndCookie", "", "", true, true},
    {LogType::kEcpServer, "ecp-server", F::kCsv, kEcpFields, kEcpServerSources, V::kEcp, "/logging/ecp/server/", "",
     false, "ECP Server Log", "", "", "", false},
    {LogType::kEcpActivity, "ecp-activity", F::kCsv, kEcpFields, kEcpActivitySources, V::kEcp, "/logging/ecp/activity/",
     "", false, "ECP Activity Context Log", "", "", "", false},
    {LogType::kOabGenerator, "oabgenerator", F::kText, "", kOabSources, V::kOab, "/logging/oabgeneratorlog/", "", true,
     "*OABGenerator*|*OAB Generator*", "", "oabgenerator", "", false},
    {LogType::kRpsHttp, "rps-http", F::kCsv, kRpsHttpFields, kRpsSources, V::kExchange, "/logging/cmdletinfra/",
     "rps_http", true, "Rps Http*", "ClientInfo,CommandName", "rps_http", "", true},
    {LogType::kExchangeCsv, "exchange-csv", F::kCsv, "", kExchangeCsvSources, V::kExchange, "", "", false, "", "", "",
     "", false},
    {LogType::kEvtx, "evtx", F::kEvtx, "", kEvtxSources, V::kWindows, "/winevt/logs/", ".evtx", false, "", "", "",
     "", false, false, true, std::string_view("ElfFile\0", 8)},
    // Found by discovery by content (source/discovery.cc: LooksLikeEventJson).
    {LogType::kEventJson, "event-json", F::kJsonEvents, "", kEvtxSources, V::kWindows, "", "", false, "", "", "", "",
     false, false, true},
    // Found by discovery as every regular file that is no log (no path part).
    {LogType::kFile, "file", F::kFile, "", kFileSources, V::kFile, "", "", false, "", "", "", "", false},
};
constexpr EvidenceKind kUnknownKind = {
    LogType::kUnknown, "unknown", F::kText, "", {}, V::kExchange, "", "", false, "", "", "", "", false};

bool PatternField(std::string_view pattern, std::string_view value) { return pattern == "*" || pattern == value; }

}  // namespace

std::span<const EvidenceKind> EvidenceKinds() { return kKinds; }

const EvidenceKind& KindOf(LogType type) {
  for (const auto& k : kKinds)
    if (k.type == type) return k;
  return kUnknownKind;
}

std::string_view LogTypeName(LogType type) { return KindOf(type).name; }

LogType LogTypeFromName(std::string_view name) {
  for (const auto& k : kKinds)
    if (EqualsIgnoreCase(k.name, name)) return k.type;
  return LogType::kUnknown;
}

std::string EvidenceFamily(LogType type, std::string_view rel_path) {
  const EvidenceKind& kind = KindOf(type);
  std::string family(kind.name);
  if (kind.family_by_file_name) {
    std::string name = AsciiLowerCopy(rel_path.substr(rel_path.find_last_of("/\\") + 1));
    if (size_t dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
    // A collection that escaped the '%' of a channel's file name ("%254" for
    // "%4", as Velociraptor stores uploads) names the same channel.
    for (size_t at; (at = name.find("%25")) != std::string::npos;) name.replace(at, 3, "%");
    return name.empty() ? family : family + "/" + name;
  }
  if (!kind.family_by_folder || kind.path_part.empty()) return family;
  std::string p = "/" + AsciiLowerCopy(rel_path);
  size_t at = p.find(kind.path_part);
  if (at == std::string::npos) return family;
  // The folder in which the path part ends ("w3svc" -> "w3svc1"), or the
  // one after it when it ends with a slash ("httpproxy/" -> "ecp").
  size_t end = at + kind.path_part.size();
  size_t begin = kind.path_part.back() == '/' ? end : p.rfind('/', end - 1) + 1;
  size_t stop = p.find('/', begin);
  if (stop == std::string::npos || stop == begin) return family;  // a file right there, no folder
  return family + "/" + p.substr(begin, stop - begin);
}

bool FamilyMatches(std::string_view family, std::string_view pattern) {
  return family == pattern ||
         (family.size() > pattern.size() && family.substr(0, pattern.size()) == pattern && family[pattern.size()] == '/');
}

LogType W3cLogType() {
  for (const auto& k : kKinds)
    if (k.format == RecordFormat::kW3c) return k.type;
  return LogType::kUnknown;
}

bool MatchesLogSource(const EvidenceKind& kind, std::string_view product, std::string_view service,
                      std::string_view category) {
  for (const auto& p : kind.logsources)
    if (PatternField(p.product, product) && PatternField(p.service, service) && PatternField(p.category, category))
      return true;
  return false;
}

}  // namespace exhunt
