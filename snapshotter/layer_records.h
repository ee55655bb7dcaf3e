#pragma once
// SqliteLayerRecords: layer::LayerRecords over kiln.db's `layer_records`
// table, so a committed snapshot's layer blob is made once per root, not once
// per process. Rows go with their snapshot (ON DELETE CASCADE), and a record
// for a snapshot that has no row is refused by the foreign key.
//
// find() cannot report errors; an unreadable or malformed row reads as "not
// recorded", which costs one more export and never a wrong blob. Thread-safe
// (one connection of its own behind a mutex); do not share across fork().

#include <memory>
#include <mutex>
#include <string>

#include "content/sqlite.h"
#include "snapshotter/layer/export.h"

namespace snapshotter {

class SqliteLayerRecords final : public layer::LayerRecords {
 public:
  // Opens `<root>/kiln.db`, creating and migrating it as needed.
  static base::Result<std::unique_ptr<SqliteLayerRecords>> open(const std::string& root);

  std::optional<layer::LayerBlob> find(std::string_view snapshot, layer::Compression compression,
                                       int level) const override;
  base::Result<void> record(std::string_view snapshot, const layer::LayerBlob& blob) override;
  base::Result<void> forget(std::string_view snapshot) override;

 private:
  explicit SqliteLayerRecords(content::sql::Db db) : m_db(std::move(db)) {}

  mutable std::mutex m_mutex;
  mutable content::sql::Db m_db;
};

}  // namespace snapshotter
