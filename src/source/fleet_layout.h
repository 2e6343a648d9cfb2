// Fleets: one folder holding many hosts, one sub-folder (a drive-like tree,
// a triage folder, a Velociraptor collection) or collection archive per
// host, or a list of hosts in a file. This says which paths are which host;
// the scanner reads each as it reads a single PATH.
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "source/file_system.h"

namespace exhunt {

struct FleetMember {
  std::string name;  // the host name
  std::string path;
};

// Whether `dir` holds hosts rather than being one: nothing at its top says
// "a server's drive or triage folder" (Windows, Program Files, inetpub,
// Exchange, a drive-letter folder, a collection's uploads), and at least
// two of its entries each do (or are collection archives). A single
// host's triage folder with drive-letter sub-folders (C, D) is one host.
bool LooksLikeFleet(FileSystem* fs, const std::string& dir);

// Every host of a fleet folder: each sub-folder and each collection
// archive, in name order, named after it — or, for a Velociraptor
// collection, after the host it records (client_info.json's Hostname; an
// offline collector's Collection-<host>-<time>.zip). Anything else at the top (a
// loose file, a link) belongs to no host: it is listed in `problems`, not
// read.
std::vector<FleetMember> FleetMembers(FileSystem* fs, const std::string& dir, std::vector<ScanError>* problems);

// A host list (--hosts-from): one host per line, "PATH" (named after its
// folder) or "NAME<TAB>PATH"; blank lines and lines starting with '#' are
// skipped. Relative paths are taken from the list file's folder.
Result<std::vector<FleetMember>> ReadHostList(FileSystem* fs, const std::string& list_path);

}  // namespace exhunt
