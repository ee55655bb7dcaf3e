#include "snapshotter/layer/diff.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/testing/fixtures.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"

namespace snapshotter::layer {
namespace {

using testing::apply_ok;
using testing::make_sample_tree;
using testing::names_of;
using testing::TempDir;
namespace fs = std::filesystem;

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

TEST(LayerTreeDiff, BaseLayerRoundTrips) {
  TempDir src, dst;
  make_sample_tree(src.path());
  std::string tar = tree_diff("", src.path());
  auto names = names_of(tar);
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  // Depth-first with sorted siblings: here the same as plain name order.
  EXPECT_EQ(names, sorted);
  auto entries = testing::entries_of(tar);
  auto sh = std::find_if(entries.begin(), entries.end(), [](auto& e) { return e.name == "usr/bin/sh"; });
  ASSERT_NE(sh, entries.end());
  EXPECT_EQ(sh->hardlink, "usr/bin/busybox");  // written once, then linked
  apply_ok(dst.path(), tar);
  EXPECT_EQ(testing::describe_tree(dst.path()), testing::describe_tree(src.path()));
}

TEST(LayerTreeDiff, IsReproducibleAndClampsMtimes) {
  TempDir src;
  make_sample_tree(src.path());
  EXPECT_EQ(tree_diff("", src.path()), tree_diff("", src.path()));
  DiffOptions o;
  o.mtime_clamp = 1'650'000'000;
  for (const auto& e : testing::entries_of(tree_diff("", src.path(), o)))
    EXPECT_LE(e.mtime, 1'650'000'000) << e.name;
  auto epoch = parse_source_date_epoch("1650000000");
  ASSERT_TRUE(epoch.ok());
  EXPECT_EQ(**epoch, 1'650'000'000);
  EXPECT_FALSE(parse_source_date_epoch("yesterday").ok());
  EXPECT_FALSE(parse_source_date_epoch("").value().has_value());
}

TEST(LayerTreeDiff, ChangesApplyOntoTheLowerTree) {
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

TEST(LayerTreeDiff, CompressedLayerKeepsTheDiffId) {
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

TEST(LayerTreeDiff, CarriesUserXattrs) {
  TempDir src, dst;
  testing::write_file(src / "f", "x");
  if (setxattr((src / "f").c_str(), "user.kiln", "v", 1, 0) != 0)
    GTEST_SKIP() << "the temp filesystem has no user xattrs: " << std::strerror(errno);
  apply_ok(dst.path(), tree_diff("", src.path()));
  EXPECT_EQ(testing::describe_tree(dst.path()), testing::describe_tree(src.path()));
  char buf[8];
  EXPECT_EQ(getxattr((dst / "f").c_str(), "user.kiln", buf, sizeof buf), 1);
}

// More xattr names than the first read's buffer holds: all are carried.
TEST(LayerTreeDiff, CarriesAListOfXattrsLongerThanOneRead) {
  TempDir src, dst;
  testing::write_file(src / "f", "x");
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back("user.kiln-a-rather-long-attribute-name-" + std::to_string(i));
  for (const std::string& name : names) {
    if (setxattr((src / "f").c_str(), name.c_str(), "v", 1, 0) != 0)
      GTEST_SKIP() << "the temp filesystem has no room for 40 user xattrs: " << std::strerror(errno);
  }
  apply_ok(dst.path(), tree_diff("", src.path()));
  char buf[8];
  for (const std::string& name : names) EXPECT_EQ(getxattr((dst / "f").c_str(), name.c_str(), buf, sizeof buf), 1) << name;
}

}  // namespace
}  // namespace snapshotter::layer
