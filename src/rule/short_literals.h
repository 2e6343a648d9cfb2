// Which of a set of two- and three-byte literals a block holds.
//
// vectorscan's literal matcher slows down for every short literal it holds
// (they confirm at a large share of positions in binaries: x86 opcodes such
// as "8b 45" are everywhere), while the YARA gate needs only whether each
// literal is present, not where or how often. ShortLiterals walks the block
// once with a 64 Kbit table of the first two bytes of the literals still
// missing; a literal found leaves the table, and the
// walk ends when none is left. In a binary most are found in its first
// kilobytes; past them, where the processor has AVX2, 32 positions at a time
// are skipped unless their first byte is the first byte of a pair still
// missing and their second a second one (two 256-bit sets, looked up by
// nibble), and only the positions left are looked up in the table.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace exhunt {

class ShortLiterals {
 public:
  struct Literal {
    std::string_view bytes;  // 2 or 3 bytes (Fits)
    bool caseless = false;   // ASCII letters match in either case
    uint32_t id = 0;         // reported when found; ids may repeat
  };
  static bool Fits(size_t length) { return length == 2 || length == 3; }

  ShortLiterals() = default;
  // Literals that do not fit are left out.
  explicit ShortLiterals(const std::vector<Literal>& literals);
  // Entries searched: a caseless literal is one per case of its letters.
  size_t size() const { return entries_.size(); }

  // Per-thread state of Find.
  struct Scratch {
    std::vector<uint64_t> bits;   // the heads (first two bytes) still wanted
    size_t cleared = 0;           // heads left since Prepare
    std::vector<uint64_t> thirds; // per head in use: third bytes still wanted (4 words)
    std::vector<uint8_t> found;   // per entry
    std::vector<uint32_t> left;   // per head in use: entries not found
    std::vector<uint32_t> pairs;  // per head in use: two-byte entries not found
    // The first and second bytes of the heads still wanted, by nibble
    // (Sets), as of `sets_at` heads cleared: a superset once more are.
    alignas(32) uint8_t sets[64];
    size_t sets_at = 0;
  };

  // Calls found(id) once for each entry whose literal `bytes` holds (an id
  // added more than once may be reported more than once).
  template <class Found>
  void Find(std::string_view bytes, Scratch& s, Found&& found) const {
    if (entries_.empty() || bytes.size() < 2) return;
    Prepare(s);
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    size_t n = bytes.size(), remaining = heads_.size();
    const uint64_t* bits = s.bits.data();
    const uint64_t* thirds = s.thirds.data();
    // Looks at position i; true when no literal is left.
    auto look = [&](size_t i) {
      uint32_t head = uint32_t(p[i]) | uint32_t(p[i + 1]) << 8;
      if (!((bits[head >> 6] >> (head & 63)) & 1)) [[likely]]
        return false;
      uint32_t h = slot_of_[head];
      // A head whose entries left all have a third byte: only where one follows.
      if (!s.pairs[h]) {
        if (i + 2 >= n) return false;
        unsigned c = p[i + 2];
        if (!((thirds[4 * h + (c >> 6)] >> (c & 63)) & 1)) return false;
      }
      return Take(s, h, p + i, n - i, found) && --remaining == 0;
    };
    size_t i = 0;
    if (kSkips && n > kSkipFrom + 64) {
      for (; i < kSkipFrom; ++i)
        if (look(i)) return;
      // A chunk at a time: the candidates of its blocks, then a look at each.
      uint32_t at[kChunk];
      for (;;) {
        size_t blocks = std::min(kChunk / 32, (n - 1 - i) / 32);  // each with a byte after it
        if (blocks == 0) break;
        if (s.cleared != s.sets_at) Sets(s);
        size_t count = Candidates(p + i, blocks, s.sets, at);
        for (size_t c = 0; c < count; ++c)
          if (look(i + at[c])) return;
        i += 32 * blocks;
      }
    }
    for (; i + 1 < n; ++i)
      if (look(i)) return;
  }

 private:
  struct Entry {
    uint16_t head;   // first two bytes, the first in the low byte
    int16_t third;   // the third byte, or -1 for a two-byte literal
    uint32_t id;
    bool operator<(const Entry& o) const { return head < o.head || (head == o.head && third < o.third); }
  };
  void Prepare(Scratch& s) const;
  // The first and second bytes of the heads still wanted, as nibble tables.
  void Sets(Scratch& s) const;
  // The offsets in `blocks` blocks of 32 bytes at p (with a byte after
  // them) whose two bytes may start a head in `sets`, into `at`; how many.
  static size_t Candidates(const unsigned char* p, size_t blocks, const uint8_t* sets, uint32_t* at);
  static const bool kSkips;                  // AVX2 present
  static constexpr size_t kSkipFrom = 4096;  // first bytes walked one by one
  static constexpr size_t kChunk = 1024;     // bytes per Candidates call

  // Reports the entries of head h found at `at` (`left` bytes from it);
  // true when none of h's entries is left.
  template <class Found>
  bool Take(Scratch& s, uint32_t h, const unsigned char* at, size_t left, Found& found) const {
    for (uint32_t e = head_at_[h]; e < head_at_[h + 1]; ++e) {
      const Entry& entry = entries_[e];
      if (s.found[e] || (entry.third >= 0 && (left < 3 || at[2] != entry.third))) continue;
      s.found[e] = 1;
      found(entry.id);
      // Entries of the same three bytes are all found here.
      if (entry.third < 0)
        --s.pairs[h];
      else
        s.thirds[4 * h + (entry.third >> 6)] &= ~(uint64_t(1) << (entry.third & 63));
      if (--s.left[h] == 0) {
        uint32_t head = heads_[h];
        s.bits[head >> 6] &= ~(uint64_t(1) << (head & 63));
        ++s.cleared;
        return true;
      }
    }
    return false;
  }

  // Entries sorted by head (two-byte ones first); the heads in use, sorted;
  // the entries of heads_[h] at [head_at_[h], head_at_[h + 1]); the table of
  // heads in use, each head's index in heads_, its third bytes and its
  // two-byte entries.
  std::vector<Entry> entries_;
  std::vector<uint16_t> heads_;
  std::vector<uint32_t> head_at_;
  std::vector<uint64_t> bits_, thirds_;
  std::vector<uint16_t> slot_of_;
  std::vector<uint32_t> pairs_;
};

}  // namespace exhunt
