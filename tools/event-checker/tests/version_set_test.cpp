#include "version_set.h"

#include <gtest/gtest.h>

#include <limits>

using event_checker::VersionRange;
using event_checker::VersionSet;

TEST(VersionSet, EmptySet) {
  VersionSet s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.size(), 0u);
  EXPECT_EQ(s.min(), 0);
  EXPECT_EQ(s.max(), 0);
  EXPECT_TRUE(s.missing(1).empty());
}

TEST(VersionSet, InsertReportsRepeats) {
  VersionSet s;
  EXPECT_TRUE(s.insert(3));
  EXPECT_FALSE(s.insert(3));
  EXPECT_TRUE(s.contains(3));
  EXPECT_FALSE(s.contains(2));
  EXPECT_EQ(s.size(), 1u);
}

TEST(VersionSet, NeighboursMerge) {
  VersionSet s;
  for (std::int64_t v : {5, 1, 3, 2, 4}) s.insert(v);
  EXPECT_EQ(s.size(), 5u);
  EXPECT_EQ(s.min(), 1);
  EXPECT_EQ(s.max(), 5);
  EXPECT_TRUE(s.missing(1).empty());
}

TEST(VersionSet, MissingListsHoles) {
  VersionSet s;
  for (std::int64_t v : {2, 3, 6, 9, 10}) s.insert(v);
  auto holes = s.missing(1);
  ASSERT_EQ(holes.size(), 3u);
  EXPECT_EQ(holes[0], (VersionRange{1, 1}));
  EXPECT_EQ(holes[1], (VersionRange{4, 5}));
  EXPECT_EQ(holes[2], (VersionRange{7, 8}));
  EXPECT_EQ(s.missing(2).size(), 2u);
}

TEST(VersionSet, ExtremeVersionsDoNotOverflow) {
  VersionSet s;
  const std::int64_t top = std::numeric_limits<std::int64_t>::max();
  EXPECT_TRUE(s.insert(top));
  EXPECT_TRUE(s.insert(top - 1));
  EXPECT_EQ(s.max(), top);
  auto holes = s.missing(top - 3);
  ASSERT_EQ(holes.size(), 1u);
  EXPECT_EQ(holes[0], (VersionRange{top - 3, top - 2}));
}
