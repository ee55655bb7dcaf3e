#include "snapshotter/dir_snapshotter.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "content/file_ops.h"
#include "snapshotter/fs_tree.h"

namespace snapshotter {

namespace {

constexpr int k_id_attempts = 8;

std::string new_id() { return content::random_hex().substr(0, 12); }

}  // namespace

DirSnapshotter::DirSnapshotter(std::string root, std::unique_ptr<SnapshotRecords> records)
    : m_root(std::move(root)), m_records(std::move(records)), m_tmp(m_root + "/tmp") {}

Result<SnapshotRow> DirSnapshotter::require(const std::string& id) {
  TRY_ASSIGN(auto row, m_records->get(id));
  if (!row) return base::make_error("snapshot " + id + " does not exist");
  if (row->backend != backend())
    return base::make_error("snapshot " + id + " belongs to the " + row->backend +
                            " backend, not " + backend());
  return *std::move(row);
}

Result<std::string> DirSnapshotter::prepare(const std::string& parent) {
  std::string id;
  for (int attempt = 0;; ++attempt) {
    if (attempt == k_id_attempts)
      return base::make_error("cannot prepare snapshot: no free id after " +
                              std::to_string(k_id_attempts) + " attempts");
    id = new_id();
    TRY_ASSIGN(bool inserted, with_context(m_records->insert_active(id, parent, backend(),
                                                                    ::getpid()),
                                           "cannot prepare snapshot"));
    if (inserted) break;
  }
  auto build = [&]() -> Result<void> {
    TRY(m_tmp.init());
    TRY(content::make_dirs(m_root + "/snapshots"));
    TRY_ASSIGN(auto staging, m_tmp.create_dir("snapshot-"));
    auto filled = populate(staging.path, parent);
    if (!filled.ok()) {
      (void)content::remove_tree(staging.path);  // tmp cleaning would get it too
      return filled;
    }
    // The row is ours, so whatever sits at the name is a leftover.
    TRY(content::remove_tree(dir_of(id)));
    TRY(content::rename_file(staging.path, dir_of(id)));
    return content::fsync_dir(m_root + "/snapshots");
  };
  auto built = build();
  if (!built.ok()) {
    (void)m_records->remove(id);  // best effort; a dead row is cleaned as abandoned
    base::Error error = std::move(built).error();
    error.message = "cannot prepare snapshot on " +
                    (parent.empty() ? std::string("the empty tree") : parent) + ": " + error.message;
    return error;
  }
  return id;
}

Result<std::string> DirSnapshotter::commit(const std::string& active) {
  TRY_ASSIGN(auto row, require(active));
  if (row.info.kind != SnapshotKind::active)
    return base::make_error("cannot commit snapshot " + active + ": already committed");
  TRY_ASSIGN(uint64_t size, with_context(measure(active, row.info.parent),
                                         "cannot commit snapshot " + active));
  TRY(with_context(m_records->commit(active, size), "cannot commit snapshot " + active));
  return active;
}

Result<void> DirSnapshotter::remove(const std::string& id) {
  TRY_ASSIGN(auto row, m_records->get(id));
  if (row && row->backend != backend())
    return base::make_error("cannot remove snapshot " + id + ": it belongs to the " +
                            row->backend + " backend");
  TRY(m_records->remove(id));
  return with_context(content::remove_tree(dir_of(id)), "removing snapshot " + id);
}

Result<std::optional<SnapshotInfo>> DirSnapshotter::stat(const std::string& id) {
  TRY_ASSIGN(auto row, m_records->get(id));
  if (!row || row->backend != backend()) return std::optional<SnapshotInfo>{};
  return std::optional<SnapshotInfo>(row->info);
}

Result<std::vector<SnapshotInfo>> DirSnapshotter::list() {
  TRY_ASSIGN(auto rows, m_records->list(backend()));
  std::vector<SnapshotInfo> out;
  out.reserve(rows.size());
  for (auto& r : rows) out.push_back(std::move(r.info));
  return out;
}

// A reused pid keeps a snapshot (or mount point) alive until that process
// ends too, which errs on the safe side.
Result<std::vector<std::string>> DirSnapshotter::cleanup_abandoned() {
  // Mounts first: a dead process's mount may hold an abandoned snapshot.
  release_mount_points(mount_root());
  std::vector<std::string> removed;
  TRY_ASSIGN(auto rows, m_records->list(backend()));
  for (const auto& r : rows) {
    if (r.info.kind != SnapshotKind::active || !process_is_dead(r.pid)) continue;
    TRY_ASSIGN(bool gone, m_records->remove_abandoned(r.info.id, r.pid));
    if (!gone) continue;  // another cleaner was first
    TRY(content::remove_tree(dir_of(r.info.id)));
    removed.push_back(r.info.id);
  }
  // Directories without a row. Listing them before reading the ids matters:
  // a directory appears only after its row, so every directory seen here
  // whose row is missing from the later query is truly garbage.
  std::string snapshots = m_root + "/snapshots";
  std::vector<std::string> dirs;
  if (DIR* d = ::opendir(snapshots.c_str())) {
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") dirs.push_back(std::move(name));
    }
    ::closedir(d);
  }
  TRY_ASSIGN(auto ids, m_records->all_ids());
  std::set<std::string> known(ids.begin(), ids.end());
  for (const auto& name : dirs) {
    if (known.count(name) != 0) continue;
    // Best effort: another cleaner, or the remove() that left it, may be
    // deleting the same tree right now; what stays is found next time.
    if (content::remove_tree(snapshots + "/" + name).ok()) removed.push_back(name);
  }
  std::sort(removed.begin(), removed.end());
  return removed;
}

}  // namespace snapshotter
