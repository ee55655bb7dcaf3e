#include "snapshotter/layer/export.h"

namespace snapshotter::layer {

std::optional<LayerBlob> MemoryLayerRecords::find(std::string_view snapshot,
                                                  Compression compression, int level) const {
  std::lock_guard lock(m_mutex);
  auto it = m_blobs.find(Key(std::string(snapshot), compression, level));
  if (it == m_blobs.end()) return std::nullopt;
  return it->second;
}

base::Result<void> MemoryLayerRecords::record(std::string_view snapshot, const LayerBlob& blob) {
  std::lock_guard lock(m_mutex);
  m_blobs[Key(std::string(snapshot), blob.compression, blob.level)] = blob;
  return {};
}

base::Result<void> MemoryLayerRecords::forget(std::string_view snapshot) {
  std::lock_guard lock(m_mutex);
  std::erase_if(m_blobs, [&](const auto& kv) { return std::get<0>(kv.first) == snapshot; });
  return {};
}

base::Result<ExportResult> export_layer(const ExportRequest& request, LayerRecords& records) {
  const auto& c = request.compression;
  const int level = effective_level(c);
  if (auto hit = records.find(request.snapshot, c.kind, level)) return ExportResult{*hit, true};

  auto run = [&]() -> base::Result<ExportResult> {
    TRY_ASSIGN(std::unique_ptr<ByteSink> out, request.open_blob());
    TRY_ASSIGN(std::unique_ptr<CompressingSink> compressor, make_compressing_sink(c, *out));
    TRY_ASSIGN(TarSummary tar, request.write_diff(*compressor));
    TRY_ASSIGN(CompressedBlob blob, compressor->finish());
    TRY(out->close());
    LayerBlob layer{tar.diff_id, tar.size, c.kind, level, blob.digest, blob.size};
    TRY(records.record(request.snapshot, layer));
    return ExportResult{layer, false};
  };
  return base::with_context(run(), "exporting layer of snapshot " + request.snapshot);
}

}  // namespace snapshotter::layer
