#include "snapshotter/records.h"

#include <algorithm>

#include "content/file_ops.h"
#include "content/schema.h"

namespace snapshotter {

namespace sql = content::sql;

namespace {

constexpr std::string_view k_columns =
    "SELECT id, COALESCE(parent, ''), kind, backend, created, last_used, size, pid FROM snapshots";

SnapshotRow row_of(const sql::Statement& s) {
  SnapshotRow row;
  row.info.id = s.text(0);
  row.info.parent = s.text(1);
  row.info.kind = s.text(2) == "committed" ? SnapshotKind::committed : SnapshotKind::active;
  row.backend = s.text(3);
  row.info.created = s.integer(4);
  row.info.last_used = s.integer(5);
  row.info.size = static_cast<uint64_t>(std::max<int64_t>(0, s.integer(6)));
  row.pid = s.integer(7);
  return row;
}

}  // namespace

Result<std::unique_ptr<SnapshotRecords>> SnapshotRecords::open(const std::string& root,
                                                               const base::Clock& clock,
                                                               content::sql::Durability durability) {
  TRY(content::make_dirs(root));
  sql::Db::Options options;
  options.durability = durability;
  TRY_ASSIGN(auto db, sql::Db::open(root + "/kiln.db", options));
  TRY(content::migrate(db));
  return std::unique_ptr<SnapshotRecords>(new SnapshotRecords(std::move(db), clock));
}

// A removed row is followed by deleting the snapshot's files: with
// Durability::on_request the removal must reach the disk first.
Result<void> SnapshotRecords::durable_before_files_go() {
  if (m_db.durability() != content::sql::Durability::on_request) return {};
  return m_db.make_durable();
}

Result<std::optional<SnapshotRow>> SnapshotRecords::get_locked(const std::string& id) {
  TRY_ASSIGN(auto s, m_db.prepare(std::string(k_columns) + " WHERE id = ?1"));
  s.bind(1, id);
  TRY_ASSIGN(bool row, s.step());
  if (!row) return std::optional<SnapshotRow>{};
  return std::optional<SnapshotRow>(row_of(s));
}

Result<bool> SnapshotRecords::insert_active(const std::string& id, const std::string& parent,
                                            const std::string& backend, int64_t pid) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto tx, sql::Transaction::begin(m_db, sql::Transaction::Kind::write));
  TRY_ASSIGN(auto existing, get_locked(id));
  if (existing) return false;
  if (!parent.empty()) {
    TRY_ASSIGN(auto p, get_locked(parent));
    if (!p) return base::make_error("parent snapshot " + parent + " does not exist");
    if (p->backend != backend)
      return base::make_error("parent snapshot " + parent + " belongs to the " + p->backend +
                              " backend, not " + backend);
    if (p->info.kind != SnapshotKind::committed)
      return base::make_error("parent snapshot " + parent + " is active; commit it first");
  }
  int64_t now = m_clock.now_unix_nanos();
  TRY_ASSIGN(auto ins, m_db.prepare(
                           "INSERT INTO snapshots (id, parent, kind, backend, created, last_used, "
                           "size, pid) VALUES (?1, ?2, 'active', ?3, ?4, ?4, 0, ?5)"));
  ins.bind(1, id);
  if (parent.empty()) {
    ins.bind_null(2);
  } else {
    ins.bind(2, parent);
  }
  ins.bind(3, backend).bind(4, now).bind(5, pid);
  TRY(ins.run());
  if (!parent.empty()) TRY(m_db.run("UPDATE snapshots SET last_used = ?1 WHERE id = ?2", now, parent));
  TRY(tx.commit());
  return true;
}

Result<std::optional<SnapshotRow>> SnapshotRecords::get(const std::string& id) {
  std::lock_guard lock(m_mutex);
  return get_locked(id);
}

Result<std::vector<SnapshotRow>> SnapshotRecords::list(const std::string& backend) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto s, m_db.prepare(std::string(k_columns) + " WHERE backend = ?1 ORDER BY id"));
  s.bind(1, backend);
  std::vector<SnapshotRow> out;
  for (;;) {
    TRY_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back(row_of(s));
  }
  return out;
}

