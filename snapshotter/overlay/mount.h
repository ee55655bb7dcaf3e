#pragma once
// How an overlay snapshot becomes a filesystem: overlay_mount_spec decides
// (pure, tested without root), mount_spec does it.
//
// Long chains. mount(2) takes its options as one string of at most a page
// (4096 bytes), so `lowerdir=/var/lib/kiln/snapshots/<id>/fs:...` runs out
// after a few dozen parents. mount_spec therefore uses the new mount API
// (fsopen("overlay") + one fsconfig "lowerdir+" call per layer, Linux ≥ 6.8),
// which has no such limit. On older kernels it falls back to mount(2) with
// paths relative to the layers' common directory, from a short-lived child
// process that chdir()s there (chdir would race with other threads of ours);
// with 12-digit ids that is 16 bytes a layer, about 250 layers.

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter::overlay {

// `chain` holds the snapshot's own directories first, then its ancestors',
// nearest first. An active snapshot writes to its own dir (upper, with
// `work_dir`); a committed one is the read-only union of all. One layer needs
// no overlay: a bind mount of the directory (overlayfs itself wants two
// lower dirs when there is no upper).
MountSpec overlay_mount_spec(const std::vector<std::string>& chain, SnapshotKind kind,
                             const std::string& work_dir);

enum class MountApi {
  automatic,  // the new mount API where the kernel has it, else mount(2)
  legacy,     // mount(2) with relative paths (tests of the fallback)
};

// Mounts `spec` (as made by overlay_mount_spec) at the existing empty
// directory `target`; the result unmounts it and removes `target`.
Result<std::unique_ptr<MountedFs>> mount_spec(const MountSpec& spec, const std::string& target,
                                              MountApi api = MountApi::automatic);

}  // namespace snapshotter::overlay
