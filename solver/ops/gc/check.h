#pragma once
// The snapshot and build-cache half of `kiln fsck` (content/fsck.h checks
// blobs, references and the database itself):
//   - every committed snapshot row has its directory `snapshots/<id>/fs`;
//   - every directory under snapshots/ has a row;
//   - no active snapshot belongs to a dead process (the cleanup every kiln
//     command runs on open removes those of its backend);
//   - every cache record's snapshot exists and is committed;
//   - every layer record's blob exists;
//   - every RUN cache mount directory is well formed (cache_mounts.h).
// (A cache record's own blob references are checked by content::fsck; here
// repair removes the records whose blobs are missing.)
// With `repair`, each problem found is fixed by removing the broken build
// cache, never image data: a snapshot without directory goes with its
// descendants and the cache records naming any of them; a directory without
// row and an abandoned active snapshot are removed; a cache record naming a
// missing snapshot is removed; a layer record naming a missing blob is
// forgotten (the next export writes the blob again); a broken cache mount
// directory is removed. Corrupt blobs that no
// image names are removed before these checks, so that what named them is
// repaired too; corrupt image blobs are only reported.
// The caller holds the StoreLock exclusively (lock.h).
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "content/content_store.h"
#include "content/metadata.h"

namespace solver::ops::gc {

struct CheckOptions {
  bool repair = false;
};

struct CheckReport {
  int64_t snapshots_checked = 0;
  int64_t records_checked = 0;
  int64_t cache_mounts_checked = 0;
  std::vector<std::string> problems;  // each names the snapshot, record, blob or path
  std::vector<std::string> repairs;   // what --repair did, one line each
};

base::Result<CheckReport> check_build_cache(const std::string& root, content::MetadataStore& metadata,
                                            const content::ContentStore& blobs,
                                            const base::Clock& clock, const CheckOptions& options);

// Removes the blobs whose content does not match their digest and that no
// image references; returns one line per blob removed. Corrupt image blobs
// stay (content::fsck reports them): only a reload of the image can fix them.
base::Result<std::vector<std::string>> remove_corrupt_blobs(content::MetadataStore& metadata,
                                                            const content::ContentStore& blobs);

}  // namespace solver::ops::gc
