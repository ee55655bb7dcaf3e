#pragma once
// SourceTree / SourceView: one input of a file op as COPY reads it. The
// build context is a host directory whose files count as owned by root (as
// BuildKit's context transfer resets them) and from which .dockerignore'd
// paths are invisible, exactly as if they had never been transferred: an
// ignored file does not exist, an ignored directory exists only when an
// exception ("!pattern") keeps something below it. Snapshot inputs keep
// owners and extended attributes.
//
// A SourceView owns the open root directory fd; move-only, not thread-safe.

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/unique_fd.h"
#include "frontend/ignore/pattern_matcher.h"
#include "solver/ops/file/resolve.h"

namespace solver_ops::file {

enum class SourceKind {
  snapshot,  // a mounted snapshot or image: owners and xattrs are kept
  context,   // the build context: files are owned by 0:0, no xattrs
};

struct SourceTree {
  std::string dir;  // host directory holding this input's files
  std::vector<std::string> ignore_patterns{};  // .dockerignore lines (context only)
  SourceKind kind = SourceKind::snapshot;
  // Snapshots only, optional: a directory holding the same files as `dir`
  // (the same inodes: `dir` is a mount of it) on the destination's
  // filesystem. A regular file the copy would give exactly its own metadata
  // (no --chown, --chmod or fixed time, no extended attributes)
  // is hard-linked from it instead of copied. Never written: the caller
  // passes it only for a committed snapshot and an op made of plain copies,
  // which replace files but never edit them in place.
  std::string link_dir{};
};

class SourceView {
 public:
  static base::Result<SourceView> open(const SourceTree& tree);

  int root() const { return m_root.get(); }
  SourceKind kind() const { return m_kind; }
  // The .dockerignore matcher, or null when nothing is ignored.
  const frontend::ignore::PatternMatcher* ignore() const {
    return m_ignore ? &*m_ignore : nullptr;
  }
  // Whether `rel` (canonical, relative), which exists on disk, survives the
  // ignore patterns.
  bool visible(const std::string& rel, const struct stat& st) const;
  // For directories the walker enters although they are ignored: whether
  // anything below survives.
  bool has_visible_descendant(const std::string& rel) const;
  // visible() as a callback for resolve_in_root; empty when nothing is
  // ignored. It refers to this view, which must outlive it.
  VisibleFn visible_fn() const;
  // SourceTree::link_dir opened (O_PATH), or -1.
  int link_root() const { return m_link_root.get(); }

 private:
  base::UniqueFd m_root;
  base::UniqueFd m_link_root;
  SourceKind m_kind = SourceKind::snapshot;
  std::optional<frontend::ignore::PatternMatcher> m_ignore;
};

}  // namespace solver_ops::file
