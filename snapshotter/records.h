#pragma once
// SnapshotRecords: the rows of kiln.db's `snapshots` table, shared by every
// backend and every kiln process on one root. The row is the truth about a
// snapshot; its directory `<root>/snapshots/<id>` is only the payload.
//
// One connection of its own on `<root>/kiln.db` (created and migrated on
// open); every call is one transaction, writes take the write lock at BEGIN,
// so concurrent processes serialize and never see half a change.
// Thread-safe (calls are serialized on an internal mutex). Never share one
// across fork(): a child opens its own.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "content/sqlite.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter {

struct SnapshotRow {
  SnapshotInfo info;
  std::string backend;
  int64_t pid = 0;  // the creating process while active; 0 once committed
};

class SnapshotRecords {
 public:
  // `clock` must outlive the records. With Durability::on_request, removing
  // a row still makes it durable before returning: the caller deletes the
  // snapshot's files next.
  static Result<std::unique_ptr<SnapshotRecords>> open(
      const std::string& root, const base::Clock& clock,
      content::sql::Durability durability = content::sql::Durability::each_commit);

  // Inserts an active row for `id` made by `pid`. Fails when `id` is taken
  // (returns false, so the caller picks another id), and with an error naming
  // the parent when `parent` is missing, not committed or of another backend.
  Result<bool> insert_active(const std::string& id, const std::string& parent,
                             const std::string& backend, int64_t pid);
  Result<std::optional<SnapshotRow>> get(const std::string& id);
  // Every row of `backend`, by id.
  Result<std::vector<SnapshotRow>> list(const std::string& backend);
  // Every id in the table, whatever its backend (to tell garbage dirs apart).
  Result<std::vector<std::string>> all_ids();
  // `id` and its ancestors, nearest first (the overlay lowerdir order).
  Result<std::vector<std::string>> chain(const std::string& id);
  // active → committed with `size`; an error names `id` when it is missing or
  // already committed.
  Result<void> commit(const std::string& id, uint64_t size);
  // Deletes the row (and its layer records); an error names the children.
  // Returns false when there was no such row.
  Result<bool> remove(const std::string& id);
  // Deletes the row only if it is still active and made by `pid` (cleanup
  // races with other cleaners). Returns whether it was deleted.
  Result<bool> remove_abandoned(const std::string& id, int64_t pid);
  Result<void> touch(const std::string& id);
  // touch(), unless `info` (as just read) was used within the last minute:
  // pruning only orders by last_used, and a write per mount would cost a
  // durable transaction on every build step.
  Result<void> touch_if_stale(const SnapshotInfo& info);

 private:
  SnapshotRecords(content::sql::Db db, const base::Clock& clock)
      : m_db(std::move(db)), m_clock(clock) {}
  Result<std::optional<SnapshotRow>> get_locked(const std::string& id);
  Result<void> durable_before_files_go();

  std::mutex m_mutex;
  content::sql::Db m_db;
  const base::Clock& m_clock;
};

}  // namespace snapshotter
