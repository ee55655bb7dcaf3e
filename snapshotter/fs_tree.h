#pragma once
// Filesystem work shared by the snapshot backends: copying a whole tree the
// way the copy backend needs it, measuring what a snapshot adds, and mount
// points that undo themselves.

#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "snapshotter/snapshotter.h"

namespace snapshotter {

// Copies the tree at `src` into the existing empty directory `dst`: regular
// files (reflinked with FICLONE where the filesystem can, else
// copy_file_range, which itself shares extents on filesystems that support
// it), directories, symlinks, fifos and device nodes (device nodes need
// root), hardlinks within the tree as hardlinks, modes, xattrs (those the
// target refuses, e.g. security.* without privilege, are skipped), owners when
// running as root, and mtimes. Sockets are skipped, as in layers.
// Errors name the entry.
Result<void> copy_tree(const std::string& src, const std::string& dst);

// Bytes of the regular files and symlinks under `dir`, each inode counted once.
Result<uint64_t> tree_size(const std::string& dir);

// Bytes of the regular files of `upper` that `lower` does not have with the
// same size and mtime ("" = the empty tree): what a full-copy snapshot adds.
Result<uint64_t> added_size(const std::string& lower, const std::string& upper);

// A mount at `path` made by this process; destruction detaches it
// (MNT_DETACH, so a busy mount never fails the caller) and removes the
// directory. `path` may also be a plain directory that needs no unmounting.
class MountedPath final : public MountedFs {
 public:
  MountedPath(std::string path, bool mounted) : m_path(std::move(path)), m_mounted(mounted) {}
  ~MountedPath() override;
  MountedPath(const MountedPath&) = delete;
  MountedPath& operator=(const MountedPath&) = delete;
  const std::string& path() const override { return m_path; }

 private:
  std::string m_path;
  bool m_mounted;
};

// A fresh empty directory `<parent>/<pid>-XXXXXX` to mount on. The pid in
// the name lets release_mount_points find the mounts of dead processes.
Result<std::string> make_mount_point(const std::string& parent);

// Detaches and removes the mount points under `parent` whose process is
// dead (a process killed while it had a snapshot mounted). Best effort:
// returns how many it removed.
size_t release_mount_points(const std::string& parent);

// Whether no process `pid` exists (kill(pid, 0) fails with ESRCH; EPERM means
// it exists under another user).
bool process_is_dead(int64_t pid);

// Bind-mounts `src` at the existing directory `target`, read-only when
// `read_only` (a bind mount then a read-only remount of it).
Result<void> bind_mount(const std::string& src, const std::string& target, bool read_only);

}  // namespace snapshotter
