// Fuzz target: arbitrary bytes scanned as every kind of log exhunt reads
// (IIS, HttpProxy, ECP Server, OABGenerator, Rps_Http), and as a compressed
// log and an archive of logs beside them, with all built-in rules, whole
// and split into tiny chunks.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "rule/rule_set.h"
#include "scan/scanner.h"
#include "source/memory_file_system.h"

using namespace exhunt;

namespace {

const char* const kPaths[] = {
    "/inetpub/logs/LogFiles/W3SVC1/u_ex210303.log",
    "/Program Files/Microsoft/Exchange Server/V15/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG",
    "/Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/ECPServer20210303-1.LOG",
    "/Program Files/Microsoft/Exchange Server/V15/Logging/OABGeneratorLog/OAB_20210303-1.LOG",
    "/Program Files/Microsoft/Exchange Server/V15/Logging/CmdletInfra/Powershell-Proxy/Http/Rps_Http_2021030306-1.LOG",
    "/loose/unknown.log",
    "/inetpub/logs/LogFiles/W3SVC1/u_ex210302.log.gz",
    "/inetpub/logs/archive/march.zip",
};
const std::string kRoot = "/t/EXCH01";

// Rules and compiled prefilters are built once; each input replaces the files.
struct Harness {
  MemoryFileSystem fs;
  RuleSet rules;
  std::unique_ptr<Scanner> whole, split;
  Harness() {
    rules.AddBuiltin();
    for (const char* p : kPaths) fs.AddFile(kRoot + p, "");
    ScanOptions o;
    o.roots = {kRoot};
    o.threads = 2;
    whole = std::make_unique<Scanner>(&fs, &rules, o);
    o.chunk_bytes = 64;
    o.split_threshold = 64;
    split = std::make_unique<Scanner>(&fs, &rules, o);
    if (!whole->Prepare().ok() || !split->Prepare().ok()) __builtin_trap();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* h = new Harness();
  std::string bytes(reinterpret_cast<const char*>(data), size);
  for (const char* p : kPaths) h->fs.AddFile(kRoot + p, bytes);
  ScanResult a = h->whole->Scan();
  ScanResult b = h->split->Scan();
  if (a.hosts.size() != 1 || b.hosts.size() != 1) __builtin_trap();
  return 0;
}
