// Rule files compiled into the binary from rules/ (see cmake/embed.cmake).
#pragma once

#include <string_view>
#include <vector>

namespace exhunt {

struct EmbeddedFile {
  std::string_view path;  // relative to rules/, e.g. "sigma/httpproxy/proxylogon_ssrf.yml"
  std::string_view content;
};

const std::vector<EmbeddedFile>& BuiltinRuleFiles();

}  // namespace exhunt
