#pragma once
// Snapshotter: filesystem states, stacked. A build step prepares an active
// (writable) snapshot on top of a committed parent, changes files in it
// through mount(), and commits it; a committed snapshot never changes again,
// so its layer diff can be computed once and reused (layer/export.h).
//
// Backends: overlayfs (default, root only; an active snapshot is an upper
// dir over the parents' dirs) and copy (a full tree per snapshot; works
// without root and on any filesystem). Both pass the conformance suite in
// snapshotter/conformance_test.cc. Snapshot records (id, parent, kind) live in
// kiln.db (table `snapshots`), so several kiln processes share one root.
//
// Ids are opaque short strings chosen by the backend. Thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "snapshotter/layer/diff.h"
#include "snapshotter/layer/stream.h"
#include "snapshotter/layer/tar_writer.h"

namespace snapshotter {

using base::Result;

enum class SnapshotKind { active, committed };

struct SnapshotInfo {
  std::string id;
  std::string parent;  // "" = on the empty filesystem
  SnapshotKind kind = SnapshotKind::active;
  int64_t created = 0;  // Unix nanoseconds
  int64_t last_used = 0;
  uint64_t size = 0;  // bytes this snapshot adds over its parent (0 until committed)
};

// One mount(2) call; what exec needs to assemble a container's root.
struct MountSpec {
  std::string type;    // "overlay", "bind"
  std::string source;  // "overlay" or a host directory
  std::vector<std::string> options;  // "lowerdir=...", "upperdir=...", "ro", "rbind"
};

// A snapshot made visible at `path` until this object is destroyed (then
// unmounted, for backends that mount). Move-only.
class MountedFs {
 public:
  virtual ~MountedFs() = default;
  virtual const std::string& path() const = 0;
};

class Snapshotter {
 public:
  virtual ~Snapshotter() = default;
  virtual const char* backend() const = 0;  // "overlay", "copy"

  // A new active snapshot on committed `parent` ("" = empty). Errors name the
  // parent when it is missing or not committed.
  virtual Result<std::string> prepare(const std::string& parent) = 0;
  // Writable for an active snapshot, read-only for a committed one.
  virtual Result<std::unique_ptr<MountedFs>> mount(const std::string& id) = 0;
  // How to mount `id` as a container root (exec does the mounting inside its
  // own mount namespace). Same writability rule as mount().
  virtual Result<std::vector<MountSpec>> mounts(const std::string& id) = 0;
  // Freezes an active snapshot and returns its id as a committed snapshot.
  virtual Result<std::string> commit(const std::string& active) = 0;
  // Removes a snapshot that no other snapshot has as parent; an error names
  // the children otherwise. Removing a missing id is not an error.
  virtual Result<void> remove(const std::string& id) = 0;
  virtual Result<std::optional<SnapshotInfo>> stat(const std::string& id) = 0;
  virtual Result<std::vector<SnapshotInfo>> list() = 0;
  // The changes of committed `id` against its parent as an OCI layer tar.
  virtual Result<layer::TarSummary> write_diff(const std::string& id, layer::ByteSink& sink,
                                               const layer::DiffOptions& options) = 0;
  // A host directory holding the whole filesystem of committed snapshot
  // `id`, on the same mount as the directories mount() gives for active
  // snapshots on the empty filesystem, so files can be hard-linked from one
  // into the other. Never to be modified. nullopt when the backend keeps no
  // such directory (an overlay snapshot with parents).
  virtual Result<std::optional<std::string>> storage_dir(const std::string& /*id*/) {
    return std::optional<std::string>{};
  }
  // For an active snapshot mounted as an overlay: the directory where what is
  // written through mount() lands (the upper dir). Below a directory the
  // caller created through the mount, that directory holds exactly what the
  // mount shows, so the caller may fill it there directly (and hard-link
  // into it from storage_dir()). nullopt when mount() gives the directory
  // itself (or the backend has none).
  virtual Result<std::optional<std::string>> upper_dir(const std::string& /*id*/) {
    return std::optional<std::string>{};
  }
  // Active snapshots left behind by processes that died; removes them.
  virtual Result<std::vector<std::string>> cleanup_abandoned() = 0;
};

// Whether `id` names a committed snapshot a result may still use ("" is the
// empty filesystem, always there).
inline Result<bool> usable_committed(Snapshotter& snapshots, const std::string& id) {
  if (id.empty()) return true;
  TRY_ASSIGN(auto info, snapshots.stat(id));
  return info.has_value() && info->kind == SnapshotKind::committed;
}

}  // namespace snapshotter
