#include "base/fs.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
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

TEST(RealFs, ListsDirectoriesSortedWithoutDotEntries) {
  char tmpl[] = "/tmp/kiln-fs-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  for (const char* name : {"b", "a", ".hidden", "B"}) {
    std::FILE* f = std::fopen((dir + "/" + name).c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  ASSERT_EQ(::mkdir((dir + "/sub").c_str(), 0755), 0);
  DIR* d = ::opendir(dir.c_str());
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(read_dir_names(d), (std::vector<std::string>{".hidden", "B", "a", "b", "sub"}));
  auto entries = RealFs().list_dir(dir);
  ASSERT_TRUE(entries.ok()) << entries.error().message;
  ASSERT_EQ(entries->size(), 5u);
  EXPECT_EQ((*entries)[4].name, "sub");
  EXPECT_EQ((*entries)[4].type, FileType::directory);
  EXPECT_EQ((*entries)[0].type, FileType::regular);
  for (const char* name : {"b", "a", ".hidden", "B"}) std::remove((dir + "/" + name).c_str());
  ::rmdir((dir + "/sub").c_str());
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace base
