#include "finding/finding.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

TEST(SourceRef, NamesEachKindOfPosition) {
  SourceRef s{"a/b.log", SourceRef::Kind::kLine, 42};
  EXPECT_EQ(s.ToString(), "a/b.log:42");
  s.kind = SourceRef::Kind::kRecord;
  EXPECT_EQ(s.ToString(), "a/b.log#42");
  s.kind = SourceRef::Kind::kOffset;
  EXPECT_EQ(s.ToString(), "a/b.log@42");
  s.kind = SourceRef::Kind::kFile;
  EXPECT_EQ(s.ToString(), "a/b.log");
}

TEST(Finding, ReportOrderIsHostTimePathPositionRule) {
  auto rule = [](std::string id) {
    auto r = std::make_shared<RuleInfo>();
    r->id = std::move(id);
    return r;
  };
  auto at = [&](std::string host, TimeMs t, std::string path, uint64_t pos, std::string id) {
    Finding f;
    f.host = std::move(host);
    f.time = t;
    f.source = {std::move(path), SourceRef::Kind::kLine, pos};
    f.rule = rule(std::move(id));
    return f;
  };
  std::vector<Finding> v = {at("b", 1, "p", 1, "r"), at("a", 2, "p", 1, "r"), at("a", 1, "q", 1, "r"),
                            at("a", 1, "p", 9, "r"), at("a", 1, "p", 1, "s"), at("a", 1, "p", 1, "r")};
  std::sort(v.begin(), v.end(), FindingBefore);
  std::vector<std::string> order;
  for (const auto& f : v) order.push_back(f.host + std::to_string(*f.time) + f.source.ToString() + f.rule->id);
  EXPECT_EQ(order, (std::vector<std::string>{"a1p:1r", "a1p:1s", "a1p:9r", "a1q:1r", "a2p:1r", "b1p:1r"}));
}

}  // namespace
}  // namespace exhunt
