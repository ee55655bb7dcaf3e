#include "snapshotter/fs_tree.h"

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "snapshotter/layer/testing/fixtures.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"

namespace snapshotter {
namespace {

using layer::testing::describe_tree;
using layer::testing::TempDir;
using layer::testing::write_file;

// Everything a layer carries survives a copy: types, modes, owners, content,
// link targets, hardlink groups, xattrs and mtimes (to the nanosecond).
TEST(CopyTree, KeepsEverythingALayerCarries) {
  TempDir src, dst;
  layer::testing::make_sample_tree(src.path());
  write_file(src / "etc/with-xattr", "x");
  ASSERT_EQ(::setxattr((src / "etc/with-xattr").c_str(), "user.kiln.test", "v", 1, 0), 0);
  ASSERT_EQ(::chmod((src / "etc/with-xattr").c_str(), 04755), 0);
  auto r = copy_tree(src.path(), dst.path());
  ASSERT_TRUE(r.ok()) << r.error().message;
  layer::testing::TreeOptions all;
  all.owners = ::geteuid() == 0;
  EXPECT_EQ(describe_tree(dst.path(), all), describe_tree(src.path(), all));
  struct stat a {}, b {};
  ASSERT_EQ(::lstat((src / "usr/bin/busybox").c_str(), &a), 0);
  ASSERT_EQ(::lstat((dst / "usr/bin/busybox").c_str(), &b), 0);
  EXPECT_EQ(b.st_nlink, 3u);
  EXPECT_EQ(b.st_mtim.tv_nsec, a.st_mtim.tv_nsec);
  EXPECT_NE(a.st_ino, b.st_ino) << "a copy, not a link to the source";
}

TEST(CopyTree, ErrorsNameTheSource) {
  TempDir dst;
  auto r = copy_tree("/nonexistent/kiln-source", dst.path());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/kiln-source"), std::string::npos);
}

TEST(TreeSize, CountsHardlinkedFilesOnce) {
  TempDir dir;
  write_file(dir / "a", std::string(1000, 'a'));
  ASSERT_EQ(::link((dir / "a").c_str(), (dir / "b").c_str()), 0);
  std::filesystem::create_directories(dir / "d");
  write_file(dir / "d/c", std::string(24, 'c'));
  std::filesystem::create_directories(dir / "d/e/f");
  write_file(dir / "d/e/f/g", std::string(100, 'g'));
  ASSERT_EQ(::symlink("d/c", (dir / "d/e/link").c_str()), 0);  // counts its target's length
  auto size = tree_size(dir.path());
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size.value(), 1127u);
}

TEST(TreeSize, ErrorsNameTheDirectory) {
  auto size = tree_size("/nonexistent/kiln-tree");
  ASSERT_FALSE(size.ok());
  EXPECT_NE(size.error().message.find("/nonexistent/kiln-tree"), std::string::npos);
}

TEST(AddedSize, CountsOnlyNewOrChangedFiles) {
  TempDir lower, upper;
  write_file(lower / "same", "12345");
  write_file(lower / "changed", "1");
  ASSERT_TRUE(copy_tree(lower.path(), upper.path()).ok());
  write_file(upper / "changed", "1234567890");
  write_file(upper / "new", "abc");
  auto size = added_size(lower.path(), upper.path());
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size.value(), 13u);
  auto all = added_size("", upper.path());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all.value(), 18u);
}

}  // namespace
}  // namespace snapshotter
