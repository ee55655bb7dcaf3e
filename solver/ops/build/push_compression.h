#pragma once
// An image as it goes to a registry. `kiln build` without a push keeps layers
// uncompressed in the local store, as docker's own store does; `kiln push` of
// such an image sends its layers gzip-compressed, as `docker push` does, under
// a manifest of its own (the pushed digest then differs from the local one,
// as with docker). The compressed blobs are exactly the stored tars
// compressed, so the config and its diff_ids stay valid.
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "snapshotter/layer/compression.h"

namespace solver::ops::build {

struct PushableImage {
  oci::Descriptor target;  // what to push: `root`, a candidate or a new manifest
  int layers_compressed = 0;
};

// `root`, when none of its layers is an uncompressed tar (or it is an index,
// pushed as it is). Otherwise the first of `candidates` (what the destination
// held locally, earlier pushes' compressed forms) that is exactly `root` with
// its uncompressed layers swapped for present blobs of the asked compression.
// Otherwise a new manifest whose uncompressed layers are compressed into new
// blobs, written to `blobs`; the caller names it so that garbage collection
// keeps it.
base::Result<PushableImage> pushable_image(const content::ContentStore& blobs, const oci::Descriptor& root,
                                           const std::vector<oci::Descriptor>& candidates,
                                           const snapshotter::layer::CompressionOptions& compression);

}  // namespace solver::ops::build