Result<std::vector<std::string>> SnapshotRecords::all_ids() {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto s, m_db.prepare("SELECT id FROM snapshots ORDER BY id"));
  std::vector<std::string> out;
  for (;;) {
    TRY_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back(s.text(0));
  }
  return out;
}

Result<std::vector<std::string>> SnapshotRecords::chain(const std::string& id) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto tx, sql::Transaction::begin(m_db, sql::Transaction::Kind::read));
  // A recursive query walks the parents in one statement; the depth column
  // keeps the order nearest-first.
  TRY_ASSIGN(auto s, m_db.prepare(
                         "WITH RECURSIVE up(id, parent, depth) AS ("
                         "  SELECT id, parent, 0 FROM snapshots WHERE id = ?1"
                         "  UNION ALL"
                         "  SELECT s.id, s.parent, up.depth + 1 FROM snapshots s"
                         "  JOIN up ON s.id = up.parent)"
                         " SELECT id FROM up ORDER BY depth"));
  s.bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    TRY_ASSIGN(bool row, s.step());
    if (!row) break;
    out.push_back(s.text(0));
  }
  if (out.empty()) return base::make_error("snapshot " + id + " does not exist");
  TRY(tx.commit());
  return out;
}

Result<void> SnapshotRecords::commit(const std::string& id, uint64_t size) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto tx, sql::Transaction::begin(m_db, sql::Transaction::Kind::write));
  TRY_ASSIGN(auto row, get_locked(id));
  if (!row) return base::make_error("snapshot " + id + " does not exist");
  if (row->info.kind == SnapshotKind::committed)
    return base::make_error("snapshot " + id + " is already committed");
  TRY(m_db.run("UPDATE snapshots SET kind = 'committed', size = ?1, pid = 0, last_used = ?2 "
               "WHERE id = ?3",
               static_cast<int64_t>(size), m_clock.now_unix_nanos(), id));
  return tx.commit();
}

Result<bool> SnapshotRecords::remove(const std::string& id) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto tx, sql::Transaction::begin(m_db, sql::Transaction::Kind::write));
  TRY_ASSIGN(auto s, m_db.prepare("SELECT id FROM snapshots WHERE parent = ?1 ORDER BY id"));
  s.bind(1, id);
  std::string children;
  for (;;) {
    TRY_ASSIGN(bool row, s.step());
    if (!row) break;
    children += (children.empty() ? "" : ", ") + s.text(0);
  }
  if (!children.empty())
    return base::make_error("cannot remove snapshot " + id + ": it is the parent of " + children);
  TRY(m_db.run("DELETE FROM snapshots WHERE id = ?1", id));
  bool removed = m_db.changes() > 0;
  TRY(tx.commit());
  if (removed) TRY(durable_before_files_go());
  return removed;
}

Result<bool> SnapshotRecords::remove_abandoned(const std::string& id, int64_t pid) {
  std::lock_guard lock(m_mutex);
  TRY_ASSIGN(auto tx, sql::Transaction::begin(m_db, sql::Transaction::Kind::write));
  TRY(m_db.run("DELETE FROM snapshots WHERE id = ?1 AND kind = 'active' AND pid = ?2 AND "
               "NOT EXISTS (SELECT 1 FROM snapshots c WHERE c.parent = ?1)",
               id, pid));
  bool removed = m_db.changes() > 0;
  TRY(tx.commit());
  if (removed) TRY(durable_before_files_go());
  return removed;
}

Result<void> SnapshotRecords::touch(const std::string& id) {
  std::lock_guard lock(m_mutex);
  return m_db.run("UPDATE snapshots SET last_used = ?1 WHERE id = ?2", m_clock.now_unix_nanos(),
                  id);
}

Result<void> SnapshotRecords::touch_if_stale(const SnapshotInfo& info) {
  constexpr int64_t k_touch_granularity_ns = 60'000'000'000;
  if (m_clock.now_unix_nanos() - info.last_used < k_touch_granularity_ns) return {};
  return touch(info.id);
}

}  // namespace snapshotter
