// Discovery: which files under a scan root are which evidence.
//
// Knows where Exchange and IIS keep their logs (matched case-insensitively:
// NTFS copies arrive in any case), finds the Exchange install folder
// wherever it lies, and recognises log files elsewhere by their content
// ("#Fields:", "#Log-type:", "#Software:" headers).
#pragma once

#include <string>
#include <vector>

#include "base/status.h"
#include "source/evidence_kind.h"
#include "source/file_system.h"
#include "source/packed_log.h"

namespace exhunt {

struct EvidenceFile {
  std::string path;      // as opened
  std::string rel_path;  // relative to the scan root, '/'-separated
  LogType type = LogType::kUnknown;
  uint64_t size = 0;
  std::optional<int64_t> modified;  // ms since the epoch, UTC
  uint32_t uid = 0;
  // Set when the log is kept compressed: `path` is the compressed file and
  // the reader gets its unpacked bytes (source/packed_log.h). rel_path is
  // the compressed file's, or for an archive entry the entry's below it
  // ("W3SVC1/old.zip/u_ex210301.log").
  std::optional<PackedMember> packed;
  // An entry of an archive (not a whole compressed stream).
  bool in_archive() const { return packed && !packed->stream; }
};

// A file that looks like evidence but is not read: a compressed log, a log
// in an encoding exhunt does not read, a file in a log folder that is no
// log it knows. Never dropped without a word: reports list them.
struct SkippedFile {
  std::string path;    // relative to the scan root
  std::string reason;  // "compressed (gzip)", "not a log format exhunt reads", ...
  uint64_t size = 0;
};

// What the first bytes of a file say against reading it as a text log:
// "compressed (gzip)", "compressed (zip)", ... or "". (UTF-16 and CR-only
// text is read: base/text_encoding.h.)
std::string_view UnreadableEncoding(std::string_view head);

struct DiscoveredTree {
  std::vector<EvidenceFile> logs;
  // The file plane: every other regular file (type kFile), configuration
  // files included (a web.config can carry a webshell too).
  std::vector<EvidenceFile> files;
  std::vector<SkippedFile> skipped;
  // Exchange install folders, in the form LogContext::install_roots wants.
  std::vector<std::string> install_roots;
  std::vector<ScanError> errors;
  uint64_t files_seen = 0;
  // Files that tell the server's build and mitigations (paths as opened,
  // and relative to the root).
  struct Config {
    std::string path, rel_path;
  };
  std::vector<Config> exsetup;              // <install>/Bin/ExSetup.exe
  std::vector<Config> wwwroot_config;       // inetpub/wwwroot/web.config
  std::vector<Config> child_configs;        // web.config files under <install>/FrontEnd/HttpProxy
  std::vector<Config> apphost_config;       // Windows/System32/inetsrv/config/applicationHost.config
  bool rewrite_dll = false;                 // Windows/System32/inetsrv/rewrite.dll
  std::vector<std::string> owa_build_dirs;  // rel paths of <install>/FrontEnd/HttpProxy/owa/auth/<15.x.y>
};

// Classifies by path alone; kUnknown if the path says nothing.
LogType ClassifyLogPath(std::string_view rel_path);
// The kind whose signature the bytes start with (EVTX: "ElfFile"), if any.
LogType ClassifyByMagic(std::string_view head);
// Classifies by the first bytes of a file; kUnknown if not a known log.
LogType ClassifyLogContent(std::string_view head);

// A log's bytes as its reader reads them: the file mapped, or a packed log
// unpacked by `packed`.
Result<OpenedEvidence> OpenEvidence(FileSystem* fs, const EvidenceFile& file, PackedLogs* packed);
// The first `max_bytes` of each log as its reader reads it: the entries of
// one archive are read in one pass over it.
std::vector<Result<std::string>> ReadEvidenceHeads(FileSystem* fs, const std::vector<const EvidenceFile*>& files,
                                                   size_t max_bytes);

// Walks `root` (a directory or a single file). Unreadable directories and
// files become errors; the walk goes on.
DiscoveredTree Discover(FileSystem* fs, const std::string& root);

}  // namespace exhunt
