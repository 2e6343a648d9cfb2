#include "reader/event_json.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace exhunt {
namespace {

std::vector<std::string> Values(std::string_view text, size_t* damaged = nullptr) {
  JsonValueSplitter s(text);
  std::vector<std::string> out;
  size_t b = 0, e = 0;
  if (damaged) *damaged = 0;
  for (auto step = s.Next(&b, &e); step != JsonValueSplitter::Step::kEnd; step = s.Next(&b, &e)) {
    if (step == JsonValueSplitter::Step::kDamaged) {
      if (damaged) ++*damaged;
      continue;
    }
    out.emplace_back(text.substr(b, e - b));
  }
  return out;
}

TEST(EventJson, SplitsLinesConcatenatedObjectsAndArrays) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Values("{\"a\":1}\n{\"b\":\"}{\"}\n"), (V{"{\"a\":1}", "{\"b\":\"}{\"}"}));
  EXPECT_EQ(Values("{\n  \"a\": {\"x\": [1, 2]}\n}\n{\n  \"b\": \"q\\\"}\"\n}"),
            (V{"{\n  \"a\": {\"x\": [1, 2]}\n}", "{\n  \"b\": \"q\\\"}\"\n}"}));
  EXPECT_EQ(Values("\xEF\xBB\xBF[ {\"a\":1} , {\"b\":2} ]"), (V{"{\"a\":1}", "{\"b\":2}"}));
  size_t damaged = 0;
  EXPECT_EQ(Values("{\"a\":1}\ngarbage line\n{\"b\":2}\n{\"cut\": \"", &damaged), (V{"{\"a\":1}", "{\"b\":2}"}));
  EXPECT_EQ(damaged, 2u);  // the garbage line and the object cut short at the end
  // An object left open does not swallow the lines after it.
  EXPECT_EQ(Values("{\"a\": \"open\n{\"b\":2}\n{\"c\": [1\n{\"d\":4}", &damaged), (V{"{\"b\":2}", "{\"d\":4}"}));
  EXPECT_EQ(damaged, 2u);
}

std::map<std::string, std::string> Fields(const std::string& json) {
  EventJsonParser parser;
  EventXml xml;
  std::string why;
  EXPECT_TRUE(parser.Parse(json, &xml, &why)) << why;
  EventRecord record;
  record.Reset(xml);
  std::map<std::string, std::string> out;
  for (const auto& f : record.fields()) out.emplace(std::string(f.name), std::string(f.value));
  return out;
}

TEST(EventJson, EvtxDumpShape) {
  auto f = Fields(R"j({"Event": {"#attributes": {"xmlns": "x"}, "System": {
      "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F"}},
      "EventID": 1, "Level": 4, "TimeCreated": {"#attributes": {"SystemTime": "2021-03-03T06:49:43.699Z"}},
      "EventRecordID": 1234, "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": "EXCH01",
      "Security": {"#attributes": {"UserID": "S-1-5-18"}}},
    "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe", "ProcessId": 4242, "Hashes": null}}})j");
  EXPECT_EQ(f["EventID"], "1");
  EXPECT_EQ(f["Provider_Name"], "Microsoft-Windows-Sysmon");
  EXPECT_EQ(f["Channel"], "Microsoft-Windows-Sysmon/Operational");
  EXPECT_EQ(f["TimeCreated"], "2021-03-03T06:49:43.699Z");
  EXPECT_EQ(f["EventRecordID"], "1234");
  EXPECT_EQ(f["Security_UserID"], "S-1-5-18");
  EXPECT_EQ(f["Image"], "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(f["ProcessId"], "4242");
  EXPECT_EQ(f["Hashes"], "");
}

TEST(EventJson, WinlogbeatShape) {
  auto f = Fields(R"j({"@timestamp": "2021-03-03T06:49:43.699Z", "event": {"code": "4688"},
    "message": "A new process has been created.",
    "winlog": {"channel": "Security", "provider_name": "Microsoft-Windows-Security-Auditing",
      "computer_name": "EXCH01.contoso.local", "record_id": 99, "event_id": 4688,
      "event_data": {"NewProcessName": "C:\\Windows\\System32\\cmd.exe", "ParentProcessName": "C:\\w3wp.exe"}}})j");
  EXPECT_EQ(f["EventID"], "4688");
  EXPECT_EQ(f["Channel"], "Security");
  EXPECT_EQ(f["Provider_Name"], "Microsoft-Windows-Security-Auditing");
  EXPECT_EQ(f["Computer"], "EXCH01.contoso.local");
  EXPECT_EQ(f["EventRecordID"], "99");
  EXPECT_EQ(f["TimeCreated"], "2021-03-03T06:49:43.699Z");
  EXPECT_EQ(f["NewProcessName"], "C:\\Windows\\System32\\cmd.exe");
  EXPECT_EQ(f["Message"], "A new process has been created.");
}

TEST(EventJson, FlatOtrfShape) {
  auto f = Fields(R"j({"@timestamp": "2020-05-02T02:55:57.870Z", "EventID": 4104, "SourceName":
    "Microsoft-Windows-PowerShell", "Channel": "Microsoft-Windows-PowerShell/Operational", "Hostname": "WKS1",
    "ScriptBlockText": "IEX (New-Object Net.WebClient)", "Message": "Creating Scriptblock text",
    "host": {"name": "nested objects are not event data"}})j");
  EXPECT_EQ(f["EventID"], "4104");
  EXPECT_EQ(f["Provider_Name"], "Microsoft-Windows-PowerShell");
  EXPECT_EQ(f["Computer"], "WKS1");
  EXPECT_EQ(f["ScriptBlockText"], "IEX (New-Object Net.WebClient)");
  EXPECT_EQ(f["TimeCreated"], "2020-05-02T02:55:57.870Z");
  EXPECT_EQ(f.count("host"), 0u);
}

TEST(EventJson, RefusesWhatIsNoEvent) {
  EventJsonParser parser;
  EventXml xml;
  std::string why;
  EXPECT_FALSE(parser.Parse("{\"name\": \"package\", \"version\": \"1.0\"}", &xml, &why));
  EXPECT_NE(why.find("no Windows event"), std::string::npos);
  EXPECT_FALSE(parser.Parse("{\"EventID\": ", &xml, &why));
  EXPECT_NE(why.find("not JSON"), std::string::npos);
  EXPECT_FALSE(parser.Parse("[1, 2]", &xml, &why));
}

}  // namespace
}  // namespace exhunt
