#pragma once
// CopySnapshotter: every snapshot is a full tree `<root>/snapshots/<id>/fs`;
// prepare copies the parent's tree (snapshotter/fs_tree.h: reflinks where the
// filesystem has them, so on btrfs or XFS a copy costs little). Works without
// root and on any filesystem. Ids, rows and crash safety: dir_snapshotter.h.
//
// mount() hands out the directory itself; when running as root a committed
// snapshot is bind-mounted read-only, otherwise read-only is a promise of the
// caller. Diffs compare the tree with its parent's (layer::write_tree_diff).

#include <memory>
#include <string>

#include "base/clock.h"
#include "content/sqlite.h"
#include "snapshotter/dir_snapshotter.h"

namespace snapshotter {

class CopySnapshotter final : public DirSnapshotter {
 public:
  // `clock` must outlive the snapshotter.
  static Result<std::unique_ptr<CopySnapshotter>> open(
      const std::string& root, const base::Clock& clock,
      content::sql::Durability durability = content::sql::Durability::each_commit);

  const char* backend() const override { return "copy"; }
  Result<std::unique_ptr<MountedFs>> mount(const std::string& id) override;
  Result<std::vector<MountSpec>> mounts(const std::string& id) override;
  Result<layer::TarSummary> write_diff(const std::string& id, layer::ByteSink& sink,
                                       const layer::DiffOptions& options) override;
  // Every committed snapshot's `fs` is all of it.
  Result<std::optional<std::string>> storage_dir(const std::string& id) override;

 private:
  CopySnapshotter(std::string root, std::unique_ptr<SnapshotRecords> records)
      : DirSnapshotter(std::move(root), std::move(records)) {}

  Result<void> populate(const std::string& staging, const std::string& parent) override;
  Result<uint64_t> measure(const std::string& id, const std::string& parent) override;
};

}  // namespace snapshotter
