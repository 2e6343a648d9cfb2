#include "reader/pe_version.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace exhunt {

namespace {

constexpr uint32_t kFixedSignature = 0xFEEF04BD;

bool U16(std::string_view b, size_t off, uint16_t* out) {
  if (off > b.size() || b.size() - off < 2) return false;
  *out = uint16_t(uint8_t(b[off]) | uint8_t(b[off + 1]) << 8);
  return true;
}

bool U32(std::string_view b, size_t off, uint32_t* out) {
  if (off > b.size() || b.size() - off < 4) return false;
  *out = uint32_t(uint8_t(b[off])) | uint32_t(uint8_t(b[off + 1])) << 8 | uint32_t(uint8_t(b[off + 2])) << 16 |
         uint32_t(uint8_t(b[off + 3])) << 24;
  return true;
}

PeVersion FromFixed(std::string_view b, size_t off) {
  uint32_t fms = 0, fls = 0, pms = 0, pls = 0;
  U32(b, off + 8, &fms);
  U32(b, off + 12, &fls);
  U32(b, off + 16, &pms);
  U32(b, off + 20, &pls);
  PeVersion v;
  v.file_version = {int(fms >> 16), int(fms & 0xFFFF), int(fls >> 16), int(fls & 0xFFFF)};
  v.product_version = {int(pms >> 16), int(pms & 0xFFFF), int(pls >> 16), int(pls & 0xFFFF)};
  return v;
}

struct Section {
  uint32_t va, vsize, raw_size, raw_ptr;
};

Result<PeVersion> Walk(std::string_view b) {
  if (b.size() < 64 || b[0] != 'M' || b[1] != 'Z') return Status::Corrupt("not a PE file (no MZ header)");
  uint32_t pe = 0;
  U32(b, 0x3C, &pe);
  if (pe > b.size() || b.size() - pe < 24 || memcmp(b.data() + pe, "PE\0\0", 4) != 0)
    return Status::Corrupt("not a PE file (no PE signature)");
  uint16_t nsections = 0, opt_size = 0, magic = 0;
  U16(b, pe + 6, &nsections);
  U16(b, pe + 20, &opt_size);
  size_t opt = pe + 24;
  if (!U16(b, opt, &magic)) return Status::Corrupt("truncated optional header");
  size_t dirs_count_off, dirs_off;
  if (magic == 0x10B) {
    dirs_count_off = opt + 92;
    dirs_off = opt + 96;
  } else if (magic == 0x20B) {
    dirs_count_off = opt + 108;
    dirs_off = opt + 112;
  } else {
    return Status::Corrupt("unknown optional header magic");
  }
  uint32_t ndirs = 0, rsrc_rva = 0, rsrc_size = 0;
  if (!U32(b, dirs_count_off, &ndirs) || ndirs < 3) return Status::NotFound("no resource directory");
  U32(b, dirs_off + 16, &rsrc_rva);
  U32(b, dirs_off + 20, &rsrc_size);
  if (rsrc_rva == 0) return Status::NotFound("no resources");
  std::vector<Section> sections;
  size_t sec = opt + opt_size;
  for (uint16_t i = 0; i < nsections && i < 96; ++i, sec += 40) {
    Section s{};
    if (!U32(b, sec + 8, &s.vsize) || !U32(b, sec + 12, &s.va) || !U32(b, sec + 16, &s.raw_size) ||
        !U32(b, sec + 20, &s.raw_ptr))
      return Status::Corrupt("truncated section table");
    sections.push_back(s);
  }
  auto to_offset = [&](uint32_t rva, size_t* off) {
    for (const auto& s : sections) {
      uint32_t span = std::max(s.vsize, s.raw_size);
      if (rva >= s.va && rva - s.va < span) {
        *off = size_t(s.raw_ptr) + (rva - s.va);
        return *off < b.size();
      }
    }
    return false;
  };
  size_t rsrc = 0;
  if (!to_offset(rsrc_rva, &rsrc)) return Status::Corrupt("resource directory outside every section");
  // Three levels: type -> name -> language. Take RT_VERSION, then the first entry of each level.
  size_t dir = rsrc;
  for (int level = 0; level < 3; ++level) {
    uint16_t named = 0, ids = 0;
    if (!U16(b, dir + 12, &named) || !U16(b, dir + 14, &ids)) return Status::Corrupt("truncated resource directory");
    uint32_t next = 0;
    bool found = false;
    for (uint32_t i = 0; i < uint32_t(named) + ids && i < 4096; ++i) {
      uint32_t name = 0, off = 0;
      if (!U32(b, dir + 16 + 8 * i, &name) || !U32(b, dir + 20 + 8 * i, &off))
        return Status::Corrupt("truncated entry");
      if (level == 0 && name != 16) continue;  // RT_VERSION
      next = off;
      found = true;
      break;
    }
    if (!found) return Status::NotFound("no version resource");
    bool is_dir = next & 0x80000000u;
    size_t target = rsrc + (next & 0x7FFFFFFFu);
    if (level < 2) {
      if (!is_dir) return Status::Corrupt("resource tree too shallow");
      dir = target;
    } else {
      if (is_dir) return Status::Corrupt("resource tree too deep");
      uint32_t data_rva = 0, data_size = 0;
      if (!U32(b, target, &data_rva) || !U32(b, target + 4, &data_size)) return Status::Corrupt("truncated data entry");
      size_t data = 0;
      if (!to_offset(data_rva, &data) || data_size > b.size() - data)
        return Status::Corrupt("version data outside the file");
      // VS_VERSIONINFO: three WORDs, L"VS_VERSION_INFO\0", padding to 32 bits, VS_FIXEDFILEINFO.
      size_t fixed = (data + 6 + 32 + 3) & ~size_t(3);
      uint32_t sig = 0;
      if (!U32(b, fixed, &sig) || sig != kFixedSignature || fixed + 52 > data + data_size)
        return Status::Corrupt("version resource has no VS_FIXEDFILEINFO");
      return FromFixed(b, fixed);
    }
  }
  return Status::NotFound("no version resource");
}

}  // namespace

Result<PeVersion> ReadPeVersion(std::string_view bytes) {
  auto walked = Walk(bytes);
  if (walked.ok()) return walked;
  if (bytes.size() < 2 || bytes[0] != 'M' || bytes[1] != 'Z') return walked.status();
  // A damaged resource tree: the fixed block is still findable by its signature.
  for (size_t off = 0; off + 52 <= bytes.size(); off += 4) {
    uint32_t sig = 0;
    U32(bytes, off, &sig);
    uint32_t struc = 0;
    U32(bytes, off + 4, &struc);
    if (sig == kFixedSignature && struc == 0x00010000) {
      PeVersion v = FromFixed(bytes, off);
      v.from_resource_walk = false;
      return v;
    }
  }
  return walked.status();
}

}  // namespace exhunt
