// Real overlay mounts (root only; each test skips with the reason otherwise).
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/layer/testing/tree.h"
#include "snapshotter/overlay/mount.h"
#include "snapshotter/overlay/overlay.h"

namespace snapshotter::overlay {
namespace {

// The mount(2) fallback for kernels without "lowerdir+": relative paths keep
// a 200-layer chain under the option size limit.
TEST(OverlayMount, LegacyApiMountsLongChains) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
  layer::testing::TempDir root;
  if (!OverlaySnapshotter::probe(root.path())) GTEST_SKIP() << "overlay mounts fail here";
  base::SystemClock clock;
  auto snaps = OverlaySnapshotter::open(root.path(), clock, {.mount_api = MountApi::legacy});
  ASSERT_TRUE(snaps.ok()) << snaps.error().message;
  auto& s = *snaps.value();
  std::string parent;
  for (int i = 0; i < 200; ++i) {
    auto id = s.prepare(parent);
    ASSERT_TRUE(id.ok()) << id.error().message;
    layer::testing::write_file(s.fs_dir(id.value()) + "/l" + std::to_string(i), "x");
    ASSERT_TRUE(s.commit(id.value()).ok());
    parent = id.value();
  }
  auto m = s.mount(parent);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(layer::testing::read_file(m.value()->path() + "/l0"), "x");
  EXPECT_EQ(layer::testing::read_file(m.value()->path() + "/l199"), "x");
  auto top = s.prepare(parent);
  ASSERT_TRUE(top.ok());
  auto rw = s.mount(top.value());
  ASSERT_TRUE(rw.ok()) << rw.error().message;
  layer::testing::write_file(rw.value()->path() + "/new", "n");
  EXPECT_TRUE(std::filesystem::exists(s.fs_dir(top.value()) + "/new"));
}

// More layers with longer paths than any mount(2) option string can hold:
// only the new mount API ("lowerdir+" one layer at a time) mounts this.
TEST(OverlayMount, NewApiHasNoOptionLimit) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting overlayfs needs root";
  layer::testing::TempDir root;
  if (!OverlaySnapshotter::probe(root.path())) GTEST_SKIP() << "overlay mounts fail here";
  constexpr int k_layers = 300;
  std::vector<std::string> chain;
  for (int i = k_layers - 1; i >= 0; --i) {
    std::string dir = root / ("layer-with-a-rather-long-name-" + std::to_string(i));
    std::filesystem::create_directories(dir);
    layer::testing::write_file(dir + "/f" + std::to_string(i), std::to_string(i));
    chain.push_back(dir);
  }
  std::string mounted_at = root / "m";
  std::filesystem::create_directories(mounted_at);
  MountSpec spec = overlay_mount_spec(chain, SnapshotKind::committed, "");
  ASSERT_GT(spec.options.front().size(), 4096u);
  auto m = mount_spec(spec, mounted_at);
  if (!m.ok() && m.error().message.find("exceed the mount option limit") != std::string::npos)
    GTEST_SKIP() << "this kernel has no \"lowerdir+\" (Linux < 6.8)";
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(layer::testing::read_file(mounted_at + "/f0"), "0");
  EXPECT_EQ(layer::testing::read_file(mounted_at + "/f299"), "299");
}

}  // namespace
}  // namespace snapshotter::overlay
