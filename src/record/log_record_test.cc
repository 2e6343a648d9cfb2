#include "record/log_record.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

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
  rec.values() = {
      "2021-03-03T06:49:43.699Z", "EXCH01", "ECP.Request",
      "S:TIME=1;S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a();b();</script>';S:REQID=;S:URL=/ecp/x"};
  EXPECT_EQ(*rec.Field("Cmd"), "Set-OabVirtualDirectory.ExternalUrl='http://f/<script>a();b();</script>'");
  EXPECT_EQ(*rec.Field("RequestUrl"), "/ecp/x");
}

TEST(Oab, DownloadPathAndInstallRoots) {
  std::string line =
      "x Download failed and temporary file 'D:\\Exchange\\ClientAccess\\OAB\\t.tmp' needs to be removed";
  EXPECT_EQ(ExtractOabDownloadPath(line), "D:\\Exchange\\ClientAccess\\OAB\\t.tmp");
  EXPECT_TRUE(IsInsideOabDirectory("D:\\Exchange\\ClientAccess\\OAB\\t.tmp", {"\\exchange\\"}));
  EXPECT_FALSE(IsInsideOabDirectory("D:\\Exchange\\ClientAccess\\OAB\\t.tmp",
                                    {"\\program files\\microsoft\\exchange server\\v15\\"}));
  EXPECT_FALSE(IsInsideOabDirectory("\\\\127.0.0.1\\c$\\Exchange\\ClientAccess\\OAB\\x", {"\\exchange\\"}));
  // A triage tree with folders above the drive ("EXCH01/C/...") or one that
  // starts inside the install folder.
  const std::string v15 = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\t.tmp";
  EXPECT_TRUE(IsInsideOabDirectory(v15, {"\\exch01\\c\\program files\\microsoft\\exchange server\\v15\\"}));
  EXPECT_TRUE(IsInsideOabDirectory(v15, {"\\v15\\"}));
  EXPECT_FALSE(IsInsideOabDirectory("C:\\inetpub\\wwwroot\\ClientAccess\\OAB\\t.tmp",
                                    {"\\exch01\\program files\\microsoft\\exchange server\\v15\\"}));
  EXPECT_TRUE(IsInsideOabDirectory("C:\\X\\ClientAccess\\OAB\\a", {}));
  EXPECT_EQ(ExtractOabDownloadPath("no such text"), "");
}

TEST(LogRecord, EvidenceValueShowsTheLoggedColumnBeforeTheRuleName) {
  LogContext ctx;
  ctx.type = LogType::kIisW3c;
  FieldHeader h = ParseFieldsDirective("date time cs-uri-stem cs-uri-query cs(User-Agent)", false);
  LogRecord rec;
  std::string line = "2021-03-03 06:49:43 /owa/auth/x.aspx a=1 curl/7.1+(x)";
  rec.Reset(&ctx, &h, line);
  SplitW3cLine(line, &rec.values());
  // A column of that name: shown as logged ('+' kept).
  EXPECT_EQ(*rec.EvidenceValue("cs(User-Agent)"), "curl/7.1+(x)");
  // A rule name that is no column: resolved through the field map.
  EXPECT_EQ(*rec.EvidenceValue("c-useragent"), "curl/7.1 (x)");
  EXPECT_EQ(*rec.EvidenceValue("cs-uri-query"), "a=1");  // the column, not the joined URL
  EXPECT_EQ(*rec.Field("cs-uri-query"), "/owa/auth/x.aspx?a=1");
}

TEST(BindField, EachKindUsesItsVocabulary) {
  EXPECT_EQ(BindField(LogType::kIisW3c, "UserAgent").column, "cs(User-Agent)");
  EXPECT_EQ(BindField(LogType::kHttpProxy, "c-useragent").column, "UserAgent");
  EXPECT_EQ(BindField(LogType::kEcpServer, "Cmd").kind, FieldBinding::Kind::kEcpKey);
  EXPECT_EQ(BindField(LogType::kHttpProxy, "Cmd").kind, FieldBinding::Kind::kColumn);  // no ECP keys there
  EXPECT_EQ(BindField(LogType::kOabGenerator, "DownloadPathInOab").raw_form, RawForm::kNone);
  EXPECT_EQ(BindField(LogType::kRpsHttp, "_raw").kind, FieldBinding::Kind::kLine);
}

}  // namespace
}  // namespace exhunt
