#include "solver/ops/file/copy.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "base/fs.h"
#include "base/path.h"
#include "base/unique_fd.h"
#include "frontend/ignore/go_path.h"
#include "frontend/ignore/pattern_matcher.h"
#include "snapshotter/layer/root_fs.h"
#include "solver/ops/file/dest.h"
#include "solver/ops/file/resolve.h"
#include "solver/ops/file/unpack.h"

namespace solver_ops::file {
namespace {

using frontend::ignore::PatternMatcher;

std::string errno_text() { return std::strerror(errno); }

// Strips the leading "/" and cleans: "/a/./b/" → "a/b", "/" → "".
std::string clean_rel(std::string_view path) {
  std::string c = frontend::ignore::clean_path(std::string("/") + std::string(path));
  return c == "/" ? std::string() : c.substr(1);
}

bool contains_wildcards(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '*' || s[i] == '?' || s[i] == '[') {
      return true;
    }
  }
  return false;
}

// Names of a directory's entries, sorted like Go's os.ReadDir.
base::Result<std::vector<std::string>> list_dir(int dir_fd, const std::string& display) {
  int dup_fd = dup(dir_fd);
  DIR* d = dup_fd < 0 ? nullptr : fdopendir(dup_fd);
  if (d == nullptr) {
    if (dup_fd >= 0) close(dup_fd);
    return base::make_error("failed to read " + display + ": " + errno_text());
  }
  rewinddir(d);
  return base::read_dir_names(d);
}

// The wildcard part of a source: "/a/b*/c" → {"a", "b*/c"}.
struct WildcardSplit {
  std::string base;
  std::string pattern;
};
WildcardSplit split_wildcards(std::string_view src) {
  WildcardSplit out;
  bool found = false;
  for (const auto& part : base::split_path(src, base::DotElements::keep)) {
    found = found || contains_wildcards(part);
    std::string& into = found ? out.pattern : out.base;
    into = join_rel(into, part);
  }
  return out;
}

// ---- wildcard expansion ----------------------------------------------------

class WildcardWalker {
 public:
  WildcardWalker(const SourceView& view, std::string pattern)
      : m_view(view), m_pattern(std::move(pattern)) {
    // '*', '?' and literals never match '/', so a match has exactly as many
    // components as the pattern; a character class might match '/', so then
    // the walk is not cut short.
    if (m_pattern.find('[') == std::string::npos)
      m_max_depth = static_cast<int>(std::count(m_pattern.begin(), m_pattern.end(), '/')) + 1;
  }

  // Matches below `base_rel` (root-relative results), in walk order.
  base::Result<std::vector<std::string>> run(const std::string& base_rel) {
    std::vector<std::string> out;
    TRY(walk(base_rel, "", 0, out));
    return out;
  }

