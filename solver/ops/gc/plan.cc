#include "solver/ops/gc/plan.h"

#include <algorithm>
#include <map>

namespace solver::ops::gc {

namespace {

using ParentMap = std::map<std::string, std::string>;

ParentMap parents_of(const StoreState& state) {
  ParentMap parents;
  for (const SnapshotEntry& s : state.snapshots) parents[s.id] = s.parent;
  return parents;
}

// Adds `id` and its ancestors. A parent without a row ends the walk: the
// foreign key forbids it, and fsck reports it if it happens anyway.
void keep_chain(const ParentMap& parents, const std::string& id, std::set<std::string>& live) {
  std::string current = id;
  while (!current.empty() && !live.contains(current)) {
    auto it = parents.find(current);
    if (it == parents.end()) return;
    live.insert(current);
    current = it->second;
  }
}

int depth_of(const ParentMap& parents, const std::string& id) {
  int depth = 0;
  std::string current = id;
  // Bounded by the number of rows, so a (corrupt) cycle cannot loop forever.
  for (size_t guard = 0; guard <= parents.size(); ++guard) {
    auto it = parents.find(current);
    if (it == parents.end() || it->second.empty()) break;
    current = it->second;
    ++depth;
  }
  return depth;
}

using MountSet = std::set<CacheMountEntry>;

int64_t total_usage(const StoreState& state) {
  int64_t total = 0;
  for (const SnapshotEntry& s : state.snapshots) total += s.size;
  for (const BlobEntry& b : state.blobs) total += b.size;
  for (const CacheMountEntry& m : state.cache_mounts) total += m.size;
  return total;
}

int64_t mounts_kept(const StoreState& state, const MountSet& removed) {
  int64_t total = 0;
  for (const CacheMountEntry& m : state.cache_mounts)
    if (!removed.contains(m)) total += m.size;
  return total;
}

GcPlan plan_for(const StoreState& state, const std::set<std::string>& removed,
                const MountSet& removed_mounts = {}) {
  GcPlan plan;
  plan.records.assign(removed.begin(), removed.end());
  Liveness live = live_set(state, removed);
  ParentMap parents = parents_of(state);
  std::vector<std::pair<int, std::string>> dead;
  for (const SnapshotEntry& s : state.snapshots)
    if (!live.snapshots.contains(s.id)) dead.emplace_back(depth_of(parents, s.id), s.id);
  // Deepest first, so every child goes before its parent.
  std::sort(dead.begin(), dead.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (auto& [depth, id] : dead) plan.snapshots.push_back(std::move(id));
  for (const BlobEntry& b : state.blobs)
    if (!live.blobs.contains(b.digest)) plan.blobs.push_back(b.digest);
  std::sort(plan.blobs.begin(), plan.blobs.end());
  plan.cache_mounts.assign(removed_mounts.begin(), removed_mounts.end());
  for (const CacheMountEntry& m : plan.cache_mounts) plan.cache_mounts_reclaimed += m.size;
  plan.usage_before = total_usage(state);
  plan.usage_after = usage_of(state, live) + mounts_kept(state, removed_mounts);
  plan.reclaimed = plan.usage_before - plan.usage_after;
  return plan;
}

}  // namespace

Liveness live_set(const StoreState& state, const std::set<std::string>& removed) {
  Liveness live;
  ParentMap parents = parents_of(state);
  for (const CacheEntry& r : state.records)
    if (!removed.contains(r.key) && !r.snapshot.empty()) keep_chain(parents, r.snapshot, live.snapshots);
  for (const SnapshotEntry& s : state.snapshots)
    if (s.active || s.foreign) keep_chain(parents, s.id, live.snapshots);
  live.blobs = state.image_blobs;
  live.blobs.insert(state.lease_blobs.begin(), state.lease_blobs.end());
  for (const CacheEntry& r : state.records)
    if (!removed.contains(r.key)) live.blobs.insert(r.blobs.begin(), r.blobs.end());
  for (const LayerEntry& l : state.layers)
    if (live.snapshots.contains(l.snapshot)) live.blobs.insert(l.digest);
  return live;
}

int64_t usage_of(const StoreState& state, const Liveness& live) {
  int64_t total = 0;
  for (const SnapshotEntry& s : state.snapshots)
    if (live.snapshots.contains(s.id)) total += s.size;
  for (const BlobEntry& b : state.blobs)
    if (live.blobs.contains(b.digest)) total += b.size;
  return total;
}

GcPlan plan_collect(const StoreState& state) { return plan_for(state, {}); }

GcPlan plan_prune(const StoreState& state, const PruneOptions& options) {
  // A candidate is a cache record or a cache mount instance; both go least
  // recently used first when there is a cap, as BuildKit orders its records.
  struct Candidate {
    int64_t last_used;
    std::string name;  // ties: records by key, mounts by dir and suffix
    const CacheEntry* record;
    const CacheMountEntry* mount;
  };
  std::vector<Candidate> candidates;
  for (const CacheEntry& r : state.records)
    if (options.all || !r.image_layer) candidates.push_back({r.last_used, r.key, &r, nullptr});
  for (const CacheMountEntry& m : state.cache_mounts)
    if (!m.in_use) candidates.push_back({m.last_used, m.dir + m.suffix, nullptr, &m});
  std::set<std::string> removed;
  MountSet removed_mounts;
  auto take = [&](const Candidate& c) {
    if (c.record) removed.insert(c.record->key);
    else removed_mounts.insert(*c.mount);
  };
  if (!options.keep_storage) {
    for (const Candidate& c : candidates) take(c);
    return plan_for(state, removed, removed_mounts);
  }
  // The name breaks ties so plans are repeatable.
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.last_used != b.last_used ? a.last_used < b.last_used : a.name < b.name;
  });
  int64_t cap = *options.keep_storage;
  // The cap is on the build cache, as docker builder prune's is: what the
  // images (named or <none>) and running builds keep is not counted, since
  // no prune of the cache could free it.
  std::set<std::string> every_record;
  for (const Candidate& c : candidates)
    if (c.record) every_record.insert(c.record->key);
  const int64_t kept_anyway = usage_of(state, live_set(state, every_record));
  auto usage = [&] {
    return usage_of(state, live_set(state, removed)) - kept_anyway + mounts_kept(state, removed_mounts);
  };
  // Unreachable data goes whatever the cap, as in a plain collection.
  if (usage() <= cap) return plan_for(state, removed, removed_mounts);
  for (const Candidate& c : candidates) {
    take(c);
    if (usage() <= cap) break;
  }
  return plan_for(state, removed, removed_mounts);
}

}  // namespace solver::ops::gc
