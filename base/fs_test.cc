#include "base/fs.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace base {
namespace {

TEST(MemFs, FilesDirsAndLinks) {
  MemFs fs;
  fs.add_file("ctx/a/b.txt", "hello");
  fs.add_symlink("ctx/link", "a/b.txt");
  fs.add_dir("ctx/empty");
  EXPECT_EQ(*fs.read_file("ctx/a/b.txt"), "hello");
  EXPECT_EQ(*fs.read_file("./ctx//a/b.txt"), "hello");
  EXPECT_EQ(fs.lstat("ctx/a")->type, FileType::directory);
  EXPECT_EQ(*fs.read_link("ctx/link"), "a/b.txt");
  auto entries = fs.list_dir("ctx");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "a");
  EXPECT_EQ((*entries)[1].name, "empty");
  EXPECT_EQ((*entries)[2].name, "link");
  EXPECT_FALSE(fs.read_file("ctx/missing").ok());
  EXPECT_FALSE(fs.read_file("ctx/a").ok());
}

TEST(RealFs, ReadsThisSourceFile) {
  const char* src = std::getenv("KILN_SOURCE_DIR");
  if (!src) GTEST_SKIP() << "KILN_SOURCE_DIR not set (run through ctest)";
  RealFs fs;
  auto text = fs.read_file(std::string(src) + "/base/fs_test.cc");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("ReadsThisSourceFile"), std::string::npos);
  auto missing = fs.read_file(std::string(src) + "/no/such/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no/such/file"), std::string::npos);
}

}  // namespace
}  // namespace base