 private:
  base::Result<void> walk(const std::string& dir_rel, const std::string& rel, int depth,
                          std::vector<std::string>& out) {
    if (m_max_depth >= 0 && depth >= m_max_depth) return {};
    int fd = snapshotter::layer::open_in_root(m_view.root(), dir_rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (fd < 0) return {};
    base::UniqueFd dir(fd);
    TRY_ASSIGN(auto names, list_dir(dir.get(), display_path(dir_rel)));
    for (const auto& name : names) {
      struct stat st {};
      if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      std::string child_root_rel = join_rel(dir_rel, name);
      if (!m_view.visible(child_root_rel, st)) continue;
      std::string child = join_rel(rel, name);
      auto m = frontend::ignore::match_path(m_pattern, child);
      if (m.ok() && *m) {
        out.push_back(child_root_rel);
        continue;  // a matching directory is taken whole
      }
      if (S_ISDIR(st.st_mode)) TRY(walk(child_root_rel, child, depth + 1, out));
    }
    return {};
  }

  const SourceView& m_view;
  std::string m_pattern;
  int m_max_depth = -1;
};

// Whether an include pattern could match something below directory `dir`
// (slash-separated, relative to the copy source), so the walk must enter it.
bool include_may_match_below(const PatternMatcher& include, const std::string& dir) {
  auto dir_parts = base::split_path(dir, base::DotElements::keep);
  for (const auto& p : include.patterns()) {
    if (p.exclusion) return true;
    auto pat_parts = base::split_path(p.cleaned, base::DotElements::keep);
    bool possible = true;
    for (size_t i = 0; i < dir_parts.size() && possible; ++i) {
      if (i >= pat_parts.size()) break;  // the pattern matched a parent already
      if (pat_parts[i] == "**" || pat_parts[i].find("**") != std::string::npos) break;
      auto m = frontend::ignore::match_path(pat_parts[i], dir_parts[i]);
      possible = !m.ok() || *m;
    }
    if (possible) return true;
  }
  return false;
}

// ---- the copier --------------------------------------------------------------

struct WalkResults {
  PatternMatcher::ParentResults include;
  PatternMatcher::ParentResults exclude;
  PatternMatcher::ParentResults ignore;
};

class Copier {
 public:
  Copier(const CopyParams& p, const PatternMatcher* include, const PatternMatcher* exclude)
      : m_p(p), m_view(*p.source), m_include(include), m_exclude(exclude) {}

  // Copies `src` (resolved) to `target` (destination-relative; its parent
  // exists).
  base::Result<void> copy_top(const Resolved& src, const std::string& target) {
    int sp = src.rel.empty() ? dup(m_view.root())
                             : snapshotter::layer::open_in_root(m_view.root(), parent_of(src.rel),
                                                                O_RDONLY | O_DIRECTORY);
    if (sp < 0) return source_not_found(m_view.kind(), display_path(src.rel));
    base::UniqueFd src_parent(sp);
    int dp = target.empty() ? dup(m_p.dest_root)
                            : snapshotter::layer::open_in_root(m_p.dest_root, parent_of(target),
                                                               O_RDONLY | O_DIRECTORY);
    if (dp < 0) return base::make_error("cannot open " + display_path(parent_of(target)) + ": " + errno_text());
    m_top_parent = base::UniqueFd(dp);
    WalkResults top;
    if (m_view.ignore() && !src.rel.empty())
      top.ignore = m_view.ignore()->match_in_walk(src.rel, {}).for_children;
    std::string src_name = src.rel.empty() ? "." : base_of(src.rel);
    std::string dst_name = target.empty() ? "." : base_of(target);
    return copy(src_parent.get(), src_name, src.rel, "", dst_name, target, false, top);
  }

 private:
  struct Pending {
    std::string name;
    std::string rel;  // destination-relative, for messages
    base::UniqueFd fd;  // invalid until the directory exists in the destination
    bool lazily_created = false;
    // Made by this copy: it holds only entries of this walk, whose names are
    // distinct, so nothing is in the way of a new one.
    bool fresh = false;
    // `fd` is the directory in the destination's upper dir (CopyParams::dest_upper).
    bool direct = false;
  };

  int dest_parent_fd() const { return m_stack.empty() ? m_top_parent.get() : m_stack.back().fd.get(); }

  // Creates the directories an included entry needs that the walk has only
  // passed through so far (--parents patterns, --exclude exceptions,
  // .dockerignore exceptions).
  base::Result<void> ensure_parents() {
    for (size_t i = 0; i < m_stack.size(); ++i) {
      Pending& p = m_stack[i];
      if (p.fd.valid()) continue;
      int parent = i == 0 ? m_top_parent.get() : m_stack[i - 1].fd.get();
      TRY_ASSIGN(bool created, make_dir(parent, p.name, p.rel));
      p.lazily_created = created;
      p.fresh = created;
      int fd = openat(parent, p.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return base::make_error("failed to open " + display_path(p.rel) + ": " + errno_text());
      p.fd = base::UniqueFd(fd);
    }
    return {};
  }

  // fsutil's copyDirectoryOnly: reuses an existing directory, refuses
  // anything else in the way.
  base::Result<bool> make_dir(int parent, const std::string& name, const std::string& rel) {
    struct stat st {};
    if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (!S_ISDIR(st.st_mode)) return base::make_error("cannot copy to non-directory: " + display_path(rel));
      return false;
    }
    if (errno != ENOENT) return base::make_error("failed to stat " + display_path(rel) + ": " + errno_text());
    // Owner-only until the source's mode is applied after the children.
    if (mkdirat(parent, name.c_str(), 0700) != 0)
      return base::make_error("failed to mkdir " + display_path(rel) + ": " + errno_text());
    return true;
  }

