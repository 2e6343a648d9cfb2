// Writes a minimal PE32+ file whose only content is a version resource
// (VS_VERSIONINFO with VS_FIXEDFILEINFO): a stand-in ExSetup.exe for
// generated trees and tests.
#pragma once

#include <string>

#include "exposure/build.h"

namespace exhunt::gen {

std::string MakeVersionPe(const Build& file_version);

}  // namespace exhunt::gen
