#include "base/time_span.h"

#include <gtest/gtest.h>

namespace exhunt {
namespace {

TimeMs Day(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d) * kDayMs; }

TEST(TimeSpan, MergeJoinsOverlapsAndShortGapsOnly) {
  std::vector<TimeSpan> s = {{Day(2021, 3, 5), Day(2021, 3, 6)},
                             {Day(2021, 3, 1), Day(2021, 3, 2)},
                             {Day(2021, 3, 2) + 3600000, Day(2021, 3, 3)},  // an hour after: joined
                             {Day(2021, 3, 3) + kDayMs + 1, Day(2021, 3, 4)}};  // a day and 1 ms after: a gap
  MergeSpans(&s);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], (TimeSpan{Day(2021, 3, 1), Day(2021, 3, 3)}));
  EXPECT_EQ(s[1], (TimeSpan{Day(2021, 3, 4) + 1, Day(2021, 3, 6)}));
}

TEST(TimeSpan, UncoveredPartsNameLateStartsGapsAndEarlyEnds) {
  const TimeSpan window{Day(2021, 1, 6), Day(2021, 4, 30)};
  // Two records years apart cover nothing of the window.
  std::vector<TimeSpan> two_points = {{Day(2020, 12, 1), Day(2020, 12, 1)}, {Day(2023, 6, 1), Day(2023, 6, 1)}};
  auto u = UncoveredParts(two_points, window);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0], window);
  // Logs from before the window to its end, with a three-day hole.
  std::vector<TimeSpan> holed = {{Day(2020, 12, 1), Day(2021, 3, 1)}, {Day(2021, 3, 4), Day(2021, 6, 1)}};
  u = UncoveredParts(holed, window);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0], (TimeSpan{Day(2021, 3, 1), Day(2021, 3, 4)}));
  // Late start and early end.
  std::vector<TimeSpan> inside = {{Day(2021, 2, 1), Day(2021, 3, 1)}};
  u = UncoveredParts(inside, window);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0], (TimeSpan{Day(2021, 1, 6), Day(2021, 2, 1)}));
  EXPECT_EQ(u[1], (TimeSpan{Day(2021, 3, 1), Day(2021, 4, 30)}));
  // Full cover, starting less than a day late: nothing uncovered.
  std::vector<TimeSpan> full = {{Day(2021, 1, 6) + 3600000, Day(2021, 4, 30)}};
  EXPECT_TRUE(UncoveredParts(full, window).empty());
  EXPECT_EQ(UncoveredParts({}, window).size(), 1u);
}

TEST(TimeSpan, ClipKeepsThePartsInside) {
  std::vector<TimeSpan> s = {{Day(2021, 1, 1), Day(2021, 1, 10)}, {Day(2021, 2, 1), Day(2021, 2, 3)}};
  auto c = ClipSpans(s, Day(2021, 1, 5), Day(2021, 2, 2));
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], (TimeSpan{Day(2021, 1, 5), Day(2021, 1, 10)}));
  EXPECT_EQ(c[1], (TimeSpan{Day(2021, 2, 1), Day(2021, 2, 2)}));
  EXPECT_TRUE(ClipSpans(s, Day(2022, 1, 1), Day(2022, 2, 1)).empty());
}

}  // namespace
}  // namespace exhunt
