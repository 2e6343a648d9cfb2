// Deterministic randomness for the generators: the same seed gives the same
// tree on every machine (splitmix64).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace exhunt::gen {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9E3779B97F4A7C15ULL + 1) {}
  uint64_t Next() {
    uint64_t z = (s_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return n ? Next() % n : 0; }
  double Unit() { return double(Next() >> 11) * (1.0 / 9007199254740992.0); }
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }
  std::string Hex(size_t n) {
    static const char* k = "0123456789abcdef";
    std::string s;
    for (size_t i = 0; i < n; ++i) s += k[Below(16)];
    return s;
  }
  std::string Guid() { return Hex(8) + "-" + Hex(4) + "-" + Hex(4) + "-" + Hex(4) + "-" + Hex(12); }

 private:
  uint64_t s_;
};

}  // namespace exhunt::gen
