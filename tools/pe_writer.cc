#include "pe_writer.h"

#include <cstdint>

namespace exhunt::gen {

namespace {

void Put16(std::string& s, size_t off, uint16_t v) {
  s[off] = char(v & 0xFF);
  s[off + 1] = char(v >> 8);
}

void Put32(std::string& s, size_t off, uint32_t v) {
  for (int i = 0; i < 4; ++i) s[off + i] = char((v >> (8 * i)) & 0xFF);
}

}  // namespace

std::string MakeVersionPe(const Build& v) {
  const size_t kPe = 0x80, kOpt = kPe + 24, kSections = kOpt + 240, kRaw = 0x200;
  const uint32_t kRva = 0x1000;
  std::string pe(kRaw + 0x200, '\0');
  pe[0] = 'M';
  pe[1] = 'Z';
  Put32(pe, 0x3C, kPe);
  pe.replace(kPe, 4, std::string("PE\0\0", 4));
  Put16(pe, kPe + 4, 0x8664);         // machine: x64
  Put16(pe, kPe + 6, 1);              // one section
  Put16(pe, kPe + 20, 240);           // optional header size (PE32+)
  Put16(pe, kPe + 22, 0x22);          // executable, large address aware
  Put16(pe, kOpt, 0x20B);             // PE32+
  Put32(pe, kOpt + 108, 16);          // data directories
  Put32(pe, kOpt + 112 + 16, kRva);   // resource directory RVA
  Put32(pe, kOpt + 112 + 20, 0x100);  // and size
  pe.replace(kSections, 8, std::string(".rsrc\0\0\0", 8));
  Put32(pe, kSections + 8, 0x200);   // virtual size
  Put32(pe, kSections + 12, kRva);   // virtual address
  Put32(pe, kSections + 16, 0x200);  // raw size
  Put32(pe, kSections + 20, kRaw);   // raw pointer
  // Resource tree: RT_VERSION -> id 1 -> language 0x409 -> data entry.
  size_t r = kRaw;
  Put16(pe, r + 14, 1);
  Put32(pe, r + 16, 16);
  Put32(pe, r + 20, 0x80000000u | 0x18);
  Put16(pe, r + 0x18 + 14, 1);
  Put32(pe, r + 0x18 + 16, 1);
  Put32(pe, r + 0x18 + 20, 0x80000000u | 0x30);
  Put16(pe, r + 0x30 + 14, 1);
  Put32(pe, r + 0x30 + 16, 0x409);
  Put32(pe, r + 0x30 + 20, 0x48);
  Put32(pe, r + 0x48, kRva + 0x58);  // data RVA
  Put32(pe, r + 0x48 + 4, 92);       // data size
  size_t d = r + 0x58;
  Put16(pe, d, 92);      // wLength
  Put16(pe, d + 2, 52);  // wValueLength
  const char* key = "VS_VERSION_INFO";
  for (size_t i = 0; key[i]; ++i) Put16(pe, d + 6 + 2 * i, uint16_t(key[i]));
  size_t fixed = d + 40;
  Put32(pe, fixed, 0xFEEF04BD);
  Put32(pe, fixed + 4, 0x00010000);
  uint32_t ms = uint32_t(v.part[0]) << 16 | uint32_t(v.part[1]);
  uint32_t ls = uint32_t(v.part[2]) << 16 | uint32_t(v.part[3]);
  Put32(pe, fixed + 8, ms);
  Put32(pe, fixed + 12, ls);
  Put32(pe, fixed + 16, ms);
  Put32(pe, fixed + 20, ls);
  return pe;
}

}  // namespace exhunt::gen
