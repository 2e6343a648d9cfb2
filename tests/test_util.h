// Helpers for tests: build evidence trees in memory and scan them with the
// built-in rules.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/memory_file_system.h"

namespace exhunt::testing {

inline constexpr char kHttpProxyFields[] =
    "DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,"
    "UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,"
    "UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,"
    "TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,"
    "ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,"
    "CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,"
    "TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,"
    "SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,"
    "ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,"
    "BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,"
    "HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,"
    "RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,"
    "GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,"
    "RoutingStatus";

inline constexpr char kIisFields[] =
    "date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) "
    "sc-status sc-substatus sc-win32-status time-taken";

// A CSV row for `fields` (comma list) with the given values by name; others empty.
std::string CsvRow(const std::string& fields, const std::map<std::string, std::string>& values);
std::string HttpProxyFile(const std::vector<std::map<std::string, std::string>>& rows);
std::string IisFile(const std::vector<std::string>& lines);

struct MemoryScan {
  MemoryFileSystem fs;
  RuleSet rules;
  std::string root = "/evidence/EXCH01";

  MemoryScan() { rules.AddBuiltin(); }
  void Add(const std::string& rel, std::string contents) { fs.AddFile(root + "/" + rel, std::move(contents)); }
  ScanResult Run(ScanOptions options = {});
};

// Rule ids of the findings at path:line.
std::set<std::string> RulesAt(const ScanResult& r, const std::string& path, uint64_t line);
const Finding* FindingAt(const ScanResult& r, const std::string& path, uint64_t line, const std::string& rule);

}  // namespace exhunt::testing
