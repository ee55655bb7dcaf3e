#include "snapshotter/layer/export.h"

namespace snapshotter::layer {

namespace {

// Gathers the tar writer's small blocks (10 KiB) into large writes to the
// blob file.
class BufferedSink final : public ByteSink {
 public:
  explicit BufferedSink(ByteSink& out) : m_out(out) { m_buffer.reserve(k_size); }
  base::Result<void> write(std::string_view bytes) override {
    if (m_buffer.size() + bytes.size() > k_size) TRY(flush());
    if (bytes.size() >= k_size) return m_out.write(bytes);
    m_buffer.append(bytes);
    return {};
  }
  base::Result<void> close() override { return flush(); }

 private:
  static constexpr size_t k_size = size_t{1} << 20;
  base::Result<void> flush() {
    if (m_buffer.empty()) return {};
    TRY(m_out.write(m_buffer));
    m_buffer.clear();
    return {};
  }
  ByteSink& m_out;
  std::string m_buffer;
};

}  // namespace

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
    TRY_ASSIGN(std::unique_ptr<BlobOutput> out, request.open_blob());
    if (c.kind == Compression::none) {
      // The blob is the tar itself: its digest is the diffID the tar writer
      // computes, so the bytes are not hashed a second time on the way.
      BufferedSink buffered(*out);
      TRY_ASSIGN(TarSummary tar, request.write_diff(buffered));
      TRY(buffered.close());
      TRY(out->commit(tar.diff_id));
      LayerBlob layer{tar.diff_id, tar.size, c.kind, level, tar.diff_id, tar.size};
      TRY(records.record(request.snapshot, layer));
      return ExportResult{layer, false};
    }
    TRY_ASSIGN(std::unique_ptr<CompressingSink> compressor, make_compressing_sink(c, *out));
    TRY_ASSIGN(TarSummary tar, request.write_diff(*compressor));
    TRY_ASSIGN(CompressedBlob blob, compressor->finish());
    TRY(out->commit(blob.digest));
    LayerBlob layer{tar.diff_id, tar.size, c.kind, level, blob.digest, blob.size};
    TRY(records.record(request.snapshot, layer));
    return ExportResult{layer, false};
  };
  return base::with_context(run(), "exporting layer of snapshot " + request.snapshot);
}

}  // namespace snapshotter::layer
