#pragma once
// After a solve: the target stage as an OCI image in the content store. The
// stage chain (solver/ops/image/assemble.h) gives the steps; each step that
// made a snapshot gets its layer from export_layer (diffed and compressed
// once per snapshot, then reused), config edits only change the config, and
// assembly writes config and manifest. Naming the image is the caller's.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "base/result.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/export.h"
#include "solver/core/solver.h"
#include "solver/ops/build/build_executor.h"
#include "solver/ops/image/assemble.h"

namespace solver::ops::build {

struct ImageExportRequest {
  std::map<std::string, std::string> labels;  // --label
  snapshotter::layer::CompressionOptions compression;
  std::optional<int64_t> source_date_epoch;   // also clamps layer mtimes
  int64_t now_unix_seconds = 0;               // created time without SOURCE_DATE_EPOCH
  bool override_platform = false;             // --platform was given
};

// The layer of one committed step snapshot in the content store: made once
// per (snapshot, compression), then found in `records`.
base::Result<snapshotter::layer::LayerBlob> export_snapshot_layer(
    BuildServices services, snapshotter::layer::LayerRecords& records, const std::string& snapshot,
    const snapshotter::layer::CompressionOptions& compression, std::optional<int64_t> source_date_epoch);

// The OCI media type of a layer blob so compressed.
std::string layer_media_type(snapshotter::layer::Compression compression);

base::Result<solver::image::BuiltImage> export_image(const ir::Definition& def,
                                                     const SolveResult& solved,
                                                     BuildServices services,
                                                     snapshotter::layer::LayerRecords& records,
                                                     const ImageExportRequest& request);

}  // namespace solver::ops::build
