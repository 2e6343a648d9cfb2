#include "rule/short_literals.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace exhunt {

ShortLiterals::ShortLiterals(const std::vector<Literal>& literals) {
  for (const Literal& lit : literals) {
    if (!Fits(lit.bytes.size())) continue;
    // Every case of the literal's letters, as its own entry.
    std::vector<std::string> forms{std::string(lit.bytes)};
    if (lit.caseless)
      for (size_t i = 0; i < lit.bytes.size(); ++i) {
        auto c = static_cast<unsigned char>(lit.bytes[i]);
        if (!std::isalpha(c)) continue;
        size_t n = forms.size();
        for (size_t f = 0; f < n; ++f) {
          forms[f][i] = char(std::tolower(c));
          forms.push_back(forms[f]);
          forms.back()[i] = char(std::toupper(c));
        }
      }
    for (const std::string& f : forms) {
      auto byte = [&f](size_t i) { return static_cast<unsigned char>(f[i]); };
      entries_.push_back({uint16_t(byte(0) | byte(1) << 8), int16_t(f.size() == 3 ? byte(2) : -1), lit.id});
    }
  }
  std::sort(entries_.begin(), entries_.end());
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) {
                               return a.head == b.head && a.third == b.third && a.id == b.id;
                             }),
                 entries_.end());
  bits_.assign(65536 / 64, 0);
  slot_of_.assign(65536, 0);
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    const Entry& entry = entries_[e];
    if (heads_.empty() || heads_.back() != entry.head) {
      slot_of_[entry.head] = uint16_t(heads_.size());
      heads_.push_back(entry.head);
      head_at_.push_back(e);
      bits_[entry.head >> 6] |= uint64_t(1) << (entry.head & 63);
      thirds_.resize(thirds_.size() + 4, 0);
      pairs_.push_back(0);
    }
    if (entry.third < 0)
      ++pairs_.back();
    else
      thirds_[thirds_.size() - 4 + (entry.third >> 6)] |= uint64_t(1) << (entry.third & 63);
  }
  head_at_.push_back(uint32_t(entries_.size()));
}

void ShortLiterals::Prepare(Scratch& s) const {
  s.bits = bits_;
  s.cleared = 0;
  s.thirds = thirds_;
  s.pairs = pairs_;
  s.found.assign(entries_.size(), 0);
  s.left.resize(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) s.left[h] = head_at_[h + 1] - head_at_[h];
  Sets(s);
}

// A set of bytes as two 16-byte tables by low nibble: bit h of the first
// (high nibble h < 8) or of the second (h - 8) marks byte h << 4 | low.
void ShortLiterals::Sets(Scratch& s) const {
  std::memset(s.sets, 0, sizeof s.sets);
  auto add = [&s](int table, unsigned byte) {
    unsigned low = byte & 15, high = byte >> 4;
    s.sets[table * 32 + (high >= 8 ? 16 : 0) + low] |= uint8_t(1u << (high & 7));
  };
  for (uint16_t head : heads_)
    if ((s.bits[head >> 6] >> (head & 63)) & 1) {
      add(0, head & 0xff);
      add(1, head >> 8);
    }
  s.sets_at = s.cleared;
}

#if defined(__x86_64__)

namespace {

// Per byte of v: 0xff where it is in the set `t` (two tables, see Sets).
__attribute__((target("avx2"))) __m256i InSet(__m256i v, const uint8_t* t) {
  const __m256i nibble = _mm256_set1_epi8(0x0f);
  const __m256i bit = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32,
                                       64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  __m256i lo_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t)));
  __m256i hi_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t + 16)));
  __m256i low = _mm256_and_si256(v, nibble);
  __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
  __m256i rows = _mm256_blendv_epi8(_mm256_shuffle_epi8(lo_table, low), _mm256_shuffle_epi8(hi_table, low),
                                    _mm256_cmpgt_epi8(high, _mm256_set1_epi8(7)));
  __m256i hit = _mm256_and_si256(rows, _mm256_shuffle_epi8(bit, high));
  return _mm256_xor_si256(_mm256_cmpeq_epi8(hit, _mm256_setzero_si256()), _mm256_set1_epi8(-1));
}

__attribute__((target("avx2"))) size_t CandidatesAvx2(const unsigned char* p, size_t blocks, const uint8_t* sets,
                                                      uint32_t* at) {
  size_t count = 0;
  for (size_t b = 0; b < blocks; ++b) {
    __m256i first = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * b));
    __m256i second = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32 * b + 1));
    uint32_t mask = uint32_t(_mm256_movemask_epi8(_mm256_and_si256(InSet(first, sets), InSet(second, sets + 32))));
    for (; mask; mask &= mask - 1) at[count++] = uint32_t(32 * b) + uint32_t(__builtin_ctz(mask));
  }
  return count;
}

}  // namespace

const bool ShortLiterals::kSkips = __builtin_cpu_supports("avx2");

size_t ShortLiterals::Candidates(const unsigned char* p, size_t blocks, const uint8_t* sets, uint32_t* at) {
  return CandidatesAvx2(p, blocks, sets, at);
}

#else

const bool ShortLiterals::kSkips = false;

size_t ShortLiterals::Candidates(const unsigned char*, size_t, const uint8_t*, uint32_t*) { return 0; }

#endif

}  // namespace exhunt
