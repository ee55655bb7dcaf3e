#pragma once
// An image as it goes to a registry. `kiln build` without a push keeps layers
// uncompressed in the local store, as docker's own store does; `kiln push` of
// such an image sends its layers gzip-compressed, as `docker push` does, under
// a manifest of its own (the pushed digest then differs from the local one,
// as with docker). The compressed blobs are exactly the stored tars
// compressed, so the config and its diff_ids stay valid.
#include <optional>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "snapshotter/layer/compression.h"

namespace solver::ops::build {

struct PushableImage {
  oci::Descriptor target;  // what to push: `root`, `previous` or a new manifest
  int layers_compressed = 0;
};

// `root`, when none of its layers is an uncompressed tar (or it is an index,
// pushed as it is). Otherwise `previous` (what the destination name held
// locally) when that is already the compressed form of `root`: a manifest
// with the same config, as many layers, all present and none uncompressed.
// Otherwise a new manifest whose uncompressed layers are compressed into new
// blobs, written to `blobs`; the caller names it so that garbage collection
// keeps it.
base::Result<PushableImage> pushable_image(const content::ContentStore& blobs, const oci::Descriptor& root,
                                           const std::optional<oci::Descriptor>& previous,
                                           const snapshotter::layer::CompressionOptions& compression);

}  // namespace solver::ops::build
