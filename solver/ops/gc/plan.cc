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

int64_t total_usage(const StoreState& state) {
  int64_t total = 0;
  for (const SnapshotEntry& s : state.snapshots) total += s.size;
  for (const BlobEntry& b : state.blobs) total += b.size;
  return total;
}

GcPlan plan_for(const StoreState& state, const std::set<std::string>& removed) {
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
  plan.usage_before = total_usage(state);
  plan.usage_after = usage_of(state, live);
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
  std::vector<const CacheEntry*> candidates;
  for (const CacheEntry& r : state.records)
    if (options.all || !r.image_layer) candidates.push_back(&r);
  std::set<std::string> removed;
  if (!options.keep_storage) {
    for (const CacheEntry* r : candidates) removed.insert(r->key);
    return plan_for(state, removed);
  }
  // Least recently used first; the key breaks ties so plans are repeatable.
  std::sort(candidates.begin(), candidates.end(), [](const CacheEntry* a, const CacheEntry* b) {
    return a->last_used != b->last_used ? a->last_used < b->last_used : a->key < b->key;
  });
  int64_t cap = *options.keep_storage;
  // Unreachable data goes whatever the cap, as in a plain collection.
  if (usage_of(state, live_set(state, removed)) <= cap) return plan_for(state, removed);
  for (const CacheEntry* r : candidates) {
    removed.insert(r->key);
    if (usage_of(state, live_set(state, removed)) <= cap) break;
  }
  return plan_for(state, removed);
}

}  // namespace solver::ops::gc