  base::Result<void> copy(int src_parent, const std::string& src_name, const std::string& src_rel,
                          const std::string& components, const std::string& dst_name,
                          const std::string& dst_rel, bool overwrite, const WalkResults& parent) {
    struct stat fi {};
    if (fstatat(src_parent, src_name.c_str(), &fi, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return source_not_found(m_view.kind(), display_path(src_rel));
      return base::make_error("failed to stat source path " + display_path(src_rel) + ": " + errno_text());
    }
    const bool is_dir = S_ISDIR(fi.st_mode);
    bool include = true;
    bool walk = true;  // for directories not included: whether something below may be
    WalkResults mine;
    if (!components.empty()) {
      if (m_include) {
        auto v = m_include->match_in_walk(components, parent.include);
        include = v.excluded;  // "excluded" reads "matched" for include patterns
        mine.include = std::move(v.for_children);
        if (!include && is_dir) walk = include_may_match_below(*m_include, components);
      }
      if (m_exclude) {
        auto v = m_exclude->match_in_walk(components, parent.exclude);
        mine.exclude = std::move(v.for_children);
        if (v.excluded) {
          include = false;
          walk = walk && !m_exclude->can_skip_excluded_dir(components);
        }
      }
      if (const PatternMatcher* ignore = m_view.ignore()) {
        auto v = ignore->match_in_walk(src_rel, parent.ignore);
        mine.ignore = std::move(v.for_children);
        if (v.excluded) {
          include = false;
          walk = walk && !ignore->can_skip_excluded_dir(src_rel);
        }
      }
    } else {
      mine = parent;
    }
    if (!is_dir && !include) return {};
    if (is_dir && !include && !walk) return {};

    if (include) TRY(ensure_parents());
    if (!is_dir && !(!m_stack.empty() && m_stack.back().fresh)) {
      int dp = dest_parent_fd();
      struct stat existing {};
      if (fstatat(dp, dst_name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(existing.st_mode))
          return base::make_error("cannot replace to directory " + display_path(dst_rel) + " with file");
        if (unlinkat(dp, dst_name.c_str(), 0) != 0)
          return base::make_error("failed to remove " + display_path(dst_rel) + ": " + errno_text());
      }
    }

    if (is_dir) return copy_directory(fi, src_parent, src_name, src_rel, components, dst_name, dst_rel,
                                      overwrite, include, mine);
    int dp = dest_parent_fd();
    if (S_ISREG(fi.st_mode)) {
      // A linked file has its metadata already.
      if (link_previous(fi, src_rel, dp, dst_name, dst_rel)) return {};
      if (link_source(fi, src_rel, dp, dst_name)) return {};
      TRY(copy_regular(fi, src_parent, src_name, src_rel, dp, dst_name, dst_rel));
    } else if (S_ISLNK(fi.st_mode)) {
      char buf[4096];
      ssize_t n = readlinkat(src_parent, src_name.c_str(), buf, sizeof buf);
      if (n < 0) return base::make_error("failed to read link: " + display_path(src_rel) + ": " + errno_text());
      std::string target(buf, static_cast<size_t>(n));
      if (symlinkat(target.c_str(), dp, dst_name.c_str()) != 0)
        return base::make_error("failed to create symlink: " + display_path(dst_rel) + ": " + errno_text());
    } else {
      if (mknodat(dp, dst_name.c_str(), fi.st_mode, fi.st_rdev) != 0)
        return base::make_error("failed to create device " + display_path(dst_rel) + ": " + errno_text());
    }
    return apply_info(fi, src_parent, src_name, dp, dst_name, dst_rel);
  }

  base::Result<void> copy_directory(const struct stat& fi, int src_parent, const std::string& src_name,
                                    const std::string& src_rel, const std::string& components,
                                    const std::string& dst_name, const std::string& dst_rel, bool overwrite,
                                    bool include, const WalkResults& mine) {
    Pending p{dst_name, dst_rel, {}, false};
    bool created = false;
    if (include) {
      int dp = dest_parent_fd();
      TRY_ASSIGN(created, make_dir(dp, dst_name, dst_rel));
      p.fresh = created;
      int fd = openat(dp, dst_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return base::make_error("failed to open " + display_path(dst_rel) + ": " + errno_text());
      p.fd = base::UniqueFd(fd);
      p.direct = !m_stack.empty() && m_stack.back().direct;
      if (!p.direct) {
        base::UniqueFd upper = upper_of_empty_dir(p.fd.get(), dst_rel);
        if (upper.valid()) {
          p.fd = std::move(upper);
          p.direct = true;
          p.fresh = true;
        }
      }
    }
    int sfd = openat(src_parent, src_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0) return base::make_error("failed to read " + display_path(src_rel) + ": " + errno_text());
    base::UniqueFd src_dir(sfd);
    TRY_ASSIGN(auto names, list_dir(src_dir.get(), display_path(src_rel)));
    m_stack.push_back(std::move(p));
    for (const auto& name : names) {
      auto r = copy(src_dir.get(), name, join_rel(src_rel, name), join_rel(components, name), name,
                    join_rel(dst_rel, name), true, mine);
      if (!r.ok()) {
        m_stack.pop_back();
        return r;
      }
    }
    Pending done = std::move(m_stack.back());
    m_stack.pop_back();
    if (!done.fd.valid()) return {};  // nothing below was copied: the directory is not created
    int dp = dest_parent_fd();
    // Metadata goes on after the children, which change the mtime and might
    // not be creatable under a read-only mode.
    if (include && !overwrite && !created) {
      // The existing top-level destination keeps its owner and mode and
      // takes the source's times, as BuildKit does.
      return set_times(fi, dp, dst_name, dst_rel);
    }
    return apply_info(fi, src_parent, src_name, dp, dst_name, dst_rel);
  }

  // The destination directory `dst_rel` (open as `merged`) in the upper dir
  // of the destination's overlay (CopyParams::dest_upper), when it is empty
  // both there and in the merged view: then whatever the copy puts below it
  // is new, and writing it in the upper dir directly is what writing it
  // through the overlay does (and allows hard links from other snapshots).
  // Invalid otherwise.
  base::UniqueFd upper_of_empty_dir(int merged, const std::string& dst_rel) {
    if (m_p.dest_upper < 0 || dst_rel.empty()) return {};
    auto names = list_dir(merged, display_path(dst_rel));
    if (!names.ok() || !names->empty()) return {};
    base::UniqueFd upper(
        snapshotter::layer::open_in_root(m_p.dest_upper, dst_rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    if (!upper.valid()) return {};
    auto upper_names = list_dir(upper.get(), display_path(dst_rel));  // no whiteouts in the way
    if (!upper_names.ok() || !upper_names->empty()) return {};
    return upper;
  }

  // Hard-links `dst_rel` from the previous run's tree when the context file
  // is unchanged and the copy there has exactly the metadata this copy
  // would give (FileOpOptions::reuse). False: copy it.
  bool link_previous(const struct stat& fi, const std::string& src_rel, int dp, const std::string& dst_name,
                     const std::string& dst_rel) {
    if (m_p.reuse_root < 0 || m_p.reuse_paths == nullptr || m_view.kind() != SourceKind::context) return false;
    if (fi.st_nlink > 1) return false;  // hard links inside the context keep their own path
    if (m_p.reuse_paths->count(src_rel) == 0) return false;
    const int reuse_dir = reuse_parent(dst_rel);
    if (reuse_dir < 0) return false;
    const std::string name = base_of(dst_rel);
    struct stat prev {};
    if (fstatat(reuse_dir, name.c_str(), &prev, AT_SYMLINK_NOFOLLOW) != 0) return false;
    const Owner owner = m_p.owner ? *m_p.owner : Owner{0, 0};
    const uint32_t mode = m_p.mode ? m_p.mode->apply(fi.st_mode) : fi.st_mode & 07777;
    const timespec mtime = m_p.mtime ? timespec{*m_p.mtime, 0} : fi.st_mtim;
    if (!S_ISREG(prev.st_mode) || prev.st_size != fi.st_size || prev.st_uid != owner.uid ||
        prev.st_gid != owner.gid || (prev.st_mode & 07777) != mode || prev.st_mtim.tv_sec != mtime.tv_sec ||
        prev.st_mtim.tv_nsec != mtime.tv_nsec) {
      return false;
    }
    return linkat(reuse_dir, name.c_str(), dp, dst_name.c_str(), 0) == 0;
  }

  // The directory of the previous run's tree that holds `dst_rel`, opened
  // once for all the files of one directory: looking each file up from the
  // tree's root walked its whole path twice (stat, link), and a 20,000-file
  // COPY spent a fifth of its time there. -1 when it does not exist.
  // Resolved beneath the tree without following symlinks: a directory that
  // was a symlink in the previous run (to "/etc", say) is not that run's
  // copy of this one.
  int reuse_parent(const std::string& dst_rel) {
    std::string parent = parent_of(dst_rel);
    if (m_reuse_dir_open && parent == m_reuse_dir_rel) return m_reuse_dir.get();
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
    long fd = syscall(SYS_openat2, m_p.reuse_root, parent.empty() ? "." : parent.c_str(), &how, sizeof how);
    m_reuse_dir = base::UniqueFd(fd < 0 ? -1 : static_cast<int>(fd));
    m_reuse_dir_rel = std::move(parent);
    m_reuse_dir_open = true;
    return m_reuse_dir.get();
  }

  // Hard-links a snapshot's file when the copy would be identical to it
  // (SourceTree::link_dir). False: copy it.
  bool link_source(const struct stat& fi, const std::string& src_rel, int dp, const std::string& dst_name) {
    const int link_root = m_view.link_root();
    if (link_root < 0 || m_view.kind() != SourceKind::snapshot || src_rel.empty()) return false;
    // Several links to one inode stay one inode, as the copy keeps them
    // (and a file linked before by another step has several links too).
    if (m_p.owner || m_p.mode || m_p.mtime) return false;
    struct stat same {};
    if (fstatat(link_root, src_rel.c_str(), &same, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (same.st_ino != fi.st_ino || !S_ISREG(same.st_mode)) return false;
    // Extended attributes would travel with the inode, also those a copy drops.
    std::string path = "/proc/self/fd/" + std::to_string(link_root) + "/" + src_rel;
    if (llistxattr(path.c_str(), nullptr, 0) != 0) return false;
    return linkat(link_root, src_rel.c_str(), dp, dst_name.c_str(), 0) == 0;
  }

  base::Result<void> copy_regular(const struct stat& fi, int src_parent, const std::string& src_name,
                                  const std::string& src_rel, int dp, const std::string& dst_name,
                                  const std::string& dst_rel) {
    if (fi.st_nlink > 1) {
      auto key = std::make_pair(fi.st_dev, fi.st_ino);
      auto it = m_inodes.find(key);
      if (it != m_inodes.end()) {
        const std::string& first = it->second;
        // `dp` may be in the upper dir or in the mount (upper_of_empty_dir);
        // the first link is reachable from both.
        for (int root : {m_p.dest_upper, m_p.dest_root}) {
          if (root < 0) continue;
          base::UniqueFd link_parent(snapshotter::layer::open_in_root(root, parent_of(first), O_PATH | O_DIRECTORY));
          if (link_parent.valid() && linkat(link_parent.get(), base_of(first).c_str(), dp, dst_name.c_str(), 0) == 0)
            return {};
        }
        return base::make_error("failed to create hard link " + display_path(dst_rel) + ": " + errno_text());
      }
      m_inodes.emplace(key, dst_rel);
    }
    int in_fd = openat(src_parent, src_name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in_fd < 0) return base::make_error("failed to open " + display_path(src_rel) + ": " + errno_text());
    base::UniqueFd in(in_fd);
    int out_fd = openat(dp, dst_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out_fd < 0) return base::make_error("failed to create " + display_path(dst_rel) + ": " + errno_text());
    base::UniqueFd out(out_fd);
    bool fallback = false;
    for (;;) {
      ssize_t n = copy_file_range(in.get(), nullptr, out.get(), nullptr, size_t{1} << 30, 0);
      if (n > 0) continue;
      if (n == 0) break;
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP || errno == EPERM) {
        fallback = true;
        break;
      }
      return base::make_error("failed to copy files: " + display_path(dst_rel) + ": " + errno_text());
    }
    if (fallback) {
      std::vector<char> buf(size_t{1} << 17);
      for (;;) {
        ssize_t n = read(in.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return base::make_error("failed to read " + display_path(src_rel) + ": " + errno_text());
        if (n == 0) break;
        const char* p = buf.data();
        auto left = static_cast<size_t>(n);
        while (left > 0) {
          ssize_t w = write(out.get(), p, left);
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) return base::make_error("failed to write " + display_path(dst_rel) + ": " + errno_text());
          p += w;
          left -= static_cast<size_t>(w);
        }
      }
    }
    return {};
  }

  base::Result<void> set_times(const struct stat& fi, int dp, const std::string& name, const std::string& rel) {
    if (m_p.mtime) return set_fixed_time_at(dp, name, *m_p.mtime, display_path(rel));
    timespec ts[2] = {fi.st_atim, fi.st_mtim};
    if (utimensat(dp, name.c_str(), ts, AT_SYMLINK_NOFOLLOW) != 0)
      return base::make_error("failed to utime " + display_path(rel) + ": " + errno_text());
    return {};
  }

  // fsutil's copyFileInfo + copyXAttrs: owner, mode, times, xattrs.
  base::Result<void> apply_info(const struct stat& fi, int src_parent, const std::string& src_name, int dp,
                                const std::string& name, const std::string& rel) {
    Owner owner{fi.st_uid, fi.st_gid};
    if (m_p.owner) {
      owner = *m_p.owner;
    } else if (m_view.kind() == SourceKind::context) {
      owner = {0, 0};
    }
    // Owner first: chown clears setuid bits and file capabilities.
    TRY(chown_at(dp, name, owner, display_path(rel)));
    const bool is_link = S_ISLNK(fi.st_mode);
    if (!is_link) {
      uint32_t mode = m_p.mode ? m_p.mode->apply(fi.st_mode) : fi.st_mode & 07777;
      if (fchmodat(dp, name.c_str(), mode, 0) != 0)
        return base::make_error("failed to chmod " + display_path(rel) + ": " + errno_text());
    }
    TRY(set_times(fi, dp, name, rel));
    if (m_view.kind() == SourceKind::snapshot && !is_link) copy_xattrs(src_parent, src_name, dp, name);
    return {};
  }

  // user.* and security.capability travel with files from snapshots. As in
  // BuildKit, an attribute that cannot be read or set is dropped.
  static void copy_xattrs(int src_parent, const std::string& src_name, int dp, const std::string& name) {
    int s = openat(src_parent, src_name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    int d = openat(dp, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    base::UniqueFd sfd(s), dfd(d);
    if (s < 0 || d < 0) return;
    std::string sp = "/proc/self/fd/" + std::to_string(s);
    std::string dpth = "/proc/self/fd/" + std::to_string(d);
    ssize_t size = listxattr(sp.c_str(), nullptr, 0);
    if (size <= 0) return;
    std::string names(static_cast<size_t>(size), '\0');
    size = listxattr(sp.c_str(), names.data(), names.size());
    if (size <= 0) return;
    names.resize(static_cast<size_t>(size));
    for (size_t pos = 0; pos < names.size();) {
      std::string key = names.c_str() + pos;
      pos += key.size() + 1;
      if (!key.starts_with("user.") && key != "security.capability") continue;
      ssize_t vlen = getxattr(sp.c_str(), key.c_str(), nullptr, 0);
      if (vlen < 0) continue;
      std::string value(static_cast<size_t>(vlen), '\0');
      vlen = getxattr(sp.c_str(), key.c_str(), value.data(), value.size());
      if (vlen < 0) continue;
      value.resize(static_cast<size_t>(vlen));
      (void)setxattr(dpth.c_str(), key.c_str(), value.data(), value.size(), 0);
    }
  }

  const CopyParams& m_p;
  const SourceView& m_view;
  const PatternMatcher* m_include;
  const PatternMatcher* m_exclude;
  base::UniqueFd m_top_parent;
  std::vector<Pending> m_stack;
  std::map<std::pair<dev_t, ino_t>, std::string> m_inodes;  // source inode → first destination
  base::UniqueFd m_reuse_dir;  // reuse_parent(): the last directory opened
  std::string m_reuse_dir_rel;
  bool m_reuse_dir_open = false;
};

// ---- one source path -------------------------------------------------------------

struct CopyContext {
  const CopyParams& p;
  const PatternMatcher* include;
  const PatternMatcher* exclude;
  NewDirMeta new_dirs;
};

base::Result<Resolved> resolve_source(const SourceView& view, std::string_view path, FollowFinal follow) {
  VisibleFn visible = view.visible_fn();
  ResolveOptions o;
  o.follow_final = follow;
  o.visible = visible ? &visible : nullptr;
  return resolve_in_root(view.root(), path, o);
}

base::Result<void> copy_source(const CopyContext& cx, const std::string& src_path) {
  const ir::Copy& a = *cx.p.action;
  const SourceView& view = *cx.p.source;
  const FollowFinal follow = a.follow_symlinks ? FollowFinal::yes : FollowFinal::no;
  TRY_ASSIGN(Resolved src, resolve_source(view, src_path, follow));
  if (!src.exists) return source_not_found(view.kind(), src_path);

  // ADD: a local archive is extracted into the destination directory.
  if (a.attempt_unpack && S_ISREG(src.st.st_mode)) {
    int fd = snapshotter::layer::open_in_root(view.root(), src.rel, O_RDONLY | O_NOFOLLOW);
    if (fd < 0) return source_not_found(view.kind(), src_path);
    base::UniqueFd archive(fd);
    if (is_archive(archive.get())) {
      TRY_ASSIGN(Resolved dest, resolve_in_root(cx.p.dest_root, a.dest));
      ExtractOptions eo{cx.p.owner, cx.p.mtime};
      return extract_archive(archive.get(), cx.p.dest_root, dest.rel, eo);
    }
  }

  // The destination's parent (or the destination itself when it ends in
  // "/" or "/.") is created first.
  std::string_view last = a.dest;
  if (size_t slash = last.rfind('/'); slash != std::string_view::npos) last = last.substr(slash + 1);
  std::string ensure = (last.empty() || last == ".") ? a.dest : a.dest.substr(0, a.dest.size() - last.size());
  TRY_ASSIGN(Resolved ensure_dir, resolve_in_root(cx.p.dest_root, ensure));
  TRY(mkdir_all(cx.p.dest_root, ensure_dir.rel, cx.new_dirs));
  TRY_ASSIGN(Resolved dest, resolve_in_root(cx.p.dest_root, clean_rel(a.dest)));

  const bool src_is_dir = S_ISDIR(src.st.st_mode);
  const bool dest_is_dir = dest.exists && S_ISDIR(dest.st.st_mode);
  std::string target = dest.rel;
  if ((!a.dir_contents_only && src_is_dir && dest.exists) || (!src_is_dir && dest_is_dir)) {
    std::string base = base_of(clean_rel(src_path));
    target = join_rel(dest.rel, base);
  }
  std::string target_dir = parent_of(target);
  if (a.dir_contents_only && src_is_dir && !dest.exists) target_dir = target;
  TRY(mkdir_all(cx.p.dest_root, target_dir, cx.new_dirs));
  Copier copier(cx.p, cx.include, cx.exclude);
  return copier.copy_top(src, target);
}

}  // namespace

base::Error source_not_found(SourceKind kind, const std::string& path) {
  std::string rel = clean_rel(path);
  if (kind == SourceKind::context)
    return base::make_error("file not found in build context or excluded by .dockerignore: stat " +
                            (rel.empty() ? std::string(".") : rel) + ": file does not exist");
  return base::make_error("\"" + display_path(rel) + "\": not found");
}

base::Result<void> run_copy(const CopyParams& p) {
  const ir::Copy& a = *p.action;
  const SourceView& view = *p.source;
  std::optional<PatternMatcher> include, exclude;
  if (!a.include_patterns.empty()) {
    auto m = PatternMatcher::create(a.include_patterns);
    if (!m.ok()) return base::with_context(base::Result<void>(std::move(m).error()), "invalid include patterns");
    include = std::move(*m);
  }
  if (!a.exclude_patterns.empty()) {
    auto m = PatternMatcher::create(a.exclude_patterns);
    if (!m.ok()) return base::with_context(base::Result<void>(std::move(m).error()), "invalid exclude patterns");
    exclude = std::move(*m);
  }
  if (!a.create_dest_path) {
    // Without create_dest_path the destination's parent must already exist.
    TRY_ASSIGN(Resolved d, resolve_in_root(p.dest_root, a.dest));
    TRY_ASSIGN(Resolved parent, resolve_in_root(p.dest_root, parent_of(d.rel)));
    if (!parent.exists || !S_ISDIR(parent.st.st_mode))
      return base::make_error("failed to stat " + a.dest + ": no such file or directory");
  }
  for (const auto& required : a.required_paths) {
    TRY_ASSIGN(Resolved r, resolve_source(view, required, FollowFinal::yes));
    if (!r.exists) return source_not_found(view.kind(), required);
  }
  CopyContext cx{p, include ? &*include : nullptr, exclude ? &*exclude : nullptr, {}};
  cx.new_dirs.owner = p.owner;
  cx.new_dirs.mtime = p.mtime;

  std::vector<std::string> sources;
  if (a.allow_wildcard) {
    WildcardSplit ws = split_wildcards(a.src);
    if (ws.pattern.empty()) {
      sources.push_back(ws.base);
    } else {
      const FollowFinal follow = a.follow_symlinks ? FollowFinal::yes : FollowFinal::no;
      TRY_ASSIGN(Resolved base, resolve_source(view, ws.base, follow));
      if (!base.exists) return source_not_found(view.kind(), ws.base);
      WildcardWalker walker(view, ws.pattern);
      TRY_ASSIGN(sources, walker.run(base.rel));
      if (sources.empty()) {
        if (a.allow_empty_wildcard) return {};
        return source_not_found(view.kind(), a.src);
      }
    }
  } else {
    sources.push_back(a.src);
  }
  for (const auto& s : sources) TRY(copy_source(cx, s));
  return {};
}

}  // namespace solver_ops::file
