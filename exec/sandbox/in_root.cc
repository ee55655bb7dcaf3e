#include "exec/sandbox/in_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/path.h"

namespace exec::sandbox {
namespace {

// Symlinks a creation may follow before we call it a loop (the kernel's own
// limit for one lookup is 40).
constexpr int k_max_symlink_follows = 40;

base::Error sys_error(const std::string& what, int err) {
  return base::make_error(what + ": " + std::strerror(err));
}

std::string read_link(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return {};
  return std::string(buf, static_cast<size_t>(n));
}

// The path of `fd` relative to the directory `root_fd` stands for, or
// nullopt when it is not below it (which a RESOLVE_IN_ROOT lookup rules out).
std::optional<std::string> relative_to_root(int root_fd, int fd) {
  std::string root = read_link(fd_path(root_fd));
  std::string node = read_link(fd_path(fd));
  if (root.empty() || node.empty()) return std::nullopt;
  if (root == "/") return node.substr(1);
  if (node == root) return std::string();
  if (node.size() > root.size() && node.compare(0, root.size(), root) == 0 && node[root.size()] == '/')
    return node.substr(root.size() + 1);
  return std::nullopt;
}

// openat2 below the root: the descriptor, or -errno.
int open_raw(int root_fd, std::string_view path, int flags) {
  std::string rel(path.empty() ? "." : path);
  open_how how{};
  how.flags = static_cast<unsigned int>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // EAGAIN: a concurrent rename somewhere in the file system; the kernel asks
  // for a retry rather than risk a wrong answer.
  for (int attempt = 0;; ++attempt) {
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != EAGAIN || attempt == 16) return -errno;
  }
}

base::Result<void> check_kind(int fd, NodeKind kind, std::string_view path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return sys_error("cannot stat " + std::string(path), errno);
  bool is_dir = S_ISDIR(st.st_mode);
  if (kind == NodeKind::directory && !is_dir)
    return base::make_error(std::string(path) + " exists and is not a directory");
  if (kind == NodeKind::file && is_dir)
    return base::make_error(std::string(path) + " exists and is a directory");
  return {};
}

base::Result<MadeNode> make(int root_fd, const std::string& path, NodeKind kind, uint32_t mode, int follows) {
  if (follows > k_max_symlink_follows) return sys_error("cannot create " + path, ELOOP);
  int found = open_raw(root_fd, path, O_PATH);
  if (found >= 0) {
    base::UniqueFd fd(found);
    TRY(check_kind(fd.get(), kind, path));
    return MadeNode{std::move(fd), {}};
  }
  if (found != -ENOENT) return sys_error("cannot open " + path + " in the root", -found);
  if (path == "/") return base::make_error("the root directory is missing");

  std::string name = base::base_name(path);
  std::string parent = base::clean_path(path + "/..");
  TRY_ASSIGN(MadeNode made, make(root_fd, parent, NodeKind::directory, 0755, follows));
  int dir = made.fd.get();
  int rc;
  if (kind == NodeKind::directory) {
    rc = ::mkdirat(dir, name.c_str(), static_cast<mode_t>(mode));
  } else {
    rc = ::openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, static_cast<mode_t>(mode));
    if (rc >= 0) rc = ::close(rc);
  }
  if (rc != 0 && errno == EEXIST) {
    // The lookup said ENOENT but the name exists: a dangling symlink. Create
    // what it points to, resolved inside the root like any other path.
    char target[4096];
    ssize_t n = ::readlinkat(dir, name.c_str(), target, sizeof target);
    if (n <= 0 || static_cast<size_t>(n) >= sizeof target) return sys_error("cannot create " + path, EEXIST);
    std::string link(target, static_cast<size_t>(n));
    std::string next = base::is_abs_path(link) ? base::clean_path(link) : base::join_path(parent, link);
    TRY_ASSIGN(MadeNode via, make(root_fd, next, kind, mode, follows + 1));
    made.created.insert(made.created.end(), via.created.begin(), via.created.end());
    via.created = std::move(made.created);
    return via;
  }
  if (rc != 0) return sys_error("cannot create " + path, errno);
  if (auto rel = relative_to_root(root_fd, dir)) made.created.push_back(rel->empty() ? name : *rel + "/" + name);
  TRY_ASSIGN(base::UniqueFd fd, open_in_root(root_fd, path, O_PATH));
  TRY(check_kind(fd.get(), kind, path));
  return MadeNode{std::move(fd), std::move(made.created)};
}

}  // namespace

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

base::Result<base::UniqueFd> open_in_root(int root_fd, std::string_view path, int flags) {
  int fd = open_raw(root_fd, path, flags);
  if (fd < 0) return sys_error("cannot open " + std::string(path) + " in the root", -fd);
  return base::UniqueFd(fd);
}

base::Result<MadeNode> make_in_root(int root_fd, std::string_view path, NodeKind kind, uint32_t mode) {
  return make(root_fd, base::clean_path("/" + std::string(path)), kind, mode, 0);
}

void remove_stubs(const std::string& root_dir, const std::vector<std::string>& stubs) {
  base::UniqueFd root(::open(root_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return;
  for (auto it = stubs.rbegin(); it != stubs.rend(); ++it) {
    std::vector<std::string> parts = base::split_path(*it);
    if (parts.empty()) continue;
    base::UniqueFd dir(::dup(root.get()));
    bool ok = dir.valid();
    for (size_t i = 0; ok && i + 1 < parts.size(); ++i) {
      if (parts[i] == "..") ok = false;
      else dir.reset(::openat(dir.get(), parts[i].c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      ok = ok && dir.valid();
    }
    const std::string& name = parts.back();
    struct stat st {};
    if (!ok || name == ".." || ::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    // Failures (ENOTEMPTY, EBUSY) mean the step made the stub its own or it is
    // still in use: leaving it is the right outcome, so they are ignored.
    if (S_ISDIR(st.st_mode)) (void)::unlinkat(dir.get(), name.c_str(), AT_REMOVEDIR);
    else if (S_ISREG(st.st_mode) && st.st_size == 0) (void)::unlinkat(dir.get(), name.c_str(), 0);
  }
}

}  // namespace exec::sandbox
