#include "source/directive.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

TEST(Directive, NamesAndTrimmedValues) {
  Directive d = ParseDirective("#Fields: date time cs-method\r");
  EXPECT_EQ(d.name, DirectiveName::kFields);
  EXPECT_EQ(d.value, "date time cs-method");
  EXPECT_EQ(ParseDirective("\xEF\xBB\xBF#Software: Microsoft Exchange Server").name, DirectiveName::kSoftware);
  EXPECT_EQ(ParseDirective("#log-TYPE:HttpProxy Logs").value, "HttpProxy Logs");
  EXPECT_EQ(ParseDirective("#Version: 15.01.2176.002").name, DirectiveName::kVersion);
  EXPECT_EQ(ParseDirective("#Date: 2021-03-03 00:00:00").name, DirectiveName::kDate);
  EXPECT_EQ(ParseDirective("#Remark: x").name, DirectiveName::kOther);
}

TEST(Directive, RecordsAndBrokenLinesAreNone) {
  EXPECT_EQ(ParseDirective("2021-03-03 00:00:00 GET /").name, DirectiveName::kNone);
  EXPECT_EQ(ParseDirective("#no colon here").name, DirectiveName::kNone);
  EXPECT_EQ(ParseDirective("#").name, DirectiveName::kNone);
  EXPECT_EQ(ParseDirective("").name, DirectiveName::kNone);
  EXPECT_EQ(ParseDirective(kFieldsMarker).name, DirectiveName::kFields);
}

}  // namespace
}  // namespace exhunt
