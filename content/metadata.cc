#include "content/metadata.h"

#include <algorithm>
#include <mutex>

#include "content/metadata_impl.h"
#include "content/schema.h"

namespace content {

using sql::Transaction;

std::string_view to_string(RefOwner owner) {
  switch (owner) {
    case RefOwner::image: return "image";
    case RefOwner::cache: return "cache";
    case RefOwner::lease: return "lease";
  }
  return "unknown";
}

namespace {

Result<void> insert_blobs(sql::Db& db, std::string_view table, std::string_view owner_column,
                          const std::string& owner, const std::vector<base::Digest>& blobs) {
  TRY(db.run("DELETE FROM " + std::string(table) + " WHERE " + std::string(owner_column) + " = ?1",
             owner));
  TRY_ASSIGN(auto insert, db.prepare("INSERT OR IGNORE INTO " + std::string(table) + " (" +
                                     std::string(owner_column) + ", digest) VALUES (?1, ?2)"));
  for (const auto& d : blobs) {
    insert.reset();
    TRY(insert.bind(1, owner).bind(2, d.str()).run());
  }
  return {};
}

Result<ImageRecord> image_from_row(const sql::Statement& row) {
  ImageRecord r;
  r.name = row.text(0);
  r.target.media_type = row.text(1);
  auto digest = base::Digest::parse(row.text(2));
  if (!digest) return with_context(Result<ImageRecord>(std::move(digest).error()), "image " + r.name);
  r.target.digest = *digest;
  r.target.size = row.integer(3);
  r.created = row.integer(4);
  r.last_used = row.integer(5);
  return r;
}

constexpr std::string_view k_image_columns = "name, media_type, digest, size, created, last_used";

}  // namespace

MetadataStore::MetadataStore(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
MetadataStore::~MetadataStore() = default;
MetadataStore::MetadataStore(MetadataStore&&) noexcept = default;
MetadataStore& MetadataStore::operator=(MetadataStore&&) noexcept = default;

Result<MetadataStore> MetadataStore::open(const std::string& root, const base::Clock& clock,
                                          sql::Durability durability) {
  sql::Db::Options options;
  options.durability = durability;
  TRY_ASSIGN(auto db, sql::Db::open(root + "/kiln.db", options));
  TRY(migrate(db));
  return MetadataStore(std::unique_ptr<Impl>(new Impl{std::move(db), &clock, {}}));
}

Result<void> MetadataStore::make_durable() {
  std::lock_guard lock(m_impl->mutex);
  return m_impl->db.make_durable();
}

Result<void> MetadataStore::put_image(const std::string& name, const oci::Descriptor& target,
                                      const std::vector<base::Digest>& blobs,
                                      const std::function<Result<void>()>& check) {
  std::lock_guard lock(m_impl->mutex);
  auto& db = m_impl->db;
  TRY_ASSIGN(auto tx, Transaction::begin(db, Transaction::Kind::write));
  if (check) TRY(check());
  int64_t now = m_impl->clock->now_unix_nanos();
  TRY_ASSIGN(auto upsert, db.prepare(
      "INSERT INTO images (name, media_type, digest, size, created, last_used) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (name) DO UPDATE SET "
      "media_type = excluded.media_type, digest = excluded.digest, size = excluded.size, "
      "created = excluded.created, last_used = excluded.last_used"));
  TRY(upsert.bind(1, name).bind(2, target.media_type).bind(3, target.digest.str())
          .bind(4, target.size).bind(5, now).run());
  TRY(insert_blobs(db, "image_blobs", "image", name, blobs));
  return tx.commit();
}

Result<std::optional<ImageRecord>> MetadataStore::get_image(const std::string& name) {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto q, m_impl->db.prepare("SELECT " + std::string(k_image_columns) +
                                        " FROM images WHERE name = ?1"));
  q.bind(1, name);
  TRY_ASSIGN(bool row, q.step());
  if (!row) return std::optional<ImageRecord>();
  TRY_ASSIGN(auto record, image_from_row(q));
  return std::optional<ImageRecord>(std::move(record));
}

Result<bool> MetadataStore::image_is(const std::string& name, const oci::Descriptor& target,
                                     const std::vector<base::Digest>& blobs) {
  TRY_ASSIGN(auto current, get_image(name));
  if (!current || current->target.digest != target.digest || current->target.media_type != target.media_type ||
      current->target.size != target.size) {
    return false;
  }
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto q, m_impl->db.prepare("SELECT digest FROM image_blobs WHERE image = ?1 ORDER BY digest"));
  q.bind(1, name);
  std::vector<std::string> stored;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    stored.push_back(q.text(0));
  }
  std::vector<std::string> wanted;
  for (const base::Digest& d : blobs) wanted.push_back(d.str());
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return stored == wanted;
}

Result<std::vector<ImageRecord>> MetadataStore::list_images() {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto q, m_impl->db.prepare("SELECT " + std::string(k_image_columns) +
                                        " FROM images ORDER BY name"));
  std::vector<ImageRecord> out;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    TRY_ASSIGN(auto record, image_from_row(q));
    out.push_back(std::move(record));
  }
}

