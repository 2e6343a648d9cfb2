#include "record/log_format.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

std::vector<std::string> ParseCsv(std::string_view text, size_t* consumed, CsvParse* status = nullptr) {
  std::vector<std::string_view> out;
  StringArena storage;
  CsvParse s = ParseCsvRecord(text, consumed, &out, &storage);
  if (status) *status = s;
  return std::vector<std::string>(out.begin(), out.end());
}

TEST(Csv, PlainFieldsAndCrLf) {
  size_t n = 0;
  EXPECT_EQ(ParseCsv("a,b,,d\r\nnext", &n), (std::vector<std::string>{"a", "b", "", "d"}));
  EXPECT_EQ(n, 8u);
}

TEST(Csv, QuotedCommasQuotesAndNewlines) {
  size_t n = 0;
  std::string text = "x,\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",y\nz";
  EXPECT_EQ(ParseCsv(text, &n), (std::vector<std::string>{"x", "a,b", "say \"hi\"", "line1\nline2", "y"}));
  EXPECT_EQ(text.substr(n), "z");
}

TEST(Csv, TrailingEmptyFieldAtEndOfInput) {
  size_t n = 0;
  EXPECT_EQ(ParseCsv("a,", &n), (std::vector<std::string>{"a", ""}));
}

TEST(Csv, UnterminatedQuoteFallsBackToThePhysicalLine) {
  size_t n = 0;
  CsvParse status;
  std::string text = "a,\"broken,b\nc,d\n";
  auto fields = ParseCsv(text, &n, &status);
  EXPECT_EQ(status, CsvParse::kUnterminatedQuote);
  EXPECT_EQ(n, 12u);  // only the first line ("a,\"broken,b\n") is consumed
  EXPECT_EQ(fields.size(), 3u);
}

TEST(Csv, AQuoteClosedOnALaterRecordLineIsAStrayQuote) {
  // A row opens a quote that a row four lines later closes: the rows in
  // between start like records and are not part of a multi-line value.
  size_t n = 0;
  CsvParse status;
  std::string text =
      "2021-03-03T06:49:43.699Z,\"broken,x\n2021-03-03T06:50:00.000Z,a\n2021-03-03T06:51:00.000Z,b\" q,c\n";
  auto fields = ParseCsv(text, &n, &status);
  EXPECT_EQ(status, CsvParse::kUnterminatedQuote);
  EXPECT_EQ(text.substr(0, n), "2021-03-03T06:49:43.699Z,\"broken,x\n");
  EXPECT_EQ(fields.size(), 3u);
  // A real multi-line value whose second line is no record start stays one field.
  std::string multi = "2021-03-03T06:49:43.699Z,\"line1\nline2\",y\nz";
  EXPECT_EQ(ParseCsv(multi, &n, &status), (std::vector<std::string>{"2021-03-03T06:49:43.699Z", "line1\nline2", "y"}));
  EXPECT_EQ(status, CsvParse::kOk);
}

TEST(W3c, SplitsOnRunsOfSpaces) {
  std::vector<std::string_view> out;
  SplitW3cLine("2022-01-01 00:01:24 ::1 POST /powershell q 444  random\\ranuser1 ::1", &out);
  ASSERT_EQ(out.size(), 9u);
  EXPECT_EQ(out[7], "random\\ranuser1");
}

TEST(Header, ResolvesByNameIgnoringCase) {
  FieldHeader h = ParseFieldsDirective(" DateTime,AnchorMailbox , UrlStem", true);
  EXPECT_EQ(h.Find("anchormailbox"), 1);
  EXPECT_EQ(h.Find("URLSTEM"), 2);
  EXPECT_EQ(h.Find("missing"), -1);
  FieldHeader w = ParseFieldsDirective("date time cs(User-Agent)", false);
  EXPECT_EQ(w.Find("cs(user-agent)"), 2);
}

TEST(LineAt, FindsBoundsWithCrLf) {
  std::string s = "ab\r\ncd\nef";
  LineSpan l = LineAt(s, 5);
  EXPECT_EQ(l.start, 4u);
  EXPECT_EQ(l.end, 6u);
  EXPECT_EQ(l.next, 7u);
  LineSpan last = LineAt(s, 8);
  EXPECT_EQ(last.start, 7u);
  EXPECT_EQ(last.end, 9u);
  EXPECT_EQ(last.next, 9u);
}

TEST(RecordStart, DatesAndDirectives) {
  EXPECT_TRUE(LooksLikeRecordStart("2021-03-03T06:49:43.699Z,abc"));
  EXPECT_TRUE(LooksLikeRecordStart("#Fields: a"));
  EXPECT_FALSE(LooksLikeRecordStart("line2 of a quoted field"));
}

}  // namespace
}  // namespace exhunt
