#include "base/yaml_load.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace exhunt {
namespace {

TEST(LoadYaml, NodesAsYamlCppBuildsThem) {
  YAML::Node n = LoadYaml(
      "title: t\n"
      "detection:\n"
      "  sel:\n"
      "    EventID: 4624\n"
      "    A|contains:\n"
      "      - 'x'\n"
      "      - \"y\\tz\"\n"
      "    B: null\n"
      "    C: ~\n"
      "    D:\n"
      "    E: 'null'\n"
      "    F: [1, two, {k: v}]\n"
      "  condition: sel\n"
      "anchored: &a {q: 1}\n"
      "again: *a\n"
      "folded: >\n  one\n  two\n");
  EXPECT_EQ(n["title"].as<std::string>(), "t");
  const YAML::Node sel = n["detection"]["sel"];
  EXPECT_EQ(sel["EventID"].as<int>(), 4624);
  ASSERT_TRUE(sel["A|contains"].IsSequence());
  EXPECT_EQ(sel["A|contains"][1].as<std::string>(), "y\tz");
  EXPECT_TRUE(sel["B"].IsNull());
  EXPECT_TRUE(sel["C"].IsNull());
  EXPECT_TRUE(sel["D"].IsNull());
  EXPECT_TRUE(sel["E"].IsScalar());  // quoted: a string
  EXPECT_EQ(sel["F"][2]["k"].as<std::string>(), "v");
  EXPECT_EQ(n["again"]["q"].as<int>(), 1);
  EXPECT_EQ(n["folded"].as<std::string>(), "one two\n");
  // Keys keep their order, as yaml-cpp's maps do.
  std::vector<std::string> keys;
  for (const auto& kv : sel) keys.push_back(kv.first.as<std::string>());
  EXPECT_EQ(keys, (std::vector<std::string>{"EventID", "A|contains", "B", "C", "D", "E", "F"}));
}

TEST(LoadYaml, BadYamlThrowsWithItsPlace) {
  try {
    LoadYaml("a: b\n  c: [d\n");
    FAIL() << "no exception";
  } catch (const YAML::ParserException& e) {
    EXPECT_EQ(e.mark.line, 1);
  }
  EXPECT_THROW(LoadYaml("a: *nowhere\n"), YAML::ParserException);
  EXPECT_TRUE(LoadYaml("").IsNull());
  EXPECT_EQ(LoadYaml("a: 1\n---\na: 2\n")["a"].as<int>(), 1);  // the first document
}

// Every SigmaHQ rule file reads to the same tree as yaml-cpp's own parser
// makes of it, and the files yaml-cpp refuses are refused too.
TEST(LoadYaml, SigmaHqRulesReadAsYamlCppReadsThem) {
  EXHUNT_REQUIRE_SHARED(sigma, "rules-thirdparty/sigma");
  size_t files = 0, same = 0;
  std::vector<std::string> differ;
  for (const auto& e : std::filesystem::recursive_directory_iterator(sigma)) {
    if (!e.is_regular_file() || e.path().extension() != ".yml") continue;
    ++files;
    std::string text = testing::ReadAll(e.path().string());
    std::string theirs, ours;
    bool theirs_ok = true, ours_ok = true;
    try {
      theirs = YAML::Dump(YAML::Load(text));
    } catch (const YAML::Exception&) {
      theirs_ok = false;
    }
    try {
      ours = YAML::Dump(LoadYaml(text));
    } catch (const YAML::Exception&) {
      ours_ok = false;
    }
    if (theirs_ok == ours_ok && theirs == ours)
      ++same;
    else if (differ.size() < 10)
      differ.push_back(e.path().string());
  }
  EXPECT_GT(files, 3000u);
  EXPECT_EQ(same, files) << "first that differ: " << ::testing::PrintToString(differ);
}

}  // namespace
}  // namespace exhunt
