// Fuzz target: arbitrary bytes scanned as every kind of log exhunt reads
// (IIS, HttpProxy, ECP Server, OABGenerator, Rps_Http), with all built-in
// rules, whole and split into tiny chunks.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/memory_file_system.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static RuleSet* rules = [] {
    auto* r = new RuleSet();
    r->AddBuiltin();
    return r;
  }();
  std::string bytes(reinterpret_cast<const char*>(data), size);
  MemoryFileSystem fs;
  const std::string root = "/t/EXCH01";
  fs.AddFile(root + "/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log", bytes);
  fs.AddFile(root + "/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", bytes);
  fs.AddFile(root + "/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG", bytes);
  fs.AddFile(root + "/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OAB_20210303-1.LOG", bytes);
  fs.AddFile(root + "/Program Files/Microsoft/Exchange Server/V15/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2021030306-1.LOG", bytes);
  fs.AddFile(root + "/loose/unknown.log", bytes);
  for (size_t chunk : {size_t(16) << 20, size_t(64)}) {
    ScanOptions o;
    o.roots = {root};
    o.threads = 2;
    o.chunk_bytes = chunk;
    o.split_threshold = chunk;
    Scanner scanner(&fs, rules, o);
    if (!scanner.Prepare().ok()) __builtin_trap();
    ScanResult r = scanner.Scan();
    if (r.hosts.size() != 1) __builtin_trap();
  }
  return 0;
}
