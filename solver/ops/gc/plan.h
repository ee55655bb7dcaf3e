#pragma once
// The decision of garbage collection and `kiln prune`, as a pure function of
// what a store holds (StoreState, loaded by state.h) and what the user asked
// (PruneOptions). Nothing here touches the disk; collect.h carries a plan out.
//
// Reachability (docs/storage.md, "Garbage collection"):
//   - roots are image names (the blobs they reference), leases of running
//     builds (their blobs), and the cache records that survive the prune;
//   - a cache record keeps its snapshot and that snapshot's ancestors alive;
//     an active snapshot (a running build's) and a snapshot of a backend this
//     process could not open are kept with their ancestors too;
//   - a live snapshot keeps the layer blobs recorded for it (layer_records);
//   - everything else is garbage: snapshots are removed children first,
//     blobs once no root names them.
// Which cache records a prune removes: every build-step record, and, with
// `all`, also the layer-chain records (base image layers unpacked into
// snapshots) of images still named; layer-chain records of images no longer
// named are build cache like any other. RUN --mount=type=cache directories
// (cache_mounts.h) go too, with or without `all`, as BuildKit's prune removes
// its exec.cachemount records; one a step holds at load time is kept. With
// `keep_storage`, records and cache mount instances go together, least
// recently used first, and only until the store's usage (live snapshots +
// live blobs + the cache mounts kept) is at most that many bytes.
#include <compare>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "solver/core/cache_index.h"

namespace solver::ops::gc {

using solver::k_layer_chain_prefix;

struct CacheEntry {
  std::string key;
  std::string snapshot;  // "" = no snapshot (context results, unreadable values)
  int64_t last_used = 0;
  // A layer-chain record whose chain belongs to an image that is still named.
  bool image_layer = false;
  std::vector<std::string> blobs;  // its cache_blobs rows
};

struct SnapshotEntry {
  std::string id;
  std::string parent;  // "" = on the empty filesystem
  bool active = false;
  // Kept whatever happens: its backend could not be opened by this process,
  // so it can be neither judged nor removed.
  bool foreign = false;
  std::string backend;
  int64_t size = 0;  // bytes on disk (state.h says how they are counted)
  int64_t last_used = 0;
};

struct BlobEntry {
  std::string digest;
  int64_t size = 0;
};

struct LayerEntry {
  std::string snapshot;
  std::string digest;
};

// One instance of a RUN --mount=type=cache directory:
// cache-mounts/<dir>/lock<suffix> and data<suffix>.
struct CacheMountEntry {
  std::string dir;     // the directory's name: the SHA-256 hex of the id
  std::string suffix;  // "" for lock/data, "-N" for the extra private instance lock-N/data-N
  std::string id;      // the id as written in its `id` file; "" when that is missing
  int64_t size = 0;    // bytes under data<suffix> (state.h says how they are counted)
  int64_t last_used = 0;  // Unix ns: newest mtime of lock<suffix> and data<suffix>
  bool in_use = false;    // a step held its lock when the state was loaded

  // "<first 12 hex of dir><suffix>", as `kiln du` and `kiln prune` print it.
  std::string short_name() const { return dir.substr(0, 12) + suffix; }
  auto operator<=>(const CacheMountEntry& o) const {
    return std::tie(dir, suffix) <=> std::tie(o.dir, o.suffix);
  }
  bool operator==(const CacheMountEntry& o) const { return dir == o.dir && suffix == o.suffix; }
};

struct StoreState {
  std::vector<CacheEntry> records;
  std::vector<SnapshotEntry> snapshots;
  std::vector<LayerEntry> layers;
  std::vector<BlobEntry> blobs;          // what blobs/sha256 holds
  std::set<std::string> image_blobs;     // referenced by image names
  std::set<std::string> lease_blobs;     // referenced by live leases
  std::vector<CacheMountEntry> cache_mounts;  // sorted by (dir, suffix)
};

struct PruneOptions {
  bool all = false;
  std::optional<int64_t> keep_storage;  // bytes; none = no cap, remove every candidate
};

struct GcPlan {
  std::vector<std::string> records;    // cache record keys to remove
  std::vector<std::string> snapshots;  // to remove, children before parents
  std::vector<std::string> blobs;      // to remove, in digest order
  std::vector<CacheMountEntry> cache_mounts;  // instances to remove, sorted by (dir, suffix)
  int64_t usage_before = 0;            // live snapshots + all blobs + cache mounts, bytes
  int64_t usage_after = 0;
  int64_t reclaimed = 0;               // snapshot + blob + cache mount bytes the plan frees
  int64_t cache_mounts_reclaimed = 0;  // the cache mount part of `reclaimed`
};

// What is live when `removed` records are gone.
struct Liveness {
  std::set<std::string> snapshots;
  std::set<std::string> blobs;
};
Liveness live_set(const StoreState& state, const std::set<std::string>& removed);

// Collection only: removes unreachable snapshots and blobs, no cache record.
GcPlan plan_collect(const StoreState& state);
// What `kiln prune` removes with `options`.
GcPlan plan_prune(const StoreState& state, const PruneOptions& options);

// Bytes used by what `live` keeps: its snapshots plus the blobs present.
int64_t usage_of(const StoreState& state, const Liveness& live);

}  // namespace solver::ops::gc
