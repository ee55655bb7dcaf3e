#pragma once
// Loads a StoreState (plan.h) from a kiln root: cache records and their
// blobs, snapshot rows, layer records, blobs on disk, what image names and
// live leases reference, and the RUN cache mount directories. Read-only; the caller holds the StoreLock
// (lock.h) so that no build changes the store while it is read.
//
// Snapshot sizes are what the snapshot's directory occupies: the apparent
// size of its regular files and symlinks, each inode counted once (an overlay
// snapshot holds only its changes, a copy snapshot its whole tree). Blob
// sizes are their content sizes. Apparent sizes, not allocated blocks, so
// `kiln du` gives the same numbers on every filesystem.
#include <set>
#include <string>

#include "base/result.h"
#include "content/content_store.h"
#include "content/metadata.h"
#include "solver/ops/gc/plan.h"

namespace solver::ops::gc {

struct LoadOptions {
  // Backends whose snapshots this process can remove; rows of other
  // backends are loaded as foreign (kept, and their ancestors with them).
  std::set<std::string> backends;
  // Probe cache mount locks to tell which are in use (cache_mounts.h: only
  // under the exclusive StoreLock).
  bool probe_cache_mounts = false;
};

base::Result<StoreState> load_state(const std::string& root, content::MetadataStore& metadata,
                                    const content::ContentStore& blobs, const LoadOptions& options);

// The backends that own snapshot rows in the root's kiln.db.
base::Result<std::set<std::string>> snapshot_backends(const std::string& root);

// The first column of `select` (one text column) run on <root>/kiln.db.
base::Result<std::set<std::string>> distinct_values(const std::string& root, const std::string& select);

// Bytes under `dir` as described above; 0 when it does not exist.
int64_t tree_size(const std::string& dir);

// The layer chain ids of every image named in the store (all platforms of
// an index). `complete` is false when some image could not be read; callers
// then treat every layer-chain record as needed.
struct ImageChains {
  std::set<std::string> chain_ids;  // "sha256:..."
  bool complete = true;
};
ImageChains image_chain_ids(content::MetadataStore& metadata, const content::ContentStore& blobs);

}  // namespace solver::ops::gc
