#pragma once
// Carries out a GcPlan (plan.h): removes the planned cache records, then the
// planned snapshots (children before parents), then every blob no root
// names, then the planned cache mount instances (cache_mounts.h says how;
// one a step holds is kept and reported). Each step is crash-safe on its own, and the order keeps the store
// consistent at every point a process could die:
//   - a cache record goes before its snapshot, so no record ever names a
//     removed snapshot (a snapshot without record is garbage, collected next
//     time);
//   - a snapshot row goes before its directory (snapshotter/dir_snapshotter.h),
//     and its layer records go with the row;
//   - blobs are swept holding the database write lock with the live set read
//     inside it (image, cache and lease references plus every layer record
//     still present), so no reference can appear for a blob being deleted.
// The caller holds the StoreLock exclusively (lock.h). A snapshot that can
// not be removed (e.g. it gained a child meanwhile) is skipped with a warning.
#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "content/metadata.h"
#include "snapshotter/snapshotter.h"
#include "solver/ops/gc/plan.h"

namespace solver::ops::gc {

struct CollectServices {
  std::string root;
  content::MetadataStore& metadata;
  const content::ContentStore& blobs;
  // By backend name; snapshots of other backends are never removed.
  std::map<std::string, snapshotter::Snapshotter*> snapshotters;
};

struct CollectReport {
  std::vector<std::string> records;    // removed cache record keys
  std::vector<std::string> snapshots;  // removed snapshot ids
  std::vector<std::string> blobs;      // removed blob digests
  std::vector<CacheMountEntry> cache_mounts;  // removed cache mount instances
  std::vector<CacheMountEntry> cache_mounts_in_use;  // planned, but a step holds them
  int64_t reclaimed = 0;               // bytes of removed snapshots, blobs and cache mounts
  std::vector<std::string> warnings;
};

base::Result<CollectReport> carry_out(const GcPlan& plan, const StoreState& state,
                                      const CollectServices& services);

// Deletes every blob that no image, cache record, lease or layer record
// names, under the database write lock; adds to `report`.
base::Result<void> sweep_blobs(const CollectServices& services, CollectReport& report);

}  // namespace solver::ops::gc
