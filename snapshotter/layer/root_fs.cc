#include "snapshotter/layer/root_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "snapshotter/layer/paths.h"

namespace snapshotter::layer {

int open_in_root(int root, const std::string& rel, int flags) {
  open_how how{};
  how.flags = static_cast<__u64>(static_cast<unsigned>(flags | O_CLOEXEC));
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* path = rel.empty() ? "." : rel.c_str();
  for (;;) {
    long fd = syscall(SYS_openat2, root, path, &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EINTR && errno != EAGAIN) return -errno;
  }
}

base::Result<base::UniqueFd> ensure_dir_in_root(int root, const std::string& rel) {
  int fd = open_in_root(root, rel, O_RDONLY | O_DIRECTORY);
  if (fd >= 0) return base::UniqueFd(fd);
  if (fd == -ENOTDIR)
    return base::make_error("\"" + rel + "\" is not a directory");
  if (fd != -ENOENT)
    return base::make_error("cannot open \"" + rel + "\": " + std::strerror(-fd));
  auto [parent, name] = split_name(rel);
  TRY_ASSIGN(base::UniqueFd parent_fd, ensure_dir_in_root(root, parent));
  if (mkdirat(parent_fd.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
    return base::make_error("cannot create directory \"" + rel + "\": " + std::strerror(errno));
  // Reopen relative to the parent without following: a symlink raced into
  // place must not be entered.
  int dfd = openat(parent_fd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0) {
    if (errno == ENOTDIR || errno == ELOOP) {
      // It existed as a symlink (EEXIST above): resolve it inside the root.
      int again = open_in_root(root, rel, O_RDONLY | O_DIRECTORY);
      if (again >= 0) return base::UniqueFd(again);
    }
    return base::make_error("cannot open directory \"" + rel + "\": " + std::strerror(errno));
  }
  return base::UniqueFd(dfd);
}

namespace {
base::Result<void> empty_dir(int dir_fd, const std::string& display) {
  int dup_fd = dup(dir_fd);
  if (dup_fd < 0) return base::make_error("cannot read directory \"" + display + "\"");
  DIR* d = fdopendir(dup_fd);
  if (d == nullptr) {
    close(dup_fd);
    return base::make_error("cannot read directory \"" + display + "\": " + std::strerror(errno));
  }
  std::vector<std::string> names;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  closedir(d);
  for (const auto& n : names) TRY(remove_all_at(dir_fd, n, join_name(display, n)));
  return {};
}
}  // namespace

base::Result<void> remove_all_at(int dir_fd, const std::string& name, const std::string& display) {
  if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) return {};
  if (errno != EISDIR && errno != EPERM)
    return base::make_error("cannot remove \"" + display + "\": " + std::strerror(errno));
  int sub = openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return base::make_error("cannot remove \"" + display + "\": " + std::strerror(errno));
  base::UniqueFd sub_fd(sub);
  TRY(empty_dir(sub_fd.get(), display));
  if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT)
    return base::make_error("cannot remove \"" + display + "\": " + std::strerror(errno));
  return {};
}

}  // namespace snapshotter::layer