Result<bool> MetadataStore::remove_image(const std::string& name) {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto tx, Transaction::begin(m_impl->db, Transaction::Kind::write));
  TRY(m_impl->db.run("DELETE FROM images WHERE name = ?1", name));
  bool removed = m_impl->db.changes() > 0;
  TRY(tx.commit());
  return removed;
}

Result<void> MetadataStore::touch_image(const std::string& name) {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto q, m_impl->db.prepare("UPDATE images SET last_used = ?1 WHERE name = ?2"));
  return q.bind(1, m_impl->clock->now_unix_nanos()).bind(2, name).run();
}

Result<void> MetadataStore::put_cache_record(const std::string& key, const std::string& value,
                                             const std::vector<base::Digest>& blobs,
                                             const std::function<Result<void>()>& check) {
  std::lock_guard lock(m_impl->mutex);
  auto& db = m_impl->db;
  TRY_ASSIGN(auto tx, Transaction::begin(db, Transaction::Kind::write));
  if (check) TRY(check());
  TRY_ASSIGN(auto upsert, db.prepare(
      "INSERT INTO cache_records (key, value, created, last_used) VALUES (?1, ?2, ?3, ?3) "
      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, last_used = excluded.last_used"));
  TRY(upsert.bind(1, key).bind(2, value).bind(3, m_impl->clock->now_unix_nanos()).run());
  TRY(insert_blobs(db, "cache_blobs", "record", key, blobs));
  return tx.commit();
}

Result<std::optional<CacheRecord>> MetadataStore::get_cache_record(const std::string& key) {
  std::lock_guard lock(m_impl->mutex);
  auto& db = m_impl->db;
  std::optional<CacheRecord> out;
  {
    TRY_ASSIGN(auto q, db.prepare("SELECT key, value, created, last_used FROM cache_records "
                                  "WHERE key = ?1"));
    q.bind(1, key);
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    out = CacheRecord{q.text(0), q.text(1), q.integer(2), q.integer(3)};
  }
  // last_used only orders pruning: kept to the minute, so a rebuild of many
  // cached steps does not pay a durable transaction for each.
  constexpr int64_t k_use_granularity_ns = 60'000'000'000;
  const int64_t now = m_impl->clock->now_unix_nanos();
  if (now - out->last_used < k_use_granularity_ns) return out;
  TRY_ASSIGN(auto tx, Transaction::begin(db, Transaction::Kind::write));
  TRY(db.run("UPDATE cache_records SET last_used = ?1 WHERE key = ?2", now, key));
  TRY(tx.commit());
  out->last_used = now;
  return out;
}

Result<bool> MetadataStore::remove_cache_record(const std::string& key) {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto tx, Transaction::begin(m_impl->db, Transaction::Kind::write));
  TRY(m_impl->db.run("DELETE FROM cache_records WHERE key = ?1", key));
  bool removed = m_impl->db.changes() > 0;
  TRY(tx.commit());
  return removed;
}

Result<std::vector<BlobRef>> MetadataStore::blob_refs() {
  std::lock_guard lock(m_impl->mutex);
  TRY_ASSIGN(auto q, m_impl->db.prepare(
      "SELECT 0, image, digest FROM image_blobs UNION ALL "
      "SELECT 1, record, digest FROM cache_blobs UNION ALL "
      "SELECT 2, lease, digest FROM lease_blobs ORDER BY 1, 2, 3"));
  std::vector<BlobRef> out;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) return out;
    out.push_back(BlobRef{static_cast<RefOwner>(q.integer(0)), q.text(1), q.text(2)});
  }
}

Result<void> MetadataStore::with_write_lock(
    const std::function<Result<void>(const std::set<std::string>&)>& fn) {
  std::lock_guard lock(m_impl->mutex);
  auto& db = m_impl->db;
  TRY_ASSIGN(auto tx, Transaction::begin(db, Transaction::Kind::write));
  // `fn` deletes what the references below leave out. They may come from
  // commits not yet on the disk (a build's, Durability::on_request): a power
  // loss could bring back an older reference to what `fn` deleted.
  TRY(db.make_durable());
  TRY_ASSIGN(auto q, db.prepare("SELECT digest FROM image_blobs UNION "
                                "SELECT digest FROM cache_blobs UNION "
                                "SELECT digest FROM lease_blobs"));
  std::set<std::string> live;
  for (;;) {
    TRY_ASSIGN(bool row, q.step());
    if (!row) break;
    live.insert(q.text(0));
  }
  TRY(fn(live));
  return tx.commit();
}

Result<std::vector<std::string>> MetadataStore::integrity_problems() {
  std::lock_guard lock(m_impl->mutex);
  std::vector<std::string> out;
  TRY_ASSIGN(auto integrity, m_impl->db.prepare("PRAGMA integrity_check"));
  for (;;) {
    TRY_ASSIGN(bool row, integrity.step());
    if (!row) break;
    if (integrity.text(0) != "ok") out.push_back("kiln.db: " + integrity.text(0));
  }
  TRY_ASSIGN(auto fk, m_impl->db.prepare("PRAGMA foreign_key_check"));
  for (;;) {
    TRY_ASSIGN(bool row, fk.step());
    if (!row) break;
    out.push_back("kiln.db: row " + fk.text(1) + " of table " + fk.text(0) +
                  " points to a missing row of " + fk.text(2));
  }
  return out;
}

}  // namespace content
