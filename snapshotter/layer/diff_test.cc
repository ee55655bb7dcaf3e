#include "snapshotter/layer/diff.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/testing/tar_builder.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"

namespace snapshotter::layer {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

struct TarLine {
  std::string name;
  int64_t mtime = 0;
  std::string hardlink;
};

std::vector<TarLine> entries_of(const std::string& tar) {
  std::vector<TarLine> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_open_memory(a, tar.data(), tar.size());
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    const char* h = archive_entry_hardlink(e);
    out.push_back({archive_entry_pathname(e), archive_entry_mtime(e), h ? h : ""});
  }
  archive_read_free(a);
  return out;
}

std::vector<std::string> names_of(const std::string& tar) {
  std::vector<std::string> out;
  for (const auto& e : entries_of(tar)) out.push_back(e.name);
  return out;
}

void apply_ok(const std::string& root, const std::string& tar) {
  MemorySource src(tar);
  auto r = apply_layer(root, src);
  ASSERT_TRUE(r.ok()) << r.error().message;
}

std::string tree_diff(const std::string& lower, const std::string& upper, DiffOptions o = {}) {
  StringSink sink;
  auto r = write_tree_diff(lower, upper, sink, o);
  EXPECT_TRUE(r.ok()) << r.error().message;
  if (r.ok()) {
    EXPECT_EQ(r->diff_id, base::Sha256::of(sink.data()));
    EXPECT_EQ(r->size, sink.data().size());
  }
  return sink.data();
}

