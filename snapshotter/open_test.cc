#include "snapshotter/open.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "snapshotter/layer/testing/temp_dir.h"
#include "snapshotter/overlay/overlay.h"

namespace snapshotter {
namespace {

TEST(OpenSnapshotter, ByName) {
  layer::testing::TempDir root;
  base::SystemClock clock;
  auto copy = open_snapshotter(root / "copy-root", "copy", clock);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_STREQ(copy.value()->backend(), "copy");
  auto overlay = open_snapshotter(root.path(), "overlay", clock);
  ASSERT_TRUE(overlay.ok()) << overlay.error().message;
  EXPECT_STREQ(overlay.value()->backend(), "overlay");
}

TEST(OpenSnapshotter, AutoPrefersOverlayWhenItMounts) {
  layer::testing::TempDir root;
  base::SystemClock clock;
  auto s = open_snapshotter(root.path(), "auto", clock);
  ASSERT_TRUE(s.ok()) << s.error().message;
  bool overlay = ::geteuid() == 0 && OverlaySnapshotter::probe(root.path());
  EXPECT_STREQ(s.value()->backend(), overlay ? "overlay" : "copy");
}

unsigned long long device(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return static_cast<unsigned long long>(st.st_dev);
}

TEST(OpenSnapshotter, AutoRemembersThatOverlayMounts) {
  if (::geteuid() != 0) GTEST_SKIP() << "overlay mounts need root";
  layer::testing::TempDir root;
  if (!OverlaySnapshotter::probe(root.path())) GTEST_SKIP() << "overlay mounts fail here";
  base::SystemClock clock;
  const std::string marker = root.path() + "/overlay-mounts";
  ASSERT_FALSE(std::filesystem::exists(marker));
  auto first = open_snapshotter(root.path(), "auto", clock);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_STREQ(first.value()->backend(), "overlay");
  EXPECT_TRUE(std::filesystem::exists(marker));
  // A marker of another device is not trusted: probed again, and rewritten.
  { std::ofstream(marker) << "12345678"; }
  ASSERT_TRUE(open_snapshotter(root.path(), "auto", clock).ok());
  std::string recorded;
  std::getline(std::ifstream(marker), recorded);
  EXPECT_EQ(recorded, std::to_string(device(root.path())));
  // The next open trusts the marker: no probe directory is made in tmp/.
  std::filesystem::remove_all(root.path() + "/tmp");
  std::filesystem::create_directories(root.path() + "/tmp");
  auto second = open_snapshotter(root.path(), "auto", clock);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_STREQ(second.value()->backend(), "overlay");
  for (const auto& e : std::filesystem::directory_iterator(root.path() + "/tmp"))
    EXPECT_EQ(e.path().filename().string().find("overlay-probe-"), std::string::npos) << e.path();
}

TEST(OpenSnapshotter, UnknownBackendIsAnError) {
  layer::testing::TempDir root;
  base::SystemClock clock;
  auto s = open_snapshotter(root.path(), "zfs", clock);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "unknown snapshotter backend \"zfs\"");
  EXPECT_EQ(s.error().hint, "use overlay, copy or auto");
}

// Each backend sees only its own snapshots, even on one root.
TEST(OpenSnapshotter, BackendsDoNotShareSnapshots) {
  layer::testing::TempDir root;
  base::SystemClock clock;
  auto copy = open_snapshotter(root.path(), "copy", clock);
  auto overlay = open_snapshotter(root.path(), "overlay", clock);
  ASSERT_TRUE(copy.ok() && overlay.ok());
  auto id = copy.value()->prepare("");
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(copy.value()->commit(id.value()).ok());
  auto info = overlay.value()->stat(id.value());
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info.value().has_value());
  auto child = overlay.value()->prepare(id.value());
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.error().message.find("copy backend"), std::string::npos)
      << child.error().message;
  EXPECT_FALSE(overlay.value()->remove(id.value()).ok());
}

}  // namespace
}  // namespace snapshotter
