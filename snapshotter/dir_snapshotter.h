#pragma once
// DirSnapshotter: what the overlay and copy backends share. Each snapshot is
// a row of kiln.db's `snapshots` table (snapshotter/records.h) plus a
// directory `<root>/snapshots/<id>`; the backend decides what goes in it.
//
// Crash safety. The row owns the name: prepare inserts the active row (with
// the creating pid) first, builds the directory under `<root>/tmp` (a claimed
// content::TmpDir entry, so a crash leaves a leftover that tmp cleaning
// removes) and renames it into place. Hence
//   - a directory under snapshots/ without a row is garbage (a crash between
//     removing a row and its directory); it is removed by cleanup_abandoned,
//     and by a prepare that draws the same id;
//   - an active row whose pid is dead is abandoned (the process crashed or
//     was killed while building); cleanup_abandoned removes row and directory.
// remove deletes the row (refusing while children exist), then the directory.
// Mount points are `<root>/mnt/<pid>-XXXXXX`; cleanup_abandoned detaches the
// ones of dead processes too. It returns the ids of the abandoned snapshots
// and the names of the garbage directories it removed.
// Ids are 12 random hex digits: short, so that a lowerdir list of a long chain
// stays small, and never reused in practice, so a stale directory or a
// concurrent remover can not meet a new snapshot of the same name.

#include <memory>
#include <string>

#include "base/clock.h"
#include "content/tmp_dir.h"
#include "snapshotter/records.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter {

class DirSnapshotter : public Snapshotter {
 public:
  Result<std::string> prepare(const std::string& parent) override;
  Result<std::string> commit(const std::string& active) override;
  Result<void> remove(const std::string& id) override;
  Result<std::optional<SnapshotInfo>> stat(const std::string& id) override;
  Result<std::vector<SnapshotInfo>> list() override;
  Result<std::vector<std::string>> cleanup_abandoned() override;

  // `<root>/snapshots/<id>/fs`: the snapshot's files (overlay: its upper dir).
  std::string fs_dir(const std::string& id) const { return dir_of(id) + "/fs"; }

 protected:
  DirSnapshotter(std::string root, std::unique_ptr<SnapshotRecords> records);

  // Fills `staging` (an empty directory) with the initial state of a new
  // snapshot on `parent` ("" = empty); it becomes `<root>/snapshots/<id>`.
  virtual Result<void> populate(const std::string& staging, const std::string& parent) = 0;
  // Bytes `id` adds over `parent`, computed at commit.
  virtual Result<uint64_t> measure(const std::string& id, const std::string& parent) = 0;

  std::string dir_of(const std::string& id) const { return m_root + "/snapshots/" + id; }
  std::string mount_root() const { return m_root + "/mnt"; }
  // The row of `id`, or an error naming it when missing.
  Result<SnapshotRow> require(const std::string& id);
  SnapshotRecords& records() { return *m_records; }

 private:
  std::string m_root;
  std::unique_ptr<SnapshotRecords> m_records;
  content::TmpDir m_tmp;
};

}  // namespace snapshotter
