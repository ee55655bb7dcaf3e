#pragma once
// Reading the image a stage starts FROM out of the content store: an index
// is resolved to the manifest of the wanted platform (as containerd's
// platform matcher does, so linux/arm64 also means linux/arm64/v8), then the
// manifest's config is read and parsed. Pure reads; thread-safe as the store.

#include <optional>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/manifest.h"
#include "solver/ir/platform.h"

namespace solver::image {

// A base image as assembly needs it: its config and its layers, base first.
struct BaseImage {
  oci::Descriptor manifest;  // the platform's manifest (not the index)
  oci::Descriptor config_descriptor;  // its digest is the image ID
  oci::ImageConfig config;
  std::vector<oci::Descriptor> layers;
};

// Whether an index entry's platform can serve `wanted`, and how well: 0 is
// an exact match, higher numbers are worse fallbacks (arm/v6 for arm/v7),
// nullopt is no match. Variants are normalized first (arm64 = arm64/v8,
// arm = arm/v7, amd64/v1 = amd64).
std::optional<int> platform_rank(const oci::Platform& candidate, const ir::Platform& wanted);

// The best entry of `index` for `platform`; errors name the index digest,
// the platform and the platforms the index offers.
base::Result<oci::Descriptor> select_manifest(const oci::Index& index, const base::Digest& index_digest,
                                              const ir::Platform& platform);

// Resolves `manifest_or_index` (following nested indexes) and reads the
// manifest and its config. The config's rootfs.diff_ids must pair up with
// the manifest's layers.
base::Result<BaseImage> read_base_image(const content::ContentStore& store,
                                        const oci::Descriptor& manifest_or_index,
                                        const ir::Platform& platform);

// read_base_image's config alone.
base::Result<oci::ImageConfig> read_image_config(const content::ContentStore& store,
                                                 const oci::Descriptor& manifest_or_index,
                                                 const ir::Platform& platform);

}  // namespace solver::image
