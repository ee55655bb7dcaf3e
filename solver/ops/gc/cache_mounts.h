#pragma once
// RUN --mount=type=cache directories as `kiln du`, `kiln prune` and
// `kiln fsck` see them. The layout is solver/ops/exec/cache_mounts.h's:
// <root>/cache-mounts/<SHA-256 hex of the id>/ holds `id` (the id text),
// `lock` and `data`, plus `lock-N`/`data-N` for extra private instances. A
// step holds an flock on lock<suffix> (shared or exclusive) for as long as it
// uses data<suffix>; the flock dies with its process.
//
// Removing an instance, so that no step is ever handed a half-deleted `data`:
//   1. take lock<suffix> with LOCK_EX|LOCK_NB; when that fails a step holds
//      it, and the instance stays;
//   2. holding it, rename data<suffix> (and a data<suffix>.new left by a
//      killed step) into a claimed entry of tmp/, fsync the directory, and
//      delete the tree there. A step that comes later finds no data<suffix>
//      and makes a fresh one (data.new, then rename);
//   3. when every lock file of the directory is held by us and no data is
//      left, the whole directory (id and lock files) goes into tmp/ the same
//      way.
// A removal killed at any point leaves either the old instance, no instance,
// or an unclaimed tmp/ entry that the next kiln command removes.
//
// Unlinking a lock file is safe only while no step is between opening and
// locking it; the caller therefore holds the StoreLock exclusively (lock.h),
// which every build holds shared. The per-instance flock catches holders
// outside it.
#include <string>
#include <vector>

#include "base/result.h"
#include "solver/ops/gc/plan.h"

namespace solver::ops::gc {

inline constexpr const char* k_cache_mounts_dir = "cache-mounts";

struct ListOptions {
  // Probe each lock with LOCK_EX|LOCK_NB to fill `in_use`. Only under the
  // exclusive StoreLock: a probe racing a step's `sharing=private` lock would
  // send that step to a new instance.
  bool probe_locks = false;
};

// Every instance under <root>/cache-mounts, sorted by (dir, suffix); none
// when the directory does not exist. Sizes count data<suffix> and a leftover
// data<suffix>.new. A directory with neither lock nor data files counts as
// one empty instance.
base::Result<std::vector<CacheMountEntry>> list_cache_mounts(const std::string& root,
                                                             const ListOptions& options = {});

struct CacheMountRemoval {
  std::vector<CacheMountEntry> removed;  // instances whose data went
  std::vector<CacheMountEntry> in_use;   // kept: a step holds their lock
  std::vector<std::string> dirs;         // directories that went as a whole
  int64_t reclaimed = 0;                 // sizes of `removed`, as listed
};

// Removes `instances` as described above, grouped by directory.
base::Result<void> remove_cache_mounts(const std::string& root,
                                       const std::vector<CacheMountEntry>& instances,
                                       CacheMountRemoval& out);

// The fsck half for cache mounts: an entry of cache-mounts/ that is not a
// directory, a directory with data but without `id` or whose name is not the
// SHA-256 of its id, and a data<suffix> that is not a directory are
// problems. A directory without any data is what a step killed before making
// it leaves; listed as one empty instance, a prune removes it. With `repair`
// such a directory is removed as a whole (unless a step holds one of its
// locks), a stray file unlinked.
struct CacheMountCheck {
  int64_t checked = 0;  // directories
  std::vector<std::string> problems;
  std::vector<std::string> repairs;
};
base::Result<CacheMountCheck> check_cache_mounts(const std::string& root, bool repair);

}  // namespace solver::ops::gc
