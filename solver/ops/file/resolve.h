#pragma once
// Path resolution inside a root directory, the way a chrooted process sees
// it: symlinks are followed (absolute targets restart at the root), ".."
// never climbs above the root, and every lookup is an *at() call on fds
// opened below the root, so nothing outside it is ever read. This is what
// BuildKit's fs.RootPath does for COPY sources and destinations; unlike the
// kernel's RESOLVE_IN_ROOT it also returns the canonical path, which COPY
// needs for .dockerignore checks and for naming things in errors.
//
// Pure functions over an fd; thread-safe if the tree is not being changed.

#include <sys/stat.h>

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace solver_ops::file {

// Whether an entry that exists on disk is visible (for example, not removed by
// .dockerignore). `rel` is canonical and relative; "" is the root.
using VisibleFn = std::function<bool(const std::string& rel, const struct stat& st)>;

enum class FollowFinal { no, yes };
// What a relative symlink whose target climbs above the root does: stay at
// the root (chroot semantics) or fail (archive extraction).
enum class Escape { clamp, fail };

struct Resolved {
  std::string rel;     // canonical, relative to the root, "" = the root
  bool exists = false;  // false: some component is missing (or invisible)
  struct stat st {};   // valid when exists
};

struct ResolveOptions {
  FollowFinal follow_final = FollowFinal::yes;
  Escape escape = Escape::clamp;
  const VisibleFn* visible = nullptr;
};

base::Result<Resolved> resolve_in_root(int root_fd, std::string_view path, const ResolveOptions& options = {});

// "a/b/c" → "a/b"; "c" → "". `rel` must be clean.
std::string parent_of(std::string_view rel);
// "a/b/c" → "c"; "" → "".
std::string base_of(std::string_view rel);
// Joins two clean relative paths.
std::string join_rel(std::string_view a, std::string_view b);

}  // namespace solver_ops::file
