#include "snapshotter/overlay/mount.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace snapshotter::overlay {
namespace {

using ::testing::ElementsAre;

TEST(OverlayMountSpec, SingleLayerIsABindMount) {
  auto active = overlay_mount_spec({"/r/s/a/fs"}, SnapshotKind::active, "/r/s/a/work");
  EXPECT_EQ(active.type, "bind");
  EXPECT_EQ(active.source, "/r/s/a/fs");
  EXPECT_THAT(active.options, ElementsAre("rbind", "rw"));
  auto committed = overlay_mount_spec({"/r/s/a/fs"}, SnapshotKind::committed, "/r/s/a/work");
  EXPECT_THAT(committed.options, ElementsAre("rbind", "ro"));
}

TEST(OverlayMountSpec, ActiveWritesToItsOwnDir) {
  auto spec = overlay_mount_spec({"/s/c/fs", "/s/b/fs", "/s/a/fs"}, SnapshotKind::active,
                                 "/s/c/work");
  EXPECT_EQ(spec.type, "overlay");
  EXPECT_THAT(spec.options, ElementsAre("lowerdir=/s/b/fs:/s/a/fs", "upperdir=/s/c/fs",
                                        "workdir=/s/c/work"));
}

TEST(OverlayMountSpec, CommittedIsAReadOnlyUnion) {
  auto spec = overlay_mount_spec({"/s/b/fs", "/s/a/fs"}, SnapshotKind::committed, "/s/b/work");
  EXPECT_THAT(spec.options, ElementsAre("lowerdir=/s/b/fs:/s/a/fs", "ro"));
}

}  // namespace
}  // namespace snapshotter::overlay
