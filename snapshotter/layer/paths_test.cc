#include "snapshotter/layer/paths.h"

#include <gtest/gtest.h>

namespace snapshotter::layer {
namespace {

TEST(LayerCleanEntryName, NormalisesHarmlessForms) {
  EXPECT_EQ(*clean_entry_name("a/b"), "a/b");
  EXPECT_EQ(*clean_entry_name("./a/b/"), "a/b");
  EXPECT_EQ(*clean_entry_name("a//./b"), "a/b");
  EXPECT_EQ(*clean_entry_name("a/c/../b"), "a/b");
  EXPECT_EQ(*clean_entry_name("./"), "");
  EXPECT_EQ(*clean_entry_name(".wh..wh..opq"), ".wh..wh..opq");
}

TEST(LayerCleanEntryName, RejectsEscapesNamingTheEntry) {
  auto up = clean_entry_name("../etc");
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().message, "entry \"../etc\" escapes root");
  auto deep = clean_entry_name("a/../../etc/passwd");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message, "entry \"a/../../etc/passwd\" escapes root");
  auto abs = clean_entry_name("/etc/passwd", "hardlink target");
  ASSERT_FALSE(abs.ok());
  EXPECT_EQ(abs.error().message, "hardlink target \"/etc/passwd\" is an absolute path");
  EXPECT_FALSE(clean_entry_name("").ok());
}

TEST(LayerSplitName, SplitsAtLastSlash) {
  EXPECT_EQ(split_name("a/b/c").parent, "a/b");
  EXPECT_EQ(split_name("a/b/c").base, "c");
  EXPECT_EQ(split_name("c").parent, "");
  EXPECT_EQ(join_name("", "c"), "c");
  EXPECT_EQ(join_name("a/b", "c"), "a/b/c");
}

}  // namespace
}  // namespace snapshotter::layer
