#include "rule/short_literals.h"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace exhunt {
namespace {

using namespace std::literals;

std::set<uint32_t> Found(const ShortLiterals& set, std::string_view bytes) {
  ShortLiterals::Scratch s;
  std::set<uint32_t> ids;
  set.Find(bytes, s, [&](uint32_t id) { ids.insert(id); });
  return ids;
}

bool Holds(std::string_view bytes, std::string_view lit, bool caseless) {
  auto fold = [caseless](char c) { return caseless ? char(std::tolower(static_cast<unsigned char>(c))) : c; };
  for (size_t i = 0; i + lit.size() <= bytes.size(); ++i) {
    bool all = true;
    for (size_t j = 0; all && j < lit.size(); ++j) all = fold(bytes[i + j]) == fold(lit[j]);
    if (all) return true;
  }
  return false;
}

TEST(ShortLiterals, FindsTwoAndThreeByteLiteralsAnywhereInTheBlock) {
  ShortLiterals set({{"\x8b\x45", false, 1}, {"\x85\xc0\x74", false, 2}, {"MZ", false, 3}, {"<%", false, 4}});
  EXPECT_EQ(set.size(), 4u);
  EXPECT_EQ(Found(set, std::string("MZ\x90\x00", 4)), (std::set<uint32_t>{3}));
  // At the very end of the block, and a three-byte literal cut by the end.
  EXPECT_EQ(Found(set, std::string("xxxx\x8b\x45", 6)), (std::set<uint32_t>{1}));
  EXPECT_EQ(Found(set, std::string("xxxx\x85\xc0", 6)), (std::set<uint32_t>{}));
  EXPECT_EQ(Found(set, std::string("\x85\xc0\x75\x85\xc0\x74<%", 8)), (std::set<uint32_t>{2, 4}));
  EXPECT_EQ(Found(set, ""), (std::set<uint32_t>{}));
  EXPECT_EQ(Found(set, "M"), (std::set<uint32_t>{}));
}

TEST(ShortLiterals, LeavesOutLiteralsThatDoNotFit) {
  ShortLiterals set({{"a", false, 1}, {"abcd", false, 2}, {"ab", false, 3}});
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(Found(set, "abcd"), (std::set<uint32_t>{3}));
}

TEST(ShortLiterals, ACaselessLiteralMatchesEveryCaseOfItsLetters) {
  ShortLiterals set({{"eV", true, 7}, {"<%@", true, 8}, {"Ab", false, 9}});
  EXPECT_EQ(set.size(), 4u + 1u + 1u);
  EXPECT_EQ(Found(set, "xEvx"), (std::set<uint32_t>{7}));
  EXPECT_EQ(Found(set, "<%@ ab"), (std::set<uint32_t>{8}));
  EXPECT_EQ(Found(set, "AB Ab"), (std::set<uint32_t>{9}));
}

TEST(ShortLiterals, LiteralsSharingTheirFirstBytesAreEachFound) {
  // One head, a two-byte literal and three-byte ones, one id twice.
  ShortLiterals set({{"\xff\x15", false, 1}, {"\xff\x15\x00"sv, false, 2}, {"\xff\x15\x10", false, 3},
                     {"\xff\x15\x10", false, 4}});
  EXPECT_EQ(Found(set, std::string("\xff\x15\x10", 3)), (std::set<uint32_t>{1, 3, 4}));
  EXPECT_EQ(Found(set, std::string("\xff\x15\x10\xff\x15\x00", 6)), (std::set<uint32_t>{1, 2, 3, 4}));
}

// Against a plain search: random literal sets over a small alphabet (so
// that literals share heads and are found, or not, at every place).
TEST(ShortLiterals, ReportsWhatAPlainSearchFinds) {
  std::mt19937 rng(20261206);
  const std::string alphabet(std::string_view("aAbB\x00\xff\x8b", 7));
  auto pick = [&](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += alphabet[rng() % alphabet.size()];
    return s;
  };
  size_t found = 0, missing = 0;
  for (int round = 0; round < 2000; ++round) {
    std::vector<std::string> texts;
    std::vector<ShortLiterals::Literal> lits;
    size_t count = 1 + rng() % 12;
    for (size_t i = 0; i < count; ++i) texts.push_back(pick(2 + rng() % 2));
    for (size_t i = 0; i < count; ++i) lits.push_back({texts[i], bool(rng() % 3 == 0), uint32_t(i)});
    ShortLiterals set(lits);
    std::string block = pick(rng() % 40);
    std::set<uint32_t> want;
    for (const auto& lit : lits)
      if (Holds(block, lit.bytes, lit.caseless)) want.insert(lit.id);
    ASSERT_EQ(Found(set, block), want) << "round " << round;
    found += want.size();
    missing += count - want.size();
  }
  // Both outcomes are exercised.
  EXPECT_GT(found, 1000u);
  EXPECT_GT(missing, 1000u);
}

// Past the first kSkipFrom bytes, blocks of 32 are skipped where no pair
// of bytes may start a literal still missing (with AVX2): literals planted
// there, among bytes that are and are not first or second bytes of
// literals, are each found as a plain search finds them.
TEST(ShortLiterals, FindsLiteralsPastTheBytesWalkedOneByOne) {
  std::mt19937 rng(61206);
  const std::string mixed(std::string_view("abcABC\x00\xff\x8b\x45xyz", 14));
  size_t found = 0, missing = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> texts;
    for (size_t i = 0; i < 1 + rng() % 10; ++i) {
      std::string t;
      for (size_t j = 0; j < 2 + rng() % 2; ++j) t += mixed[rng() % mixed.size()];
      texts.push_back(t);
    }
    std::vector<ShortLiterals::Literal> lits;
    for (size_t i = 0; i < texts.size(); ++i) lits.push_back({texts[i], bool(rng() % 3 == 0), uint32_t(i)});
    ShortLiterals set(lits);
    // Bytes no literal holds, then a random mix, with some literals planted.
    std::string block(4096 + rng() % 64, '\x20');
    for (size_t i = 0; i < 2000 + rng() % 6000; ++i) block += rng() % 4 ? char(0x20 + rng() % 8) : mixed[rng() % mixed.size()];
    for (const auto& t : texts)
      if (rng() % 2) block.replace(4096 + rng() % (block.size() - 4100), t.size(), t);
    std::set<uint32_t> want;
    for (const auto& lit : lits)
      if (Holds(block, lit.bytes, lit.caseless)) want.insert(lit.id);
    ASSERT_EQ(Found(set, block), want) << "round " << round;
    found += want.size();
    missing += lits.size() - want.size();
  }
  EXPECT_GT(found, 300u);
  EXPECT_GT(missing, 100u);
}

}  // namespace
}  // namespace exhunt
