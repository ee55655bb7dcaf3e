#include "solver/ops/build/export_image.h"

#include "oci/manifest.h"
#include "oci/media_types.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/build/blob_sink.h"

namespace solver::ops::build {

namespace {

namespace layer = snapshotter::layer;

}  // namespace

std::string layer_media_type(layer::Compression compression) {
  switch (compression) {
    case layer::Compression::zstd:
      return std::string(oci::k_media_oci_layer_zstd);
    case layer::Compression::none:
      return std::string(oci::k_media_oci_layer_tar);
    case layer::Compression::gzip:
      break;
  }
  return std::string(oci::k_media_oci_layer_gzip);
}

base::Result<layer::LayerBlob> export_snapshot_layer(BuildServices services, layer::LayerRecords& records,
                                                     const std::string& snapshot,
                                                     const layer::CompressionOptions& compression,
                                                     std::optional<int64_t> source_date_epoch) {
  layer::ExportRequest ex;
  ex.snapshot = snapshot;
  ex.compression = compression;
  layer::DiffOptions diff;
  diff.mtime_clamp = source_date_epoch;
  ex.write_diff = [&services, snapshot, diff](layer::ByteSink& sink) {
    return services.snapshots.write_diff(snapshot, sink, diff);
  };
  ex.open_blob = [&services]() -> base::Result<std::unique_ptr<layer::BlobOutput>> {
    TRY_ASSIGN(std::unique_ptr<BlobSink> sink, BlobSink::open(services.blobs));
    return std::unique_ptr<layer::BlobOutput>(std::move(sink));
  };

  TRY_ASSIGN(layer::ExportResult exported, layer::export_layer(ex, records));
  return exported.blob;
}

base::Result<solver::image::BuiltImage> export_image(const ir::Definition& def,
                                                     const SolveResult& solved,
                                                     BuildServices services,
                                                     layer::LayerRecords& records,
                                                     const ImageExportRequest& request) {
  TRY_ASSIGN(solver::image::StageChain chain, solver::image::stage_chain(def, def.terminal.op));
  solver::image::AssembleRequest assemble;
  assemble.labels = request.labels;
  assemble.override_platform = request.override_platform;
  // Without SOURCE_DATE_EPOCH the image is as new as its newest step result,
  // as in BuildKit: a fully cached rebuild gives the same image.
  std::optional<int64_t> newest;
  for (uint32_t op : chain.steps) {
    const auto& result = solved.results.at(op);
    if (!result || std::holds_alternative<ir::ConfigChange>(def.ops[op])) continue;
    if (auto t = result_created(*result); t && (!newest || *t > *newest)) newest = t;
  }
  int64_t created = request.source_date_epoch.value_or(newest.value_or(request.now_unix_seconds));
  assemble.created = solver::image::format_rfc3339(created * 1000000000);
  const ir::Op& source = def.ops[chain.source];
  if (const auto* image = std::get_if<ir::ImageSource>(&source)) {
    assemble.platform = image->platform;
    const auto& result = solved.results.at(chain.source);
    if (!result) return base::make_error("base image " + image->ref + " was not solved");
    TRY_ASSIGN(assemble.base, solved_base_image(services.blobs, result->payload, image->platform));
  } else {
    for (const ir::Stage& st : def.stages)
      if (st.terminal == def.terminal.op) assemble.platform = st.platform;
    if (assemble.platform.empty()) assemble.platform = ir::host_platform();
  }
  for (uint32_t op : chain.steps) {
    solver::image::Step step{def.ops[op], def.info[op], std::nullopt};
    if (!std::holds_alternative<ir::ConfigChange>(def.ops[op])) {
      const auto& result = solved.results.at(op);
      if (!result) return base::make_error("step " + def.info[op].display_name + " was not solved");
      // A --link step's layer is its own snapshot's diff, whatever the base.
      const std::string snapshot = link_layer_of(*result).value_or(result->snapshot);
      TRY_ASSIGN(layer::LayerBlob blob,
                 base::with_context(export_snapshot_layer(services, records, snapshot, request.compression,
                                                          request.source_date_epoch),
                                    def.info[op].display_name));
      step.layer = solver::image::LayerRef{blob.diff_id, blob.digest, static_cast<int64_t>(blob.size),
                                           layer_media_type(blob.compression)};
    }
    assemble.steps.push_back(std::move(step));
  }
  return solver::image::assemble_image(services.blobs, assemble);
}

}  // namespace solver::ops::build
