// Tests that need root: ownership, security.* and trusted.* xattrs, overlay
// whiteout devices and a real overlay mount. Each skips with the reason when
// not run as root. Label: privileged.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/diff.h"
#include "snapshotter/layer/testing/fixtures.h"
#include "snapshotter/layer/testing/tar_builder.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"

namespace snapshotter::layer {
namespace {

using testing::apply_ok;
using testing::EntryMeta;
using testing::make_sample_tree;
using testing::names_of;
using testing::TarBuilder;
using testing::TempDir;
namespace fs = std::filesystem;

// VFS_CAP_REVISION_2 with cap_net_bind_service (bit 10) permitted and effective.
const std::string k_cap_net_bind(
    "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 20);

TEST(LayerApply, RestoresOwnersAndFileCapabilitiesAsRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "chown and security.* xattrs need root";
  TempDir root;
  const std::string& cap = k_cap_net_bind;
  EntryMeta meta;
  meta.uid = 1234;
  meta.gid = 5678;
  meta.mode = 0755;
  meta.xattrs = {{"security.capability", cap}, {"trusted.overlay.opaque", "y"}};
  EntryMeta home;
  home.uid = 1000;
  home.gid = 1000;
  apply_ok(root.path(), TarBuilder().file("ping", "elf", meta).dir("home", home).finish());
  struct stat st {};
  ASSERT_EQ(lstat((root / "ping").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  ASSERT_EQ(lstat((root / "home").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1000u);
  char buf[64];
  ssize_t n = getxattr((root / "ping").c_str(), "security.capability", buf, sizeof buf);
  if (n < 0 && errno == ENOTSUP) GTEST_SKIP() << "the temp filesystem has no security xattrs";
  ASSERT_EQ(n, 20);
  EXPECT_EQ(std::string(buf, 20), cap);
  // Overlay control attributes from a layer are never honoured.
  EXPECT_LT(getxattr((root / "ping").c_str(), "trusted.overlay.opaque", buf, sizeof buf), 0);
}

TEST(LayerTreeDiff, CarriesFileCapabilities) {
  if (geteuid() != 0) GTEST_SKIP() << "security.capability needs root";
  TempDir src, dst;
  testing::write_file(src / "f", "x");
  ASSERT_EQ(setxattr((src / "f").c_str(), "security.capability", k_cap_net_bind.data(),
                     k_cap_net_bind.size(), 0), 0) << std::strerror(errno);
  StringSink sink;
  auto r = write_tree_diff("", src.path(), sink);
  ASSERT_TRUE(r.ok()) << r.error().message;
  apply_ok(dst.path(), sink.data());
  EXPECT_EQ(testing::describe_tree(dst.path()), testing::describe_tree(src.path()));
  char buf[64];
  ASSERT_EQ(getxattr((dst / "f").c_str(), "security.capability", buf, sizeof buf), 20);
  EXPECT_EQ(std::string(buf, 20), k_cap_net_bind);
}

// ---- overlay upper directories (root only) ----

TEST(LayerOverlayDiff, WhiteoutDevicesAndOpaqueDirsBecomeOciMarkers) {
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

TEST(LayerOverlayDiff, RealOverlayMountRoundTrips) {
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