// A tree with every kind of entry a layer carries. Every directory is listed,
// so that no mtime depends on when the tree was made.
void make_sample_tree(const std::string& root) {
  std::string tar = testing::TarBuilder()
                        .dir("etc", {.mode = 0755, .uid = 0, .gid = 0, .mtime = 1'600'000'000, .xattrs = {}})
                        .file("etc/passwd", "root:x:0:0\n")
                        .file("etc/shadow", "secret", {.mode = 0600, .uid = 0, .gid = 42, .mtime = 1'650'000'000, .xattrs = {}})
                        .dir("usr")
                        .dir("usr/bin")
                        .file("usr/bin/busybox", std::string(200000, 'b'), {.mode = 0755, .uid = 0, .gid = 0, .mtime = 1'700'000'000, .xattrs = {}})
                        .hardlink("usr/bin/sh", "usr/bin/busybox")
                        .hardlink("usr/bin/ls", "usr/bin/busybox")
                        .symlink("bin", "usr/bin")
                        .symlink("etc/mtab", "/proc/mounts")
                        .dir("run")
                        .fifo("run/initctl")
                        .dir("var")
                        .dir("var/empty", {.mode = 01777, .uid = 0, .gid = 0, .mtime = 1'700'000'000, .xattrs = {}})
                        .dir(std::string(120, 'n'))
                        .file(std::string(120, 'n') + "/" + std::string(120, 'm'), "long name")
                        .finish();
  apply_ok(root, tar);
}

TEST(TreeDiff, BaseLayerRoundTrips) {
  TempDir src, dst;
  make_sample_tree(src.path());
  std::string tar = tree_diff("", src.path());
  auto names = names_of(tar);
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  // Depth-first with sorted siblings: here the same as plain name order.
  EXPECT_EQ(names, sorted);
  auto entries = entries_of(tar);
  auto sh = std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.name == "usr/bin/sh"; });
  ASSERT_NE(sh, entries.end());
  EXPECT_EQ(sh->hardlink, "usr/bin/busybox");  // written once, then linked
  apply_ok(dst.path(), tar);
  EXPECT_EQ(testing::describe_tree(dst.path()), testing::describe_tree(src.path()));
}

TEST(TreeDiff, IsReproducibleAndClampsMtimes) {
  TempDir src;
  make_sample_tree(src.path());
  EXPECT_EQ(tree_diff("", src.path()), tree_diff("", src.path()));
  DiffOptions o;
  o.mtime_clamp = 1'650'000'000;
  for (const auto& e : entries_of(tree_diff("", src.path(), o)))
    EXPECT_LE(e.mtime, 1'650'000'000) << e.name;
  auto epoch = parse_source_date_epoch("1650000000");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(**epoch, 1'650'000'000);
  EXPECT_FALSE(parse_source_date_epoch("yesterday").ok());
  EXPECT_FALSE(parse_source_date_epoch("").value().has_value());
}

TEST(TreeDiff, ChangesApplyOntoTheLowerTree) {
  TempDir lower, upper, target;
  for (const auto* dir : {&lower, &upper, &target}) make_sample_tree(dir->path());
  // Same bytes and whole-second mtimes everywhere: nothing differs yet.
  EXPECT_EQ(names_of(tree_diff(lower.path(), upper.path())), std::vector<std::string>{});

  const std::string u = upper.path();
  testing::write_file(u + "/etc/passwd", "root:x:0:0\nkiln:x:1000:1000\n");  // modified
  testing::write_file(u + "/etc/new", "added");                              // added
  fs::remove(u + "/etc/shadow");                                              // deleted
  fs::remove_all(u + "/var");                                                 // deleted dir
  fs::remove(u + "/bin");
  fs::create_directory(u + "/bin");  // symlink replaced by a directory
  testing::write_file(u + "/bin/tool", "t");
  chmod((u + "/usr/bin/busybox").c_str(), 0700);  // mode only

  std::string tar = tree_diff(lower.path(), u);
  auto names = names_of(tar);
  for (const char* expected : {"etc/passwd", "etc/new", "etc/.wh.shadow", ".wh.var", "bin/", "bin/tool"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  EXPECT_EQ(std::find(names.begin(), names.end(), "etc/mtab"), names.end());  // unchanged
  apply_ok(target.path(), tar);
  EXPECT_EQ(testing::describe_tree(target.path()), testing::describe_tree(u));
}

TEST(TreeDiff, CompressedLayerKeepsTheDiffId) {
  TempDir src, dst;
  make_sample_tree(src.path());
  for (auto kind : {Compression::gzip, Compression::zstd}) {
    StringSink blob;
    auto compressor = make_compressing_sink({kind, -1, 2}, blob);
    ASSERT_TRUE(compressor.ok());
    auto summary = write_tree_diff("", src.path(), **compressor);
    ASSERT_TRUE(summary.ok()) << summary.error().message;
    auto compressed = (*compressor)->finish();
    ASSERT_TRUE(compressed.ok());
    EXPECT_EQ(compressed->digest, base::Sha256::of(blob.data()));
    MemorySource in(blob.data());
    auto applied = apply_layer(dst.path(), in);
    ASSERT_TRUE(applied.ok()) << applied.error().message;
    EXPECT_EQ(applied->diff_id, summary->diff_id);
    EXPECT_EQ(applied->compression, kind);
  }
}

TEST(TreeDiff, CarriesXattrsAndCapabilities) {
  TempDir src, dst;
  testing::write_file(src / "f", "x");
  if (setxattr((src / "f").c_str(), "user.kiln", "v", 1, 0) != 0)
    GTEST_SKIP() << "the temp filesystem has no user xattrs: " << std::strerror(errno);
  std::string cap("\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);
  bool root = geteuid() == 0;
  if (root) {
    ASSERT_EQ(setxattr((src / "f").c_str(), "security.capability", cap.data(), cap.size(), 0), 0);
  }
  apply_ok(dst.path(), tree_diff("", src.path()));
  EXPECT_EQ(testing::describe_tree(dst.path()), testing::describe_tree(src.path()));
  char buf[64];
  EXPECT_EQ(getxattr((dst / "f").c_str(), "user.kiln", buf, sizeof buf), 1);
  if (!root) GTEST_SKIP() << "security.capability needs root; user xattrs checked";
  EXPECT_EQ(getxattr((dst / "f").c_str(), "security.capability", buf, sizeof buf), 20);
}

// ---- overlay upper directories (root only) ----

TEST(OverlayDiff, WhiteoutDevicesAndOpaqueDirsBecomeOciMarkers) {
  if (geteuid() != 0) GTEST_SKIP() << "overlay whiteout devices and trusted.* xattrs need root";
  TempDir upper;
  const std::string u = upper.path();
  fs::create_directories(u + "/etc");
  testing::write_file(u + "/etc/hosts", "h");
  ASSERT_EQ(mknod((u + "/etc/gone").c_str(), S_IFCHR | 0, makedev(0, 0)), 0);
  fs::create_directories(u + "/opt/app");
  testing::write_file(u + "/opt/app/new", "n");
  ASSERT_EQ(setxattr((u + "/opt/app").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0)
      << std::strerror(errno);
  StringSink sink;
  auto r = write_overlay_diff(u, sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(names_of(sink.data()),
            (std::vector<std::string>{"etc/", "etc/.wh.gone", "etc/hosts", "opt/", "opt/app/",
                                      "opt/app/.wh..wh..opq", "opt/app/new"}));

  // Applied onto a lower tree it deletes and hides what it should.
  TempDir lower;
  fs::create_directories(lower / "opt/app");
  testing::write_file(lower / "opt/app/old", "o");
  testing::write_file(lower / "etc/gone", "g");
  apply_ok(lower.path(), sink.data());
  EXPECT_FALSE(fs::exists(lower / "etc/gone"));
  EXPECT_FALSE(fs::exists(lower / "opt/app/old"));
  EXPECT_TRUE(fs::exists(lower / "opt/app/new"));
  char v[4];
  EXPECT_LT(getxattr((lower / "opt/app").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
}

TEST(OverlayDiff, RealOverlayMountRoundTrips) {
  if (geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
  TempDir base;
  for (const char* d : {"lower", "upper", "work", "merged", "expected"}) fs::create_directory(base / d);
  make_sample_tree(base / "lower");
  std::string opts = "lowerdir=" + (base / "lower") + ",upperdir=" + (base / "upper") +
                     ",workdir=" + (base / "work");
  if (mount("overlay", (base / "merged").c_str(), "overlay", 0, opts.c_str()) != 0)
    GTEST_SKIP() << "cannot mount overlayfs here: " << std::strerror(errno);
  const std::string m = base / "merged";
  testing::write_file(m + "/etc/passwd", "changed\n");
  fs::remove(m + "/etc/shadow");
  fs::remove_all(m + "/usr/bin");
  fs::create_directory(m + "/usr/bin");  // opaque: the old contents are hidden
  testing::write_file(m + "/usr/bin/only", "o");
  auto expected = testing::describe_tree(m);
  ASSERT_EQ(umount(m.c_str()), 0);

  StringSink sink;
  auto r = write_overlay_diff(base / "upper", sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto names = names_of(sink.data());
  EXPECT_NE(std::find(names.begin(), names.end(), "etc/.wh.shadow"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "usr/bin/.wh..wh..opq"), names.end());
  make_sample_tree(base / "expected");
  apply_ok(base / "expected", sink.data());
  EXPECT_EQ(testing::describe_tree(base / "expected"), expected);
}

}  // namespace
}  // namespace snapshotter::layer
