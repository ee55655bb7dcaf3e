#include "solver/ops/file/dest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "base/unique_fd.h"
#include "snapshotter/layer/root_fs.h"
#include "solver/ops/file/resolve.h"

namespace solver_ops::file {

base::Result<void> chown_at(int dir_fd, const std::string& name, Owner owner, const std::string& display) {
  if (fchownat(dir_fd, name.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) == 0) return {};
  if (errno == EPERM && geteuid() != 0) return {};
  return base::make_error("failed to chown " + display + ": " + std::strerror(errno));
}

base::Result<void> set_fixed_time_at(int dir_fd, const std::string& name, int64_t seconds,
                                     const std::string& display) {
  timespec ts[2] = {{seconds, 0}, {seconds, 0}};
  if (utimensat(dir_fd, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
    return base::make_error("failed to utime " + display + ": " + std::strerror(errno));
  return {};
}

base::Result<void> mkdir_all(int root_fd, const std::string& rel, const NewDirMeta& meta) {
  int first = dup(root_fd);
  if (first < 0) return base::make_error(std::string("cannot dup root: ") + std::strerror(errno));
  base::UniqueFd cur(first);
  std::string done;
  std::vector<std::string> created_dirs;
  size_t start = 0;
  while (start < rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    std::string comp = rel.substr(start, slash - start);
    start = slash + 1;
    if (comp.empty() || comp == ".") continue;
    done = join_rel(done, comp);
    int fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      if (mkdirat(cur.get(), comp.c_str(), meta.mode) != 0 && errno != EEXIST)
        return base::make_error("mkdir " + display_path(done) + ": " + std::strerror(errno));
      fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return base::make_error("mkdir " + display_path(done) + ": " + std::strerror(errno));
      base::UniqueFd created(fd);
      // The umask must not decide the mode of what we create.
      if (fchmod(created.get(), meta.mode & 07777) != 0)
        return base::make_error("chmod " + display_path(done) + ": " + std::strerror(errno));
      if (meta.owner) TRY(chown_at(cur.get(), comp, *meta.owner, display_path(done)));
      created_dirs.push_back(done);
      cur = std::move(created);
      continue;
    }
    if (fd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
      // A symlink (followed inside the root, like the path's resolution) or
      // a non-directory.
      fd = snapshotter::layer::open_in_root(root_fd, done, O_RDONLY | O_DIRECTORY);
      if (fd < 0) return base::make_error("mkdir " + display_path(done) + ": not a directory");
    }
    if (fd < 0) return base::make_error("mkdir " + display_path(done) + ": " + std::strerror(errno));
    cur = base::UniqueFd(fd);
  }
  // Times last and deepest first: creating a child changes its parent's.
  if (meta.mtime) {
    cur.reset();
    for (auto it = created_dirs.rbegin(); it != created_dirs.rend(); ++it) {
      int fd = snapshotter::layer::open_in_root(root_fd, *it, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (fd < 0) return base::make_error("cannot open " + display_path(*it) + ": " + std::strerror(-fd));
      base::UniqueFd dir(fd);
      timespec ts[2] = {{*meta.mtime, 0}, {*meta.mtime, 0}};
      if (futimens(dir.get(), ts) != 0)
        return base::make_error("failed to utime " + display_path(*it) + ": " + std::strerror(errno));
    }
  }
  return {};
}

}  // namespace solver_ops::file
