#include "content/tmp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "content/test_support.h"

namespace content {
namespace {

using testing::TempDir;

TEST(TmpDir, NewEntriesAreClaimedUntilTheirFdCloses) {
  TempDir dir;
  TmpDir tmp(dir.path() + "/tmp");
  ASSERT_TRUE(tmp.init().ok());
  auto file = tmp.create_file("blob-");
  auto sub = tmp.create_dir("unpack-");
  ASSERT_TRUE(file.ok() && sub.ok());
  EXPECT_TRUE(file->name.starts_with("blob-"));
  EXPECT_EQ(file->name.size(), 5u + 16u);
  EXPECT_TRUE(*tmp.is_claimed(file->name));
  EXPECT_TRUE(*tmp.is_claimed(sub->name));
  EXPECT_TRUE(tmp.clean()->empty());
  EXPECT_TRUE(std::filesystem::exists(file->path));

  std::filesystem::create_directories(sub->path + "/a/b");
  sub->fd.reset();
  file->fd.reset();
  EXPECT_FALSE(*tmp.is_claimed(file->name));
  auto removed = tmp.clean();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  std::vector<std::string> expected = {file->name, sub->name};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(*removed, expected);
  EXPECT_FALSE(std::filesystem::exists(sub->path));
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/tmp/.lock"));
}

TEST(TmpDir, MissingEntryIsNotClaimed) {
  TempDir dir;
  TmpDir tmp(dir.path() + "/tmp");
  ASSERT_TRUE(tmp.init().ok());
  EXPECT_FALSE(*tmp.is_claimed("lease-0000"));
}

TEST(TmpDir, SymlinksAndFifosAreRemovedWithoutFollowingOrBlocking) {
  TempDir dir;
  TmpDir tmp(dir.path() + "/tmp");
  ASSERT_TRUE(tmp.init().ok());
  testing::overwrite_file(dir.path() + "/outside", "keep me");
  std::filesystem::create_symlink(dir.path() + "/outside", dir.path() + "/tmp/link");
  ASSERT_EQ(::mkfifo((dir.path() + "/tmp/fifo").c_str(), 0600), 0);
  auto removed = tmp.clean();
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, (std::vector<std::string>{"fifo", "link"}));
  EXPECT_EQ(testing::read_file(dir.path() + "/outside"), "keep me");
}

}  // namespace
}  // namespace content
