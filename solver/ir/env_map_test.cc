#include "solver/ir/env_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace ir {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

TEST(EnvMap, SortedUniqueLaterWins) {
  EnvMap m{{"Z", "1"}, {"A", "2"}, {"M", "3"}, {"A", "4"}};
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.to_vector(), (Pairs{{"A", "4"}, {"M", "3"}, {"Z", "1"}}));
  ASSERT_NE(m.find("M"), nullptr);
  EXPECT_EQ(*m.find("M"), "3");
  EXPECT_EQ(m.find("B"), nullptr);
  EXPECT_EQ(m.find(""), nullptr);
}

TEST(EnvMap, EmptyValuesAreSet) {
  EnvMap m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.begin(), m.end());
  m.set("E", "");
  ASSERT_NE(m.find("E"), nullptr);
  EXPECT_EQ(*m.find("E"), "");
}

TEST(EnvMap, CopiesAreIndependent) {
  EnvMap a{{"K", "1"}};
  EnvMap b = a;
  b.set("K", "2");
  b.set("L", "3");
  EXPECT_EQ(a.to_vector(), (Pairs{{"K", "1"}}));
  EXPECT_EQ(b.to_vector(), (Pairs{{"K", "2"}, {"L", "3"}}));
  EXPECT_FALSE(a == b);
}

TEST(EnvMap, EqualityIgnoresHistory) {
  EnvMap a{{"A", "1"}, {"B", "2"}, {"C", "3"}};
  EnvMap b{{"C", "3"}, {"B", "x"}, {"A", "1"}, {"B", "2"}};
  EXPECT_TRUE(a == b);
  b.set("B", "y");
  EXPECT_FALSE(a == b);
}

// Against std::map over many random operations, snapshots included.
TEST(EnvMap, MatchesAnOrderedMap) {
  std::mt19937 rng(7);
  EnvMap m;
  std::map<std::string, std::string> ref;
  std::vector<std::pair<EnvMap, std::map<std::string, std::string>>> snapshots;
  for (int i = 0; i < 5000; ++i) {
    std::string k = "K" + std::to_string(rng() % 700);
    std::string v = std::to_string(i);
    m.set(k, v);
    ref[k] = v;
    if (i % 500 == 0) snapshots.emplace_back(m, ref);
  }
  EXPECT_EQ(m.to_vector(), Pairs(ref.begin(), ref.end()));
  for (const auto& [snap, r] : snapshots) EXPECT_EQ(snap.to_vector(), Pairs(r.begin(), r.end()));
}

TEST(EnvMap, SortedInsertionStaysShallow) {
  // Each set is O(log n): 100k ascending names (the degenerate case for an
  // unbalanced tree) must finish quickly and iterate in order.
  EnvMap m;
  for (int i = 0; i < 100000; ++i) {
    std::string k = std::to_string(1000000 + i);
    m.set(k, "v");
  }
  EXPECT_EQ(m.size(), 100000u);
  std::string prev;
  size_t n = 0;
  for (const auto& [k, v] : m) {
    EXPECT_LT(prev, k);
    prev = k;
    ++n;
  }
  EXPECT_EQ(n, 100000u);
}

}  // namespace
}  // namespace ir
