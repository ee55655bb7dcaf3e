#include "snapshotter/fs_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "content/file_ops.h"

namespace snapshotter {

namespace {

using content::errno_error;
using InodeKey = std::pair<dev_t, ino_t>;

Result<std::vector<std::string>> entries_of(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return errno_error("cannot read directory", dir, errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return errno_error("cannot read directory", dir, err);
  return names;
}

Result<struct stat> lstat_of(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return errno_error("cannot stat", path, errno);
  return st;
}

// Copies every xattr the target accepts. Reading uses the l* calls (they
// work for every entry type); some names cannot be set by an unprivileged
// process or on a given filesystem, and leaving those out is the documented
// behaviour of the copy backend.
Result<void> copy_xattrs(const std::string& src, const std::string& dst) {
  ssize_t len = ::llistxattr(src.c_str(), nullptr, 0);
  if (len < 0) {
    if (errno == ENOTSUP) return {};
    return errno_error("cannot list xattrs of", src, errno);
  }
  if (len == 0) return {};
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(src.c_str(), names.data(), names.size());
  if (len < 0) return errno_error("cannot list xattrs of", src, errno);
  names.resize(static_cast<size_t>(len));
  for (size_t pos = 0; pos < names.size();) {
    std::string name = names.c_str() + pos;
    pos += name.size() + 1;
    ssize_t vlen = ::lgetxattr(src.c_str(), name.c_str(), nullptr, 0);
    if (vlen < 0) continue;  // removed meanwhile
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::lgetxattr(src.c_str(), name.c_str(), value.data(), value.size());
    if (vlen < 0) continue;
    value.resize(static_cast<size_t>(vlen));
    if (::lsetxattr(dst.c_str(), name.c_str(), value.data(), value.size(), 0) != 0 &&
        errno != EPERM && errno != ENOTSUP && errno != EACCES)
      return errno_error("cannot set xattr " + name + " on", dst, errno);
  }
  return {};
}

Result<void> copy_data(const std::string& src, const std::string& dst, mode_t mode) {
  base::UniqueFd in(::open(src.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in.valid()) return errno_error("cannot open", src, errno);
  base::UniqueFd out(::open(dst.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777));
  if (!out.valid()) return errno_error("cannot create", dst, errno);
  if (::ioctl(out.get(), FICLONE, in.get()) == 0) return {};
  bool fallback = false;
  for (;;) {
    ssize_t n = ::copy_file_range(in.get(), nullptr, out.get(), nullptr, size_t{1} << 30, 0);
    if (n == 0) return {};
    if (n > 0) continue;
    if (errno == EINTR) continue;
    if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP) {
      fallback = true;
      break;
    }
    return errno_error("cannot copy", src, errno);
  }
  if (fallback) {
    // Whatever copy_file_range did copy before failing stays; continue from
    // the current offsets (both advanced together).
    std::vector<char> buf(size_t{1} << 17);
    for (;;) {
      TRY_ASSIGN(size_t n, content::read_some(in.get(), buf.data(), buf.size(), src));
      if (n == 0) break;
      TRY(content::write_all(out.get(), std::string_view(buf.data(), n), dst));
    }
  }
  return {};
}

// Owner, mode, xattrs and mtime, in that order: chown clears set-id bits,
// and xattr or mode changes would not move the mtime but content writes do.
Result<void> copy_metadata(const std::string& src, const std::string& dst, const struct stat& st) {
  bool is_link = S_ISLNK(st.st_mode);
  if (::geteuid() == 0 && ::lchown(dst.c_str(), st.st_uid, st.st_gid) != 0)
    return errno_error("cannot chown", dst, errno);
  if (!is_link && ::chmod(dst.c_str(), st.st_mode & 07777) != 0)
    return errno_error("cannot chmod", dst, errno);
  TRY(copy_xattrs(src, dst));
  timespec times[2] = {st.st_atim, st.st_mtim};
  if (::utimensat(AT_FDCWD, dst.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return errno_error("cannot set times of", dst, errno);
  return {};
}

Result<void> copy_dir_contents(const std::string& src, const std::string& dst,
                               std::map<InodeKey, std::string>& links) {
  TRY_ASSIGN(auto names, entries_of(src));
  for (const auto& name : names) {
    std::string s = src + "/" + name;
    std::string d = dst + "/" + name;
    TRY_ASSIGN(struct stat st, lstat_of(s));
    if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
      auto [it, fresh] = links.try_emplace(InodeKey{st.st_dev, st.st_ino}, d);
      if (!fresh) {
        if (::link(it->second.c_str(), d.c_str()) != 0)
          return errno_error("cannot link " + it->second + " to", d, errno);
        continue;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      if (::mkdir(d.c_str(), 0700) != 0) return errno_error("cannot create directory", d, errno);
      TRY(copy_dir_contents(s, d, links));
    } else if (S_ISREG(st.st_mode)) {
      TRY(copy_data(s, d, st.st_mode));
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(s.c_str(), target.data(), target.size());
      if (n < 0) return errno_error("cannot read link", s, errno);
      target.resize(static_cast<size_t>(n));
      if (::symlink(target.c_str(), d.c_str()) != 0)
        return errno_error("cannot create symlink", d, errno);
    } else if (S_ISSOCK(st.st_mode)) {
      continue;
    } else {
      if (::mknod(d.c_str(), st.st_mode, st.st_rdev) != 0)
        return errno_error("cannot create special file", d, errno);
    }
    TRY(copy_metadata(s, d, st));
  }
  return {};
}

// Calls `fn(relative path, stat)` for every entry below `dir`, depth first.
template <class Fn>
Result<void> walk(const std::string& dir, const std::string& rel, Fn& fn) {
  TRY_ASSIGN(auto names, entries_of(dir + rel));
  for (const auto& name : names) {
    std::string r = rel + "/" + name;
    TRY_ASSIGN(struct stat st, lstat_of(dir + r));
    TRY(fn(r, st));
    if (S_ISDIR(st.st_mode)) TRY(walk(dir, r, fn));
  }
  return {};
}

}  // namespace

Result<void> copy_tree(const std::string& src, const std::string& dst) {
  TRY_ASSIGN(struct stat st, lstat_of(src));
  if (!S_ISDIR(st.st_mode)) return base::make_error("cannot copy " + src + ": not a directory");
  std::map<InodeKey, std::string> links;
  TRY(copy_dir_contents(src, dst, links));
  return copy_metadata(src, dst, st);
}

namespace {

// Adds the sizes below `dir`. Entries are stat'ed relative to the
// directory's descriptor (a full path per entry cost a lookup of every
// component, and commit measures every snapshot); the descriptor is closed
// before the subdirectories are visited, so a deep tree never holds more
// than one open.
Result<void> add_tree_size(const std::string& dir, uint64_t& total, std::set<InodeKey>& seen) {
  std::vector<std::string> subdirs;
  {
    base::UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) return errno_error("cannot read directory", dir, errno);
    TRY_ASSIGN(auto names, entries_of(dir));
    for (const std::string& name : names) {
      struct stat st {};
      if (::fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno_error("cannot stat", dir + "/" + name, errno);
      if (S_ISDIR(st.st_mode)) {
        subdirs.push_back(dir + "/" + name);
        continue;
      }
      if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) continue;
      if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      total += static_cast<uint64_t>(st.st_size);
    }
  }
  for (const std::string& sub : subdirs) TRY(add_tree_size(sub, total, seen));
  return {};
}

}  // namespace

Result<uint64_t> tree_size(const std::string& dir) {
  uint64_t total = 0;
  std::set<InodeKey> seen;
  TRY(add_tree_size(dir, total, seen));
  return total;
}

Result<uint64_t> added_size(const std::string& lower, const std::string& upper) {
  uint64_t total = 0;
  auto add = [&](const std::string& rel, const struct stat& st) -> Result<void> {
    if (!S_ISREG(st.st_mode)) return {};
    struct stat old {};
    if (!lower.empty() && ::lstat((lower + rel).c_str(), &old) == 0 && S_ISREG(old.st_mode) &&
        old.st_size == st.st_size && old.st_mtim.tv_sec == st.st_mtim.tv_sec &&
        old.st_mtim.tv_nsec == st.st_mtim.tv_nsec)
      return {};
    total += static_cast<uint64_t>(st.st_size);
    return {};
  };
  TRY(walk(upper, "", add));
  return total;
}

MountedPath::~MountedPath() {
  if (!m_mounted) return;
  // Failing to unmount leaves a mount the next cleanup of mnt/ finds; there
  // is no caller to report to in a destructor.
  ::umount2(m_path.c_str(), MNT_DETACH);
  ::rmdir(m_path.c_str());
}

Result<std::string> make_mount_point(const std::string& parent) {
  TRY(content::make_dirs(parent));
  std::string tmpl = parent + "/" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr)
    return errno_error("cannot create mount point in", parent, errno);
  return tmpl;
}

size_t release_mount_points(const std::string& parent) {
  auto names = entries_of(parent);
  if (!names.ok()) return 0;
  size_t released = 0;
  for (const auto& name : names.value()) {
    size_t dash = name.find('-');
    if (dash == 0 || dash == std::string::npos || dash > 10) continue;
    int64_t pid = 0;
    for (size_t i = 0; i < dash; ++i) {
      if (name[i] < '0' || name[i] > '9') { pid = 0; break; }
      pid = pid * 10 + (name[i] - '0');
    }
    if (pid == 0 || !process_is_dead(pid)) continue;
    std::string path = parent + "/" + name;
    // Never remove_tree here: a mount point may still show a snapshot's files.
    ::umount2(path.c_str(), MNT_DETACH);  // EINVAL: it was not mounted
    if (::rmdir(path.c_str()) == 0) ++released;
  }
  return released;
}

bool process_is_dead(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

Result<void> bind_mount(const std::string& src, const std::string& target, bool read_only) {
  if (::mount(src.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return errno_error("cannot bind-mount " + src + " at", target, errno);
  if (read_only &&
      ::mount(nullptr, target.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
    int err = errno;
    ::umount2(target.c_str(), MNT_DETACH);
    return errno_error("cannot make bind mount read-only at", target, err);
  }
  return {};
}

}  // namespace snapshotter
