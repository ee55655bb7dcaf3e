#pragma once
// export_layer: turns a committed snapshot into a compressed layer blob once.
// Committed snapshots never change, so (snapshot, compression, level) names
// one blob: the first export diffs and compresses in a single pass and records
// the diffID and blob digest; every later export of the same triple is a
// lookup, and nothing is read, diffed or compressed again.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "base/digest.h"
#include "base/result.h"
#include "snapshotter/layer/compression.h"
#include "snapshotter/layer/stream.h"
#include "snapshotter/layer/tar_writer.h"

namespace snapshotter::layer {

// One layer as the image manifest and config need it.
struct LayerBlob {
  base::Digest diff_id;  // sha256 of the uncompressed tar (rootfs.diff_ids)
  uint64_t tar_size = 0;
  Compression compression = Compression::gzip;
  int level = 0;         // the effective level (defaults resolved)
  base::Digest digest;   // sha256 of the blob (manifest layers[].digest)
  uint64_t size = 0;
};

// Where export records live. The real one is a table of the cache index
// (kiln.db); MemoryLayerRecords serves tests. Implementations are thread-safe.
class LayerRecords {
 public:
  virtual ~LayerRecords() = default;
  virtual std::optional<LayerBlob> find(std::string_view snapshot, Compression compression,
                                        int level) const = 0;
  virtual base::Result<void> record(std::string_view snapshot, const LayerBlob& blob) = 0;
  // Drops every record of `snapshot` (it was removed, or its blob was pruned).
  virtual base::Result<void> forget(std::string_view snapshot) = 0;
};

class MemoryLayerRecords final : public LayerRecords {
 public:
  std::optional<LayerBlob> find(std::string_view snapshot, Compression compression,
                                int level) const override;
  base::Result<void> record(std::string_view snapshot, const LayerBlob& blob) override;
  base::Result<void> forget(std::string_view snapshot) override;

 private:
  using Key = std::tuple<std::string, Compression, int>;
  mutable std::mutex m_mutex;
  std::map<Key, LayerBlob> m_blobs;
};

// Where a layer blob goes. The exporter hashes the blob's bytes on their way
// (the tar for its diffID, the compressed stream for its digest) and names
// the digest when it commits, so that the store need not hash them again.
class BlobOutput : public ByteSink {
 public:
  // Publishes what was written, whose digest is `digest`.
  virtual base::Result<void> commit(const base::Digest& digest) = 0;
};

struct ExportRequest {
  std::string snapshot;            // committed snapshot id
  CompressionOptions compression;  // threads never change the blob
  // Writes the snapshot's diff tar into the given sink (write_overlay_diff or
  // write_tree_diff bound to the snapshot's directories).
  std::function<base::Result<TarSummary>(ByteSink&)> write_diff;
  // Opens where the blob goes; called only when the blob must be made.
  std::function<base::Result<std::unique_ptr<BlobOutput>>()> open_blob;
};

struct ExportResult {
  LayerBlob blob;
  bool reused = false;  // true: found in the records, nothing was written
};

base::Result<ExportResult> export_layer(const ExportRequest& request, LayerRecords& records);

}  // namespace snapshotter::layer
