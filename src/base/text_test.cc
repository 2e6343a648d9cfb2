#include "base/text.h"

#include <gtest/gtest.h>

#include "base/time.h"

namespace exhunt {
namespace {

// The naive definition FindIgnoreCase must agree with.
size_t NaiveFind(std::string_view hay, std::string_view needle, size_t from) {
  for (size_t i = from; i + needle.size() <= hay.size(); ++i)
    if (EqualsIgnoreCase(hay.substr(i, needle.size()), needle)) return i;
  return std::string_view::npos;
}

TEST(Text, FindIgnoreCaseAgreesWithTheNaiveSearchOnLongInputs) {
  // Bytes that differ only in bit 0x20 but are not letters ('/' and 0x0F,
  // '@' and '`', '[' and '{') must not match each other.
  const std::string alphabet = std::string("aAbB/\x0f@`[{~^ ") + "\xc3\xa9";
  uint32_t seed = 12345;
  auto next = [&] { return seed = seed * 1103515245u + 12345u; };
  for (int round = 0; round < 3000; ++round) {
    std::string hay, needle;
    size_t hn = next() % 200, nn = 1 + next() % 6;
    for (size_t i = 0; i < hn; ++i) hay += alphabet[next() % alphabet.size()];
    for (size_t i = 0; i < nn; ++i) needle += alphabet[next() % alphabet.size()];
    if (next() % 3 == 0 && hn > nn) hay.replace(next() % (hn - nn), nn, needle);
    size_t from = hn ? next() % (hn + 1) : 0;
    ASSERT_EQ(FindIgnoreCase(hay, needle, from), NaiveFind(hay, needle, from))
        << "hay '" << hay << "' needle '" << needle << "' from " << from;
  }
  EXPECT_EQ(FindIgnoreCase(std::string(100, 'x') + "/EWS/", "/ews/"), 100u);
  EXPECT_EQ(FindIgnoreCase(std::string(100, 'x') + "\x0fEWS\x0f", "/ews/"), std::string_view::npos);
}

TEST(Text, FindIgnoreCase) {
  EXPECT_EQ(FindIgnoreCase("abcServerInfo~x", "serverinfo~"), 3u);
  EXPECT_EQ(FindIgnoreCase("abc", "abcd"), std::string_view::npos);
  EXPECT_EQ(FindIgnoreCase("xxSERVERinfo", "serverinfo"), 2u);
  EXPECT_EQ(FindIgnoreCase("aaa", "b"), std::string_view::npos);
}

TEST(Text, GlobMatchSigmaWildcards) {
  EXPECT_TRUE(GlobMatch("ServerInfo~*/*", "serverinfo~a]@x:444/mapi/emsmdb/?#", false));
  EXPECT_FALSE(GlobMatch("ServerInfo~*/*", "serverinfo~a]@x:444/mapi", true));
  EXPECT_TRUE(GlobMatch("*Reset*VirtualDirectory#", "x/ResetOABVirtualDirectory#", false));
  EXPECT_FALSE(GlobMatch("*Reset*VirtualDirectory#", "x/ResetOABVirtualDirectory#&a=b", false));
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b", true));
  EXPECT_FALSE(GlobMatch("a\\*b", "axb", true));
  EXPECT_TRUE(GlobMatch("a?c", "abc", true));
}

TEST(Text, JsonEscapingKeepsOutputValidUtf8) {
  std::string out;
  AppendJsonEscaped(out, std::string_view("a\"b\\\n\x01\xC3\xA9\xFF", 9));
  EXPECT_EQ(out, "a\\\"b\\\\\\n\\u0001\xC3\xA9\xEF\xBF\xBD");
}

TEST(Text, CountByte) {
  std::string s(1000, 'a');
  for (size_t i = 0; i < s.size(); i += 7) s[i] = '\n';
  EXPECT_EQ(CountByte(s.data(), s.size(), '\n'), 143u);
  // Every length and offset around the 32-, 64- and 128-byte blocks.
  for (size_t off = 0; off < 9; ++off)
    for (size_t len = 0; len < 300; ++len) {
      uint64_t want = 0;
      for (size_t i = off; i < off + len; ++i) want += s[i] == '\n';
      ASSERT_EQ(CountByte(s.data() + off, len, '\n'), want) << off << " " << len;
    }
}

TEST(Time, ParsesExchangeAndIisForms) {
  auto t = ParseIsoTime("2021-03-03T06:49:43.699Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatIsoTime(*t), "2021-03-03T06:49:43.699Z");
  auto w = ParseDateAndTime("2021-03-03", "06:49:43");
  ASSERT_TRUE(w);
  EXPECT_EQ(FormatIsoTime(*w), "2021-03-03T06:49:43.000Z");
  EXPECT_FALSE(ParseIsoTime("2021-13-03T06:49:43Z"));
  EXPECT_FALSE(ParseIsoTime("not a time"));
  EXPECT_EQ(FormatIsoTime(0), "1970-01-01T00:00:00.000Z");
}

TEST(Text, ByteSizesWithBinaryUnits) {
  EXPECT_EQ(ParseByteSize("500"), 500u);
  EXPECT_EQ(ParseByteSize("64K"), 64u << 10);
  EXPECT_EQ(ParseByteSize("100m"), 100u << 20);
  EXPECT_EQ(ParseByteSize("2G"), uint64_t(2) << 30);
  EXPECT_FALSE(ParseByteSize(""));
  EXPECT_FALSE(ParseByteSize("G"));
  EXPECT_FALSE(ParseByteSize("1.5G"));
  EXPECT_FALSE(ParseByteSize("99999999999999999999"));
  EXPECT_FALSE(ParseByteSize("17179869184G"));  // overflows 64 bits
}

}  // namespace
}  // namespace exhunt
