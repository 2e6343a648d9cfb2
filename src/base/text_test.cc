#include "base/text.h"

#include <gtest/gtest.h>

#include "base/time.h"

namespace exhunt {
namespace {

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

}  // namespace
}  // namespace exhunt
