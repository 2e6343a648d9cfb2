#include "record/file_record.h"

#include <algorithm>

#include "base/text.h"

namespace exhunt {

std::string WindowsPath(std::string_view rel_path) {
  std::string p = "\\" + std::string(rel_path);
  std::replace(p.begin(), p.end(), '/', '\\');
  return p;
}

std::string LowerExtension(std::string_view name) {
  size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "";
  return AsciiLowerCopy(name.substr(dot));
}

namespace {

using namespace std::string_view_literals;

struct Magic {
  std::string_view bytes, type;
  size_t at = 0;
};

// File types by their first bytes, named as Loki's YARA externals name them
// (signature-base's file-type table), plus "PST". The longest match wins:
// "<%@" is ASP where "<%" alone is JSP.
constexpr Magic kMagics[] = {
    {"MZ"sv, "EXE"},
    {"\x7f" "E"sv, "ELF"},
    {"MDMP"sv, "MDMP"},
    {"PK\x03\x04"sv, "ZIP"},
    {"PK\x05\x06"sv, "PKZIP"},
    {"PKSpX"sv, "PKSFX"},
    {"Rar!\x1a\x07"sv, "RAR"},
    {"7z\xbc\xaf\x27\x1c"sv, "7Zip"},
    {"\x1f\x8b\x08"sv, "GZIP"},
    {"BZh"sv, "BZip2"},
    {"MSCF"sv, "CAB"},
    {"ustar"sv, "TAR", 257},
    {"%PDF"sv, "PDF"},
    {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"sv, "OLE"},
    {"{\\rt"sv, "RTF"},
    {"\xff\xd8\xff"sv, "JPEG"},
    {"ElfFil"sv, "EVTX"},
    {"regf"sv, "Registry Hive"},
    {"<?xml"sv, "XML"},
    {"<html"sv, "HTML"},
    {"<HTML"sv, "HTML"},
    {"<%"sv, "JSP"},
    {"<%@"sv, "ASP"},
    {"<%--"sv, "JSP"},
    {"\xff\xfe<\x00%\x00"sv, "JSP"},
    {"\xff\xfe<\x00%\x00@\x00"sv, "ASP"},
    {"<?php"sv, "PHP"},
    {"@ech"sv, "BATCH"},
    {"@ECH"sv, "BATCH"},
    {"#!/"sv, "UNIX SCRIPT"},
    {"#!"sv, "Script"},
    {"Function"sv, "VBS"},
    {"!BDN"sv, "PST"},
    {"\xff\xfe"sv, "UTF16-Encoded File LE"},
    {"\xfe\xff"sv, "UTF16-Encoded File BE"},
};

}  // namespace

std::string_view FileTypeOf(std::string_view head) {
  std::string_view best;
  size_t best_len = 0;
  for (const auto& m : kMagics) {
    if (head.size() < m.at + m.bytes.size() || head.substr(m.at, m.bytes.size()) != m.bytes) continue;
    if (m.bytes.size() > best_len) {
      best = m.type;
      best_len = m.bytes.size();
    }
  }
  return best_len ? best : std::string_view("UNKNOWN");
}

FileRecord::FileRecord(FileFields* fields) : fields_(fields) {
  size_ = std::to_string(fields->size);
  if (fields->modified) modified_ = FormatIsoTime(*fields->modified);
  for (const auto& [id, strings] : fields->yara) yara_ids_ += (yara_ids_.empty() ? "" : ",") + id;
}

std::optional<std::string_view> FileRecord::Field(std::string_view name) const {
  const FileFields& f = *fields_;
  auto is = [&](std::string_view n) { return EqualsIgnoreCase(name, n); };
  if (is("Path")) return std::string_view(f.path);
  if (is("Directory")) {
    size_t slash = f.path.rfind('\\');
    return std::string_view(f.path).substr(0, slash + 1);
  }
  if (is("Name")) {
    size_t slash = f.path.rfind('\\');
    return std::string_view(f.path).substr(slash + 1);
  }
  if (is("Extension")) return std::string_view(f.extension);
  if (is("InstallPath")) return std::string_view(f.install_path);
  if (is("Size")) return std::string_view(size_);
  if (is("Modified")) return f.modified ? std::optional<std::string_view>(modified_) : std::nullopt;
  if (is("Owner")) return std::string_view(f.owner);
  if (is("FileType")) return f.filetype;
  auto hash = [](const std::string& h) { return h.empty() ? std::nullopt : std::optional<std::string_view>(h); };
  if (is("SHA256")) return hash(f.sha256);
  if ((is("SHA1") || is("MD5")) && fields_->fill_digests) {
    auto fill = std::move(fields_->fill_digests);
    fields_->fill_digests = nullptr;
    fill(*fields_);
  }
  if (is("SHA1")) return hash(f.sha1);
  if (is("MD5")) return hash(f.md5);
  if (is("Yara")) return std::string_view(yara_ids_);
  if (name.size() > 5 && EqualsIgnoreCase(name.substr(0, 5), "yara:")) {
    for (const auto& [id, strings] : f.yara)
      if (id == name.substr(5)) return std::string_view(strings);
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace exhunt
