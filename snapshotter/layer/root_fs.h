#pragma once
// Filesystem calls confined to a root directory, for applying untrusted
// layers. Every path given here is resolved with openat2(RESOLVE_IN_ROOT), so
// "..", absolute symlinks and symlinks pointing outside stay inside the root,
// as if the process were chrooted there. Once a parent directory is open,
// entries are created relative to it by plain base name.

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace snapshotter::layer {

// Opens `rel` (a clean name, "" = the root) below `root` with `flags`.
// Returns the fd or -errno.
int open_in_root(int root, const std::string& rel, int flags);

// Opens directory `rel`, creating it and its missing parents (mode 0755) first.
// An existing non-directory on the way is an error naming the path.
base::Result<base::UniqueFd> ensure_dir_in_root(int root, const std::string& rel);

// Removes `name` in `dir_fd` and, for a directory, everything below it. A
// missing entry is not an error.
base::Result<void> remove_all_at(int dir_fd, const std::string& name, const std::string& display);

}  // namespace snapshotter::layer
