#include "solver/ops/context/walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <optional>

#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "base/path.h"
#include "base/unique_fd.h"
#include "frontend/ignore/go_path.h"

namespace solver::ops::context {

namespace {

using frontend::ignore::PatternMatcher;
using ParentResults = PatternMatcher::ParentResults;

constexpr int k_max_link_hops = 40;
constexpr size_t k_dirent_buffer = 64 * 1024;

std::string join(std::string_view dir, std::string_view name) {
  if (dir.empty() || dir == ".") return std::string(name);
  std::string out;
  out.reserve(dir.size() + 1 + name.size());
  out.append(dir).push_back('/');
  out.append(name);
  return out;
}

base::Error errno_error(const std::string& what, const std::string& path, int err) {
  return base::make_error(what + " \"" + path + "\": " + std::strerror(err));
}

base::FileType type_of(mode_t mode) {
  if (S_ISREG(mode)) return base::FileType::regular;
  if (S_ISDIR(mode)) return base::FileType::directory;
  if (S_ISLNK(mode)) return base::FileType::symlink;
  return base::FileType::other;
}

const char* at_path(const std::string& rel) { return rel.empty() ? "." : rel.c_str(); }

Result<std::string> read_link_at(int dir_fd, const char* name, const std::string& path) {
  std::string target(256, '\0');
  for (;;) {
    ssize_t n = readlinkat(dir_fd, name, target.data(), target.size());
    if (n < 0) return errno_error("cannot read symlink", path, errno);
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
}

class Walker {
 public:
  Walker(int root_fd, const WalkPatterns& patterns) : m_root_fd(root_fd), m_patterns(patterns) {}

  Result<void> add_source(const std::string& source, const SelectRequest& request) {
    // Sources are relative to the context root whatever their spelling:
    // "/a", "./a" and "a/" all name "a", and ".." cannot leave the root.
    std::string cleaned = frontend::ignore::clean_path("/" + source).substr(1);
    if (cleaned.empty()) cleaned = ".";
    if (request.allow_wildcard && has_wildcard(cleaned)) return add_wildcard(cleaned, request);
    TRY_ASSIGN(auto resolved, resolve(cleaned, request.follow_symlinks));
    if (!resolved) return not_found(source, cleaned);
    TRY_ASSIGN(bool found, add_match(resolved->path, resolved->st));
    if (!found) return not_found(source, cleaned);
    return {};
  }

  Result<void> check_exists(const std::string& path) {
    std::string cleaned = frontend::ignore::clean_path("/" + path).substr(1);
    if (cleaned.empty()) cleaned = ".";
    TRY_ASSIGN(auto resolved, resolve(cleaned, true));
    if (!resolved || ignored(resolved->path)) return not_found(path, cleaned);
    return {};
  }

  WalkedRuns take() {
    // A walk yields its entries in order; only matches appended out of
    // order (several sources, overlapping or not in order) need merging.
    if (m_ordered) return std::move(m_runs);
    std::vector<WalkedEntry> all;
    for (auto& run : m_runs)
      all.insert(all.end(), std::make_move_iterator(run.begin()), std::make_move_iterator(run.end()));
    auto less = [](const WalkedEntry& a, const WalkedEntry& b) { return path_less(a.path, b.path); };
    std::sort(all.begin(), all.end(), less);
    auto same = [](const WalkedEntry& a, const WalkedEntry& b) { return a.path == b.path; };
    all.erase(std::unique(all.begin(), all.end(), same), all.end());
    WalkedRuns out;
    if (!all.empty()) out.push_back(std::move(all));
    return out;
  }

 private:
  struct Resolved {
    std::string path;  // "." for the root
    struct stat st;
  };

  base::Error not_found(const std::string& source, const std::string& cleaned) const {
    base::Error e = base::make_error("\"" + source + "\": not found in the build context");
    if (m_patterns.ignore && m_patterns.ignore->excluded(cleaned)) {
      e.hint = "it is excluded by .dockerignore";
    }
    return e;
  }

  bool ignored(const std::string& path) const {
    return m_patterns.ignore && path != "." && m_patterns.ignore->excluded(path);
  }

  // Resolves `rel` inside the root: symlinks among its directories (and the
  // last component when `follow_last`) are followed, absolute targets and
  // ".." staying within the root, as in a chroot. Empty: it does not exist.
  Result<std::optional<Resolved>> resolve(const std::string& rel, bool follow_last) {
    std::vector<std::string> todo = base::split_path(rel, base::DotElements::keep);
    std::reverse(todo.begin(), todo.end());
    std::vector<std::string> done;
    std::string current;
    int hops = 0;
    while (!todo.empty()) {
      std::string comp = std::move(todo.back());
      todo.pop_back();
      if (comp == ".") continue;
      if (comp == "..") {
        if (!done.empty()) done.pop_back();
        current.clear();
        for (const auto& d : done) current = join(current, d);
        continue;
      }
      std::string candidate = join(current, comp);
      struct stat st;
      if (fstatat(m_root_fd, candidate.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::optional<Resolved>();
        return errno_error("cannot stat", candidate, errno);
      }
      const bool last = todo.empty();
      if (S_ISLNK(st.st_mode) && (!last || follow_last)) {
        if (++hops > k_max_link_hops) {
          return base::make_error("too many levels of symbolic links resolving \"" + rel + "\"");
        }
        TRY_ASSIGN(std::string target, read_link_at(m_root_fd, candidate.c_str(), candidate));
        if (!target.empty() && target[0] == '/') {
          done.clear();
          current.clear();
        }
        std::vector<std::string> more = base::split_path(target, base::DotElements::keep);
        for (auto it = more.rbegin(); it != more.rend(); ++it) todo.push_back(std::move(*it));
        continue;
      }
      if (!last && !S_ISDIR(st.st_mode)) return std::optional<Resolved>();
      done.push_back(std::move(comp));
      current = std::move(candidate);
    }
    Resolved r;
    r.path = current.empty() ? "." : current;
    if (fstatat(m_root_fd, r.path.c_str(), &r.st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return std::optional<Resolved>();
      return errno_error("cannot stat", r.path, errno);
    }
    return std::optional<Resolved>(std::move(r));
  }

  Result<void> add_wildcard(const std::string& pattern, const SelectRequest& request) {
    std::vector<std::string> comps = base::split_path(pattern, base::DotElements::keep);
    size_t first = 0;
    while (first < comps.size() && !has_wildcard(comps[first])) ++first;
    std::string prefix;
    for (size_t i = 0; i < first; ++i) prefix = join(prefix, comps[i]);
    std::vector<std::string> matches;
    // The directories before the first wildcard are resolved like any path
    // (BuildKit's wildcardPrefix); below it, only real directories are searched.
    TRY_ASSIGN(auto base_dir, resolve(prefix.empty() ? "." : prefix, true));
    if (base_dir && S_ISDIR(base_dir->st.st_mode)) {
      TRY(expand(base_dir->path, comps, first, pattern, matches));
    }
    bool any = false;
    for (const std::string& match : matches) {
      TRY_ASSIGN(auto resolved, resolve(match, request.follow_symlinks));
      if (!resolved) return base::make_error("\"" + match + "\": not found in the build context");
      TRY_ASSIGN(bool found, add_match(resolved->path, resolved->st));
      any = any || found;
    }
    if (!any && !request.allow_empty_wildcard) {
      return base::make_error("no source files were specified: \"" + pattern +
                              "\" matches nothing in the build context");
    }
    return {};
  }

  Result<void> expand(const std::string& dir, const std::vector<std::string>& comps, size_t index,
                      const std::string& pattern, std::vector<std::string>& matches) {
    base::UniqueFd fd(openat(m_root_fd, at_path(dir == "." ? "" : dir),
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return {};
      return errno_error("cannot open directory", dir, errno);
    }
    TRY_ASSIGN(auto names, list_names(fd.get(), dir));
    for (const std::string& name : names) {
      auto matched = frontend::ignore::match_path(comps[index], name);
      if (!matched.ok()) {
        return base::make_error("invalid source pattern \"" + pattern + "\": " +
                                matched.error().message);
      }
      if (!*matched) continue;
      std::string path = join(dir, name);
      struct stat st;
      if (fstatat(fd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      // What .dockerignore removes is not in the context, unless it is a
      // directory that an exception may bring back (add_match decides).
      if (ignored(path) && (!S_ISDIR(st.st_mode) || m_patterns.ignore->can_skip_excluded_dir(path))) {
        continue;
      }
      if (index + 1 == comps.size()) {
        matches.push_back(std::move(path));
      } else if (S_ISDIR(st.st_mode)) {
        TRY(expand(path, comps, index + 1, pattern, matches));
      }
    }
    return {};
  }

  // Adds a resolved source: a file, or a directory and what is selected
  // below it. False when .dockerignore removes it entirely.
  Result<bool> add_match(const std::string& path, const struct stat& st) {
    const bool is_ignored = ignored(path);
    if (!S_ISDIR(st.st_mode)) {
      if (is_ignored) return false;
      TRY_ASSIGN(auto entry, make_entry(m_root_fd, at_path(path == "." ? "" : path), path, st));
      note_append(entry.path);
      m_runs.emplace_back().push_back(std::move(entry));
      return true;
    }
    if (is_ignored && m_patterns.ignore->can_skip_excluded_dir(path)) return false;
    TRY_ASSIGN(auto entry, make_entry(m_root_fd, at_path(path == "." ? "" : path), path, st));
    base::UniqueFd fd(openat(m_root_fd, at_path(path == "." ? "" : path),
                             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return errno_error("cannot open directory", path, errno);
    ParentResults ignore_parent;
    if (m_patterns.ignore && path != ".") {
      ignore_parent = m_patterns.ignore->match_in_walk(path, {}).for_children;
    }
    TRY_ASSIGN(Chunks below, walk_children(fd.get(), path, "", ignore_parent, ParentResults{}, ParentResults{}));
    // An ignored directory is still created when something below it is
    // selected (an exception pattern). The root's own header is not part of
    // `COPY . dst` in BuildKit either.
    if (is_ignored && below.empty()) return false;
    if (path != ".") {
      note_append(entry.path);
      m_runs.emplace_back().push_back(std::move(entry));
    } else if (!below.empty()) {
      note_append(below.front().front().path);
    }
    for (auto& chunk : below) m_runs.push_back(std::move(chunk));
    return true;
  }

  // Entries appended next, starting with `first`, keep m_runs in strict path
  // order unless `first` does not sort after the last one. Checked once per
  // match, not per entry.
  void note_append(const std::string& first) {
    if (!m_runs.empty() && !path_less(m_runs.back().back().path, first)) m_ordered = false;
  }

  // A walk's entries in path order, as runs handed up as they are: merging
  // each level into a new vector moved every entry once per level and
  // touched fresh pages each time. No run is empty.
  using Chunks = WalkedRuns;

  // A subdirectory as walk_children sees it: its entry and what another
  // task finds below it.
  struct DirItem {
    size_t position = 0;   // of its entry among the directory's entries
    bool included = true;  // false: kept only if something below it is selected
    bool gone = false;     // vanished or was replaced meanwhile
    ParentResults ignore_child, exclude_child, include_child;
    Chunks below;
    std::optional<base::Error> error;
  };

  // The selected entries below the directory `dir_fd`, in path order.
  // Subdirectories are walked as tasks of their own (oneTBB, in the caller's
  // arena), so the stat calls of a large tree spread over the cores; the
  // result is the same as a depth-first walk's. Each task opens its
  // directory from its parent's descriptor, so no more descriptors are open
  // than directories being walked. Most entries are files: each costs a
  // stat and the one allocation of its path.
  Result<Chunks> walk_children(int dir_fd, const std::string& real_dir, const std::string& rel_dir,
                               const ParentResults& ignore_parent, const ParentResults& exclude_parent,
                               const ParentResults& include_parent) const {
    TRY_ASSIGN(auto names, list_names(dir_fd, real_dir));
    // Paths relative to the source matter only to --exclude and include patterns.
    const bool needs_rel = m_patterns.exclude || m_patterns.include;
    std::vector<WalkedEntry> entries;  // in name order; directories' contents come later
    entries.reserve(names.size());
    std::vector<DirItem> dirs;
    // A failure ends the listing; it is reported after the subdirectories
    // before it, as a depth-first walk would meet it.
    std::optional<base::Error> failure;
    for (const std::string& name : names) {
      struct stat st;
      if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) continue;  // removed while we walked
        failure = errno_error("cannot stat", join(real_dir, name), errno);
        break;
      }
      std::string real = join(real_dir, name);
      std::string rel = needs_rel ? join(rel_dir, name) : std::string();
      bool is_ignored = false;
      bool is_excluded = false;
      bool is_outside = false;  // not matched by the include patterns
      const bool is_dir = S_ISDIR(st.st_mode);
      DirItem dir;
      if (m_patterns.ignore) {
        auto v = m_patterns.ignore->match_in_walk(real, ignore_parent);
        is_ignored = v.excluded;
        if (is_dir) dir.ignore_child = std::move(v.for_children);
      }
      if (m_patterns.exclude) {
        auto v = m_patterns.exclude->match_in_walk(rel, exclude_parent);
        is_excluded = v.excluded;
        if (is_dir) dir.exclude_child = std::move(v.for_children);
      }
      if (m_patterns.include) {
        auto v = m_patterns.include->match_in_walk(rel, include_parent);
        is_outside = !v.excluded;  // "excluded" reads "matched" here
        if (is_dir) dir.include_child = std::move(v.for_children);
      }
      if (!is_dir) {
        if (is_ignored || is_excluded || is_outside) continue;
        auto entry = make_entry(dir_fd, name.c_str(), std::move(real), st);
        if (!entry.ok()) {
          failure = entry.error();
          break;
        }
        entries.push_back(std::move(*entry));
        continue;
      }
      if (is_ignored && m_patterns.ignore->can_skip_excluded_dir(real)) continue;
      if (is_excluded && m_patterns.exclude->can_skip_excluded_dir(rel)) continue;
      if (is_outside && !include_may_match_below(*m_patterns.include, rel)) continue;
      auto entry = make_entry(dir_fd, name.c_str(), std::move(real), st);
      if (!entry.ok()) {
        failure = entry.error();
        break;
      }
      dir.position = entries.size();
      dir.included = !is_ignored && !is_excluded && !is_outside;
      entries.push_back(std::move(*entry));
      dirs.push_back(std::move(dir));
    }

    // Isolated: a thread waiting for this directory's subtrees runs only
    // their tasks, never another build step (which would hold this COPY
    // back) nor a sibling walk (which would pile up open descriptors). Its
    // own context: cancelling the solver's tasks must not cut a walk short
    // and have it return a partial selection as a whole one.
    tbb::task_group_context context(tbb::task_group_context::isolated);
    tbb::task_group group(context);
    tbb::task_group_status status = tbb::task_group_status::complete;
    tbb::this_task_arena::isolate([&] {
      for (DirItem& dir : dirs) {
        group.run([this, dir_fd, &dir, &entries, &rel_dir] {
          const std::string& real = entries[dir.position].path;
          const std::string name = real.substr(real.rfind('/') + 1);
          base::UniqueFd child(
              openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
          if (!child.valid()) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
              dir.gone = true;  // replaced meanwhile
            } else {
              dir.error = errno_error("cannot open directory", real, errno);
            }
            return;
          }
          auto below = walk_children(child.get(), real, join(rel_dir, name), dir.ignore_child,
                                     dir.exclude_child, dir.include_child);
          if (below.ok()) {
            dir.below = std::move(*below);
          } else {
            dir.error = below.error();
          }
        });
      }
      status = group.wait();
    });
    if (status != tbb::task_group_status::complete) {
      return base::make_error("walking \"" + real_dir + "\": interrupted");
    }

    Chunks out;
    if (dirs.empty()) {
      if (failure) return *failure;
      if (!entries.empty()) out.push_back(std::move(entries));
      return out;
    }
    for (const DirItem& dir : dirs)
      if (dir.error) return *dir.error;  // the first in path order
    if (failure) return *failure;
    // This directory's entries in runs, each subdirectory's runs after its
    // own entry.
    std::vector<WalkedEntry> run;
    auto close_run = [&] {
      if (!run.empty()) out.push_back(std::move(run));
      run = {};
    };
    size_t next = 0;
    for (DirItem& dir : dirs) {
      for (; next < dir.position; ++next) run.push_back(std::move(entries[next]));
      ++next;
      if (dir.gone || (!dir.included && dir.below.empty())) continue;
      run.push_back(std::move(entries[dir.position]));
      close_run();
      for (auto& chunk : dir.below) out.push_back(std::move(chunk));
    }
    for (; next < entries.size(); ++next) run.push_back(std::move(entries[next]));
    close_run();
    return out;
  }

  static Result<WalkedEntry> make_entry(int dir_fd, const char* name, std::string path,
                                        const struct stat& st) {
    WalkedEntry e;
    e.path = std::move(path);
    e.type = type_of(st.st_mode);
    e.mode = static_cast<uint32_t>(st.st_mode) & 07777;
    e.id = FileIdentity::from_stat(st);
    if (e.type == base::FileType::regular) {
      e.size = static_cast<uint64_t>(st.st_size);
    } else if (e.type == base::FileType::symlink) {
      TRY_ASSIGN(e.link_target, read_link_at(dir_fd, name, e.path));
      e.size = e.link_target.size();
      e.mode = 0777;
    }
    return e;
  }

  // The names in a directory, sorted, without "." and "..".
  static Result<std::vector<std::string>> list_names(int dir_fd, const std::string& path) {
    // Per thread: directories are listed by several walk tasks at once.
    thread_local std::vector<char> buffer(k_dirent_buffer);
    std::vector<std::string> names;
    for (;;) {
      long n = syscall(SYS_getdents64, dir_fd, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errno_error("cannot read directory", path, errno);
      }
      if (n == 0) break;
      size_t offset = 0;
      while (offset < static_cast<size_t>(n)) {
        const char* record = buffer.data() + offset;
        unsigned short reclen = 0;
        std::memcpy(&reclen, record + offsetof(struct dirent64, d_reclen), sizeof(reclen));
        const char* name = record + offsetof(struct dirent64, d_name);
        if (std::strcmp(name, ".") != 0 && std::strcmp(name, "..") != 0) names.emplace_back(name);
        if (reclen == 0) break;
        offset += reclen;
      }
    }
    std::sort(names.begin(), names.end());
    // A directory changed while it was listed in several reads may yield a
    // name twice; the walk promises each path once.
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  int m_root_fd;
  WalkPatterns m_patterns;
  WalkedRuns m_runs;
  bool m_ordered = true;  // m_runs is in strict path order
};

}  // namespace

bool include_may_match_below(const PatternMatcher& include, std::string_view dir) {
  const std::vector<std::string> dir_parts = base::split_path(dir, base::DotElements::keep);
  for (const auto& pattern : include.patterns()) {
    if (pattern.exclusion) continue;
    const std::vector<std::string> parts = base::split_path(pattern.cleaned, base::DotElements::keep);
    bool possible = true;
    for (size_t i = 0; i < parts.size() && i < dir_parts.size(); ++i) {
      if (parts[i].find("**") != std::string::npos) break;  // may span any depth
      auto m = frontend::ignore::match_path(parts[i], dir_parts[i]);
      if (!m.ok() || !*m) {
        possible = !m.ok();
        break;
      }
    }
    if (possible) return true;
  }
  return false;
}

bool has_wildcard(std::string_view source) {
  // As BuildKit's containsWildcards: a backslash escapes the next byte.
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\\') {
      ++i;
    } else if (c == '*' || c == '?' || c == '[') {
      return true;
    }
  }
  return false;
}

Result<WalkedRuns> walk_selection(int root_fd, const SelectRequest& request,
                                                const WalkPatterns& patterns) {
  Walker walker(root_fd, patterns);
  for (const std::string& required : request.required_paths) {
    TRY(walker.check_exists(required));
  }
  for (const std::string& source : request.sources) {
    TRY(walker.add_source(source, request));
  }
  return walker.take();
}

}  // namespace solver::ops::context
