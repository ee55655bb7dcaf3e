#pragma once
// An image's layers as a chain of committed snapshots, one per layer, each
// recorded under its chain id (as containerd names layer stacks) so every
// image and build sharing a prefix of layers shares its snapshots. Used for
// FROM in builds and by `kiln run`.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "snapshotter/snapshotter.h"
#include "solver/core/cache_index.h"
#include "solver/ops/image/base_image.h"

namespace solver::ops::build {

// Returns the snapshot holding the whole image ("" for an image without
// layers), unpacking only the layers not unpacked before. `log` hears of
// every layer unpacked; `display` names the image in errors.
// One layer of a chain: the blob in the content store and the digest of its
// uncompressed tar.
struct ChainLayer {
  base::Digest blob;
  base::Digest diff_id;
};

// The snapshots of `layers` stacked in order, one per layer (the last one
// holds the whole filesystem), unpacking only the layers not unpacked before.
// Errors name `display`.
base::Result<std::vector<std::string>> unpack_layer_chain(const content::ContentStore& blobs,
                                                          snapshotter::Snapshotter& snapshots, CacheIndex& index,
                                                          const std::vector<ChainLayer>& layers,
                                                          const std::string& display,
                                                          const std::function<void(std::string_view)>& log);

base::Result<std::string> unpack_image_chain(const content::ContentStore& blobs,
                                             snapshotter::Snapshotter& snapshots, CacheIndex& index,
                                             const solver::image::BaseImage& image,
                                             const std::string& display,
                                             const std::function<void(std::string_view)>& log);

}  // namespace solver::ops::build
