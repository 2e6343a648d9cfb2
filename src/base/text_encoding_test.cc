#include "base/text_encoding.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

std::string Utf16Le(std::string_view ascii, bool bom) {
  std::string out = bom ? "\xFF\xFE" : "";
  for (char c : ascii) out += std::string(1, c) + std::string(1, '\0');
  return out;
}

TEST(TextEncoding, GuessesUtf16WithAndWithoutAMarkAndCrAlone) {
  EXPECT_EQ(GuessTextEncoding(Utf16Le("#Fields: date time\r\n", true)), TextEncoding::kUtf16Le);
  EXPECT_EQ(GuessTextEncoding(Utf16Le("#Fields: date time\r\n", false)), TextEncoding::kUtf16Le);
  EXPECT_EQ(GuessTextEncoding(std::string("\xFE\xFF\0#", 4)), TextEncoding::kUtf16Be);
  EXPECT_EQ(GuessTextEncoding("#Fields: a b\r2021-03-03 x\r"), TextEncoding::kCrOnly);
  EXPECT_EQ(GuessTextEncoding("#Fields: a b\r\n2021-03-03 x\r\n"), TextEncoding::kPlain);
  EXPECT_EQ(GuessTextEncoding("one line without an end\r"), TextEncoding::kPlain);
  EXPECT_EQ(GuessTextEncoding("caf\xC3\xA9\n"), TextEncoding::kPlain);
}

TEST(TextEncoding, TranscodesLineForLine) {
  std::string out;
  ASSERT_TRUE(ToPlainText(Utf16Le("#Fields: a\r\nx y\r\n", true), TextEncoding::kUtf16Le, 1 << 20, &out));
  EXPECT_EQ(out, "#Fields: a\r\nx y\r\n");
  // é (U+00E9), a pair for U+1F600, an unpaired surrogate, a dangling byte.
  std::string le = std::string("\xE9\x00", 2) + std::string("\x3D\xD8\x00\xDE", 4) + std::string("\x00\xDC", 2) + "z";
  ASSERT_TRUE(ToPlainText(le, TextEncoding::kUtf16Le, 1 << 20, &out));
  EXPECT_EQ(out, "\xC3\xA9\xF0\x9F\x98\x80\xEF\xBF\xBD\xEF\xBF\xBD");
  std::string be = std::string("\xFE\xFF\x00\x41\x00\x0A", 6);
  ASSERT_TRUE(ToPlainText(be, TextEncoding::kUtf16Be, 1 << 20, &out));
  EXPECT_EQ(out, "A\n");
  ASSERT_TRUE(ToPlainText("a\rb\r", TextEncoding::kCrOnly, 1 << 20, &out));
  EXPECT_EQ(out, "a\nb\n");
  EXPECT_FALSE(ToPlainText(Utf16Le(std::string(100, 'x'), false), TextEncoding::kUtf16Le, 50, &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace exhunt

namespace exhunt {
namespace {

// An empty file's mapping has no bytes and may have no address at all.
TEST(TextEncoding, AnEmptyHeadIsPlainText) {
  EXPECT_EQ(GuessTextEncoding(std::string_view()), TextEncoding::kPlain);
  EXPECT_EQ(GuessTextEncoding(std::string_view("", 0)), TextEncoding::kPlain);
}

}  // namespace
}  // namespace exhunt
