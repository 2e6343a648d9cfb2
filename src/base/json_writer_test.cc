#include "base/json_writer.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

TEST(JsonWriter, CommasBetweenMembersAndElementsOnly) {
  JsonWriter w;
  w.BeginObject().Key("a").Number(1).Key("b").BeginArray().String("x").String("y").EndArray();
  w.Key("c").BeginObject().EndObject().Key("d").BeginArray().EndArray().EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x","y"],"c":{},"d":[]})");
}

TEST(JsonWriter, EscapesKeysAndValuesAndReplacesInvalidUtf8) {
  JsonWriter w;
  w.BeginObject().Key("k\"ey").String("line\nbreak\x01 \xff end").EndObject();
  EXPECT_EQ(w.str(), "{\"k\\\"ey\":\"line\\nbreak\\u0001 \xEF\xBF\xBD end\"}");
}

TEST(JsonWriter, NullBoolFixedAndOptional) {
  JsonWriter w;
  w.BeginArray().Null().Bool(true).Bool(false).Fixed(0.0125, 3).Number(int64_t(-5));
  w.OptString(std::optional<std::string>()).OptString(std::optional<std::string>("v")).EndArray();
  EXPECT_EQ(w.str(), R"([null,true,false,0.013,-5,null,"v"])");
}

TEST(JsonWriter, RawValuesTakeTheirPlaceInLists) {
  JsonWriter inner;
  inner.BeginObject().Key("x").Number(uint64_t(2)).EndObject();
  JsonWriter w;
  w.BeginObject().Key("a").Raw(inner.str()).Key("b").StringArray({"p", "q"}).EndObject();
  EXPECT_EQ(w.str(), R"({"a":{"x":2},"b":["p","q"]})");
}

}  // namespace
}  // namespace exhunt
