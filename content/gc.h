#pragma once
// Garbage collection of the content store: deletes every blob that no image,
// cache record or live lease references. Leases of dead processes are dropped
// first. Deletion happens while holding the database write lock, so a
// concurrent tag or cache write either commits before (and its blobs are
// kept) or after (and finds a blob missing, and fails instead of pointing at
// nothing). Blobs being written are invisible until published, and a writer
// that publishes under a lease is protected before publication.

#include <cstdint>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "content/content_store.h"
#include "content/metadata.h"

namespace content {

struct GcReport {
  std::vector<base::Digest> removed;  // in digest order
  int64_t bytes_freed = 0;
  std::vector<std::string> stale_leases;
};

Result<GcReport> collect_garbage(MetadataStore& metadata, const ContentStore& blobs);

}  // namespace content
