#pragma once
// RUN --mount=type=cache directories: <root>/cache-mounts/<sha256 of id>/
// holds `id` (the id as written, for `kiln du`), `lock` and `data` (what the
// step sees), plus `lock-N`/`data-N` for extra private instances. They live
// across builds and are never part of an image.
//
// Sharing follows BuildKit: `shared` lets any number of steps use the
// directory at once; `locked` waits until no other step holds it; `private`
// takes the first instance nobody holds, creating a new one when all are
// busy. Every lease holds a flock (shared for `shared`, exclusive
// otherwise), so `kiln prune` can tell which directories are in use and a
// killed build releases its hold with its process.
#include <string>

#include "base/result.h"
#include "base/unique_fd.h"
#include "solver/ir/ir.h"

namespace solver_ops::exec_step {

class CacheMounts {
 public:
  explicit CacheMounts(std::string dir) : m_dir(std::move(dir)) {}

  struct Lease {
    std::string path;  // the directory to mount
    bool created = false;  // made by this lease: empty, with the mount's mode/uid/gid
    base::UniqueFd lock;
  };
  // The directory for `mount` (type cache), locked per its sharing mode.
  base::Result<Lease> acquire(const ir::Mount& mount) const;

  const std::string& dir() const { return m_dir; }

 private:
  std::string m_dir;
};

}  // namespace solver_ops::exec_step
