#pragma once
// The solver's cache index in kiln.db: results in `cache_records` (through
// the MetadataStore, so garbage collection sees them) and step records for
// --explain-cache in `build_steps`. Thread-safe: the MetadataStore serializes
// its calls and the step table has its own connection behind a mutex.
#include <mutex>
#include <string>

#include "base/clock.h"
#include "content/metadata.h"
#include "content/sqlite.h"
#include "solver/core/cache_index.h"

namespace solver::ops::build {

class SqliteCacheIndex final : public CacheIndex {
 public:
  // `metadata` must have opened (and migrated) `<root>/kiln.db` already.
  static base::Result<std::unique_ptr<SqliteCacheIndex>> open(const std::string& root,
                                                               content::MetadataStore& metadata,
                                                               const base::Clock& clock);

  base::Result<std::optional<VertexResult>> lookup(const std::string& key) override;
  base::Result<void> store(const std::string& key, const VertexResult& result) override;
  base::Result<VertexResult> store_first(const std::string& key, const VertexResult& result) override;
  base::Result<std::optional<StepRecord>> last_step(const std::string& step_id) override;
  base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& step_id) override;
  base::Result<void> remember_step(const std::string& step_id, const StepRecord& record) override;
  base::Result<void> remember_steps(const std::vector<std::pair<std::string, StepRecord>>& records) override;

 private:
  SqliteCacheIndex(content::MetadataStore& metadata, content::sql::Db db, content::sql::Db check_db,
                   const base::Clock& clock)
      : m_metadata(metadata), m_db(std::move(db)), m_check_db(std::move(check_db)), m_clock(clock) {}
  content::MetadataStore& m_metadata;
  std::mutex m_mutex;  // guards m_db: step records
  content::sql::Db m_db;
  // Reads inside the metadata store's write transaction (store_first). Its
  // own connection and mutex, never held while waiting for the write lock,
  // so it cannot deadlock with a step record waiting for that lock.
  std::mutex m_check_mutex;
  content::sql::Db m_check_db;
  const base::Clock& m_clock;
};

}  // namespace solver::ops::build
