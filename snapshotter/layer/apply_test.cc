#include "snapshotter/layer/apply.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <filesystem>

#include "snapshotter/layer/diff.h"
#include "snapshotter/layer/testing/tar_builder.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"

namespace snapshotter::layer {
namespace {

using testing::EntryMeta;
using testing::TarBuilder;
using testing::TempDir;

base::Result<ApplyResult> apply_tar(const std::string& root, const std::string& tar) {
  MemorySource src(tar);
  return apply_layer(root, src);
}

std::string compressed(const std::string& tar, Compression kind) {
  StringSink out;
  auto sink = make_compressing_sink({kind, -1, 2}, out);
  EXPECT_TRUE(sink.ok());
  EXPECT_TRUE((*sink)->write(tar).ok());
  EXPECT_TRUE((*sink)->finish().ok());
  return out.data();
}

EntryMeta with_mode(uint32_t mode) {
  EntryMeta m;
  m.mode = mode;
  return m;
}

bool exists(const std::string& p) {
  struct stat st {};
  return lstat(p.c_str(), &st) == 0;
}

TEST(LayerApply, CreatesEntriesAndReturnsDiffId) {
  TempDir root;
  EntryMeta exec;
  exec.mode = 04755;
  exec.mtime = 1'600'000'000;
  std::string tar = TarBuilder()
                        .dir("etc", with_mode(0750))
                        .file("etc/hosts", "127.0.0.1 localhost\n")
                        .file("bin/tool", "#!/bin/sh\n", exec)  // parent implied
                        .symlink("bin/sh", "/bin/tool")
                        .hardlink("bin/tool2", "bin/tool")
                        .fifo("run/fifo")
                        .finish();
  auto r = apply_tar(root.path(), tar);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->diff_id, base::Sha256::of(tar));
  EXPECT_EQ(r->tar_size, tar.size());
  EXPECT_EQ(r->compression, Compression::none);
  EXPECT_EQ(r->entries, 6u);
  EXPECT_EQ(testing::read_file(root / "etc/hosts"), "127.0.0.1 localhost\n");
  struct stat st {};
  ASSERT_EQ(lstat((root / "bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 04755u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'600'000'000);
  EXPECT_EQ(st.st_nlink, 2u);
  ASSERT_EQ(lstat((root / "etc").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_EQ(st.st_mtim.tv_sec, 1'700'000'000);  // set after its children were created
  EXPECT_EQ(std::filesystem::read_symlink(root / "bin/sh"), "/bin/tool");
  ASSERT_EQ(lstat((root / "run/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST(LayerApply, DetectsCompressionAndHashesTheUncompressedTar) {
  std::string tar = TarBuilder().file("a", std::string(300000, 'x')).finish();
  for (auto kind : {Compression::gzip, Compression::zstd}) {
    TempDir root;
    auto r = apply_tar(root.path(), compressed(tar, kind));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->compression, kind);
    EXPECT_EQ(r->diff_id, base::Sha256::of(tar));
    EXPECT_EQ(testing::read_file(root / "a").size(), 300000u);
  }
}

TEST(LayerApply, WhiteoutRemovesLowerEntry) {
  TempDir root;
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder()
                                     .file("a/keep", "1")
                                     .file("a/gone", "2")
                                     .file("a/dir/deep/f", "3")
                                     .finish())
                  .ok());
  auto r = apply_tar(root.path(), TarBuilder().whiteout("a/gone").whiteout("a/dir").whiteout("x/none").finish());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(exists(root / "a/keep"));
  EXPECT_FALSE(exists(root / "a/gone"));
  EXPECT_FALSE(exists(root / "a/dir"));
  EXPECT_FALSE(exists(root / "a/.wh.gone"));
  EXPECT_FALSE(exists(root / "x"));  // whiteout of something absent creates nothing
}

TEST(LayerApply, OpaqueDirKeepsOnlyThisLayersEntries) {
  TempDir root;
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder()
                                     .file("d/old", "1")
                                     .file("d/-early", "lower")
                                     .file("d/sub/old", "2")
                                     .finish())
                  .ok());
  // "-early" sorts before the marker, "new" after: both belong to this layer.
  auto r = apply_tar(root.path(), TarBuilder()
                                  .dir("d")
                                  .file("d/-early", "upper")
                                  .opaque("d")
                                  .file("d/new", "3")
                                  .finish());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(exists(root / "d/old"));
  EXPECT_FALSE(exists(root / "d/sub"));
  EXPECT_EQ(testing::read_file(root / "d/-early"), "upper");
  EXPECT_TRUE(exists(root / "d/new"));
  EXPECT_FALSE(exists(root / "d/.wh..wh..opq"));
}

TEST(LayerApply, KeepsTimesOfDirectoriesTheLayerDoesNotList) {
  TempDir root;
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder()
                                         .dir("usr")
                                         .dir("usr/lib")
                                         .file("usr/lib/old", "o")
                                         .symlink("lib", "usr/lib")
                                         .finish())
                  .ok());
  struct stat before {};
  ASSERT_EQ(lstat((root / "usr/lib").c_str(), &before), 0);
  // Through the merged-usr style symlink, into a directory the layer does not list.
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder().file("lib/new", "n").whiteout("usr/lib/old").finish()).ok());
  struct stat after {};
  ASSERT_EQ(lstat((root / "usr/lib").c_str(), &after), 0);
  EXPECT_TRUE(exists(root / "usr/lib/new"));
  EXPECT_FALSE(exists(root / "usr/lib/old"));
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(after.st_mtim.tv_sec, 1'700'000'000);
}

TEST(LayerApply, ReplacesEntriesOfAnotherType) {
  TempDir root;
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder().file("x/f", "1").file("y", "2").finish()).ok());
  ASSERT_TRUE(apply_tar(root.path(), TarBuilder().file("x", "now a file").dir("y").finish()).ok());
  EXPECT_EQ(testing::read_file(root / "x"), "now a file");
  EXPECT_TRUE(std::filesystem::is_directory(root / "y"));
}

