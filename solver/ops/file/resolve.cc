#include "solver/ops/file/resolve.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <vector>

#include "base/unique_fd.h"
#include "snapshotter/layer/root_fs.h"

namespace solver_ops::file {
namespace {

// lstat of `rel` below the root, resolved with RESOLVE_IN_ROOT so that even a
// directory swapped for a symlink meanwhile cannot lead outside. Returns the
// O_PATH fd (for readlink) or -errno.
int lstat_in_root(int root_fd, const std::string& rel, struct stat* st) {
  int fd = snapshotter::layer::open_in_root(root_fd, rel, O_PATH | O_NOFOLLOW);
  if (fd < 0) return fd;
  if (fstat(fd, st) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

constexpr int k_max_links = 255;

void push_components(std::deque<std::string>& pending, std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) pending.push_front(*it);
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

}  // namespace

std::string parent_of(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(rel.substr(0, slash));
}

std::string base_of(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
}

std::string join_rel(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  if (b.empty()) return std::string(a);
  std::string out(a);
  out += '/';
  out += b;
  return out;
}

base::Result<Resolved> resolve_in_root(int root_fd, std::string_view path, const ResolveOptions& options) {
  std::deque<std::string> pending;
  push_components(pending, path);
  std::vector<std::string> done;
  bool missing = false;
  int links = 0;
  Resolved out;
  while (!pending.empty()) {
    std::string comp = std::move(pending.front());
    pending.pop_front();
    if (comp == ".") continue;
    if (comp == "..") {
      if (!done.empty()) {
        done.pop_back();
      }
      continue;
    }
    done.push_back(comp);
    if (missing) continue;  // below a missing component everything is lexical
    if (pending.empty() && options.follow_final == FollowFinal::no) {
      std::string rel = joined(done);
      int fd = lstat_in_root(root_fd, rel, &out.st);
      if (fd >= 0) close(fd);
      if (fd < 0 || (options.visible && !(*options.visible)(rel, out.st))) missing = true;
      break;
    }
    std::string rel = joined(done);
    struct stat st {};
    int raw = lstat_in_root(root_fd, rel, &st);
    if (raw < 0) {
      if (raw != -ENOENT && raw != -ENOTDIR)
        return base::make_error("cannot stat /" + rel + ": " + std::strerror(-raw));
      missing = true;
      continue;
    }
    base::UniqueFd entry(raw);
    if (options.visible && !(*options.visible)(rel, st)) {
      missing = true;
      continue;
    }
    if (!S_ISLNK(st.st_mode)) {
      out.st = st;
      continue;
    }
    if (++links > k_max_links)
      return base::make_error("too many levels of symbolic links resolving /" + std::string(path));
    char buf[4096];
    ssize_t n = readlinkat(entry.get(), "", buf, sizeof buf);
    if (n < 0) return base::make_error("cannot read link /" + rel + ": " + std::strerror(errno));
    std::string_view target(buf, static_cast<size_t>(n));
    done.pop_back();
    if (!target.empty() && target[0] == '/') {
      done.clear();
    } else if (options.escape == Escape::fail) {
      // Check lexically that the target stays below the root.
      int depth = static_cast<int>(done.size());
      size_t start = 0;
      while (start <= target.size()) {
        size_t slash = target.find('/', start);
        if (slash == std::string_view::npos) slash = target.size();
        std::string_view c = target.substr(start, slash - start);
        if (c == "..") {
          if (--depth < 0)
            return base::make_error("symlink \"" + rel + "\" points outside the extraction root");
        } else if (!c.empty() && c != ".") {
          ++depth;
        }
        start = slash + 1;
      }
    }
    push_components(pending, target);
  }
  out.rel = joined(done);
  out.exists = !missing;
  if (out.exists && out.rel.empty() && fstat(root_fd, &out.st) != 0)
    return base::make_error(std::string("cannot stat root: ") + std::strerror(errno));
  return out;
}

}  // namespace solver_ops::file
