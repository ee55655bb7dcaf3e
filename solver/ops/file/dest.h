#pragma once
// Writing into the destination root: directory creation the way BuildKit's
// MkdirAll does it (missing directories get `mode`, the --chown owner and the
// fixed timestamp, existing ones are left alone), owners and times by name
// below an open directory. Every path is resolved inside the root.

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "solver/ops/file/owner.h"

namespace solver_ops::file {

struct NewDirMeta {
  uint32_t mode = 0755;
  std::optional<Owner> owner{};    // unset: left to the creating process (root)
  std::optional<int64_t> mtime{};  // unset: now
};

// Creates `rel` (canonical, relative to `root_fd`) and its missing parents.
// An existing non-directory on the way is an error naming the path.
base::Result<void> mkdir_all(int root_fd, const std::string& rel, const NewDirMeta& meta);

// Sets owner (not following symlinks); EPERM is ignored when not running as
// root, where the process cannot give files away.
base::Result<void> chown_at(int dir_fd, const std::string& name, Owner owner, const std::string& display);

// Sets atime and mtime to `seconds` (not following symlinks).
base::Result<void> set_fixed_time_at(int dir_fd, const std::string& name, int64_t seconds,
                                     const std::string& display);

// "/" + rel, for messages.
inline std::string display_path(const std::string& rel) { return "/" + rel; }

}  // namespace solver_ops::file
