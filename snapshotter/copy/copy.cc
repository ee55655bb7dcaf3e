#include "snapshotter/copy/copy.h"

#include <sys/stat.h>
#include <unistd.h>

#include "content/file_ops.h"
#include "snapshotter/fs_tree.h"

namespace snapshotter {

Result<std::unique_ptr<CopySnapshotter>> CopySnapshotter::open(const std::string& root,
                                                               const base::Clock& clock,
                                                               content::sql::Durability durability) {
  TRY_ASSIGN(auto records, SnapshotRecords::open(root, clock, durability));
  return std::unique_ptr<CopySnapshotter>(new CopySnapshotter(root, std::move(records)));
}

Result<void> CopySnapshotter::populate(const std::string& staging, const std::string& parent) {
  std::string fs = staging + "/fs";
  TRY(content::make_dirs(fs, 0755));
  if (parent.empty()) {
    if (::chmod(fs.c_str(), 0755) != 0) return content::errno_error("cannot chmod", fs, errno);
    return {};
  }
  return with_context(copy_tree(fs_dir(parent), fs), "copying snapshot " + parent);
}

Result<uint64_t> CopySnapshotter::measure(const std::string& id, const std::string& parent) {
  return added_size(parent.empty() ? std::string() : fs_dir(parent), fs_dir(id));
}

Result<std::unique_ptr<MountedFs>> CopySnapshotter::mount(const std::string& id) {
  TRY_ASSIGN(auto row, with_context(require(id), "cannot mount snapshot " + id));
  (void)records().touch_if_stale(row.info);  // last_used only guides pruning
  if (row.info.kind == SnapshotKind::active || ::geteuid() != 0)
    return std::unique_ptr<MountedFs>(new MountedPath(fs_dir(id), false));
  TRY_ASSIGN(std::string target, make_mount_point(mount_root()));
  auto bound = bind_mount(fs_dir(id), target, true);
  if (!bound.ok()) {
    ::rmdir(target.c_str());
    base::Error error = std::move(bound).error();
    error.message = "cannot mount snapshot " + id + ": " + error.message;
    return error;
  }
  return std::unique_ptr<MountedFs>(new MountedPath(target, true));
}

Result<std::vector<MountSpec>> CopySnapshotter::mounts(const std::string& id) {
  TRY_ASSIGN(auto row, with_context(require(id), "cannot describe mounts of snapshot " + id));
  bool active = row.info.kind == SnapshotKind::active;
  return std::vector<MountSpec>{{"bind", fs_dir(id), {"rbind", active ? "rw" : "ro"}}};
}

Result<std::optional<std::string>> CopySnapshotter::storage_dir(const std::string& id) {
  TRY_ASSIGN(auto row, require(id));
  if (row.info.kind != SnapshotKind::committed) return std::optional<std::string>{};
  return std::optional<std::string>{fs_dir(id)};
}

Result<layer::TarSummary> CopySnapshotter::write_diff(const std::string& id, layer::ByteSink& sink,
                                                      const layer::DiffOptions& options) {
  TRY_ASSIGN(auto row, require(id));
  if (row.info.kind != SnapshotKind::committed)
    return base::make_error("cannot write diff of snapshot " + id + ": it is not committed");
  std::string lower = row.info.parent.empty() ? std::string() : fs_dir(row.info.parent);
  return layer::write_tree_diff(lower, fs_dir(id), sink, options);
}

}  // namespace snapshotter
