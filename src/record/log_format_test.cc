#include "record/log_format.h"

#include <gtest/gtest.h>

#include "record/log_record.h"

namespace exhunt {
namespace {

std::vector<std::string> ParseCsv(std::string_view text, size_t* consumed, CsvParse* status = nullptr) {
  std::vector<std::string_view> out;
  std::deque<std::string> storage;
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

TEST(LogRecord, IisFieldMappingForSigmaAndExchangeNames) {
  LogContext ctx;
  ctx.type = LogType::kIisW3c;
  FieldHeader h = ParseFieldsDirective(
      "date time cs-method cs-uri-stem cs-uri-query s-port cs-username cs(User-Agent) sc-status", false);
  LogRecord rec;
  std::string line =
      "2021-03-03 06:49:43 POST /autodiscover/autodiscover.json @x.com/powershell 443 - Mozilla/5.0+(Windows+NT) 200";
  rec.Reset(&ctx, &h, line);
  SplitW3cLine(line, &rec.values());
  EXPECT_EQ(*rec.Field("cs-uri-query"), "/autodiscover/autodiscover.json?@x.com/powershell");
  EXPECT_EQ(*rec.Field("UrlQuery"), "@x.com/powershell");
  EXPECT_EQ(*rec.Field("c-useragent"), "Mozilla/5.0 (Windows NT)");
  EXPECT_EQ(*rec.Field("cs-username"), "");  // "-" reads as empty
  EXPECT_EQ(*rec.Field("HttpStatus"), "200");
  EXPECT_EQ(*rec.Field("c-uri-extension"), "json");
  EXPECT_FALSE(rec.Field("NoSuchField"));
  EXPECT_EQ(FormatIsoTime(*rec.Time()), "2021-03-03T06:49:43.000Z");
}

TEST(LogRecord, RowOfAnOlderBuildWithFewerColumns) {
  LogContext ctx;
  ctx.type = LogType::kHttpProxy;
  FieldHeader h = ParseFieldsDirective("DateTime,UrlStem,AnchorMailbox,RoutingStatus", true);
  LogRecord rec;
  rec.Reset(&ctx, &h, "2021-03-03T06:49:43.699Z,/ecp/y.js");
  rec.values() = {"2021-03-03T06:49:43.699Z", "/ecp/y.js"};
  EXPECT_EQ(*rec.Field("UrlStem"), "/ecp/y.js");
  EXPECT_EQ(*rec.Field("RoutingStatus"), "");  // in the header, not in this row
  EXPECT_FALSE(rec.Field("GenericInfo"));      // not in this format at all
}

TEST(LogRecord, EcpCmdValueKeepsSemicolonsOfScript) {
  LogContext ctx;
  ctx.type = LogType::kEcpServer;
  FieldHeader h = ParseFieldsDirective("TimeStamp,ServerName,EventId,EventData", true);
  LogRecord rec;
  rec.Reset(&ctx, &h, "");
  rec.values() = {"2021-03-03T06:49:43.699Z", "EXCH01", "ECP.Request",
                  "S:TIME=1;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a();b();</script>';S:REQID=;S:URL=/ecp/x"};
  EXPECT_EQ(*rec.Field("Cmd"), "Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a();b();</script>'");
  EXPECT_EQ(*rec.Field("RequestUrl"), "/ecp/x");
}

TEST(Oab, DownloadPathAndInstallRoots) {
  std::string line = "x Download failed and temporary file 'D:\\Exchange\\ClientAccess\\OAB\\t.tmp' needs to be removed";
  EXPECT_EQ(ExtractOabDownloadPath(line), "D:\\Exchange\\ClientAccess\\OAB\\t.tmp");
  EXPECT_TRUE(IsInsideOabDirectory("D:\\Exchange\\ClientAccess\\OAB\\t.tmp", {"\\exchange\\"}));
  EXPECT_FALSE(IsInsideOabDirectory("D:\\Exchange\\ClientAccess\\OAB\\t.tmp", {"\\program files\\microsoft\\exchange server\\v15\\"}));
  EXPECT_FALSE(IsInsideOabDirectory("\\\\127.0.0.1\\c$\\Exchange\\ClientAccess\\OAB\\x", {"\\exchange\\"}));
  EXPECT_TRUE(IsInsideOabDirectory("C:\\X\\ClientAccess\\OAB\\a", {}));
  EXPECT_EQ(ExtractOabDownloadPath("no such text"), "");
}

TEST(RecordStart, DatesAndDirectives) {
  EXPECT_TRUE(LooksLikeRecordStart("2021-03-03T06:49:43.699Z,abc"));
  EXPECT_TRUE(LooksLikeRecordStart("#Fields: a"));
  EXPECT_FALSE(LooksLikeRecordStart("line2 of a quoted field"));
}

}  // namespace
}  // namespace exhunt