TEST(LayerApply, RejectsDotDotNamingTheEntry) {
  TempDir outer;
  std::filesystem::create_directory(outer / "root");
  auto r = apply_tar(outer / "root", TarBuilder().file("../etc", "pwned").finish());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "cannot apply layer: entry \"../etc\" escapes root");
  EXPECT_FALSE(exists(outer / "etc"));
}

TEST(LayerApply, RejectsAbsoluteNames) {
  TempDir root;
  auto r = apply_tar(root.path(), TarBuilder().file("/tmp/kiln-layer-abs-test", "x").finish());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "cannot apply layer: entry \"/tmp/kiln-layer-abs-test\" is an absolute path");
  EXPECT_FALSE(exists("/tmp/kiln-layer-abs-test"));
}

TEST(LayerApply, SymlinksCannotCarryWritesOutOfTheRoot) {
  TempDir outer;
  std::filesystem::create_directory(outer / "root");
  std::filesystem::create_directory(outer / "victim");
  std::string root = outer / "root";
  // Absolute and relative links pointing outside resolve inside the root,
  // where the layer made the directories they name.
  std::string in_root_victim = outer.path().substr(1) + "/victim";
  auto r = apply_tar(root, TarBuilder()
                               .dir(in_root_victim)
                               .dir("victim")
                               .symlink("abs", outer / "victim")
                               .symlink("rel", "../../../../victim")
                               .file("abs/a", "1")
                               .file("rel/b", "2")
                               .finish());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(std::filesystem::is_empty(outer / "victim"));
  EXPECT_TRUE(exists(root + "/" + in_root_victim + "/a"));
  EXPECT_TRUE(exists(root + "/victim/b"));
  // A dangling link in the parent path is an error, not a way out.
  auto dangling = apply_tar(root, TarBuilder().symlink("gone", "/nowhere").file("gone/c", "3").finish());
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.error().message.find("entry \"gone/c\""), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(outer / "victim"));
  EXPECT_FALSE(exists("/nowhere"));
}

TEST(LayerApply, HardlinksCannotReachOutOfTheRoot) {
  TempDir outer;
  std::filesystem::create_directory(outer / "root");
  testing::write_file(outer / "secret", "s");
  std::string root = outer / "root";
  auto up = apply_tar(root, TarBuilder().hardlink("h", "../secret").finish());
  ASSERT_FALSE(up.ok());
  EXPECT_EQ(up.error().message, "cannot apply layer: hardlink target \"../secret\" escapes root");
  // Through a symlinked directory: resolved inside the root, where nothing is.
  auto via = apply_tar(root, TarBuilder().symlink("out", outer.path()).hardlink("h", "out/secret").finish());
  ASSERT_FALSE(via.ok());
  EXPECT_NE(via.error().message.find("entry \"h\""), std::string::npos) << via.error().message;
  struct stat st {};
  ASSERT_EQ(stat((outer / "secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
  // A hardlink to a symlink links the symlink itself.
  auto link = apply_tar(root, TarBuilder().symlink("s", outer / "secret").hardlink("h2", "s").finish());
  ASSERT_TRUE(link.ok()) << link.error().message;
  EXPECT_TRUE(std::filesystem::is_symlink(root + "/h2"));
}

TEST(LayerApply, RestoresXattrs) {
  TempDir root;
  EntryMeta meta;
  meta.xattrs = {{"user.kiln.test", "v1"}};
  auto r = apply_tar(root.path(), TarBuilder().file("f", "x", meta).finish());
  ASSERT_TRUE(r.ok()) << r.error().message;
  char buf[16];
  ssize_t n = getxattr((root / "f").c_str(), "user.kiln.test", buf, sizeof buf);
  if (n < 0 && errno == ENOTSUP) GTEST_SKIP() << "the temp filesystem has no user xattrs";
  ASSERT_EQ(n, 2);
  EXPECT_EQ(std::string(buf, 2), "v1");
}

TEST(LayerApply, ReportsCorruptInput) {
  TempDir root;
  auto r = apply_tar(root.path(), std::string(2000, 'z'));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message.starts_with("cannot apply layer: invalid tar stream")) << r.error().message;
  std::string gz = compressed(TarBuilder().file("a", "b").finish(), Compression::gzip);
  gz.resize(gz.size() - 10);
  auto cut = apply_tar(root.path(), gz);
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.error().message.find("truncated"), std::string::npos) << cut.error().message;
}

TEST(LayerApply, EmptyLayerIsEmpty) {
  TempDir root;
  std::string tar = TarBuilder().finish();
  auto r = apply_tar(root.path(), tar);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->entries, 0u);
  EXPECT_EQ(r->diff_id, base::Sha256::of(tar));
}

TEST(LayerApply, KeepsNonAsciiNamesByteForByte) {
  TempDir src, dst;
  const std::string utf8 = "caf\xc3\xa9-\xe6\x97\xa5\xe6\x9c\xac";
  const std::string latin1 = "na\xefve";  // not valid UTF-8
  testing::write_file(src / utf8, "u");
  testing::write_file(src / latin1, "l");
  StringSink tar;
  auto diff = write_tree_diff("", src.path(), tar);
  ASSERT_TRUE(diff.ok()) << diff.error().message;
  auto r = apply_tar(dst.path(), tar.data());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(testing::read_file(dst / utf8), "u");
  EXPECT_EQ(testing::read_file(dst / latin1), "l");
}

}  // namespace
}  // namespace snapshotter::layer
