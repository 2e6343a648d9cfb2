#include "rule/short_literals.h"

#include <algorithm>
#include <cctype>

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
  s.thirds = thirds_;
  s.pairs = pairs_;
  s.found.assign(entries_.size(), 0);
  s.left.resize(heads_.size());
  for (size_t h = 0; h < heads_.size(); ++h) s.left[h] = head_at_[h + 1] - head_at_[h];
}

}  // namespace exhunt
