// A file of the file plane as rules see it: one record per file, made of
// its place, metadata, hashes and what the content engines found in it.
//
// Field names (ASCII case-insensitive):
//   Path       the Windows form of the path below the scan root, with a
//              leading backslash: \inetpub\wwwroot\aspnet_client\x.aspx
//   Directory  Path without the name, ending in '\' (Loki's `filepath`)
//   InstallPath the path below the Exchange install folder, with a leading
//              backslash ("\FrontEnd\HttpProxy\owa\auth\logon.aspx"); ""
//              for a file outside it
//   Name, Extension (lowercase, with the dot; "" if none), Size (bytes),
//   Modified (ISO 8601 UTC), Owner, FileType (from the first bytes: "EXE",
//   "ZIP", "MDMP", ... as Loki names them; "UNKNOWN" if none fits),
//   SHA256, SHA1, MD5 (lowercase hex; absent when the content was not read),
//   Yara       the ids of the YARA rules that matched, comma-separated
//   yara:<id>  for a matching YARA rule: its matched strings
//              ("$s1@120: eval(Request.Item..."), absent otherwise
// Raw() is Path, so that keyword rules search the place, never the content
// (content is what YARA rules read).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <functional>
#include <utility>
#include <vector>

#include "base/time.h"
#include "record/log_record.h"

namespace exhunt {

struct FileFields {
  std::string path;       // Windows form (see above)
  std::string rel_path;   // '/'-separated, as found
  std::string install_path;  // below the Exchange install folder, or ""
  std::string extension;  // lowercase with the dot
  uint64_t size = 0;
  std::optional<TimeMs> modified;
  std::string owner;
  std::string_view filetype;
  std::string sha256, sha1, md5;  // empty: content not read
  // MD5 and SHA-1 that no rule needed before the rules ran are filled at
  // the first read of either (a finding's evidence) by this, which the
  // reader that has the bytes sets; empty when there is nothing to fill.
  std::function<void(FileFields&)> fill_digests;
  // rule id -> matched strings, in match order
  std::vector<std::pair<std::string, std::string>> yara;
};

// "\a\b.aspx" from "a/b.aspx".
std::string WindowsPath(std::string_view rel_path);
// ".aspx" from "x.ASPX"; "" if the name has no dot (or only a leading one).
std::string LowerExtension(std::string_view name);
// Loki's file type names for the first bytes of a file ("EXE", "ZIP",
// "RAR", "7Zip", "MDMP", "ASP", ...; "PST" is ours); "UNKNOWN" if none fits.
std::string_view FileTypeOf(std::string_view head);

class FileRecord final : public Record {
 public:
  explicit FileRecord(FileFields* fields);
  std::optional<std::string_view> Field(std::string_view name) const override;
  std::string_view Raw() const override { return fields_->path; }
  std::optional<TimeMs> Time() const override { return fields_->modified; }

 private:
  FileFields* fields_;  // not const: MD5 and SHA-1 may be filled when first read
  std::string size_, modified_, yara_ids_;
};

}  // namespace exhunt
