#include "solver/ops/gc/units.h"

#include <gtest/gtest.h>

namespace solver::ops::gc {
namespace {

TEST(Units, ParsesDockerMemorySizes) {
  EXPECT_EQ(*parse_size("0"), 0);
  EXPECT_EQ(*parse_size("512"), 512);
  EXPECT_EQ(*parse_size("10GB"), int64_t{10} * 1024 * 1024 * 1024);
  EXPECT_EQ(*parse_size("500MB"), int64_t{500} * 1024 * 1024);
  EXPECT_EQ(*parse_size("500m"), int64_t{500} * 1024 * 1024);
  EXPECT_EQ(*parse_size("1.5GiB"), int64_t{3} * 512 * 1024 * 1024);
  EXPECT_EQ(*parse_size("4 kb"), 4096);
  EXPECT_EQ(*parse_size("2b"), 2);
  for (const char* bad : {"", "GB", "-1", "1x", "1.2.3MB", "1GBs", ".5"})
    EXPECT_FALSE(parse_size(bad).ok()) << bad;
}

TEST(Units, PrintsLikeDockerSystemDf) {
  EXPECT_EQ(human_size(0), "0B");
  EXPECT_EQ(human_size(999), "999B");
  EXPECT_EQ(human_size(1234), "1.234kB");
  EXPECT_EQ(human_size(1200000), "1.2MB");
  EXPECT_EQ(human_size(int64_t{10} * 1000 * 1000 * 1000), "10GB");
}

}  // namespace
}  // namespace solver::ops::gc
