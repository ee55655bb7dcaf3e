#include "snapshotter/layer_records.h"

#include "content/file_ops.h"
#include "content/schema.h"

namespace snapshotter {

base::Result<std::unique_ptr<SqliteLayerRecords>> SqliteLayerRecords::open(
    const std::string& root) {
  TRY(content::make_dirs(root));
  // A layer record only saves exporting a snapshot again: a power loss that
  // undoes the latest costs that, so commits need not wait for the disk.
  content::sql::Db::Options options;
  options.durability = content::sql::Durability::on_request;
  TRY_ASSIGN(auto db, content::sql::Db::open(root + "/kiln.db", options));
  TRY(content::migrate(db));
  return std::unique_ptr<SqliteLayerRecords>(new SqliteLayerRecords(std::move(db)));
}

std::optional<layer::LayerBlob> SqliteLayerRecords::find(std::string_view snapshot,
                                                         layer::Compression compression,
                                                         int level) const {
  std::lock_guard lock(m_mutex);
  auto stmt = m_db.prepare(
      "SELECT diff_id, tar_size, digest, size FROM layer_records "
      "WHERE snapshot = ?1 AND compression = ?2 AND level = ?3");
  if (!stmt.ok()) return std::nullopt;
  auto& s = stmt.value();
  s.bind(1, snapshot).bind(2, layer::compression_name(compression)).bind(3, int64_t{level});
  auto row = s.step();
  if (!row.ok() || !row.value()) return std::nullopt;
  auto diff_id = base::Digest::parse(s.text(0));
  auto digest = base::Digest::parse(s.text(2));
  if (!diff_id.ok() || !digest.ok() || s.integer(1) < 0 || s.integer(3) < 0) return std::nullopt;
  layer::LayerBlob blob;
  blob.diff_id = diff_id.value();
  blob.tar_size = static_cast<uint64_t>(s.integer(1));
  blob.compression = compression;
  blob.level = level;
  blob.digest = digest.value();
  blob.size = static_cast<uint64_t>(s.integer(3));
  return blob;
}

base::Result<void> SqliteLayerRecords::record(std::string_view snapshot,
                                              const layer::LayerBlob& blob) {
  std::lock_guard lock(m_mutex);
  return with_context(
      m_db.run("INSERT OR REPLACE INTO layer_records (snapshot, compression, level, diff_id, "
               "tar_size, digest, size) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               snapshot, layer::compression_name(blob.compression), int64_t{blob.level},
               blob.diff_id.str(), static_cast<int64_t>(blob.tar_size), blob.digest.str(),
               static_cast<int64_t>(blob.size)),
      "cannot record the layer of snapshot " + std::string(snapshot));
}

base::Result<void> SqliteLayerRecords::forget(std::string_view snapshot) {
  std::lock_guard lock(m_mutex);
  return with_context(m_db.run("DELETE FROM layer_records WHERE snapshot = ?1", snapshot),
                      "cannot forget the layers of snapshot " + std::string(snapshot));
}

}  // namespace snapshotter
