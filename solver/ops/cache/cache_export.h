#pragma once
// --cache-to: the results of a finished build as a CacheConfig, and that
// config as a manifest in the content store, ready to be pushed or written
// to a directory.
//
// mode=min records the steps of the exported image's stage only; mode=max
// every step that made a filesystem (builder stages too), as in BuildKit.
// Each record's chain is the base image's layers followed by the layers of
// the stage's steps up to the recorded one, exported (or found already
// exported) exactly as the image export does, so the same blobs serve the
// image and the cache. Sources (base images, the context, downloads) and
// config-only steps are not recorded: an importer resolves those itself.
#include <optional>

#include "base/result.h"
#include "oci/descriptor.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/export.h"
#include "solver/core/solver.h"
#include "solver/ir/ir.h"
#include "solver/ops/build/build_executor.h"
#include "solver/ops/cache/cache_config.h"

namespace solver::ops::cache {

enum class CacheMode { min, max };

struct CacheExportRequest {
  CacheMode mode = CacheMode::min;
  snapshotter::layer::CompressionOptions compression;
  std::optional<int64_t> source_date_epoch;
};

base::Result<CacheConfig> collect_cache(const ir::Definition& def, const SolveResult& solved,
                                        build::BuildServices services, snapshotter::layer::LayerRecords& records,
                                        const CacheExportRequest& request);

// Writes the config and an OCI image manifest listing every layer into the
// content store; returns the manifest's descriptor.
base::Result<oci::Descriptor> store_cache_manifest(const content::ContentStore& blobs, const CacheConfig& config);

}  // namespace solver::ops::cache
