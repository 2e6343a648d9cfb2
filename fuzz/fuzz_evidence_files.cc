// Fuzz target: the readers of server files the exposure plane reads, on
// arbitrary bytes: the PE version resource of ExSetup.exe, IIS web.config and
// applicationHost.config, and the head of a text log. Each must return a
// value or a Status, never crash or read out of bounds; a version read from
// a PE comes from inside the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reader/iis_config.h"
#include "reader/log_head.h"
#include "reader/pe_version.h"

using namespace exhunt;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto pe = ReadPeVersion(bytes);
  if (pe.ok())
    for (int part : pe->file_version)
      if (part < 0 || part > 0xFFFF) __builtin_trap();
  WebConfig web = ReadWebConfig(bytes);
  if (!web.valid && (web.has_rules || !web.rules.empty())) __builtin_trap();
  AppHostConfig apphost = ReadAppHostConfig(bytes);
  if (!apphost.valid && !apphost.app_pools.empty()) __builtin_trap();
  LogHead head = ReadLogHead(bytes);
  if (head.version && head.version->size() > size) __builtin_trap();
  return 0;
}
