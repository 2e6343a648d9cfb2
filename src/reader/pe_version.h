// Reads the file version of a Windows PE file (ExSetup.exe) from its
// VS_VERSIONINFO resource: PE headers -> .rsrc -> RT_VERSION -> the
// VS_FIXEDFILEINFO block. Every offset is bounds-checked; damaged files give
// a Status, never a crash. Works on bytes only: no Windows API.
#pragma once

#include <array>
#include <string_view>

#include "base/status.h"

namespace exhunt {

// major, minor, build, revision (exposure/build.h reads them as a Build).
using FourPartVersion = std::array<int, 4>;

struct PeVersion {
  FourPartVersion file_version{};
  FourPartVersion product_version{};
  bool from_resource_walk = true;  // false: found by scanning for the signature
};

Result<PeVersion> ReadPeVersion(std::string_view bytes);

}  // namespace exhunt
