#include "solver/ops/build/sqlite_cache_index.h"

namespace solver::ops::build {

base::Result<std::unique_ptr<SqliteCacheIndex>> SqliteCacheIndex::open(
    const std::string& root, content::MetadataStore& metadata, const base::Clock& clock) {
  // Step records only save work: a power loss that undoes the latest costs
  // running those steps again, so commits need not wait for the disk (a
  // build makes everything durable once, before it reports success).
  content::sql::Db::Options options;
  options.durability = content::sql::Durability::on_request;
  TRY_ASSIGN(auto db, content::sql::Db::open(root + "/kiln.db", options));
  TRY_ASSIGN(auto check_db, content::sql::Db::open(root + "/kiln.db", options));
  return std::unique_ptr<SqliteCacheIndex>(
      new SqliteCacheIndex(metadata, std::move(db), std::move(check_db), clock));
}

base::Result<std::optional<VertexResult>> SqliteCacheIndex::lookup(const std::string& key) {
  TRY_ASSIGN(auto record, m_metadata.get_cache_record(key));
  if (!record) return std::optional<VertexResult>{};
  auto parsed = parse_result(record->value);
  // A record this version cannot read is a miss, not a failed build.
  if (!parsed.ok()) return std::optional<VertexResult>{};
  return std::optional<VertexResult>{std::move(*parsed)};
}

base::Result<void> SqliteCacheIndex::store(const std::string& key, const VertexResult& result) {
  return m_metadata.put_cache_record(key, serialize_result(result), {});
}

base::Result<VertexResult> SqliteCacheIndex::store_first(const std::string& key,
                                                         const VertexResult& result) {
  // The check runs under the database write lock, so of two processes
  // storing one key the second sees the first's row and keeps it. It reads
  // through this index's own connection (the metadata store's is busy).
  std::optional<std::string> existing;
  auto check = [&]() -> base::Result<void> {
    std::lock_guard lock(m_check_mutex);
    TRY_ASSIGN(auto query, m_check_db.prepare("SELECT value FROM cache_records WHERE key = ?1"));
    query.bind(1, key);
    TRY_ASSIGN(bool row, query.step());
    if (row) {
      existing = query.text(0);
      return base::make_error("cache record exists");
    }
    return {};
  };
  auto stored = m_metadata.put_cache_record(key, serialize_result(result), {}, check);
  if (stored.ok()) return result;
  if (!existing) return stored.error();
  auto parsed = parse_result(*existing);
  if (!parsed.ok()) {
    TRY(store(key, result));
    return result;
  }
  return std::move(*parsed);
}

base::Result<std::optional<StepRecord>> SqliteCacheIndex::last_step(const std::string& step_id) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto query, m_db.prepare("SELECT record FROM build_steps WHERE step = ?1"));
  query.bind(1, step_id);
  TRY_ASSIGN(bool row, query.step());
  if (!row) return std::optional<StepRecord>{};
  auto parsed = parse_step_record(query.text(0));
  if (!parsed.ok()) return std::optional<StepRecord>{};
  return std::optional<StepRecord>{std::move(*parsed)};
}

base::Result<std::optional<std::string>> SqliteCacheIndex::last_step_fingerprint(
    const std::string& step_id) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto query, m_db.prepare("SELECT fingerprint FROM build_steps WHERE step = ?1"));
  query.bind(1, step_id);
  TRY_ASSIGN(bool row, query.step());
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>{query.text(0)};
}

base::Result<void> SqliteCacheIndex::remember_step(const std::string& step_id,
                                                   const StepRecord& record) {
  return remember_steps({{step_id, record}});
}

base::Result<void> SqliteCacheIndex::remember_steps(
    const std::vector<std::pair<std::string, StepRecord>>& records) {
  if (records.empty()) return {};
  // Serialized before the write lock is taken: a large COPY's record is
  // megabytes, and other kiln processes wait for that lock.
  std::vector<std::pair<std::string, std::string>> texts;  // record, fingerprint
  texts.reserve(records.size());
  for (const auto& [step_id, record] : records)
    texts.emplace_back(serialize_step_record(record), step_record_fingerprint(record));
  std::lock_guard lock(m_mutex);
  // BEGIN IMMEDIATE: an upsert in a deferred transaction would have to
  // upgrade its read lock, which WAL refuses at once when another
  // connection wrote meanwhile.
  TRY_ASSIGN(auto tx, content::sql::Transaction::begin(m_db, content::sql::Transaction::Kind::write));
  const int64_t now = m_clock.now_unix_nanos();
  for (size_t i = 0; i < records.size(); ++i) {
    TRY(m_db.run(
        "INSERT INTO build_steps (step, key, record, updated, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5) "
        "ON CONFLICT(step) DO UPDATE SET key = excluded.key, record = excluded.record, "
        "updated = excluded.updated, fingerprint = excluded.fingerprint",
        records[i].first, records[i].second.key, texts[i].first, now, texts[i].second));
  }
  return tx.commit();
}

}  // namespace solver::ops::build
