#include "solver/ops/gc/collect.h"

#include <map>

#include "content/sqlite.h"
#include "solver/ops/gc/cache_mounts.h"
#include "solver/ops/gc/state.h"

namespace solver::ops::gc {

base::Result<void> sweep_blobs(const CollectServices& services, CollectReport& report) {
  auto sweep = [&](const std::set<std::string>& referenced) -> base::Result<void> {
    // Read inside the write lock: no layer record can be added until we finish.
    TRY_ASSIGN(std::set<std::string> layers, distinct_values(services.root, "SELECT DISTINCT digest FROM layer_records"));
    std::vector<content::BlobInfo> dead;
    TRY(services.blobs.walk([&](const content::BlobInfo& blob) -> base::Result<void> {
      const std::string digest = blob.digest.str();
      if (!referenced.contains(digest) && !layers.contains(digest)) dead.push_back(blob);
      return {};
    }));
    for (const content::BlobInfo& blob : dead) {
      TRY(base::with_context(services.blobs.remove(blob.digest), "garbage collection"));
      report.blobs.push_back(blob.digest.str());
      report.reclaimed += blob.size;
    }
    return {};
  };
  return services.metadata.with_write_lock(sweep);
}

base::Result<CollectReport> carry_out(const GcPlan& plan, const StoreState& state,
                                      const CollectServices& services) {
  CollectReport report;
  for (const std::string& key : plan.records) {
    TRY_ASSIGN(bool removed, services.metadata.remove_cache_record(key));
    if (removed) report.records.push_back(key);
  }
  std::map<std::string, const SnapshotEntry*> by_id;
  for (const SnapshotEntry& s : state.snapshots) by_id[s.id] = &s;
  for (const std::string& id : plan.snapshots) {
    auto it = by_id.find(id);
    if (it == by_id.end()) continue;
    auto backend = services.snapshotters.find(it->second->backend);
    if (backend == services.snapshotters.end()) continue;  // foreign: the plan keeps those
    auto removed = backend->second->remove(id);
    if (!removed.ok()) {
      report.warnings.push_back(removed.error().message);
      continue;
    }
    report.snapshots.push_back(id);
    report.reclaimed += it->second->size;
  }
  TRY(sweep_blobs(services, report));
  // Independent of the rest: no record, snapshot or blob names a cache mount.
  CacheMountRemoval mounts;
  TRY(remove_cache_mounts(services.root, plan.cache_mounts, mounts));
  report.cache_mounts = std::move(mounts.removed);
  report.cache_mounts_in_use = std::move(mounts.in_use);
  report.reclaimed += mounts.reclaimed;
  return report;
}

}  // namespace solver::ops::gc
